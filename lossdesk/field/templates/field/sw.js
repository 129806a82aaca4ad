/* LossDesk 查勘: the service worker (scope {{ scope|escapejs }}). Rendered by
   field.views.service_worker; the version names the shell cache. */
"use strict";
const VERSION = "{{ version|escapejs }}";
const SHELL = [{% for url in shell %}"{{ url|escapejs }}", {% endfor %}];
const OFFLINE = "{{ offline_url|escapejs }}";
const LOGIN = "{{ login_url|escapejs }}";
const SHELL_CACHE = `field-shell-${VERSION}`;
const PAGES = "field-pages";

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

// Pages: the network first (always the latest), the kept copy when offline. A page that
// ends on the login form means the session is over: the kept pages (they show cases) go.
async function page(request) {
  const cache = await caches.open(PAGES);
  try {
    const response = await fetch(request);
    if (new URL(response.url).pathname === LOGIN) await caches.delete(PAGES);
    else if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (err) {
    return (await cache.match(request, { ignoreVary: true })) || (await caches.match(OFFLINE)) || Response.error();
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
        if (response.ok && !response.redirected) await (await caches.open(PAGES)).put(url, response);
      }),
    );
  }
});
