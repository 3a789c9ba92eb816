// dxplan's service worker: lets the pages an officer opened for entry (figures, progress
// reports) open again without a signal. It never answers a write: the page keeps what
// could not be sent (offline.js) and sends it through the API once the network is back.
"use strict";
var CACHE = "dxplan-offline-v1";
// The page's own files, asked for with the version the pages name.
var SHELL = ["/static/app.css?v=3", "/static/app.js?v=3", "/static/offline.js?v=1", "/static/favicon.svg"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(SHELL);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// Said when a page was never opened on this device while online.
function notKept() {
  var body = "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
    "<link rel=\"stylesheet\" href=\"/static/app.css?v=3\"><title>Không có mạng — dxplan</title>" +
    "<main class=\"container\"><h1>Không có mạng</h1><p>Trang này chưa được mở trên máy này khi có mạng, nên chưa dùng được khi mất sóng. " +
    "Các trang nhập số liệu và báo cáo tiến độ đã mở trước đó vẫn dùng được.</p>" +
    "<p lang=\"en\">No network. This page was not opened on this device while online; the entry pages opened before still work.</p>" +
    "<p><a href=\"/\">Trang chủ / Home</a></p></main></html>";
  return new Response(body, { status: 503, headers: { "content-type": "text/html; charset=utf-8" } });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
    return;
  }
  if (request.mode !== "navigate") { return; }
  // A page: the network first; a copy kept for offline use is refreshed with each answer
  // and shown when there is no answer.
  event.respondWith(caches.open(CACHE).then(function (cache) {
    return fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        cache.match(request).then(function (kept) { if (kept) { cache.put(request, copy); } });
      }
      return response;
    }, function () {
      return cache.match(request).then(function (kept) { return kept || notKept(); });
    });
  }));
});
