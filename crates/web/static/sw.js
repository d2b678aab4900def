// encaisse service worker: keeps the stylesheet, script and icon for offline starts.
// Pages are always fetched from the server (they carry live data and CSRF tokens).
var CACHE = "encaisse-static-v1";
self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(["/static/app.css", "/static/app.js", "/static/icon.svg"]); }));
});
self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }));
});
self.addEventListener("fetch", function (e) {
  var url = new URL(e.request.url);
  if (e.request.method !== "GET" || url.pathname.indexOf("/static/") !== 0) { return; }
  e.respondWith(caches.match(e.request).then(function (hit) { return hit || fetch(e.request); }));
});
