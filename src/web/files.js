// Browser plumbing the Rust side calls through wasm-bindgen: walking dropped folders, reading
// files into ArrayBuffers, and fetching a WFDB database the user asked for. No request is made
// unless the user clicked for it.

// Files from a drop: folders are walked (webkitGetAsEntry), each file keeps its relative path.
// Items must be read synchronously inside the drop event, hence the first line.
export function dropEntries(dataTransfer) {
  const items = Array.from(dataTransfer.items || []).filter((i) => i.kind === 'file');
  const entries = items.map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null));
  const files = Array.from(dataTransfer.files || []);
  return { entries, files };
}

async function walk(entry, prefix, out) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    out.push({ path: prefix + file.name, file });
  } else if (entry.isDirectory) {
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const e of batch) await walk(e, prefix + entry.name + '/', out);
    }
  }
}

// { entries, files } from dropEntries → [{ path, file }]
export async function collectDropped(dropped) {
  const out = [];
  if (dropped.entries.length > 0 && dropped.entries.every((e) => e)) {
    for (const e of dropped.entries) await walk(e, '', out);
  } else {
    for (const f of dropped.files) out.push({ path: f.name, file: f });
  }
  return out;
}

// FileList (from <input type=file>) → [{ path, file }], keeping folder-relative paths.
export function fromFileList(list) {
  return Array.from(list || []).map((f) => ({ path: f.webkitRelativePath || f.name, file: f }));
}

// [{ path, file }] → [[path, size in bytes]]: what planning the parts of a load needs. Reading
// a chosen file's size asks the browser for it synchronously (about 0.3 ms a file in headless
// Chromium), so the sizes are read a few dozen at a time with the main thread free in between:
// 864 files at once held it for 250 ms.
export async function sizesOf(items) {
  const out = [];
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && i % 32 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    out.push([items[i].path, items[i].file.size]);
  }
  return out;
}

// The files at `indices` of [{ path, file }] → { paths, buffers }, calling onRead(bytes) after
// each file.
export async function readPart(items, indices, onRead) {
  const paths = [];
  const buffers = [];
  for (const i of indices) {
    const it = items[i];
    buffers.push(await it.file.arrayBuffer());
    paths.push(it.path);
    onRead(it.file.size);
  }
  return { paths, buffers };
}

// Fetches every record of a WFDB database published at `base` (ending in '/'): RECORDS, then
// NAME.hea, NAME.dat and NAME.atr (an absent .atr is fine). → { paths, buffers }
export async function fetchDatabase(base, onProgress) {
  const list = await fetch(base + 'RECORDS');
  if (!list.ok) throw new Error(`${base}RECORDS: HTTP ${list.status}`);
  const names = (await list.text()).split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
  const paths = [];
  const buffers = [];
  let done = 0;
  for (const name of names) {
    for (const ext of ['hea', 'dat', 'atr']) {
      const r = await fetch(base + name + '.' + ext);
      if (!r.ok) {
        if (ext === 'atr' && r.status === 404) continue;
        throw new Error(`${base}${name}.${ext}: HTTP ${r.status}`);
      }
      buffers.push(await r.arrayBuffer());
      paths.push(name + '.' + ext);
    }
    done += 1;
    onProgress(done, names.length);
  }
  return { paths, buffers };
}

// Offers `bytes` (Uint8Array or string) as a download named `name`.
export function download(name, bytes, mime) {
  const blob = new Blob([bytes], { type: mime || 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// Names of databases the serve command published same-origin (a meta tag it injects).
export function localDatabases() {
  const m = document.querySelector('meta[name="ecg-balance-lab:local-databases"]');
  return m ? m.content.split(',').map((s) => s.trim()).filter(Boolean) : [];
}
