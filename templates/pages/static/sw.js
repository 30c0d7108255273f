/* Pantau's service worker: the field officer's pages keep working with no
   signal. Pages and static files come from the network when it answers
   (and are kept), else from what was kept. Forms are never replayed here:
   a visit saved offline waits in pantau.js's queue (IndexedDB) and is sent
   with its own idempotency key when the connection returns. */
"use strict";

var CACHE = "pantau-v1";
var SHELL = ["/static/pantau.css", "/static/pantau.js", "/static/pantau.svg", "/kunjungan"];

// What is kept for offline use: the officer's pages and the static files.
function keeps(url) {
  return url.origin === self.location.origin &&
    (url.pathname === "/kunjungan" || url.pathname.indexOf("/kasus/") === 0 ||
     url.pathname.indexOf("/static/") === 0);
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (c) { return c.addAll(SHELL); })
      .catch(function () { /* signed out or offline: kept as pages are opened */ })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (keys) {
        return Promise.all(keys.filter(function (k) { return k !== CACHE; })
          .map(function (k) { return caches.delete(k); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var req = event.request;
  var url = new URL(req.url);
  if (req.method !== "GET" || !keeps(url)) return;
  event.respondWith(
    fetch(req)
      .then(function (res) {
        // A page that sent the user to sign in is not kept in place of the page.
        if (res.ok && !res.redirected) {
          var copy = res.clone();
          caches.open(CACHE).then(function (c) { c.put(req, copy); });
        }
        return res;
      })
      .catch(function () {
        return caches.match(req).then(function (hit) {
          // A case page asked with other parameters (`?antrian=…`): the kept one.
          return hit || caches.match(req, { ignoreSearch: true });
        }).then(function (hit) {
          return hit || caches.match("/kunjungan");
        }).then(function (hit) {
          return hit || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
        });
      })
  );
});
