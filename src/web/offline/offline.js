// Registers the page's service worker (sw.js, see sw.js here) and says where offline use stands:
// `onStatus(state, detail, bytes)` with state `unsupported`, `installing`, `ready` (bytes: what the
// browser keeps of the page's own files) or `failed` (detail: why).

const PREFIX = 'ecg-balance-lab-app-';

export function keepOffline(onStatus) {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) {
    onStatus('unsupported', location.protocol, 0);
    return;
  }
  onStatus('installing', '', 0);
  navigator.serviceWorker
    .register('./sw.js')
    .then(() => navigator.serviceWorker.ready)
    .then(keptBytes)
    .then((bytes) => onStatus('ready', '', bytes))
    .catch((e) => onStatus('failed', String((e && e.message) || e), 0));
}

// Bytes of the page's files in the caches of its service worker.
async function keptBytes() {
  let total = 0;
  for (const key of await caches.keys()) {
    if (!key.startsWith(PREFIX)) continue;
    const cache = await caches.open(key);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      if (response) total += (await response.blob()).size;
    }
  }
  return total;
}
