// HoloMesh service worker: keeps the static files and an offline page, so the app
// opens (and says it is offline) when the server cannot be reached. Pages are always
// fetched from the network: they carry personal data and CSRF tokens.
'use strict';

var CACHE = 'holomesh-v2';
var PRECACHE = [
  '/offline',
  '/static/app.css',
  '/static/app.js',
  '/static/voice.js',
  '/static/icon.svg',
  '/static/icon-192.png',
  '/static/icon-512.png',
  '/manifest.webmanifest'
];

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(PRECACHE); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// Web Push: show the message the server sent; a click opens its page.
self.addEventListener('push', function (event) {
  var m = {};
  try { m = event.data ? event.data.json() : {}; } catch (e) { m = { title: 'HoloMesh', body: event.data.text() }; }
  event.waitUntil(self.registration.showNotification(m.title || 'HoloMesh', {
    body: m.body || '',
    icon: '/static/icon-192.png',
    data: { url: m.url || '/following' }
  }));
});

self.addEventListener('notificationclick', function (event) {
  event.notification.close();
  var url = new URL((event.notification.data && event.notification.data.url) || '/following', self.location.origin);
  // Only this app's own pages open (the path of a link made for another address).
  url = new URL(url.pathname + url.search, self.location.origin);
  event.waitUntil(self.clients.openWindow(url.href));
});

self.addEventListener('fetch', function (event) {
  var req = event.request;
  if (req.method !== 'GET') return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === 'navigate') {
    event.respondWith(fetch(req).catch(function () { return caches.match('/offline'); }));
    return;
  }
  if (url.pathname.indexOf('/static/') === 0 || url.pathname === '/manifest.webmanifest') {
    // Network first so a new version shows at once; the cache when offline.
    event.respondWith(fetch(req).then(function (resp) {
      var copy = resp.clone();
      caches.open(CACHE).then(function (c) { c.put(req, copy); });
      return resp;
    }).catch(function () { return caches.match(req); }));
  }
});
