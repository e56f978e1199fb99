// "Get data": records fetched from servers on other origins (so CORS really applies) — a fake
// LightWAVE service and folders of WFDB files with and without CORS — must equal the files:
// every sample (sums, sums of squares, SHA-256, first and last frames of wfdb-python's
// reference), every beat, every annotation. Refusals (no CORS header, 404, server down) say
// which and keep what was loaded; a reload takes the records from the browser's cache.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { openPage, MITDB, REFERENCE, ROOT } from './harness.mjs';
import { DataScreen } from './pages.mjs';
import { GetDataPanel } from './remote_pages.mjs';
import { startLightwaveServer, startStaticServer, readAnnotations, strjson } from './lightwave_server.mjs';

const sha256 = (text) => crypto.createHash('sha256').update(text).digest('hex');

/** What wfdb-python's reference says of `record`, in the fingerprint's terms. */
function expected(record) {
  const r = REFERENCE.records[record];
  const beats = r.beat_samples.map((s, i) => `${s} ${r.beat_symbols[i]}\n`).join('');
  return {
    sigLen: r.sig_len,
    sha256: r.digital_sha256,
    sum: r.digital_sum,
    sumSq: r.digital_sum_sq,
    first: r.first_10,
    last: r.last_10,
    nAnnotations: r.n_annotations,
    nBeats: r.beat_samples.length,
    beatsSha256: sha256(beats),
  };
}

/** wfdb-python's digest of every annotation field of `record` (tests/wfdb_mitdb.rs). */
function wfdbPythonAnnotationDigest(record) {
  const text = fs.readFileSync(path.join(ROOT, 'tests/wfdb_mitdb.rs'), 'utf8');
  const m = text.match(new RegExp(`\\(\\s*"${record}",\\s*\\d+,\\s*"([0-9a-f]{64})"`));
  return m[1];
}

/** The same digest of the annotations as LightWAVE serves them (aux through strjson). */
function servedAnnotationDigest(record) {
  const anns = readAnnotations(fs.readFileSync(path.join(MITDB, `${record}.atr`)));
  return sha256(anns.map((a) => {
    const aux = a.aux && a.aux.length > 0 ? Buffer.from(strjson(a.aux), 'utf8').toString('hex') : '';
    return `${a.t} ${a.code} ${a.s} ${a.c} ${a.n} ${aux}\n`;
  }).join(''));
}

function same(got, want, what) {
  for (const k of Object.keys(want)) assert.deepEqual(got[k], want[k], `${what}: ${k}`);
}

let h, lw, files, noCors;
const t0 = Date.now();
before(async () => {
  // Window t0=120 of record 100 fails once with HTTP 503: the page must try it again.
  lw = await startLightwaveServer({
    databases: { mitdb: { dir: MITDB, desc: 'MIT-BIH Arrhythmia Database' } },
    failOnce: (url) => url.includes('record=100') && url.includes('&t0=120&'),
    // Record 101 comes slowly, to watch the progress bar and cancel it.
    delayMs: (url) => (url.includes('record=101') && url.includes('signal=') ? 300 : 0),
  });
  files = await startStaticServer({ dir: MITDB, cors: true });
  noCors = await startStaticServer({ dir: MITDB, cors: false });
  h = await openPage();
});
after(async () => {
  await h?.close();
  await Promise.all([lw?.close(), files?.close(), noCors?.close()]);
  console.log(`remote.test.mjs took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});

test('nothing is fetched until asked', async () => {
  const panel = new GetDataPanel(h.page);
  await panel.open();
  assert.equal(lw.log.length + files.log.length + noCors.log.length, 0);
  assert.deepEqual(h.requests.filter((u) => !u.startsWith(h.url) && !u.startsWith('data:') && !u.startsWith('blob:')), []);
  const rows = await h.page.$$eval('[data-testid=catalogue-row]', (rs) => rs.map((r) => r.dataset.db));
  assert.deepEqual(rows, ['svdb', 'incartdb', 'mitdb', 'ptb-xl', 'chapman-shaoxing', 'georgia']);
});

test('LightWAVE: databases, records, and record 100 fetched in 60 s windows equal the files', async () => {
  const panel = new GetDataPanel(h.page);
  await panel.listDatabases(lw.url);
  assert.deepEqual(await panel.options('lw-db-select'), ['mitdb']);
  await panel.listRecords('mitdb');
  assert.equal((await panel.options('lw-record-select')).length, 48);
  const started = Date.now();
  const fp = await panel.fetchLightwave({ server: lw.url, db: 'mitdb', record: '100' });
  console.log(`LightWAVE fetch + assembly + load of record 100: ${Date.now() - started} ms`);
  assert.equal(fp.source, 'lightwave');
  same(fp, expected('100'), 'record 100 via LightWAVE');
  assert.equal(fp.annotationsSha256, servedAnnotationDigest('100'), 'every annotation as served');
  assert.notEqual(fp.annotationsSha256, wfdbPythonAnnotationDigest('100'), 'aux notes lose their NUL over LightWAVE');
  // It is in the records list with the reference's class counts, like a dropped record.
  assert.deepEqual(await new DataScreen(h.page).recordCounts('100'), REFERENCE.records['100'].aami_counts);
  // What the service saw: info, all annotations (dt=0), 31 windows of 60 s, one retried.
  const fetches = lw.log.filter((l) => l.action === 'fetch' && l.params.record === '100');
  const windows = fetches.filter((l) => l.params.signal);
  assert.equal(lw.log.filter((l) => l.action === 'info').length, 1);
  assert.equal(fetches.filter((l) => l.params.annotator === 'atr' && l.params.dt === '0').length, 1);
  assert.ok(windows.every((l) => l.params.dt === '60'));
  const starts = windows.map((l) => Number(l.params.t0));
  assert.deepEqual([...new Set(starts)].sort((a, b) => a - b), Array.from({ length: 31 }, (_, k) => 60 * k));
  assert.equal(starts.filter((s) => s === 120).length, 2, 'the window that failed with 503 was asked again');
  assert.equal(windows.length, 32);
});

test('progress through the windows, and Cancel stops fetching and keeps what was loaded', async () => {
  const panel = new GetDataPanel(h.page);
  await h.page.fill('[data-testid=lw-record]', '101');
  await h.page.click('[data-testid=lw-fetch]');
  await h.page.waitForFunction(() => /\(3 of 31 windows of 60 s\)/.test(document.querySelector('[data-testid=fetch-label]')?.textContent || ''), null, { timeout: 20000 });
  const pct = Number(await h.page.getAttribute('[data-testid=fetch-progress] [role=progressbar]', 'aria-valuenow'));
  assert.ok(pct > 0 && pct < 20, `progress ${pct} %`);
  await h.page.click('[data-testid=fetch-cancel]');
  await panel.idle();
  assert.match(await panel.error(), /cancelled; what was loaded before stays loaded/);
  const asked = lw.log.filter((l) => l.params.record === '101').length;
  await h.page.waitForTimeout(1000);
  assert.equal(lw.log.filter((l) => l.params.record === '101').length, asked, 'no request after Cancel');
  assert.ok(asked < 10, `${asked} requests for 101`);
  assert.deepEqual(await new DataScreen(h.page).recordNames(), ['100']);
  assert.equal(await h.page.$('[data-testid=fetched-record][data-record="101"]'), null);
});

test('a folder of WFDB files: RECORDS, then record 208 equals the files', async () => {
  const panel = new GetDataPanel(h.page);
  await panel.listBase(files.url);
  assert.equal((await panel.options('url-record-select')).length, 48);
  const started = Date.now();
  const fp = await panel.fetchBase({ base: files.url, record: '208' });
  console.log(`base-URL fetch + load of record 208: ${Date.now() - started} ms`);
  assert.equal(fp.source, 'url');
  same(fp, expected('208'), 'record 208 from files');
  assert.equal(fp.annotationsSha256, wfdbPythonAnnotationDigest('208'), 'every annotation field as wfdb-python reads it');
  assert.deepEqual(files.log, ['/db/RECORDS', '/db/208.hea', '/db/208.dat', '/db/208.atr']);
  assert.deepEqual(await new DataScreen(h.page).recordCounts('208'), REFERENCE.records['208'].aami_counts);
});

test('refusals say which, suggest dropping the files, and keep what was loaded', async () => {
  const panel = new GetDataPanel(h.page);
  const data = new DataScreen(h.page);
  const loaded = async () => (await data.recordNames()).sort();

  let e = await panel.errorAfter(() => panel.listBase(noCors.url));
  assert.match(e, /CORS/);
  assert.match(e, /Access-Control-Allow-Origin/);
  assert.match(e, /drop them here/);
  assert.ok(noCors.log.length >= 1, 'the server was reached');

  e = await panel.errorAfter(async () => {
    await h.page.fill('[data-testid=url-base]', files.url);
    await h.page.fill('[data-testid=url-record]', '999');
    await h.page.click('[data-testid=url-fetch]');
  });
  assert.match(e, /HTTP 404/);
  assert.ok(e.includes(`${files.url}999.hea`), e);
  assert.match(e, /drop them here/);

  e = await panel.errorAfter(async () => {
    await h.page.fill('[data-testid=lw-record]', 'nope');
    await h.page.click('[data-testid=lw-fetch]');
  });
  assert.match(e, /refused info: The '.hea' file could not be read/);

  // A server that is down: tried again after 0.5, 1, 2 and 4 s, then refused.
  const down = http.createServer();
  await new Promise((r) => down.listen(0, '127.0.0.1', r));
  const { port } = down.address();
  await new Promise((r) => down.close(r));
  const started = Date.now();
  e = await panel.errorAfter(() => panel.listDatabases(`http://127.0.0.1:${port}/lightwave/server`), 30000);
  const waited = Date.now() - started;
  console.log(`server down: refused after ${waited} ms`);
  assert.match(e, /did not answer/);
  assert.match(e, /drop them here/);
  assert.ok(waited >= 7000, `back-off waits 7.5 s in all, took ${waited} ms`);

  assert.deepEqual(await loaded(), ['100', '208']);
  // A plain-http server elsewhere is refused before any request.
  e = await panel.errorAfter(() => panel.listBase('http://example.org/db/'));
  assert.match(e, /not an address this page fetches from/);
});

test('a reload takes fetched records from the cache: the servers see no second request', async () => {
  const panel = new GetDataPanel(h.page);
  const before = { lw: lw.log.length, files: files.log.length };
  const cached = await panel.cache();
  assert.deepEqual(cached.names, ['100', '208']);
  // 208 as its own files; 100 as the WFDB files the worker wrote (format 16: 2 bytes a sample).
  const size208 = ['hea', 'dat', 'atr'].reduce((s, e) => s + fs.statSync(path.join(MITDB, `208.${e}`)).size, 0);
  const size100 = cached.bytes - size208;
  assert.ok(size100 >= 650000 * 2 * 2 && size100 < 650000 * 2 * 2 + 20000, `${cached.bytes} bytes`);

  await h.page.reload();
  await h.page.waitForSelector('[data-testid=dropzone]');
  await panel.open();
  await h.page.waitForFunction(() => document.querySelectorAll('[data-testid=cached-record]').length === 2);
  assert.deepEqual(await new DataScreen(h.page).recordNames(), []);

  const fp100 = await panel.fetchLightwave({ server: lw.url, db: 'mitdb', record: '100' });
  assert.equal(fp100.source, 'cache');
  same(fp100, expected('100'), 'record 100 from the cache');
  const fp208 = await panel.loadCached('208');
  assert.equal(fp208.source, 'cache');
  same(fp208, expected('208'), 'record 208 from the cache');
  assert.equal(fp208.annotationsSha256, wfdbPythonAnnotationDigest('208'));
  assert.deepEqual({ lw: lw.log.length, files: files.log.length }, before);
  assert.deepEqual((await new DataScreen(h.page).recordNames()).sort(), ['100', '208']);

  await panel.clearCache();
  assert.equal((await panel.cache()).bytes, 0);
});

test('only the servers the user named were contacted, and the page logged no other error', async () => {
  const allowed = [new URL(h.url).origin, lw.origin, files.origin, noCors.origin];
  const others = h.requests.filter((u) => !(allowed.some((o) => u.startsWith(o + '/')) || u.startsWith('data:') || u.startsWith('blob:') || u.startsWith('http://127.0.0.1:')));
  assert.deepEqual(others, []);
  // Refused requests are logged by the browser itself (CORS, connection refused, 404); nothing else.
  const unexpected = h.consoleErrors.filter((m) => !/CORS policy|ERR_CONNECTION_REFUSED|ERR_FAILED|404 \(Not Found\)|Failed to load resource/.test(m));
  assert.deepEqual(unexpected, []);
});
