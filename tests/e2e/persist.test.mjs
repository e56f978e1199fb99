// A reload loses nothing, end to end: four MIT-BIH records dropped, one run trained, record 100
// classified with it and its labels saved; then the page is reloaded. The records come back
// with their reference counts, the run with the same figures, the Train form with the run's
// settings, and the restored model labels
// every beat of record 100 exactly as before (the saved annotation files are equal byte for
// byte). "Forget everything" then leaves nothing of the person's work in the browser's storage.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { foreignRequests, mitdbFiles, referenceCounts } from './harness.mjs';
import { DataScreen, TrainScreen, pageForTests } from './pages.mjs';

// Two DS1 records to train on and two DS2 records to test on.
const RECORDS = ['118', '208', '100', '213'];

const h = pageForTests();

/** Opens record 100, classifies it with the newest run and returns the saved labels' bytes. */
async function labelsOf100(page) {
  const data = new DataScreen(page);
  await data.open();
  await page.click('[data-testid=record-row][data-record="100"] [data-testid=record-open]');
  await page.waitForSelector('[data-testid=classify-panel]');
  await page.waitForFunction(() => !document.querySelector('[data-testid=classify-run]')?.disabled);
  await page.click('[data-testid=classify-run]');
  await page.waitForSelector('[data-testid=classify-result]');
  await page.waitForFunction(() => !document.querySelector('[data-testid=classify-run]').disabled);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('[data-testid=export-labels]'),
  ]);
  return fs.readFileSync(await download.path());
}

/** Object stores of the page's database and how many entries each holds. */
async function stored(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const request = indexedDB.open('ecg-balance-lab');
    request.onsuccess = () => {
      const db = request.result;
      const names = [...db.objectStoreNames];
      if (names.length === 0) {
        db.close();
        resolve({});
        return;
      }
      const tx = db.transaction(names, 'readonly');
      const out = {};
      for (const n of names) {
        const count = tx.objectStore(n).count();
        count.onsuccess = () => { out[n] = count.result; };
      }
      tx.oncomplete = () => { db.close(); resolve(out); };
      tx.onerror = () => reject(tx.error);
    };
    request.onerror = () => reject(request.error);
  }));
}

test('records, a run and its model survive a reload; the restored model labels record 100 as before', async () => {
  const page = h.page;
  const data = new DataScreen(page);
  await data.upload(mitdbFiles(RECORDS), { expectRecords: RECORDS.length });
  const train = new TrainScreen(page);
  await train.startShort();
  const figures = await train.results(1);
  const row = await page.textContent('[data-testid=run-row][data-run="1"]');
  await page.waitForFunction(() => /12 files and 1 run/.test(document.querySelector('[data-testid=kept-text]')?.textContent ?? ''), null, { timeout: 60000 });
  // meta: the settings of the run.
  assert.deepEqual(await stored(page), { files: 12, meta: 1, runs: 1 });
  const labels = await labelsOf100(page);
  assert.ok(labels.length > 2273 * 2, `${labels.length} bytes of labels`);

  await page.reload();
  await page.waitForSelector('[data-testid=restored]', { timeout: 120000 });
  const restored = await page.textContent('[data-testid=restored]');
  console.log(`# ${restored.trim()}`);
  console.log(`# ${(await page.textContent('[data-testid=kept-text]')).trim()}`);
  assert.match(restored, /Restored from this browser: 12 files and 1 run with its model/);
  await data.open();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=record-row]').length === 4, null, { timeout: 120000 });
  await data.waitIdle();
  assert.equal(await page.$('[data-testid=demo-banner]'), null, 'not the demo set');
  for (const r of RECORDS) assert.deepEqual(await data.recordCounts(r), referenceCounts([r]), `record ${r}`);
  await train.open();
  // The form opens with the last run's settings (1 epoch; the default is more).
  assert.equal(await page.inputValue('[data-testid=train-epochs]'), '1');
  assert.deepEqual(await train.results(1), figures);
  assert.equal(await page.textContent('[data-testid=run-row][data-run="1"]'), row);
  assert.deepEqual(await labelsOf100(page), labels, 'the restored model labels every beat as before');

  // A new run is numbered after the restored one, and is kept too.
  await train.open();
  await train.start();
  await train.results(2);
  await page.waitForFunction(() => /12 files and 2 runs/.test(document.querySelector('[data-testid=kept-text]')?.textContent ?? ''), null, { timeout: 60000 });
});

test('"Forget everything" leaves nothing of the work in storage; the page opens afresh', async () => {
  const page = h.page;
  await Promise.all([
    page.waitForEvent('load'),
    page.click('[data-testid=forget-everything]'),
  ]);
  await new DataScreen(page).waitDemo();
  assert.ok(await page.$('[data-testid=demo-banner]'), 'the demo set, as on a first visit');
  assert.equal(await page.$('[data-testid=restored]'), null);
  assert.equal(await page.$$eval('[data-testid=run-row]', (r) => r.length), 0);
  await page.waitForFunction(() => /no files/.test(document.querySelector('[data-testid=kept-text]')?.textContent ?? ''), null, { timeout: 60000 });
  const left = await stored(page);
  assert.deepEqual(left, { files: 0, meta: 0, runs: 0 });
  // Fetched records have a cache of their own: it holds nothing either.
  const cached = await page.evaluate(async () => {
    let n = 0;
    for (const key of await caches.keys()) {
      if (!key.startsWith('ecg-balance-lab-app-')) n += (await (await caches.open(key)).keys()).length;
    }
    return n;
  });
  assert.equal(cached, 0);
});

test('no request left 127.0.0.1', () => {
  assert.deepEqual(foreignRequests(h.requests, h.url), []);
});
