// OPFS or IndexedDB for keeping the person's records? (Issue 14 asked which is faster for 100 MB
// of records.) Not a test: timings never gate CI. Needs a built page in dist/ (`trunk build
// --release`): the measurement runs in the page's own origin, in headless Chromium.
//
//   node tests/e2e/bench_storage.mjs [--reps 5]
//
// The 144 files of all 48 MIT-BIH records (about 100 MB) are fetched from the test server into
// Blobs, as the page holds a dropped file. Then, alternating the two stores each repetition:
//   IndexedDB  one readwrite transaction adding `{ path, file }` per file (as src/web/persist.js
//              does), timed to `complete`; then read back: getAll, and every Blob's bytes.
//   OPFS       one file per record file in the origin's private directory, written with
//              createWritable (the main thread's API); then read back: getFile, and its bytes.
// Each store is emptied before each repetition. Prints one JSON object with the median and
// every repetition, in ms, and the MB moved.

import { openPage, allRecords } from './harness.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const reps = Number(arg('--reps', 5));

const h = await openPage();
try {
  const page = h.page;
  const names = allRecords().flatMap((r) => ['hea', 'dat', 'atr'].map((e) => `${r}.${e}`));
  const result = await page.evaluate(async ({ names, reps }) => {
    const blobs = [];
    for (const name of names) {
      const r = await fetch(`/data/mitdb/${name}`);
      if (!r.ok) throw new Error(`${name}: ${r.status}`);
      blobs.push({ path: name, file: new File([await r.arrayBuffer()], name) });
    }
    const bytes = blobs.reduce((n, b) => n + b.file.size, 0);

    const DB = 'bench-storage';
    const openDb = () => new Promise((resolve, reject) => {
      const q = indexedDB.open(DB, 1);
      q.onupgradeneeded = () => q.result.createObjectStore('files', { autoIncrement: true });
      q.onsuccess = () => resolve(q.result);
      q.onerror = () => reject(q.error);
    });
    const done = (tx) => new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    async function idb() {
      const db = await openDb();
      let tx = db.transaction(['files'], 'readwrite');
      tx.objectStore('files').clear();
      await done(tx);
      const t0 = performance.now();
      tx = db.transaction(['files'], 'readwrite');
      const store = tx.objectStore('files');
      for (const b of blobs) store.add(b);
      await done(tx);
      const t1 = performance.now();
      tx = db.transaction(['files'], 'readonly');
      const all = await new Promise((resolve, reject) => {
        const q = tx.objectStore('files').getAll();
        q.onsuccess = () => resolve(q.result);
        q.onerror = () => reject(q.error);
      });
      let read = 0;
      for (const x of all) read += (await x.file.arrayBuffer()).byteLength;
      const t2 = performance.now();
      db.close();
      if (read !== bytes) throw new Error(`IndexedDB gave back ${read} of ${bytes} bytes`);
      return { write: t1 - t0, read: t2 - t1 };
    }
    async function opfs() {
      const root = await navigator.storage.getDirectory();
      await root.removeEntry('bench', { recursive: true }).catch(() => {});
      const t0 = performance.now();
      const dir = await root.getDirectoryHandle('bench', { create: true });
      for (const b of blobs) {
        const fh = await dir.getFileHandle(b.path, { create: true });
        const w = await fh.createWritable();
        await w.write(b.file);
        await w.close();
      }
      const t1 = performance.now();
      let read = 0;
      for (const b of blobs) {
        const f = await (await dir.getFileHandle(b.path)).getFile();
        read += (await f.arrayBuffer()).byteLength;
      }
      const t2 = performance.now();
      if (read !== bytes) throw new Error(`OPFS gave back ${read} of ${bytes} bytes`);
      return { write: t1 - t0, read: t2 - t1 };
    }
    const runs = { indexeddb: [], opfs: [] };
    for (let k = 0; k < reps; k++) {
      // Alternate which goes first, so neither always follows the other's disk work.
      if (k % 2 === 0) {
        runs.indexeddb.push(await idb());
        runs.opfs.push(await opfs());
      } else {
        runs.opfs.push(await opfs());
        runs.indexeddb.push(await idb());
      }
    }
    await new Promise((resolve) => {
      const q = indexedDB.deleteDatabase(DB);
      q.onsuccess = q.onerror = q.onblocked = resolve;
    });
    await (await navigator.storage.getDirectory()).removeEntry('bench', { recursive: true }).catch(() => {});
    return { files: blobs.length, bytes, runs };
  }, { names, reps });

  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  };
  const summary = {};
  for (const [store, rs] of Object.entries(result.runs)) {
    summary[store] = {
      write_ms: Math.round(median(rs.map((r) => r.write))),
      read_ms: Math.round(median(rs.map((r) => r.read))),
      write_runs_ms: rs.map((r) => Math.round(r.write)),
      read_runs_ms: rs.map((r) => Math.round(r.read)),
    };
  }
  console.log(JSON.stringify({
    files: result.files,
    mb: +(result.bytes / 1e6).toFixed(1),
    reps,
    ...summary,
    write_opfs_over_indexeddb: +(summary.opfs.write_ms / summary.indexeddb.write_ms).toFixed(2),
    read_opfs_over_indexeddb: +(summary.opfs.read_ms / summary.indexeddb.read_ms).toFixed(2),
  }, null, 2));
} finally {
  await h.close();
}
