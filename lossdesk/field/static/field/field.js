/* The phone pages: the service worker, the network indicator, arrival with the browser's
   position, the forms and photos that go through the offline queue (queue.js), the parts
   price search. No inline script: the pages' CSP allows only 'self'. */
(() => {
  "use strict";
  const body = document.body;

  if ("serviceWorker" in navigator && body.dataset.sw) {
    navigator.serviceWorker
      .register(body.dataset.sw, { scope: body.dataset.swScope })
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        // Keep the page the worker did not see load, so it opens offline too.
        registration.active.postMessage({ keep: location.href });
      })
      .catch((error) => console.warn("service worker:", error)); // the pages still work online
  }

  function showNetwork() {
    const badge = document.querySelector("[data-net]");
    if (!badge) return;
    badge.textContent = navigator.onLine ? "在线" : "离线";
    badge.classList.toggle("is-offline", !navigator.onLine);
  }
  window.addEventListener("online", showNetwork);
  window.addEventListener("offline", showNetwork);
  showNetwork();

  // Logging out forgets the kept pages (they show cases and phones); the queue stays.
  document.querySelectorAll("form[data-logout]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const pages = "caches" in window ? caches.delete("field-pages") : Promise.resolve();
      pages.finally(() => form.submit());
    });
  });

  // Arrival: the position when the surveyor allows it; arrival is recorded either way.
  document.querySelectorAll("form[data-geolocate]").forEach((form) => {
    let asked = false;
    form.addEventListener("submit", (event) => {
      if (asked || !navigator.geolocation) return;
      event.preventDefault();
      asked = true;
      const note = document.querySelector("[data-geo-note]");
      const send = () => form.submit();
      navigator.geolocation.getCurrentPosition(
        (position) => {
          form.querySelector("[name=lat]").value = position.coords.latitude.toFixed(6);
          form.querySelector("[name=lng]").value = position.coords.longitude.toFixed(6);
          send();
        },
        () => {
          if (note) {
            note.hidden = false;
            note.textContent = "未获取到位置（未授权或定位不可用），仅记录到达时间。";
          }
          setTimeout(send, 800);
        },
        { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 },
      );
    });
  });

  // Forms that the offline queue sends to the API: their fields as the API takes them.
  function apiFields(form) {
    const data = new FormData(form);
    const fields = {};
    for (const name of new Set(data.keys())) {
      if (name === "csrfmiddlewaretoken" || name === "version") continue;
      const element = form.elements[name];
      const multiple = element && element.length !== undefined && element[0] && element[0].type === "checkbox";
      const values = data.getAll(name).filter((v) => v !== "");
      if (multiple) fields[name] = values.map(Number);
      else if (values.length) fields[name] = values[0];
    }
    return fields;
  }

  // A time that starts at now: the phone's now in the server's zone (a kept page is older).
  document.querySelectorAll("input[data-now-offset]").forEach((input) => {
    const shifted = new Date(Date.now() + Number(input.dataset.nowOffset) * 60000);
    input.value = shifted.toISOString().slice(0, 16);
  });

  // The server's refusal of a queued form, under the fields it names (the rest stays in the
  // queue's line); cleared when the form is sent again.
  function showProblems(form, problems) {
    form.querySelectorAll("[data-queue-error]").forEach((el) => el.remove());
    form.querySelectorAll(".is-invalid").forEach((el) => el.classList.remove("is-invalid"));
    for (const [name, messages] of Object.entries(problems || {})) {
      const element = form.elements[name];
      if (!element || element instanceof RadioNodeList || element.type === "hidden") continue;
      element.classList.add("is-invalid");
      const error = document.createElement("div");
      error.className = "invalid-feedback d-block";
      error.dataset.queueError = "";
      error.textContent = messages.join(" ");
      element.after(error);
    }
  }

  // A form queued and not sent yet opens again with what was typed (the kept page is older),
  // also where the case no longer takes it (a 409: the page has the form hidden for this);
  // not once a later send of it went through (an earlier refusal is answered by then).
  async function refill(form) {
    const queued = (await window.FieldQueue.all()).filter(
      (item) => item.url === form.dataset.queueUrl,
    );
    const last = queued[queued.length - 1];
    if (!last || last.status === "sent") return;
    form.hidden = false; // a form the case no longer takes shows what was not sent
    for (const [name, value] of Object.entries(last.fields)) {
      const element = form.elements[name];
      if (!element) continue;
      if (Array.isArray(value)) {
        form.querySelectorAll(`[name="${name}"]`).forEach((box) => {
          box.checked = value.includes(Number(box.value));
        });
      } else {
        element.value = value;
      }
    }
    const note = form.querySelector("[data-queued-note]");
    if (note) note.hidden = false;
    if (last.status === "failed") showProblems(form, last.problems);
  }

  document.querySelectorAll("form[data-queue-url]").forEach((form) => {
    refill(form);
    let sent = null; // the entry this page queued last
    window.FieldQueue.onChange((items) => {
      const item = sent && items.find((i) => i.id === sent);
      if (item && item.status === "failed") showProblems(form, item.problems);
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      showProblems(form, {});
      const item = await window.FieldQueue.add({
        kind: "form",
        label: form.dataset.queueLabel,
        url: form.dataset.queueUrl,
        method: form.dataset.queueMethod,
        fields: apiFields(form),
      });
      sent = item.id;
      const note = form.querySelector("[data-queued-note]");
      if (note) note.hidden = false;
    });
  });

  // Photos: each one queued the moment it is taken, under its own id.
  const photoForm = document.querySelector("form[data-photo-form]");
  if (photoForm) {
    const input = photoForm.querySelector("input[type=file]");
    photoForm.addEventListener("submit", (event) => event.preventDefault());
    input.addEventListener("change", async () => {
      const type = photoForm.elements.doc_type;
      const item = photoForm.elements.loss_item;
      for (const file of Array.from(input.files)) {
        await window.FieldQueue.add({
          kind: "photo",
          label: `照片 · ${type.options[type.selectedIndex].text} · ${file.name}`,
          url: photoForm.dataset.uploadUrl,
          method: "POST",
          fields: { kind: "photo", doc_type: type.value, loss_item: item.value },
          file,
          fileName: file.name,
        });
      }
      input.value = "";
    });
  }

  // The list of uploaded photos takes itself from the page again when the queue has sent
  // a photo, and every few seconds while one is still being processed (its watermarked
  // copies are made in the background), until none is left.
  let refreshing = false;
  let again = false;
  async function refresh(delay) {
    const list = document.getElementById("uploaded-photos");
    if (!list) return;
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    await new Promise((resolve) => setTimeout(resolve, delay));
    try {
      if (!navigator.onLine) throw new Error("offline");
      const response = await fetch(location.href, { credentials: "same-origin" });
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById(list.id);
      if (response.ok && fresh) list.replaceWith(fresh);
    } catch (err) {
      // offline or the network dropped: the next round tries again
    }
    refreshing = false;
    const now = document.getElementById("uploaded-photos");
    if (again || now.hasAttribute("data-refresh")) refresh(again ? 0 : 3000);
    again = false;
  }
  window.addEventListener("field:photo-sent", () => refresh(0));
  if (document.querySelector("#uploaded-photos[data-refresh]")) refresh(3000);

  // The parts search's scope (field/assessment.html, for sheet.js too): the vehicle chosen
  // in the select (else the one vehicle), narrowed to its identified model (车辆定型) unless
  // the surveyor ticks 全部车型; an unidentified vehicle is searched over every model, and
  // the page says so. The search itself is parts' API (GET /api/v1/parts?q=&model=).
  const FieldParts = {
    scope(card) {
      const select = card.querySelector("[data-sheet-target]");
      const scopes = [...card.querySelectorAll("[data-parts-scope]")];
      return scopes.find((s) => select && s.dataset.seq === select.value) || scopes[0] || null;
    },
    // The identified model the next search is narrowed to, or "" (every model).
    model(card) {
      const scope = FieldParts.scope(card);
      if (!scope || !scope.dataset.model) return "";
      const all = scope.querySelector("[data-all-models]");
      return all && all.checked ? "" : scope.dataset.model;
    },
    // The case's prices (its price region, decision 0032), narrowed to the model.
    url(card, q) {
      const model = FieldParts.model(card);
      const caseNo = card.dataset.case ? `&case=${encodeURIComponent(card.dataset.case)}` : "";
      return `${card.dataset.url}?q=${encodeURIComponent(q)}&limit=20${model ? `&model=${model}` : ""}${caseNo}`;
    },
    // What the answer covers, from the model the server narrowed it to.
    heading(card, body) {
      const scope = FieldParts.scope(card);
      if (!scope) return "全部车型的配件：";
      if (body.model) return `适用 ${scope.dataset.modelName} 的配件：`;
      if (scope && scope.dataset.model) return `全部车型的配件（本车已定型为 ${scope.dataset.modelName}，请核对是否适用）：`;
      return "全部车型的配件（本车尚未定型，请核对是否适用）：";
    },
    // Nothing found: for the identified model, a deliberate way to every model's parts.
    empty(card, body) {
      const li = document.createElement("li");
      li.className = "m-empty";
      li.dataset.testid = "parts-empty";
      const scope = FieldParts.scope(card);
      if (!body.model) {
        li.textContent = "没有找到配件。";
        return li;
      }
      li.textContent = `${scope.dataset.modelName} 没有找到「${body.query}」。`;
      const widen = document.createElement("button");
      widen.type = "button";
      widen.className = "btn btn-link btn-sm p-0 align-baseline";
      widen.dataset.testid = "parts-widen";
      widen.textContent = "在全部车型中查找";
      widen.addEventListener("click", () => {
        scope.querySelector("[data-all-models]").checked = true;
        card.querySelector("[data-parts-form]").requestSubmit();
      });
      li.append(" ", widen);
      return li;
    },
    headingItem(card, body) {
      const li = document.createElement("li");
      li.className = "m-meta small";
      li.dataset.testid = "parts-heading";
      li.textContent = FieldParts.heading(card, body);
      return li;
    },
    // The select shows its vehicle's scope; ticking 全部车型 (or not) searches again.
    init(card) {
      const form = card.querySelector("[data-parts-form]");
      const results = card.querySelector("[data-parts-results]");
      const select = card.querySelector("[data-sheet-target]");
      const show = () => {
        const current = FieldParts.scope(card);
        card.querySelectorAll("[data-parts-scope]").forEach((s) => {
          s.hidden = s !== current;
        });
      };
      if (select) {
        select.addEventListener("change", () => {
          show();
          results.replaceChildren();
          if (form.elements.q.value.trim()) form.requestSubmit();
        });
      }
      card.querySelectorAll("[data-all-models]").forEach((box) => {
        box.addEventListener("change", () => {
          if (form.elements.q.value.trim()) form.requestSubmit();
        });
      });
      show();
    },
  };
  window.FieldParts = FieldParts;

  // Parts price look-up for who cannot edit a sheet (parts' API): name, OE number and the
  // price it would use.
  const parts = document.querySelector("[data-parts-search]");
  if (parts) {
    FieldParts.init(parts);
    const results = parts.querySelector("[data-parts-results]");
    parts.querySelector("[data-parts-form]").addEventListener("submit", async (event) => {
      event.preventDefault();
      const q = event.target.elements.q.value.trim();
      if (!q) return;
      results.replaceChildren();
      const li = (text, cls) => {
        const el = document.createElement("li");
        if (cls) el.className = cls;
        el.textContent = text;
        return el;
      };
      if (!navigator.onLine) {
        results.append(li("离线时不能查价，联网后再试。", "text-danger"));
        return;
      }
      try {
        const response = await fetch(FieldParts.url(parts, q), {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        const body = await response.json();
        if (!response.ok) {
          results.append(li(body.error ? body.error.message : "查询失败。", "text-danger"));
          return;
        }
        results.append(FieldParts.headingItem(parts, body));
        if (!body.results.length) results.append(FieldParts.empty(parts, body));
        for (const hit of body.results) {
          const price = hit.prices.find((p) => p.price !== null);
          const row = li(`${hit.name} · ${hit.oe_number} · ${hit.make} · ${price ? `${price.label} ${price.price} 元` : "无价格"}`);
          row.dataset.testid = "part-hit";
          results.append(row);
        }
      } catch (err) {
        results.append(li("离线时不能查价，联网后再试。", "text-danger"));
      }
    });
  }
})();
