// The browser storage behind "a reload loses nothing" (IndexedDB, this browser only): the files
// the person loaded (as the Blobs the browser gave, copied into the database), the runs (their
// figures as JSON and their model files), and a few facts about the workspace (
// removed records, the rates given to plain CSVs, the settings of the rebalanced and synthetic
// sets made from it and of the beats being labelled to adapt a model — each set is made again
// from them; with no file kept the page opens on the demo set, as on a first visit). Every
// function rejects with
// `{ name, message }` — `QuotaExceededError` when the browser's storage is full.

const DB = 'ecg-balance-lab';
const VERSION = 1;
const RECORDS_CACHE = 'ecg-balance-lab-records-v1';

// The workspace facts that describe something made from the workspace: its settings are
// forgotten when the workspace changes under it.
const MADE = ['rebalance', 'synthesize', 'adapt'];

function failure(e) {
  return { name: (e && e.name) || 'Error', message: String((e && e.message) || e) };
}

let opening = null;
function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore('files', { autoIncrement: true });
        db.createObjectStore('runs', { keyPath: 'id' });
        db.createObjectStore('meta');
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(failure(request.error));
      request.onblocked = () => reject(failure({ name: 'Blocked', message: 'the storage is held by another tab of this page' }));
    });
    opening.catch(() => { opening = null; });
  }
  return opening;
}

// Runs `work(stores)` in one transaction over `names`; resolves when it is written.
async function transaction(names, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    let tx;
    try {
      tx = db.transaction(names, mode);
    } catch (e) {
      reject(failure(e));
      return;
    }
    const stores = Object.fromEntries(names.map((n) => [n, tx.objectStore(n)]));
    let result;
    try {
      result = work(stores);
    } catch (e) {
      tx.abort();
      reject(failure(e));
      return;
    }
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(failure(tx.error));
    tx.onabort = () => reject(failure(tx.error || { name: 'AbortError', message: 'not written' }));
  });
}

function all(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(failure(request.error));
  });
}

// Keeps `{ path, file }` items.
export function keepFiles(items) {
  return transaction(['files'], 'readwrite', (s) => {
    for (const { path, file } of items) s.files.add({ path, file });
  });
}

// Everything was removed from the workspace, or replaced by the demo set (which the page opens
// on when it keeps no file): no file to read again. The runs stay, as on the page.
export function forgetFiles() {
  return transaction(['files', 'meta'], 'readwrite', (s) => {
    s.files.clear();
    for (const key of ['removed', 'rates', ...MADE]) s.meta.delete(key);
  });
}

// Forgets the workspace facts under `keys`.
export function deleteMeta(keys) {
  return transaction(['meta'], 'readwrite', (s) => {
    for (const key of keys) s.meta.delete(key);
  });
}

// Puts `value` under `key` in the workspace facts.
export function setMeta(key, value) {
  return transaction(['meta'], 'readwrite', (s) => {
    s.meta.put(value, key);
  });
}

// Keeps run `id`: its figures (JSON text) and its model file.
export function keepRun(id, report, model) {
  return transaction(['runs'], 'readwrite', (s) => {
    s.runs.put({ id, report, model });
  });
}

export function forgetRun(id) {
  return transaction(['runs'], 'readwrite', (s) => {
    s.runs.delete(id);
  });
}

// Everything kept: `{ items, runs, removed, rates, settings, rebalance, synthesize, adapt, bytes }`
// (settings: the training settings of the last run started; rebalance, synthesize: the requests
// that made the rebalanced and the synthetic sets; adapt: the beats being labelled; each JSON
// text or null).
export async function restore() {
  const db = await open();
  const tx = db.transaction(['files', 'runs', 'meta'], 'readonly');
  const meta = tx.objectStore('meta');
  const [files, runs, removed, rates, settings, rebalance, synthesize, adapt] = await Promise.all([
    all(tx.objectStore('files').getAll()),
    all(tx.objectStore('runs').getAll()),
    ...['removed', 'rates', 'settings', ...MADE].map((key) => all(meta.get(key))),
  ]);
  runs.sort((a, b) => a.id - b.id);
  const bytes = files.reduce((n, f) => n + f.file.size, 0) + runs.reduce((n, r) => n + r.model.byteLength + r.report.length, 0);
  return {
    items: files,
    runs,
    removed: removed || [],
    rates: rates || [],
    settings: settings || null,
    rebalance: rebalance || null,
    synthesize: synthesize || null,
    adapt: adapt || null,
    bytes,
  };
}

// What is kept, in short: `{ files, runs, bytes, usage }` (usage: the browser's estimate for this
// page's whole origin, its own files for offline use included).
export async function summary() {
  const r = await restore();
  let usage = 0;
  try {
    usage = (await navigator.storage.estimate()).usage || 0;
  } catch (e) {
    usage = 0;
  }
  return { files: r.items.length, runs: r.runs.length, bytes: r.bytes, usage };
}

// Forgets everything this page keeps of the person's work: the database and the cache of fetched
// records. (The page's own files, kept for offline use, stay.)
export async function forgetAll() {
  if (opening) {
    try {
      (await opening).close();
    } catch (e) {
      // Not open.
    }
    opening = null;
  }
  await new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(DB);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(failure(request.error));
    request.onblocked = () => resolve();
  });
  if (self.caches) await caches.delete(RECORDS_CACHE);
}
