// The page's worker dies mid-training (an error it does not catch, as a panic, a trap of its
// WebAssembly or exhausted memory give): the page says so on the screen the person is on,
// starts a new worker without a reload, reads the person's files again from disk, keeps the
// figures of the finished run (marked "figures only": its model died with the worker), and a new
// run trains and gets the next run number.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foreignRequests, mitdbFiles, referenceCounts } from './harness.mjs';
import { DataScreen, TrainScreen, pageForTests } from './pages.mjs';

// Two DS1 records to train on and two DS2 records to test on.
const RECORDS = ['118', '208', '100', '213'];
const KILLED = 'stopped by the recovery test';

const h = pageForTests(async ({ page }) => {
  await new DataScreen(page).upload(mitdbFiles(RECORDS), { expectRecords: RECORDS.length });
});

async function leader(page) {
  for (const w of page.workers()) {
    if ((await w.evaluate(() => self.name).catch(() => '')) === 'leader') return w;
  }
  return null;
}

test('the worker dies mid-training; the page recovers without a reload', async () => {
  const page = h.page;
  const train = new TrainScreen(page);
  await train.startShort();
  const first = await train.results(1);
  assert.ok(first.N.support > 0);
  const firstRow = await page.textContent('[data-testid=run-row][data-run="1"]');

  // A marker that a reload would wipe.
  await page.evaluate(() => {
    window.__sameDocument = true;
  });
  const old = await leader(page);
  assert.ok(old, 'the page names its own worker "leader"');

  await train.set('train-epochs', 40);
  await train.start();
  // Run 2 is training (its status names its 40 epochs) when the worker dies.
  await page.waitForFunction(() => /of at most 40\b/.test(document.querySelector('[data-testid=train-status]')?.textContent ?? ''), null, { timeout: 300000 });
  assert.ok(await page.$('[data-testid=progress]'), 'a job is running');
  await old.evaluate((why) => {
    setTimeout(() => {
      throw new Error(why);
    }, 0);
  }, KILLED);

  // Said on the screen the person is on (Train), with what was kept and what was lost.
  await page.waitForSelector('[data-testid=worker-alert]', { timeout: 30000 });
  const alert = await page.textContent('[data-testid=worker-alert]');
  assert.match(alert, /stopped/);
  assert.match(alert, new RegExp(KILLED));
  assert.match(alert, /read again/);

  // A new worker, the same document, the files read again: every record and its beats.
  const data = new DataScreen(page);
  await data.open();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=record-row]').length === 4, null, { timeout: 120000 });
  await data.waitIdle();
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no reload');
  const fresh = await leader(page);
  assert.ok(fresh && fresh !== old, 'a new leader worker');
  assert.deepEqual((await data.recordNames()).sort(), [...RECORDS].sort());
  for (const r of RECORDS) assert.deepEqual(await data.recordCounts(r), referenceCounts([r]), `record ${r}`);

  // The finished run's figures are kept, marked as figures only; no job is left running.
  await train.open();
  assert.equal(await train.runCount(), 1);
  assert.equal(await page.getAttribute('[data-testid=run-row][data-run="1"]', 'data-kept'), 'true');
  assert.match(await page.textContent('[data-testid=run-row][data-run="1"]'), /figures only/);
  // Its figures are the ones shown before the worker stopped.
  const keptRow = await page.textContent('[data-testid=run-row][data-run="1"]');
  assert.equal(keptRow.replace(/\s*figures only/, ''), firstRow);
  assert.equal(await page.$('[data-testid=progress]'), null, 'no job left showing progress');

  // The person trains again: the run finishes and takes the next number.
  await train.set('train-epochs', 1);
  await train.start();
  const second = await train.results(2);
  assert.ok(second.N.support > 0);
  assert.equal(await train.runCount(), 2);
  assert.equal(await page.getAttribute('[data-testid=run-row][data-run="2"]', 'data-kept'), 'false');
});

test('no request left 127.0.0.1 and the page logged no error but the one the test caused', async () => {
  assert.deepEqual(foreignRequests(h.requests, h.url), []);
  assert.deepEqual(h.consoleErrors.filter((e) => !e.includes(KILLED)), []);
});
