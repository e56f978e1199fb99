// Browser plumbing of the "Get data" panel: fetching bytes from a server the user named (telling
// a CORS refusal from a server that is down), and the Cache API store of fetched records. No
// request is made unless the user clicked for it; the cache lives in this browser only.

let controller = null;

function abortSignal() {
  if (!controller) controller = new AbortController();
  return controller.signal;
}

// Aborts every fetch in flight (Cancel).
export function abortFetches() {
  if (controller) controller.abort();
  controller = null;
}

function failure(kind, url, status = 0, reason = '') {
  return { kind, url, status, reason };
}

// GET `url` → ArrayBuffer. Rejects with { kind, url, status, reason }, kind one of cors, offline,
// unreachable, not-found, http, bad-response, cancelled.
export async function fetchBytes(url) {
  const signal = abortSignal();
  let response;
  try {
    response = await fetch(url, { mode: 'cors', credentials: 'omit', referrerPolicy: 'no-referrer', signal });
  } catch (e) {
    if (signal.aborted) throw failure('cancelled', url);
    if (navigator.onLine === false) throw failure('offline', url);
    // The browser reports a CORS refusal and a dead server alike. An opaque request to the same
    // URL gets an answer only when the server is up: then CORS refused the first one.
    try {
      await fetch(url, { mode: 'no-cors', credentials: 'omit', referrerPolicy: 'no-referrer', signal });
    } catch (e2) {
      if (signal.aborted) throw failure('cancelled', url);
      throw failure('unreachable', url);
    }
    throw failure('cors', url);
  }
  if (!response.ok) throw failure(response.status === 404 ? 'not-found' : 'http', url, response.status);
  try {
    return await response.arrayBuffer();
  } catch (e) {
    if (signal.aborted) throw failure('cancelled', url);
    throw failure('bad-response', url, response.status, 'the answer was cut off');
  }
}

// Resolves after `ms` milliseconds (back-off between attempts).
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---- cache of fetched records (Cache API; keys are never fetched) ----

const CACHE = 'ecg-balance-lab-records-v1';
const PREFIX = '__ecg-balance-lab-cache__/';

function cacheAvailable() {
  return typeof caches !== 'undefined';
}

function keyUrl(key, file) {
  return new URL(PREFIX + encodeURIComponent(key) + '/' + encodeURIComponent(file), location.href).href;
}

// Stores a record's files under `key` → bytes stored (0 when the cache is unavailable).
export async function cachePut(key, label, name, paths, buffers) {
  if (!cacheAvailable()) return 0;
  const cache = await caches.open(CACHE);
  let bytes = 0;
  for (let i = 0; i < paths.length; i++) {
    await cache.put(keyUrl(key, paths[i]), new Response(buffers[i].slice(0)));
    bytes += buffers[i].byteLength;
  }
  const manifest = { key, label, name, paths, bytes, saved: Date.now() };
  await cache.put(keyUrl(key, 'manifest.json'), new Response(JSON.stringify(manifest), { headers: { 'content-type': 'application/json' } }));
  return bytes;
}

// The files stored under `key` → { paths, buffers } or null.
export async function cacheGet(key) {
  if (!cacheAvailable()) return null;
  const cache = await caches.open(CACHE);
  const m = await cache.match(keyUrl(key, 'manifest.json'));
  if (!m) return null;
  const manifest = await m.json();
  const buffers = [];
  for (const p of manifest.paths) {
    const r = await cache.match(keyUrl(key, p));
    if (!r) return null;
    buffers.push(await r.arrayBuffer());
  }
  return { paths: manifest.paths, buffers };
}

// Every stored record → [{ key, label, name, bytes }].
export async function cacheList() {
  if (!cacheAvailable()) return [];
  const cache = await caches.open(CACHE);
  const out = [];
  for (const req of await cache.keys()) {
    if (!req.url.endsWith('/manifest.json')) continue;
    const r = await cache.match(req);
    if (r) {
      const m = await r.json();
      out.push({ key: m.key, label: m.label, name: m.name, bytes: m.bytes });
    }
  }
  out.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  return out;
}

// Forgets every stored record.
export async function cacheClear() {
  if (cacheAvailable()) await caches.delete(CACHE);
}
