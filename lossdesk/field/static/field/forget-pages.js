/* The session is over: this runs on the login page a logged-out browser is sent to, after a
   logout anywhere (the desktop's top bar too) or an expired session. It forgets the pages
   the phone app's service worker kept for offline use (they show cases and phones). Cache
   Storage is the origin's, so this works outside the worker's scope (/m/). The offline
   queue (IndexedDB) stays: what was taken is never dropped by a logout. */
"use strict";
if ("caches" in window) caches.delete("field-pages");
