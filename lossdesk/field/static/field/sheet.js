/* On-site assessment (field/assessment.html): each vehicle's damage sheet (定损单) written
   on the phone through GET/PUT /api/v1/cases/{case_no}/loss-items/{seq}/sheet; lines from
   the parts search (parts' API, with the price the sheet would use, narrowed to the
   vehicle's identified model unless 全部车型 is ticked: field.js's FieldParts) and saved price queries
   applied through POST /api/v1/price-queries/{id}/apply. No business rule here: the server
   checks and computes everything; the amounts shown before a save are an estimate.

   The save carries the version of the sheet the page started from (sheet_version), so a
   photo or another change to the case saved meanwhile does not refuse it; a sheet saved
   since (by a colleague, an applied price query) is the server's 409 with its message, the
   input stays on the page and the version moves on, so a second, deliberate tap saves
   (decision 0007, amended); applying a price query carries it too. Every change is kept
   in localStorage at once (a draft per user, case and loss item) until the server has the
   sheet: offline, or if the page or the phone is closed, nothing typed is lost; the sheet
   is only ever saved online, by the user, against the version the draft started from. */
(() => {
  "use strict";
  const NUMBER = /^(\d+(\.\d{0,2})?|\.\d{1,2})$/;
  const REPLACE = "replace"; // the one kind that has a salvage value (motor.rules)
  const template = document.getElementById("sheet-line-template");
  const editors = [];

  // "１２．５" (full-width, as some IMEs type) → "12.5"
  function normalise(text) {
    return String(text === null || text === undefined ? "" : text)
      .trim()
      .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
      .replace(/\uFF0E/g, ".");
  }

  // A non-negative number with at most two decimals → BigInt in fen; else null.
  function fen(text) {
    const value = normalise(text);
    if (!NUMBER.test(value)) return null;
    const [whole, frac = ""] = value.split(".");
    return BigInt(whole || "0") * 100n + BigInt((frac + "00").slice(0, 2));
  }

  // fen → "12,345.60", as the `money` filter shows amounts.
  function money(value) {
    const negative = value < 0n;
    const abs = negative ? -value : value;
    const whole = String(abs / 100n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return `${negative ? "-" : ""}${whole}.${String(abs % 100n).padStart(2, "0")}`;
  }

  function moneyText(decimal) {
    const value = fen(decimal);
    return value === null ? String(decimal) : money(value);
  }

  // A stored number as a person would type it: "1.00" → "1", "2.50" → "2.5".
  function plain(value) {
    const text = value === null || value === undefined ? "" : String(value);
    return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
  }

  async function api(url, method, body) {
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        "X-CSRFToken": window.FieldQueue.csrfToken(),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(() => null);
    return { ok: response.ok, status: response.status, body: data };
  }

  function errorOf(result) {
    const error = result.body && result.body.error;
    return error || { message: `服务器返回 ${result.status}`, fields: {} };
  }

  function element(tag, className, text) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  // How the price query service describes a catalogue price (parts.queries.price_source_text).
  function sourceText(price) {
    if (price.local_price !== null) {
      let text = `本地价（${price.local_branch}）：${price.local_reason}`;
      if (price.catalogue_price !== null) text += `；目录价 ${price.catalogue_price}`;
      return text.slice(0, 200);
    }
    const parts = [`目录价 ${price.label}`, price.region];
    if (price.effective_from) parts.push(`${price.effective_from} 起`);
    if (price.source) parts.push(price.source);
    return parts.join(" · ").slice(0, 200);
  }

  const OFFLINE = ["当前离线，定损单现在不能保存。", "您填写的内容已保存在本机，联网后再点「保存定损单」。"];

  class Editor {
    constructor(root) {
      this.root = root;
      this.seq = root.dataset.seq;
      this.item = Number(root.dataset.item);
      this.label = root.dataset.label;
      this.url = root.dataset.url;
      this.key = root.dataset.draftKey;
      this.list = root.querySelector("[data-lines]");
      this.messages = root.querySelector("[data-sheet-messages]");
      this.notice = root.querySelector("[data-sheet-notice]");
      this.discardButton = root.querySelector("[data-sheet-discard]");
      this.saveButton = root.querySelector("[data-sheet-save]");
      const data = document.getElementById(`sheet-data-${this.seq}`);
      this.initial = JSON.parse(data.textContent);
      this.load(this.initial, Number(root.dataset.version));
      const draft = this.readDraft();
      if (draft) {
        // What was typed here and not saved yet, against the version it started from; a
        // draft kept before sheets had their own version holds the case's, checked as such.
        if ("sheetVersion" in draft) this.version = draft.sheetVersion;
        else [this.version, this.draftCaseVersion] = [null, draft.version];
        this.setLines(draft.lines);
        this.dirty = true;
        const at = new Date(draft.at).toLocaleString("zh-CN", { hour12: false });
        this.say("info", [`已恢复本机保存、尚未提交的修改（${at}）。`], this.notice);
      }
      root.addEventListener("input", (event) => this.edited(event));
      root.addEventListener("change", (event) => this.edited(event));
      root.addEventListener("click", (event) => {
        const remove = event.target.closest("[data-remove]");
        if (remove) {
          remove.closest("[data-line]").remove();
          this.changed();
        }
      });
      root.querySelector("[data-add-line]").addEventListener("click", () => {
        const row = this.addRow({});
        this.changed();
        row.querySelector("[name=name]").focus();
      });
      this.saveButton.addEventListener("click", () => this.save());
      this.discardButton.addEventListener("click", () => {
        if (!window.confirm("放弃本机未保存的修改，恢复为服务器上的定损单？")) return;
        this.clearDraft();
        this.load(this.sheet, this.caseVersion);
        this.say("info", ["已放弃未保存的修改。"]);
      });
      root.querySelector("[data-sheet-saved]").hidden = true;
      root.querySelector("[data-sheet-editor]").hidden = false;
      this.refresh();
    }

    // The sheet as the API answers it (null: none yet) becomes the editor's content;
    // `caseVersion` is the case version it was read at (what a draft kept by an earlier
    // release, without the sheet's version, is checked against).
    load(sheet, caseVersion) {
      this.sheet = sheet;
      this.caseVersion = caseVersion;
      this.version = sheet ? sheet.sheet_version : 0;
      this.draftCaseVersion = null;
      this.dirty = false;
      this.setLines(sheet ? sheet.lines : []);
    }

    setLines(lines) {
      this.list.replaceChildren();
      lines.forEach((line) => this.addRow(line));
      this.refresh();
    }

    addRow(line) {
      const row = template.content.firstElementChild.cloneNode(true);
      row.link = {
        part: line.part || null,
        price_type: line.price_type || "",
        price_source: line.price_source || "",
        price_query_line: line.price_query_line || null,
        part_no: line.part_no || "",
        remarks: line.remarks || "",
      };
      const field = (name) => row.querySelector(`[name=${name}]`);
      field("kind").value = line.kind || REPLACE;
      field("name").value = line.name || "";
      field("quantity").value = plain(line.quantity || "1");
      field("unit_price").value = plain(line.unit_price);
      field("salvage_value").value = fen(line.salvage_value) ? plain(line.salvage_value) : "";
      const source = [row.link.part_no, row.link.price_source].filter(Boolean).join(" · ");
      row.querySelector("[data-source]").textContent = source;
      row.querySelector("[data-fitment]").textContent = line.fitment_warning ? `⚠ ${line.fitment_warning}` : "";
      this.list.append(row);
      return row;
    }

    rows() {
      return Array.from(this.list.querySelectorAll("[data-line]"));
    }

    // A row as the sheet API takes it; null for a row left empty (not sent, as on desktop).
    lineOf(row) {
      const value = (name) => normalise(row.querySelector(`[name=${name}]`).value);
      const kind = row.querySelector("[name=kind]").value;
      const line = { kind, name: value("name"), quantity: value("quantity"), unit_price: value("unit_price") };
      if (!line.name && !line.unit_price && (!line.quantity || line.quantity === "1")) return null;
      line.quantity = line.quantity || "1";
      line.salvage_value = kind === REPLACE ? value("salvage_value") || "0" : "0";
      return Object.assign(line, row.link);
    }

    edited(event) {
      if (!event.target.closest("[data-line]")) return;
      const row = event.target.closest("[data-line]");
      const input = event.target;
      input.classList.remove("is-invalid");
      const error = row.querySelector(`[data-error="${input.name}"]`);
      if (error) error.textContent = "";
      this.changed();
    }

    changed() {
      this.dirty = true;
      this.writeDraft();
      this.refresh();
    }

    refresh() {
      let total = 0n;
      let estimated = false;
      this.rows().forEach((row, index) => {
        row.querySelector("[data-seq-no]").textContent = String(index + 1);
        const kind = row.querySelector("[name=kind]").value;
        row.querySelector("[data-salvage]").hidden = kind !== REPLACE;
        const line = this.lineOf(row);
        const quantity = line && fen(line.quantity);
        const price = line && fen(line.unit_price);
        const salvage = line && fen(line.salvage_value);
        let text = "";
        if (quantity !== null && price !== null && line.unit_price !== "") {
          // hundredths × hundredths; + 50, ÷ 100 rounds half-up to the fen (motor.rules).
          const amount = (quantity * price + 50n) / 100n;
          total += amount - (salvage || 0n);
          text = `金额 ${money(amount)}`;
        } else if (line) {
          estimated = true;
        }
        row.querySelector("[data-amount]").textContent = text;
      });
      this.root.querySelector("[data-lines-empty]").hidden = this.rows().length > 0;
      const saved = !this.dirty && this.sheet;
      this.root.querySelector("[data-total]").textContent = saved
        ? `${moneyText(this.sheet.total)} 元`
        : `${money(total)} 元${estimated ? "+" : ""}`;
      this.root.querySelector("[data-total-note]").hidden = !this.dirty;
      this.discardButton.hidden = !this.dirty;
    }

    readDraft() {
      try {
        return JSON.parse(localStorage.getItem(this.key) || "null");
      } catch (err) {
        return null;
      }
    }

    writeDraft() {
      const lines = this.rows().map((row) => this.lineOf(row) || { kind: row.querySelector("[name=kind]").value });
      try {
        const draft = this.version === null ? { version: this.draftCaseVersion } : { sheetVersion: this.version };
        localStorage.setItem(this.key, JSON.stringify({ ...draft, lines, at: Date.now() }));
      } catch (err) {
        this.say("warning", ["本机存储已满：未保存的修改只在本页，请联网后尽快保存。"], this.notice);
      }
    }

    clearDraft() {
      localStorage.removeItem(this.key);
      this.notice.replaceChildren();
    }

    say(kind, lines, where) {
      const box = element("div", `alert alert-${kind} py-2 mb-2`);
      box.dataset.testid = `sheet-${kind}`;
      lines.forEach((line, i) => {
        if (i) box.append(element("br"));
        box.append(document.createTextNode(line));
      });
      (where || this.messages).replaceChildren(box);
    }

    clearErrors() {
      this.messages.replaceChildren();
      this.root.querySelectorAll("[data-error]").forEach((el) => (el.textContent = ""));
      this.root.querySelectorAll(".is-invalid").forEach((el) => el.classList.remove("is-invalid"));
    }

    // A refusal's `lines.<i>.<field>` messages beside the field of the i-th line sent; the
    // rest at the top of the sheet's messages.
    showErrors(error, sent) {
      const top = [error.message];
      for (const [key, messages] of Object.entries(error.fields || {})) {
        const match = /^lines\.(\d+)(?:\.(\w+))?$/.exec(key);
        const row = match ? sent[Number(match[1])] : null;
        if (!row) {
          messages.forEach((m) => top.includes(m) || top.push(m));
          continue;
        }
        const field = match[2];
        const input = field && row.querySelector(`[name=${field}]`);
        const slot = (input && row.querySelector(`[data-error="${field}"]`)) || row.querySelector('[data-error="_line"]');
        slot.textContent = messages.join(" ");
        if (input) input.classList.add("is-invalid");
      }
      this.say("danger", top);
    }

    body(lines) {
      const sheet = this.sheet || {};
      const version = this.version === null ? { version: this.draftCaseVersion } : { sheet_version: this.version };
      return {
        ...version,
        repair_shop: sheet.repair_shop === undefined ? null : sheet.repair_shop,
        vehicle_model: sheet.vehicle_model || "",
        remarks: sheet.remarks || "",
        lines,
      };
    }

    // Save the sheet; true when the server has it.
    async save() {
      this.clearErrors();
      if (!navigator.onLine) {
        this.say("warning", OFFLINE);
        return false;
      }
      const sent = this.rows().filter((row) => this.lineOf(row));
      this.saveButton.disabled = true;
      let result;
      try {
        result = await api(this.url, "PUT", this.body(sent.map((row) => this.lineOf(row))));
      } catch (err) {
        this.say("warning", OFFLINE);
        return false;
      } finally {
        this.saveButton.disabled = false;
      }
      if (result.ok) {
        this.clearDraft();
        this.load(result.body, result.body.case_version);
        this.say("success", [`已保存定损单 ${result.body.sheet_no}，合计 ${moneyText(result.body.total)} 元。`]);
        return true;
      }
      const error = errorOf(result);
      if (result.status === 409) {
        this.conflict(error);
      } else {
        this.showErrors(error, sent);
      }
      return false;
    }

    // Someone saved the sheet since this page read it: say so, keep the input, and take
    // the sheet's current version so that a second, deliberate tap saves over it.
    conflict(error) {
      const lines = [error.message, "您填写的内容已保留，尚未保存。"];
      const current = error.current_sheet;
      if (current) {
        this.sheet = current; // its header (repair shop, remarks) goes with the next save
        const by = current.assessor ? current.assessor.full_name : "他人";
        lines.push(`当前已保存的定损单 ${current.sheet_no} 由 ${by} 编制，合计 ${moneyText(current.total)} 元。`);
      }
      if (error.current_version !== undefined && error.current_version !== null) {
        this.caseVersion = error.current_version;
        this.version = current ? current.sheet_version : error.current_sheet_version || 0;
        this.dirty = true;
        this.writeDraft();
        lines.push("确认无误后再次点击「保存定损单」将以您的内容为准。");
      }
      this.say("danger", lines);
      this.refresh();
    }

    // The sheet as the server has it now (after a price query was applied).
    async reload() {
      const result = await api(this.url, "GET");
      if (result.ok) {
        this.clearDraft();
        this.load(result.body, result.body.case_version);
      }
      return result;
    }
  }

  function target() {
    const select = document.querySelector("[data-sheet-target]");
    return (select && editors.find((e) => e.seq === select.value)) || editors[0];
  }

  // ---------------------------------------------------------------- parts search
  function initSearch(card) {
    window.FieldParts.init(card); // field.js: the vehicle's model, 全部车型
    const results = card.querySelector("[data-parts-results]");
    const say = (text, cls) => results.replaceChildren(element("li", cls, text));
    card.querySelector("[data-parts-form]").addEventListener("submit", async (event) => {
      event.preventDefault();
      const q = event.target.elements.q.value.trim();
      if (!q) return;
      if (!navigator.onLine) {
        say("离线时不能查价，联网后再试。", "text-danger");
        return;
      }
      let result;
      try {
        result = await api(window.FieldParts.url(card, q), "GET");
      } catch (err) {
        say("离线时不能查价，联网后再试。", "text-danger");
        return;
      }
      if (!result.ok) {
        say(errorOf(result).message, "text-danger");
        return;
      }
      const heading = window.FieldParts.headingItem(card, result.body);
      if (!result.body.results.length) {
        results.replaceChildren(heading, window.FieldParts.empty(card, result.body));
        return;
      }
      results.replaceChildren(heading, ...result.body.results.map((hit) => partHit(hit, card)));
    });
  }

  function partHit(hit, card) {
    const li = element("li", "m-hit");
    li.dataset.testid = "part-hit";
    li.append(element("div", "fw-semibold", hit.name), element("div", "m-meta", `${hit.oe_number} · ${hit.make}`));
    const prices = element("div", "m-prices");
    const priced = hit.prices.filter((p) => p.price !== null);
    if (!priced.length) prices.append(element("span", "m-meta", "目录无价格：请在电脑版发起人工报价。"));
    for (const price of priced) {
      const button = element("button", "btn btn-outline-primary btn-sm");
      button.type = "button";
      button.dataset.testid = "add-part";
      button.append(element("span", "m-price-label", price.label), element("span", "mono", `＋ ${moneyText(price.price)}`));
      button.addEventListener("click", () => {
        const editor = target();
        const row = editor.addRow({
          kind: REPLACE,
          name: hit.name,
          part_no: hit.oe_number,
          quantity: "1",
          unit_price: price.price,
          part: hit.id,
          price_type: price.price_type,
          price_source: sourceText(price),
        });
        editor.changed();
        row.classList.add("is-new");
        const note = card.querySelector("[data-added]") || element("p", "m-added small mb-0 mt-2");
        note.dataset.added = "";
        note.textContent = `已加入「${editor.label}」：${hit.name} ${moneyText(price.price)} 元（未保存）。`;
        card.querySelector("[data-parts-form]").after(note);
      });
      prices.append(button);
    }
    li.append(prices);
    return li;
  }

  // -------------------------------------------------------------- price queries
  async function loadQueries(card) {
    const list = card.querySelector("[data-queries-list]");
    const say = (text, cls) => list.replaceChildren(element("li", cls, text));
    if (!navigator.onLine) {
      say("离线时不能读取询价单，联网后刷新本页。", "m-empty");
      return;
    }
    let result;
    try {
      const url = `${card.dataset.url}?case=${encodeURIComponent(card.dataset.case)}&page_size=100`;
      result = await api(url, "GET");
    } catch (err) {
      say("离线时不能读取询价单，联网后刷新本页。", "m-empty");
      return;
    }
    if (!result.ok) {
      say(errorOf(result).message, "text-danger");
      return;
    }
    const items = new Set(editors.map((e) => e.item));
    const queries = result.body.results.filter(
      (q) => q.case === card.dataset.case && (q.loss_item === null || items.has(q.loss_item)),
    );
    if (!queries.length) {
      say("本案还没有保存的询价单。", "m-empty");
      return;
    }
    list.replaceChildren(...queries.map((query) => queryItem(query, card)));
  }

  function queryItem(query, card) {
    const li = element("li", "m-query");
    li.dataset.testid = "price-query";
    const head = element("div", "m-row");
    head.append(
      element("span", "fw-semibold", query.query_no),
      element("span", "m-meta", query.applied_sheet ? `已应用到 ${query.applied_sheet}` : "未应用"),
    );
    const lines = query.lines.map(
      (l) => `${l.name} × ${plain(l.quantity)} ${l.unit_price === null ? "无价格" : moneyText(l.unit_price)}`,
    );
    const model = query.vehicle_model ? `${query.vehicle_model.name} · ` : "";
    li.append(head, element("div", "small", lines.join("；")), element("div", "m-meta", `${model}${query.created_by}`));
    const editor = query.loss_item === null ? null : editors.find((e) => e.item === query.loss_item);
    const button = element("button", "btn btn-outline-primary btn-sm mt-1", "应用到定损单");
    button.type = "button";
    button.dataset.testid = "apply-query";
    const error = element("div", "m-error");
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await apply(query, editor || target(), card, error);
      } finally {
        button.disabled = false;
      }
    });
    li.append(button, error);
    return li;
  }

  // Unsaved changes are saved first (the apply service writes the sheet as the server has
  // it); then the query's lines replace what it put there before, and the page shows the
  // sheet the server now holds.
  async function apply(query, editor, card, error) {
    error.textContent = "";
    if (!navigator.onLine) {
      error.textContent = "离线时不能应用询价单，联网后再试。";
      return;
    }
    if (editor.dirty && !(await editor.save())) {
      error.textContent = "未能先保存定损单的修改（见上方定损单中的提示），询价单未应用。";
      return;
    }
    let result;
    try {
      const url = card.dataset.applyUrl.replace("/0/", `/${query.id}/`);
      const version = editor.version === null ? { version: editor.caseVersion } : { sheet_version: editor.version };
      result = await api(url, "POST", { loss_item: editor.item, ...version });
      if (result.ok || result.status === 409) await editor.reload();
    } catch (err) {
      error.textContent = "网络中断，询价单未应用，联网后再试。";
      return;
    }
    if (!result.ok) {
      const body = errorOf(result);
      const details = Object.values(body.fields || {}).flat().filter((m) => m !== body.message);
      error.textContent = [body.message, ...details].join(" ");
      if (result.status === 409) error.textContent += " 已重新读取定损单，请再点一次。";
      return;
    }
    editor.say("success", [`已应用询价单 ${query.query_no}，定损单 ${result.body.sheet_no} 合计 ${moneyText(result.body.total)} 元。`]);
    loadQueries(card);
  }

  // ----------------------------------------------------------------------- start
  function showNetwork() {
    const note = document.querySelector("[data-sheet-offline]");
    if (note) note.hidden = navigator.onLine;
  }

  document.querySelectorAll("[data-sheet]").forEach((root) => editors.push(new Editor(root)));
  if (!editors.length) return;
  window.addEventListener("online", showNetwork);
  window.addEventListener("offline", showNetwork);
  showNetwork();
  const search = document.querySelector("[data-sheet-search]");
  if (search) initSearch(search);
  const queries = document.querySelector("[data-sheet-queries]");
  if (queries) loadQueries(queries);
})();
