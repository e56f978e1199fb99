// The built-in demo set: with no file given the page opens on synthetic patients, clearly
// labelled, with the seed guide's class mix; distribution, training and metrics work on it; the
// user's own files replace it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, foreignRequests, mitdbFiles, referenceCounts, CLASSES } from './harness.mjs';
import { DataScreen, DistributionScreen, TrainScreen } from './pages.mjs';

// src/dataset/demo.rs: DEMO_TOTAL_BEATS and DEMO_MIX_PERCENT (N, S, V, F, Q).
const TOTAL = 36000;
const MIX = { N: 79.3, S: 3.0, V: 6.8, F: 0.5, Q: 10.4 };

let h;
before(async () => {
  h = await openPage();
});
after(async () => {
  await h?.close();
});

test('with no file the page opens on the demo set, labelled synthetic, with the guide’s class mix', async () => {
  const banner = await h.page.waitForSelector('[data-testid=demo-banner]', { timeout: 60000 });
  assert.match(await banner.textContent(), /synthetic/i);
  await new DataScreen(h.page).waitDemo();
  const dist = new DistributionScreen(h.page);
  await dist.open();
  const all = await dist.table('all');
  assert.equal(all.total, TOTAL);
  for (const c of CLASSES) {
    assert.ok(Math.abs(all.rows[c].percent - MIX[c]) < 0.05, `${c}: ${all.rows[c].percent} % vs ${MIX[c]} %`);
    assert.equal(all.rows[c].count, Math.round((TOTAL * MIX[c]) / 100), c);
  }
  // Split by patient: both sides hold beats, and together they are all of them.
  const train = await dist.table('train');
  const testSide = await dist.table('test');
  assert.ok(train.total > 0 && testSide.total > 0);
  assert.equal(train.total + testSide.total, TOTAL);
});

test('a short weighted run trains on the demo set and is scored on its test patients', async () => {
  const dist = new DistributionScreen(h.page);
  await dist.open();
  const testSide = await dist.counts('test');
  const train = new TrainScreen(h.page);
  await train.open();
  await train.set('train-epochs', 1);
  await train.start();
  const r = await train.results(1);
  for (const c of CLASSES) assert.equal(r[c].support, testSide[c], c);
  // Real numbers: something was learned on synthetic patients (the majority class is found).
  assert.ok(r.N.se > 50, `N sensitivity ${r.N.se}`);
});

test('dropping real files replaces the demo set', async () => {
  const data = new DataScreen(h.page);
  await data.open();
  await data.upload(mitdbFiles(['100', '119']), { expectRecords: 2 });
  assert.equal(await h.page.$('[data-testid=demo-banner]'), null);
  assert.deepEqual(await data.recordCounts('119'), referenceCounts(['119']));
});

test('no request left 127.0.0.1 and the page logged no error', async () => {
  assert.deepEqual(foreignRequests(h.requests, h.url), []);
  assert.deepEqual(h.consoleErrors, []);
});
