// The Rebalance screen end to end: the plan's before/after tables for the training split, what
// each technique does to a real beat, generating the rebalanced training set in the worker,
// exporting it as a Kaggle-style CSV, and training on it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { openPage, foreignRequests, mitdbFiles, referenceCounts } from './harness.mjs';
import { DataScreen, DistributionScreen, TrainScreen } from './pages.mjs';

const TRAIN = ['118', '119', '208'];
const TEST = ['100', '213', '221'];
const CLASSES = ['N', 'S', 'V', 'F', 'Q'];
const TOTAL = 3000 * CLASSES.length;

let h;
before(async () => {
  h = await openPage();
  await new DataScreen(h.page).upload(mitdbFiles([...TRAIN, ...TEST]), { expectRecords: 6 });
});
after(async () => {
  await h?.close();
});

test('the plan table shows the training split before and after, and the preview shows every technique', async () => {
  await h.page.click('[data-testid=tab-augment]');
  await h.page.waitForSelector('[data-testid=dist-before]');
  const dist = new DistributionScreen(h.page);
  const before = await dist.counts('before');
  assert.deepEqual(before, referenceCounts(TRAIN), 'only the training side (DS1 records)');
  // Every class to 3,000: present classes reach it (208 holds 2 Q beats, so Q does too), absent
  // ones stay 0 because there is no source beat to augment.
  const present = CLASSES.filter((c) => before[c] > 0);
  assert.deepEqual(present, CLASSES, 'all five classes occur in 118, 119, 208');
  await h.page.check('[data-testid=plan-balance]');
  await h.page.fill('[data-testid=plan-k]', '3000');
  const want = 3000 * present.length;
  await h.page.waitForFunction((w) => document.querySelector('[data-testid=dist-after] [data-testid=total]')?.textContent.replace(/,/g, '') === String(w), want);
  const afterCounts = await dist.counts('after');
  for (const c of CLASSES) assert.equal(afterCounts[c], 3000, c);
  // Preview: seven techniques, eight copies each, plus the original.
  await h.page.waitForSelector('[data-testid=preview] figure');
  const panels = await h.page.$$eval('[data-testid=preview] figure', (fs) => fs.map((f) => [f.dataset.testid, f.querySelectorAll('path.aug').length, f.querySelectorAll('path.original').length]));
  assert.equal(panels.length, 7, JSON.stringify(panels));
  for (const [, aug, orig] of panels) {
    assert.equal(aug, 8);
    assert.equal(orig, 1);
  }
});

test('generating the rebalanced set runs in the worker; it exports as a Kaggle-style CSV', async () => {
  await h.page.click('[data-testid=rebalance-generate]');
  const timing = await h.page.waitForSelector('[data-testid=rebalance-timing]', { timeout: 60000 });
  assert.equal(Number(await timing.getAttribute('data-beats')), TOTAL);
  console.log(`# page: rebalanced the 3-record training set to ${TOTAL} beats in ${await timing.getAttribute('data-ms')} ms`);
  const [download] = await Promise.all([
    h.page.waitForEvent('download'),
    h.page.click('[data-testid=export-rebalanced-csv]'),
  ]);
  const file = await download.path();
  const rows = fs.readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(rows.length, TOTAL);
  const cells = rows[0].split(',');
  assert.equal(cells.length, 188);
  const labels = rows.map((r) => Number(r.split(',')[187]));
  for (const [i, c] of CLASSES.entries()) {
    assert.equal(labels.filter((l) => l === i).length, 3000, c);
  }
});

test('training can use the plan: the run says so and its test side is untouched', async () => {
  await h.page.check('[data-testid=rebalance-use]');
  const train = new TrainScreen(h.page);
  await train.open();
  await h.page.waitForSelector('[data-testid=train-rebalance-note]');
  await train.set('train-epochs', 1);
  await train.start();
  const r = await train.results(1);
  const want = referenceCounts(TEST);
  for (const c of ['N', 'S', 'V', 'F', 'Q']) assert.equal(r[c].support, want[c], c);
  assert.match(await h.page.textContent('[data-testid=run-results]'), /rebalanced/);
});

test('no request left 127.0.0.1 and the page logged no error', async () => {
  assert.deepEqual(foreignRequests(h.requests, h.url), []);
  assert.deepEqual(h.consoleErrors, []);
});
