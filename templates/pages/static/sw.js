/* Pantau's service worker: the field officer's pages keep working with no
   signal. Pages and static files come from the network when it answers
   (and are kept), else from what was kept. Forms are never replayed here:
   a visit saved offline waits in pantau.js's queue (IndexedDB) and is sent
   with its own idempotency key when the connection returns.

   Kept pages belong to one user. Every page says who is signed in and until
   when their session lasts: its answer (X-Pantau-User, X-Pantau-Until;
   without them, as on the sign-in page, nobody is), and pantau.js again
   once the worker is ready (a page loaded before the worker ran). Pages are kept per user, and served offline only to the user last
   known to be signed in, and only until their session's known end: after
   that, or for anyone else, nothing kept is shown. */
"use strict";

var STATIC = "pantau-static-v2";
var PAGES = "pantau-halaman-";   // + the user's login
var STATE = "pantau-sesi";       // who is signed in, until when
var SHELL = ["/static/pantau.css", "/static/pantau.js", "/static/pantau.svg"];

function pagesOf(user) { return PAGES + encodeURIComponent(user); }

// The officer's pages kept for offline use.
function isPage(url) {
  return url.pathname === "/kunjungan" || url.pathname.indexOf("/kasus/") === 0;
}

// Who is signed in and until when, as last heard (kept across restarts).
var known = null;
function readState() {
  if (known) return Promise.resolve(known);
  return caches.open(STATE)
    .then(function (c) { return c.match("/sesi"); })
    .then(function (r) { return r ? r.json() : null; })
    .catch(function () { return null; })
    .then(function (s) { known = s || { user: null, until: 0 }; return known; });
}
function remember(s) {
  known = s;
  return caches.open(STATE)
    .then(function (c) {
      return c.put("/sesi", new Response(JSON.stringify(s), { headers: { "Content-Type": "application/json" } }));
    })
    .catch(function () {})
    .then(function () { return s; });
}
// What a page's answer says (headers), or a page itself (a message from pantau.js).
function learn(res) {
  var user = res.headers.get("X-Pantau-User");
  return remember(user
    ? { user: decodeURIComponent(user), until: Number(res.headers.get("X-Pantau-Until")) || 0 }
    : { user: null, until: 0 });
}
self.addEventListener("message", function (event) {
  var d = event.data || {};
  if (d.pantau !== "sesi") return;
  event.waitUntil(remember({ user: d.user || null, until: Number(d.until) || 0 }));
});

// Offline, with nothing this user may be shown.
function nothing() {
  var text = "Tidak ada sinyal, atau sesi sudah berakhir: masuk lagi saat ada sinyal. " +
    "(No signal, or the session has ended: sign in again when online.)";
  return new Response("<!doctype html><meta charset=utf-8><title>Pantau</title><p>" + text + "</p>",
    { status: 503, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC)
      .then(function (c) { return c.addAll(SHELL); })
      .catch(function () { /* offline: kept as they are fetched */ })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (keys) {
        // Older caches (pantau-v1 held pages of no known user) go.
        return Promise.all(keys.filter(function (k) {
          return k !== STATIC && k !== STATE && k.indexOf(PAGES) !== 0;
        }).map(function (k) { return caches.delete(k); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var req = event.request;
  var url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  var page = isPage(url);
  var isStatic = url.pathname.indexOf("/static/") === 0;
  // Every page opened (the sign-in page too) tells who is signed in.
  if (!page && !isStatic && req.mode !== "navigate") return;
  event.respondWith(
    fetch(req).then(function (res) {
      if (isStatic) {
        if (res.ok) {
          var copy = res.clone();
          caches.open(STATIC).then(function (c) { c.put(req, copy); });
        }
        return res;
      }
      return learn(res).then(function (s) {
        // A page that sent the user to sign in is not kept in place of the page.
        if (page && s.user && res.ok && !res.redirected) {
          var copy = res.clone();
          caches.open(pagesOf(s.user)).then(function (c) { c.put(req, copy); });
        }
        return res;
      });
    }, function () {
      if (isStatic) {
        return caches.match(req, { cacheName: STATIC }).then(function (hit) { return hit || nothing(); });
      }
      if (!page) return nothing();
      return readState().then(function (s) {
        if (!s.user || !(s.until > Date.now())) return null;
        return caches.open(pagesOf(s.user)).then(function (c) {
          return c.match(req).then(function (hit) {
            // A case page asked with other parameters (`?antrian=…`): the kept one.
            return hit || c.match(req, { ignoreSearch: true });
          }).then(function (hit) { return hit || c.match("/kunjungan"); });
        });
      }).then(function (hit) { return hit || nothing(); });
    })
  );
});
