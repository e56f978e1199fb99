// The other ways data arrives: a PhysioNet-style .zip (files under one top folder, deflated), the
// Kaggle heartbeat CSV, a plain CSV whose sampling rate the page asks for, and "Load MIT-BIH" from
// a folder the serve command publishes on the same origin.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { openPage, foreignRequests, MITDB, REFERENCE, referenceCounts } from './harness.mjs';
import { DataScreen, DistributionScreen } from './pages.mjs';

/** `size` bytes holding `fields` = [[offset, width (2 or 4 bytes), value]], little-endian. */
function le(size, fields) {
  const b = Buffer.alloc(size);
  for (const [at, width, value] of fields) {
    if (width === 2) b.writeUInt16LE(value, at);
    else b.writeUInt32LE(value, at);
  }
  return b;
}

/** A zip archive (deflated entries) of `entries` = [{ name, data: Buffer }]. */
function makeZip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBuf = Buffer.from(name);
    const deflated = zlib.deflateRawSync(data);
    const crc = zlib.crc32(data);
    // Version 2.0, method 8 (deflate), CRC-32, sizes and the name's length: the local header
    // (signature PK\3\4) and, with the local header's offset, the central one (PK\1\2).
    const sizes = [crc, deflated.length, data.length];
    const local = le(30, [[0, 4, 0x04034b50], [4, 2, 20], [8, 2, 8],
      ...sizes.map((v, i) => [14 + 4 * i, 4, v]), [26, 2, nameBuf.length]]);
    const central = le(46, [[0, 4, 0x02014b50], [4, 2, 20], [6, 2, 20], [10, 2, 8],
      ...sizes.map((v, i) => [16 + 4 * i, 4, v]), [28, 2, nameBuf.length], [42, 4, offset]]);
    locals.push(local, nameBuf, deflated);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + deflated.length;
  }
  const cd = Buffer.concat(centrals);
  const end = le(22, [[0, 4, 0x06054b50], [8, 2, entries.length], [10, 2, entries.length],
    [12, 4, cd.length], [16, 4, offset]]);
  return Buffer.concat([...locals, cd, end]);
}

let h;
let tmp;
before(async () => {
  h = await openPage();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ecg-formats-'));
});
after(async () => {
  await h?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('a PhysioNet-style zip loads its records', async () => {
  const records = ['105', '114', '232'];
  const entries = [{ name: 'mit-bih-arrhythmia-database-1.0.0/RECORDS', data: Buffer.from(records.join('\n') + '\n') }];
  for (const r of records) {
    for (const e of ['hea', 'dat', 'atr']) {
      entries.push({ name: `mit-bih-arrhythmia-database-1.0.0/${r}.${e}`, data: fs.readFileSync(path.join(MITDB, `${r}.${e}`)) });
    }
  }
  const zip = path.join(tmp, 'mit-bih-arrhythmia-database-1.0.0.zip');
  fs.writeFileSync(zip, makeZip(entries));
  const data = new DataScreen(h.page);
  await data.upload([zip], { expectRecords: 3 });
  for (const r of records) assert.deepEqual(await data.recordCounts(r), REFERENCE.records[r].aami_counts, `record ${r}`);
  assert.deepEqual(await data.errors(), []);
  await h.page.click('[data-testid=clear-all]');
  await h.page.waitForFunction(() => document.querySelectorAll('[data-testid=record-row]').length === 0);
});

test('the Kaggle heartbeat CSV loads as beats, split by its files and labelled optimistic', async () => {
  const row = (label, k) => Array.from({ length: 187 }, (_, i) => (i < 120 ? Math.abs(Math.sin((i + k) / 9)) : 0).toExponential(18)).concat([`${label}.000000000000000000e+00`]).join(',');
  const labels = { train: [0, 0, 0, 0, 0, 0, 1, 2, 2, 3, 4, 4], test: [0, 0, 0, 1, 2, 4] };
  for (const [name, ls] of Object.entries(labels)) {
    fs.writeFileSync(path.join(tmp, `mitbih_${name}.csv`), ls.map((l, k) => row(l, k)).join('\n') + '\n');
  }
  const data = new DataScreen(h.page);
  await data.upload([path.join(tmp, 'mitbih_train.csv'), path.join(tmp, 'mitbih_test.csv')]);
  await h.page.waitForFunction(() => document.querySelectorAll('[data-testid=beatfile-row]').length === 2);
  const dist = new DistributionScreen(h.page);
  await dist.open();
  await h.page.waitForFunction(() => document.querySelector('[data-testid=dist-all] [data-testid=total]')?.textContent === '18');
  assert.deepEqual(await dist.counts('all'), { N: 9, S: 2, V: 3, F: 1, Q: 3 });
  assert.deepEqual(await dist.counts('train'), { N: 6, S: 1, V: 2, F: 1, Q: 2 });
  assert.deepEqual(await dist.counts('test'), { N: 3, S: 1, V: 1, F: 0, Q: 1 });
  await h.page.waitForSelector('[data-testid=optimistic-warning]');
  await new DataScreen(h.page).open();
});

test('a plain CSV asks for its sampling rate, then becomes a record', async () => {
  const lines = ['time,MLII,V1'];
  for (let i = 0; i < 2500; i++) lines.push(`${(i / 250).toFixed(3)},${Math.sin(i / 20).toFixed(4)},${Math.cos(i / 20).toFixed(4)}`);
  const csv = path.join(tmp, 'holter-excerpt.csv');
  fs.writeFileSync(csv, lines.join('\n'));
  const data = new DataScreen(h.page);
  await data.upload([csv]);
  await h.page.waitForSelector('[data-testid=csv-rate-prompt]');
  assert.equal(await h.page.inputValue('[data-testid=csv-rate]'), '250', 'the time column suggests 250 Hz');
  await h.page.click('[data-testid=csv-rate-apply]');
  await h.page.waitForSelector('[data-testid=record-row][data-record="holter-excerpt"]');
  const text = await h.page.textContent('[data-testid=record-row][data-record="holter-excerpt"]');
  assert.match(text, /250/);
  assert.match(text, /MLII, V1/);
  // A ragged CSV and one with NaN are refused with the line that is wrong.
  fs.writeFileSync(path.join(tmp, 'ragged.csv'), 'a,b\n1,2\n3\n');
  fs.writeFileSync(path.join(tmp, 'nan.csv'), 'a,b\n1,2\n3,NaN\n');
  await data.upload([path.join(tmp, 'ragged.csv'), path.join(tmp, 'nan.csv')]);
  const errors = await data.errors();
  assert.ok(errors.some((e) => e.includes('ragged.csv') && e.includes('line 3')), errors.join(' | '));
  assert.ok(errors.some((e) => e.includes('nan.csv') && e.includes('NaN')), errors.join(' | '));
  await h.page.waitForSelector('[data-testid=record-row][data-record="holter-excerpt"]');
});

test('Load MIT-BIH fetches the locally served database in one click', async () => {
  await h.page.click('[data-testid=clear-all]');
  await h.page.click('[data-testid=load-mitdb]');
  const data = new DataScreen(h.page);
  await data.waitIdle();
  await h.page.waitForFunction(() => document.querySelectorAll('[data-testid=record-row]').length === 48, null, { timeout: 60000 });
  const dist = new DistributionScreen(h.page);
  await dist.open();
  await h.page.waitForFunction(() => document.querySelector('[data-testid=dist-all] [data-testid=total]')?.textContent.replace(/,/g, '') === '109494');
  assert.deepEqual(await dist.counts('test'), REFERENCE.meta.aami_totals_ds2);
  assert.deepEqual(referenceCounts(REFERENCE.meta.ds2.map(String)), REFERENCE.meta.aami_totals_ds2);
});

test('no request left 127.0.0.1 and the page logged no error', async () => {
  assert.deepEqual(foreignRequests(h.requests, h.url), []);
  assert.deepEqual(h.consoleErrors, []);
});
