// The spine, end to end in headless Chromium: real MIT-BIH files dropped on the page, the class
// distribution read back through data-testids and compared with wfdb-python's reference, a broken
// file that must not cost anything already loaded, and no request leaving 127.0.0.1.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  openPage, foreignRequests, mitdbFiles, referenceCounts, allRecords, REFERENCE, MITDB, CLASSES,
  watchLongTasks, longTasks,
} from './harness.mjs';
import { DataScreen, DistributionScreen } from './pages.mjs';

let h;
before(async () => {
  h = await openPage();
});
after(async () => {
  await h?.close();
});

test('three records: per-record and total counts equal the reference', async () => {
  const data = new DataScreen(h.page);
  const three = ['100', '101', '103'];
  await data.upload(mitdbFiles(three), { expectRecords: 3 });
  assert.deepEqual((await data.recordNames()).sort(), three);
  for (const r of three) {
    assert.deepEqual(await data.recordCounts(r), REFERENCE.records[r].aami_counts, `record ${r}`);
  }
  const dist = new DistributionScreen(h.page);
  await dist.open();
  const want = referenceCounts(three);
  await h.page.waitForFunction((n) => document.querySelector('[data-testid=dist-all] [data-testid=total]')?.textContent.replace(/,/g, '') === String(n),
    Object.values(want).reduce((a, b) => a + b, 0));
  assert.deepEqual(await dist.counts('all'), want);
  // 101 is in DS1, 100 and 103 in DS2.
  assert.deepEqual(await dist.counts('train'), referenceCounts(['101']));
  assert.deepEqual(await dist.counts('test'), referenceCounts(['100', '103']));
  const all = await dist.table('all');
  assert.equal(all.rows.N.status, 'severely over-represented');
});

test('a broken file gets a clear message naming it, and nothing loaded is lost', async () => {
  const data = new DataScreen(h.page);
  await data.open();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ecg-bad-'));
  // 105.dat cut to a tenth of its length: the header promises 650,000 samples.
  fs.copyFileSync(path.join(MITDB, '105.hea'), path.join(tmp, '105.hea'));
  fs.writeFileSync(path.join(tmp, '105.dat'), fs.readFileSync(path.join(MITDB, '105.dat')).subarray(0, 195000));
  // An annotation file cut mid-entry, for a record whose other files are fine.
  for (const e of ['hea', 'dat']) fs.copyFileSync(path.join(MITDB, `106.${e}`), path.join(tmp, `106.${e}`));
  fs.writeFileSync(path.join(tmp, '106.atr'), fs.readFileSync(path.join(MITDB, '106.atr')).subarray(0, 1001));
  // A header that is not text at all.
  fs.writeFileSync(path.join(tmp, '107.hea'), Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x13]));
  await data.upload(['105.hea', '105.dat', '106.hea', '106.dat', '106.atr', '107.hea'].map((f) => path.join(tmp, f)));
  const errors = await data.errors();
  assert.ok(errors.some((e) => e.includes('105.dat')), `an error names 105.dat: ${errors.join(' | ')}`);
  assert.ok(errors.some((e) => e.includes('106.atr')), `an error names 106.atr: ${errors.join(' | ')}`);
  assert.ok(errors.some((e) => e.includes('107.hea')), `an error names 107.hea: ${errors.join(' | ')}`);
  assert.deepEqual((await data.recordNames()).sort(), ['100', '101', '103'], 'earlier records remain, broken ones are not added');
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('all 144 files: 48 records, totals and DS1/DS2 exactly as the reference; loading stays off the main thread', async () => {
  const data = new DataScreen(h.page);
  await data.open();
  await watchLongTasks(h.page);
  const records = allRecords();
  assert.equal(records.length, 48);
  await data.upload(mitdbFiles(records), { expectRecords: 48 });
  const timing = await data.loadTiming();
  console.log(`# page: read + segment of all 48 records: ${timing.readSegmentMs} ms — ${timing.text}`);
  const tasks = await longTasks(h.page);
  console.log(`# main-thread long tasks during the 144-file load: ${JSON.stringify(tasks.map((t) => Math.round(t)))}`);
  for (const r of records) {
    assert.deepEqual(await data.recordCounts(r), REFERENCE.records[r].aami_counts, `record ${r}`);
  }
  const dist = new DistributionScreen(h.page);
  await dist.open();
  await h.page.waitForFunction(() => document.querySelector('[data-testid=dist-all] [data-testid=total]')?.textContent.replace(/,/g, '') === '109494');
  assert.deepEqual(await dist.counts('all'), REFERENCE.meta.aami_totals);
  assert.deepEqual(await dist.counts('train'), REFERENCE.meta.aami_totals_ds1);
  assert.deepEqual(await dist.counts('test'), REFERENCE.meta.aami_totals_ds2);
  const all = await dist.table('all');
  assert.equal(all.ratio, '113:1');
  assert.deepEqual(CLASSES.map((c) => all.rows[c].status), [
    'severely over-represented', 'severely under-represented', 'under-represented', 'critically low', 'under-represented',
  ]);
  // The random beat split is labelled optimistic and keeps every beat.
  await dist.chooseRandomSplit();
  await h.page.waitForFunction(() => document.querySelector('[data-testid=dist-test] [data-testid=total]')?.textContent.replace(/,/g, '') !== '');
  const train = await dist.counts('train');
  const testc = await dist.counts('test');
  for (const c of CLASSES) assert.equal(train[c] + testc[c], REFERENCE.meta.aami_totals[c], `class ${c} is split, not lost`);
  await dist.chooseInterPatient();
});

test('a record opens as a strip with beat marks coloured by class, and a gallery per class', async () => {
  const data = new DataScreen(h.page);
  await data.open();
  await h.page.click('[data-testid=record-row][data-record="208"] [data-testid=record-open]');
  await h.page.waitForSelector('[data-testid=strip] .mark');
  const classes = await h.page.$$eval('[data-testid=strip] .mark', (ms) => ms.map((m) => m.dataset.class));
  assert.ok(classes.length >= 8, `about 10 s of record 208 shows beats: ${classes.length}`);
  await h.page.waitForSelector('[data-testid=gallery-V] path.beat');
  await h.page.click('[data-testid=strip-forward]');
  await h.page.waitForFunction(() => document.querySelector('[data-testid=strip-window]')?.textContent.startsWith('8.0'));
  // Zooming out doubles the span around the same centre: 8–18 s becomes 3–23 s.
  await h.page.click('[data-testid=strip-zoom-out]');
  await h.page.waitForFunction(() => document.querySelector('[data-testid=strip-window]')?.textContent.startsWith('3.0–23.0 s'));
});

test('no request left 127.0.0.1 and the page logged no error', async () => {
  assert.deepEqual(foreignRequests(h.requests, h.url), []);
  assert.deepEqual(h.consoleErrors, []);
});
