/* LossDesk 查勘: the service worker (scope {{ scope|escapejs }}). Rendered by
   field.views.service_worker; the version names the shell cache. */
"use strict";
const VERSION = "{{ version|escapejs }}";
const SHELL = [{% for url in shell %}"{{ url|escapejs }}", {% endfor %}];
const OFFLINE = "{{ offline_url|escapejs }}";
const LOGIN = "{{ login_url|escapejs }}";
const SHELL_CACHE = `field-shell-${VERSION}`;
const PAGES = "field-pages";
// A kept page older than this is not served (the offline page is): a phone left logged in,
// or whose session ended elsewhere, stops showing cases after a day. The keeping time is
// the worker's own stamp, not the server's Date.
const MAX_AGE = 24 * 60 * 60 * 1000;
const KEPT_AT = "X-Kept-At";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) => cache.addAll([...SHELL, OFFLINE])).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("field-shell-") && k !== SHELL_CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function keep(request, response) {
  const headers = new Headers(response.headers);
  headers.set(KEPT_AT, String(Date.now()));
  const copy = new Response(await response.blob(), { status: response.status, statusText: response.statusText, headers });
  await (await caches.open(PAGES)).put(request, copy);
}

// The kept copy of a page, unless it is older than MAX_AGE (then it is dropped).
async function kept(request) {
  const cache = await caches.open(PAGES);
  const hit = await cache.match(request, { ignoreVary: true });
  if (!hit) return undefined;
  const age = Date.now() - Number(hit.headers.get(KEPT_AT));
  if (age >= 0 && age < MAX_AGE) return hit;
  await cache.delete(request, { ignoreVary: true });
  return undefined;
}

// Pages: the network first (always the latest), the kept copy when offline. A page that
// ends on the login form means the session is over: the kept pages (they show cases) go.
async function page(request) {
  try {
    const response = await fetch(request);
    if (new URL(response.url).pathname === LOGIN) await caches.delete(PAGES);
    else if (response.ok) await keep(request, response.clone());
    return response;
  } catch (err) {
    return (await kept(request)) || (await caches.match(OFFLINE)) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return; // the API and form posts go to the network as they are
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});

// A page loaded before the worker took over asks to be kept.
self.addEventListener("message", (event) => {
  const url = event.data && event.data.keep;
  if (url && new URL(url).origin === self.location.origin) {
    event.waitUntil(
      fetch(url, { credentials: "same-origin" }).then(async (response) => {
        if (response.ok && !response.redirected) await keep(url, response);
      }),
    );
  }
});
