// Fake remote servers for the browser tests, on 127.0.0.1 ports other than the page's (so the
// browser really makes cross-origin requests and CORS really applies):
//
// - startLightwaveServer: answers `/lightwave/server?action=…` as PhysioNet's LightWAVE server
//   does (server/lightwave.c 0.67 by G. B. Moody): the same URL shapes and JSON shapes
//   (dblist, rlist, alist, info, fetch), samples as the first value then differences,
//   `strtim`/`atoi` parsing of t0/dt, the 120 s / 120 000-sample cap on dt, `strjson` text,
//   `Content-type: application/javascript`, plus `Access-Control-Allow-Origin: *` (or not).
// - startStaticServer: a folder of WFDB files (RECORDS made when missing), with or without CORS.
//
// Records are read from WFDB files with the small readers below (formats 212 and 16, MIT
// annotation files). Every request is logged in `server.log` so tests can count them.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

// ---- WFDB readers (the parts LightWAVE's answers need) ----

/** Parses a header: { name, nsig, fs, sigLen, signals: [{ file, fmt, gain, baseline, units, adcres, adczero, desc }], comments }. */
export function parseHeader(text) {
  const lines = text.split(/\r?\n/);
  const comments = [];
  const fields = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('#')) comments.push(line.replace(/^[#\s]+|[#\s]+$/g, ''));
    else fields.push(line);
  }
  const [name, nsig, fsField, sigLen] = fields[0].split(/\s+/);
  const fsHz = fsField ? parseFloat(fsField.split(/[/(]/)[0]) : 250;
  const signals = fields.slice(1, 1 + Number(nsig)).map((l, i) => {
    const f = l.split(/\s+/);
    const fmt = parseInt(f[1], 10);
    const g = (f[2] || '').match(/^([-+\d.eE]+)(?:\((-?\d+)\))?(?:\/(\S+))?$/);
    const adczero = f[4] !== undefined ? parseInt(f[4], 10) : 0;
    let gain = g ? parseFloat(g[1]) : 200;
    if (!gain) gain = 200;
    const baseline = g && g[2] !== undefined ? parseInt(g[2], 10) : adczero;
    return {
      file: f[0], fmt, gain, baseline, units: g && g[3] ? g[3] : null,
      adcres: f[3] !== undefined ? parseInt(f[3], 10) : 0, adczero,
      desc: f.length > 8 ? f.slice(8).join(' ') : `record ${name}, signal ${i}`,
    };
  });
  return { name, nsig: Number(nsig), fs: fsHz, sigLen: sigLen ? Number(sigLen) : null, signals, comments };
}

/** Samples per signal of one signal file holding `n` interleaved signals; invalid → −32768 (WFDB_INVALID_SAMPLE). */
export function readSignals(buf, fmt, n, sigLen) {
  const out = Array.from({ length: n }, () => new Int16Array(sigLen));
  if (fmt === 212) {
    // Two samples in three bytes: low 8 bits, then the two high nibbles, then low 8 bits.
    let k = 0;
    for (let p = 0; p + 2 < buf.length && k < sigLen * n; p += 3) {
      const b0 = buf[p], b1 = buf[p + 1], b2 = buf[p + 2];
      for (const v12 of [b0 | ((b1 & 0x0f) << 8), b2 | ((b1 & 0xf0) << 4)]) {
        if (k >= sigLen * n) break;
        const v = v12 & 0x800 ? v12 - 0x1000 : v12;
        out[k % n][Math.floor(k / n)] = v === -2048 ? -32768 : v;
        k++;
      }
    }
  } else if (fmt === 16) {
    for (let k = 0; k < sigLen * n; k++) out[k % n][Math.floor(k / n)] = buf.readInt16LE(2 * k);
  } else {
    throw new Error(`format ${fmt} is not read by the fake server`);
  }
  return out;
}

/** MIT annotation file → [{ t, code, s, c, n, aux: Buffer|null }], as WFDB's getann gives them. */
export function readAnnotations(buf) {
  const out = [];
  let t = 0, chan = 0, num = 0, cur = null;
  const flush = () => {
    // Code 0 and notes at sample 0 (file definitions) are not annotations.
    if (cur && cur.code !== 0 && !(cur.code === 22 && cur.t === 0)) out.push(cur);
  };
  for (let p = 0; p + 1 < buf.length; ) {
    const w = buf.readUInt16LE(p);
    const a = w >> 10, i = w & 0x3ff;
    if (a === 0 && i === 0) break;
    if (a === 59) { // SKIP: 32-bit interval, high word first
      t += (buf.readInt16LE(p + 2) << 16) | buf.readUInt16LE(p + 4);
      p += 6;
    } else if (a === 60) { num = (i & 0xff) << 24 >> 24; cur.n = num; p += 2; }
    else if (a === 61) { cur.s = (i & 0xff) << 24 >> 24; p += 2; }
    else if (a === 62) { chan = i & 0xff; cur.c = chan; p += 2; }
    else if (a === 63) {
      const len = i & 0xff;
      cur.aux = buf.subarray(p + 2, p + 2 + len);
      p += 2 + len + (len & 1);
    } else {
      flush();
      t += i;
      cur = { t, code: a, s: 0, c: chan, n: num, aux: null };
      p += 2;
    }
  }
  flush();
  return out;
}

// ---- what lightwave.c prints ----

const ANNSTR = [' ', 'N', 'L', 'R', 'a', 'V', 'F', 'J', 'A', 'S', 'E', 'j', '/', 'Q', '~', '[15]', '|', '[17]', 's', 'T',
  '*', 'D', '"', '=', 'p', 'B', '^', 't', '+', 'u', '?', '!', '[', ']', 'e', 'n', '@', 'x', 'f', '(', ')', 'r',
  '[42]', '[43]', '[44]', '[45]', '[46]', '[47]', '[48]', '[49]'];
const annstr = (code) => (code < ANNSTR.length ? ANNSTR[code] : `[${code}]`);

/** strjson (0.67): a C string (ends at NUL), control characters → space, non-UTF-8 bytes → '?'. */
export function strjson(bytes) {
  const end = bytes.indexOf(0);
  const b = Buffer.from(end >= 0 ? bytes.subarray(0, end) : bytes);
  for (let i = 0; i < b.length; ) {
    if (b[i] < 0x20) { b[i] = 0x20; i++; continue; }
    if (b[i] < 0x80) { i++; continue; }
    let n = 0;
    while (n < 8 && b[i] & (0x80 >> n)) n++;
    const seq = b.subarray(i, i + n);
    const ok = n >= 2 && n <= 4 && seq.length === n && Buffer.from(seq.toString('utf8'), 'utf8').equals(seq) && !seq.toString('utf8').includes('\ufffd');
    if (ok) i += n; else { b[i] = 0x3f; i++; }
  }
  return b.toString('utf8');
}

/** C's %g for the values headers hold. */
const g = (x) => Number(x.toPrecision(6));

/** WFDB mstimstr of t frames (leading spaces trimmed). */
function mstimstr(t, f) {
  const ms = Math.round((t * 1000) / f);
  const h = Math.floor(ms / 3600000), m = Math.floor(ms / 60000) % 60, s = Math.floor(ms / 1000) % 60, frac = ms % 1000;
  const p2 = (x) => String(x).padStart(2, '0');
  const tail = `${p2(s)}.${String(frac).padStart(3, '0')}`;
  return h > 0 ? `${h}:${p2(m)}:${tail}` : `${m}:${tail}`;
}

/** WFDB strtim for the forms LightWAVE's t0 takes: `sNNN` (frame), `[[h:]m:]s` (seconds, rounded). */
function strtim(text, f) {
  const s = String(text).trim();
  if (s.startsWith('s')) return parseInt(s.slice(1), 10) || 0;
  const parts = s.split(':').map(Number);
  const secs = parts.reduce((acc, v) => acc * 60 + (Number.isFinite(v) ? v : 0), 0);
  return Math.floor(secs * f + 0.5);
}

/** A loaded record (cached). */
function loadRecord(dir, record, cache) {
  if (cache.has(record)) return cache.get(record);
  const base = path.join(dir, record);
  if (!fs.existsSync(base + '.hea')) return null;
  const h = parseHeader(fs.readFileSync(base + '.hea', 'utf8'));
  const samples = [];
  const files = [...new Set(h.signals.map((s) => s.file))];
  for (const file of files) {
    const idx = h.signals.map((s, i) => (s.file === file ? i : -1)).filter((i) => i >= 0);
    const buf = fs.readFileSync(path.join(path.dirname(base), file));
    const sigLen = h.sigLen ?? Math.floor(buf.length / (idx.length * (h.signals[idx[0]].fmt === 212 ? 1.5 : 2)));
    h.sigLen = sigLen;
    const got = readSignals(buf, h.signals[idx[0]].fmt, idx.length, sigLen);
    idx.forEach((sig, k) => { samples[sig] = got[k]; });
  }
  const annotators = {};
  for (const a of ['atr']) {
    if (fs.existsSync(`${base}.${a}`)) annotators[a] = readAnnotations(fs.readFileSync(`${base}.${a}`));
  }
  // Signal names as force_unique_signames and prep_signals make them.
  const descs = h.signals.map((s, i) => (s.desc.startsWith('record ') ? `v[${i}]` : s.desc));
  let j = 0;
  const names = descs.map((d) => (descs.filter((x) => x === d).length > 1 ? `${d}:${j++}*` : d));
  const rec = { header: h, samples, annotators, names };
  cache.set(record, rec);
  return rec;
}

function listRecords(dir) {
  const f = path.join(dir, 'RECORDS');
  if (fs.existsSync(f)) return fs.readFileSync(f, 'utf8').split(/\r?\n/).filter(Boolean);
  return fs.readdirSync(dir).filter((x) => x.endsWith('.hea')).map((x) => x.slice(0, -4)).sort();
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve(port);
    });
  });
}

/**
 * A LightWAVE server publishing `databases` = { name: { dir, desc } }.
 * Options: cors (default true); failOnce(url) → true makes the first matching request answer 503;
 * delayMs(url) → milliseconds to wait before answering (to watch progress and Cancel).
 * Returns { url (the server endpoint), origin, log: [{ action, params }], close() }.
 */
export async function startLightwaveServer({ databases, cors = true, failOnce = () => false, delayMs = () => 0 } = {}) {
  const log = [];
  const failed = new Set();
  const cache = new Map();
  const server = http.createServer((req, res) => {
    // Logged on arrival, so a request cancelled while it waits still counts.
    const q = new URL(req.url, 'http://x');
    log.push({ action: q.searchParams.get('action'), params: Object.fromEntries(q.searchParams), url: req.url });
    const wait = delayMs(req.url);
    if (wait > 0) setTimeout(() => answer(req, res), wait);
    else answer(req, res);
  });
  function answer(req, res) {
    const u = new URL(req.url, 'http://x');
    const headers = { 'content-type': 'application/javascript; charset=utf-8', 'cache-control': 'no-store' };
    if (cors) headers['access-control-allow-origin'] = '*';
    const send = (obj, status = 200) => {
      res.writeHead(status, headers);
      res.end(typeof obj === 'string' ? obj : JSON.stringify(obj));
    };
    if (u.pathname !== '/lightwave/server') return send('not found', 404);
    const action = u.searchParams.get('action');
    if (failOnce(req.url) && !failed.has(req.url)) {
      failed.add(req.url);
      return send('Service Unavailable', 503);
    }
    const lwfail = (error) => send({ success: false, error });
    if (!action) return send('LightWAVE server');
    if (action === 'dblist') {
      return send({ database: Object.entries(databases).map(([name, d]) => ({ name, desc: d.desc })), version: '0.67', success: true });
    }
    const dbName = u.searchParams.get('db');
    if (dbName === null) return lwfail('Your request did not specify a database');
    const db = databases[dbName];
    if (action === 'rlist') return db ? send({ record: listRecords(db.dir), success: true }) : lwfail('The list of records could not be read');
    if (action === 'alist') {
      return db ? send({ annotator: [{ name: 'atr', desc: 'reference beat, rhythm, and signal quality annotations' }], success: true })
        : lwfail('The list of annotators could not be read');
    }
    const recName = u.searchParams.get('record');
    if (recName === null) return lwfail('Your request did not specify a record');
    const rec = db ? loadRecord(db.dir, recName, cache) : null;
    if (action === 'info') {
      if (!rec) return lwfail("The '.hea' file could not be read");
      const h = rec.header;
      return send({
        info: {
          db: dbName, record: recName, tfreq: g(h.fs), start: null, end: null,
          duration: h.sigLen > 0 ? mstimstr(h.sigLen, h.fs) : null,
          signal: h.signals.map((s, i) => ({ name: rec.names[i], tps: 1, units: s.units, gain: g(s.gain), adcres: s.adcres, adczero: s.adczero, baseline: s.baseline })),
          note: h.comments.length ? h.comments.map((c) => ' ' + c) : null,
        },
        success: true,
      });
    }
    if (action !== 'fetch') return lwfail('Your request did not specify a valid action');
    if (!rec) return send({ fetch: { annotator: [] } });
    const h = rec.header;
    const t0 = Math.abs(strtim(u.searchParams.get('t0') ?? '0', h.fs));
    let dt = parseInt(u.searchParams.get('dt') ?? '1', 10) || 0; // atoi
    if (dt <= 0) dt = 0;
    else {
      dt = Math.trunc(dt * h.fs);
      if (dt < 1) dt = 1;
      else if (dt > 120 * h.fs && dt > 120000) dt = Math.trunc(120 * h.fs);
    }
    const tf = t0 + dt;
    const wanted = u.searchParams.getAll('signal').map((p) => (/^\d+$/.test(p) && Number(p) < h.nsig ? Number(p) : rec.names.indexOf(p))).filter((i) => i >= 0);
    const out = {};
    if (wanted.length > 0 && t0 < tf) {
      out.signal = [...new Set(wanted)].sort((a, b) => a - b).map((i) => {
        const s = h.signals[i];
        const v = rec.samples[i].subarray(Math.min(t0, h.sigLen), Math.min(tf, h.sigLen));
        const samp = new Array(Math.max(v.length, 1));
        let prev = 0;
        for (let k = 0; k < v.length; k++) { samp[k] = v[k] - prev; prev = v[k]; }
        if (v.length === 0) samp[0] = 0; // lightwave.c prints one value even for an empty window
        return { name: rec.names[i], units: s.units ?? 'mV', t0, tf, gain: g(s.gain), base: s.baseline, tps: 1, scale: 1, samp };
      });
    }
    const anns = u.searchParams.getAll('annotator');
    if (anns.length > 0) {
      out.annotator = anns.filter((a) => rec.annotators[a]).map((a) => ({
        name: a,
        annotation: rec.annotators[a]
          .filter((x) => x.t >= t0 && (tf <= 0 || x.t < tf))
          .map((x) => ({ t: x.t, a: annstr(x.code), s: x.s, c: x.c, n: x.n, x: x.aux && x.aux.length > 0 ? strjson(x.aux) : null })),
        description: {},
      }));
    }
    return send({ fetch: Object.keys(out).length ? out : null });
  }
  const port = await listen(server);
  const origin = `http://127.0.0.1:${port}`;
  return { url: `${origin}/lightwave/server`, origin, log, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) };
}

/** A folder of WFDB files at `${origin}/${prefix}/`, with or without CORS; logs each path. */
export async function startStaticServer({ dir, cors = true, prefix = 'db' } = {}) {
  const log = [];
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    log.push(u.pathname);
    const headers = { 'cache-control': 'no-store' };
    if (cors) headers['access-control-allow-origin'] = '*';
    const m = u.pathname.match(new RegExp(`^/${prefix}/(.+)$`));
    if (!m) { res.writeHead(404, headers); return res.end('not found'); }
    const rel = decodeURIComponent(m[1]);
    if (rel === 'RECORDS' && !fs.existsSync(path.join(root, 'RECORDS'))) {
      res.writeHead(200, { ...headers, 'content-type': 'text/plain' });
      return res.end(listRecords(root).join('\n') + '\n');
    }
    const file = path.normalize(path.join(root, rel));
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, headers);
      return res.end('not found');
    }
    res.writeHead(200, { ...headers, 'content-type': 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  const port = await listen(server);
  const origin = `http://127.0.0.1:${port}`;
  return { url: `${origin}/${prefix}/`, origin, log, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) };
}
