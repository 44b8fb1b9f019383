/* Kiosk service worker: the kiosk page and its assets keep working when the network drops.
   Network first (so a new version arrives as soon as the network is back), cache as fallback.
   Answers are not handled here: the page queues them and sends them through the API. */
"use strict";
const CACHE = "observatory-kiosk-v1";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() => caches.match(request, { ignoreSearch: false }))
  );
});
