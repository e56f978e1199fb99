// The browser's storage is full: the session goes on. IndexedDB is made to refuse every write
// of the page's database with a QuotaExceededError (an init script: `add` and `put` throw, as a
// full origin makes a write fail), then four MIT-BIH records are dropped. The page says what
// could not be kept and why, the footer says this visit's work is not kept, and nothing is lost
// now: the records keep their reference counts and a run trains to its figures. A reload then
// opens on the demo set, as nothing was kept — and says nothing was restored.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, foreignRequests, mitdbFiles, referenceCounts } from './harness.mjs';
import { DataScreen, TrainScreen } from './pages.mjs';

const RECORDS = ['118', '208', '100', '213'];

let h;
before(async () => {
  h = await openPage();
  await h.page.context().addInitScript(() => {
    for (const method of ['add', 'put']) {
      const original = IDBObjectStore.prototype[method];
      IDBObjectStore.prototype[method] = function (...args) {
        if (this.transaction.db.name === 'ecg-balance-lab') {
          throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        }
        return original.apply(this, args);
      };
    }
  });
  await h.page.reload();
  await new DataScreen(h.page).waitDemo();
});
after(async () => {
  await h?.close();
});

test('a full storage keeps the session working, with a clear notice', async () => {
  const page = h.page;
  const data = new DataScreen(page);
  await data.upload(mitdbFiles(RECORDS), { expectRecords: RECORDS.length });
  await page.waitForSelector('[data-testid=kept][data-state=refused]', { timeout: 60000 });
  const footer = await page.textContent('[data-testid=kept-text]');
  assert.match(footer, /Not kept in this browser: your files could not be kept: the browser's storage for this page is full/);
  assert.match(footer, /lost on a reload/);
  // An alert (read out by screen readers) says what was not kept and why.
  assert.match(
    await page.textContent('[data-testid=kept-refused][role=alert]'),
    /Not kept: your files could not be kept: the browser's storage for this page is full\. Everything goes on working/,
  );
  for (const r of RECORDS) assert.deepEqual(await data.recordCounts(r), referenceCounts([r]), `record ${r}`);

  const train = new TrainScreen(page);
  await train.startShort();
  const figures = await train.results(1);
  assert.ok(figures, 'the run finished with its figures');
  // Still refused: nothing more is tried, and the footer still says so.
  assert.equal(await page.getAttribute('[data-testid=kept]', 'data-state'), 'refused');

  await page.reload();
  await new DataScreen(page).waitDemo();
  assert.ok(await page.$('[data-testid=demo-banner]'), 'nothing was kept: the demo set');
  assert.equal(await page.$('[data-testid=restored]'), null);
  assert.equal(await page.$$eval('[data-testid=run-row]', (r) => r.length), 0);
});

test('no request left 127.0.0.1', () => {
  assert.deepEqual(foreignRequests(h.requests, h.url), []);
});
