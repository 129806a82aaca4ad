/* The phone's offline queue (docs/field.md). Every photo and queued form is kept in
   IndexedDB the moment it is taken or filled, with a client id made then
   (crypto.randomUUID) that goes out as its Idempotency-Key, so a retried send is never a
   second attachment. Entries are sent one at a time in the order they were made, when the
   network is there: at once, on the "online" event, on load (a page closed mid-send resumes)
   and after a failed try with a growing delay. A refusal by the server (4xx) is final and
   shown with its reason; a network error or a 5xx is tried again. */
(() => {
  "use strict";
  const DB_NAME = "lossdesk-field";
  const STORE = "queue";
  const LABELS = { waiting: "等待", sending: "发送中", sent: "已发送", failed: "失败" };
  const MAX_DELAY = 60000;
  const KEEP_SENT = 24 * 3600 * 1000;
  let opening = null;
  let running = false;
  let timer = null;
  let lastSeq = 0;
  const listeners = [];

  function request(r) {
    return new Promise((resolve, reject) => {
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  }

  function open() {
    if (!opening) {
      opening = new Promise((resolve, reject) => {
        const r = indexedDB.open(DB_NAME, 1);
        r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: "id" });
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    }
    return opening;
  }

  async function store(mode) {
    return (await open()).transaction(STORE, mode).objectStore(STORE);
  }

  async function all() {
    const items = await request((await store("readonly")).getAll());
    return items.sort((a, b) => a.seq - b.seq);
  }

  async function save(item) {
    await request((await store("readwrite")).put(item));
  }

  async function remove(id) {
    await request((await store("readwrite")).delete(id));
  }

  function nextSeq() {
    lastSeq = Math.max(Date.now(), lastSeq + 1);
    return lastSeq;
  }

  /* The CSRF token from the cookie, which Django keeps current (a login changes it), not
     the page's: a page kept on the phone (the offline page, kept when the worker was
     installed) holds the token of the session it was made in, and its queue's sends would
     be refused (403). The page's token only when there is no cookie. */
  function csrfToken() {
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    if (cookie) return decodeURIComponent(cookie.slice("csrftoken=".length));
    const meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }

  /* Queue an entry: {kind: "photo"|"form", label, url, method, fields, file?, fileName?}. */
  async function add(entry) {
    const item = Object.assign(
      { id: crypto.randomUUID(), seq: nextSeq(), status: "waiting", error: "", attempts: 0, nextAt: 0 },
      entry,
    );
    await save(item);
    changed();
    pump();
    return item;
  }

  function reason(body, status) {
    const error = body && body.error;
    if (!error) return `服务器返回 ${status}`;
    const details = Object.values(error.fields || {}).flat().filter((m) => m !== error.message);
    return [error.message, ...details].join(" ");
  }

  async function send(item) {
    const headers = { "Idempotency-Key": item.id, "X-CSRFToken": csrfToken(), Accept: "application/json" };
    let body;
    if (item.file) {
      body = new FormData();
      for (const [name, value] of Object.entries(item.fields)) {
        if (value !== "" && value !== null && value !== undefined) body.append(name, value);
      }
      body.append("file", item.file, item.fileName || "photo.jpg");
    } else {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(item.fields);
    }
    return fetch(item.url, { method: item.method, headers, body, credentials: "same-origin" });
  }

  function retryLater(item, message) {
    item.status = "waiting";
    item.attempts += 1;
    item.nextAt = Date.now() + Math.min(MAX_DELAY, 1000 * 2 ** item.attempts);
    item.error = message;
  }

  function schedule(at) {
    clearTimeout(timer);
    timer = setTimeout(pump, Math.max(0, at - Date.now()));
  }

  async function pump() {
    if (running) return;
    running = true;
    try {
      for (const item of await all()) {
        if (item.status === "sent" || item.status === "failed") continue;
        if (!navigator.onLine) break;
        if (item.nextAt > Date.now()) {
          schedule(item.nextAt); // keep the order: nothing overtakes an entry that waits
          break;
        }
        item.status = "sending";
        await save(item);
        changed();
        try {
          const response = await send(item);
          const body = await response.json().catch(() => null);
          if (response.ok) {
            item.status = "sent";
            item.sentAt = Date.now();
            item.error = "";
            item.result = body && body.id ? body.id : null;
            if (item.kind === "photo") window.dispatchEvent(new Event("field:photo-sent"));
          } else if (response.status >= 500 || response.status === 408 || response.status === 429) {
            retryLater(item, `服务器暂不可用（${response.status}），稍后重试`);
          } else {
            item.status = "failed";
            item.error = reason(body, response.status);
            item.problems = (body && body.error && body.error.fields) || {}; // shown by the fields
          }
        } catch (err) {
          retryLater(item, "网络中断，稍后重试");
        }
        await save(item);
        changed();
        if (item.status === "waiting") {
          schedule(item.nextAt);
          break;
        }
      }
    } finally {
      running = false;
    }
  }

  async function retry(id) {
    const item = (await all()).find((i) => i.id === id);
    if (!item) return;
    Object.assign(item, { status: "waiting", nextAt: 0, error: "", problems: {} });
    await save(item);
    changed();
    pump();
  }

  async function clearSent() {
    for (const item of await all()) if (item.status === "sent") await remove(item.id);
    changed();
  }

  function changed() {
    all().then((items) => listeners.forEach((fn) => fn(items)));
  }

  function render(items) {
    const section = document.querySelector("[data-queue]");
    const list = document.querySelector("[data-queue-list]");
    if (!section || !list) return;
    section.hidden = items.length === 0;
    list.replaceChildren(
      ...items.map((item) => {
        const li = document.createElement("li");
        li.className = `m-queue-item is-${item.status}`;
        li.dataset.queueItem = item.id;
        li.dataset.status = item.status;
        const label = document.createElement("span");
        label.className = "m-queue-label";
        label.textContent = item.label;
        const state = document.createElement("span");
        state.className = "m-queue-state";
        state.textContent = LABELS[item.status] + (item.error ? `：${item.error}` : "");
        li.append(label, state);
        if (item.status === "failed") {
          const again = document.createElement("button");
          again.type = "button";
          again.className = "btn btn-outline-secondary btn-sm";
          again.textContent = "重试";
          again.addEventListener("click", () => retry(item.id));
          li.append(again);
        }
        return li;
      }),
    );
  }

  async function resume() {
    // An entry caught "sending" when the page closed is sent again; its key keeps it single.
    // Sent entries (their photos too) are kept a day for the surveyor to see, then dropped.
    for (const item of await all()) {
      if (item.status === "sending") {
        item.status = "waiting";
        await save(item);
      } else if (item.status === "sent" && item.sentAt < Date.now() - KEEP_SENT) {
        await remove(item.id);
      }
    }
    changed();
    pump();
  }

  listeners.push(render);
  window.addEventListener("online", async () => {
    for (const item of await all()) {
      if (item.status === "waiting" && item.nextAt) {
        item.nextAt = 0;
        await save(item);
      }
    }
    pump();
  });
  document.addEventListener("DOMContentLoaded", () => {
    const clear = document.querySelector("[data-queue-clear]");
    if (clear) clear.addEventListener("click", clearSent);
    resume();
  });

  window.FieldQueue = {
    add,
    all,
    pump,
    retry,
    clearSent,
    csrfToken,
    onChange: (fn) => listeners.push(fn),
  };
})();
