// The page's service worker: it keeps the page's own files (the app shell, its WebAssembly, the
// worker's) so that after one visit the page opens and trains with no network at all.
//
// `manifest.sh` (a Trunk post-build hook) writes dist/sw.js as two constants — VERSION, a hash of
// the built files, and ASSETS, their names — followed by this file. A new build has a new VERSION,
// so the browser installs the new worker on the next visit; it takes over at once and deletes the
// caches of older builds.
//
// Only the files in ASSETS (and the page itself) are answered here. Every other request — records
// fetched from a server, LightWAVE — goes to the network untouched and is never stored: what the
// person loads is theirs, and the page says what it keeps.

/* global VERSION, ASSETS */
const PREFIX = 'ecg-balance-lab-app-';
const CACHE = PREFIX + VERSION;
const ROOT = new URL('./', self.location).href;
const INDEX = new URL('index.html', ROOT).href;
const KEPT = new Set(ASSETS.map((a) => new URL(a, ROOT).href));
// Trunk names the app's files with a content hash (app-<16 hex>.js): one name, one content, so
// the cached copy is served first. Files with a fixed name (the worker's, the page) may change
// under the same name: the network is asked first and the cache answers when it cannot.
const HASHED = /-[0-9a-f]{16}(_bg)?\.(js|wasm|css)$/;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // `reload`: straight from the server, not from the HTTP cache of an older build.
    await cache.addAll([...KEPT].map((u) => new Request(u, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith(PREFIX) && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  url.search = '';
  url.hash = '';
  const page = request.mode === 'navigate' && (url.href === ROOT || url.href === INDEX);
  if (!page && !KEPT.has(url.href)) return;
  const key = page ? INDEX : url.href;
  event.respondWith(HASHED.test(url.pathname) ? cacheFirst(request, key) : networkFirst(request, key));
});

async function cacheFirst(request, key) {
  const cached = await caches.match(key, { cacheName: CACHE });
  return cached || fetch(request);
}

async function networkFirst(request, key) {
  try {
    return await fetch(request);
  } catch (offline) {
    const cached = await caches.match(key, { cacheName: CACHE });
    if (cached) return cached;
    throw offline;
  }
}
