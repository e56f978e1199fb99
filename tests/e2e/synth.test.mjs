// Synthetic beats in the page: on the demo set (no file), generate the guide's plan in the
// worker, see the gallery, the quality report and the speed, add the beats to training, train a
// short run and find the setting in the runs table; nothing leaves the machine.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, foreignRequests } from './harness.mjs';
import { DataScreen, TrainScreen } from './pages.mjs';
import { SynthSection } from './synth_pages.mjs';

let h;
before(async () => {
  h = await openPage();
});
after(async () => {
  await h?.close();
});

test('synthetic beats: generate on the demo set, report, add to training, train', async () => {
  await h.page.waitForSelector('[data-testid=demo-banner]', { timeout: 60000 });
  await new DataScreen(h.page).waitDemo();
  const s = new SynthSection(h.page);
  await s.open();
  // The guide's plan is the default.
  assert.equal(await s.count('F'), 4000);
  assert.equal(await s.count('S'), 3000);
  assert.equal(await s.count('V'), 2000);

  // Bad input gets a message, not a request.
  await s.setCount('S', -5);
  await h.page.click('[data-testid=synth-generate]');
  await h.page.waitForSelector('[data-testid=synth-error]');
  await s.setCount('S', 3000);

  // A long generation shows progress and can be cancelled; nothing is kept.
  await s.setCount('F', 100000);
  await h.page.click('[data-testid=synth-generate]');
  await h.page.waitForFunction(
    () => /generating synthetic beats/.test(document.querySelector('[data-testid=progress-label]')?.textContent ?? ''),
    null,
    { timeout: 60000 },
  );
  await h.page.click('[data-testid=cancel]');
  await h.page.waitForSelector('[data-testid=progress]', { state: 'detached', timeout: 60000 });
  assert.equal(await h.page.$('[data-testid=synth-results]'), null);
  await s.setCount('F', 4000);

  const t0 = Date.now();
  await s.generate();
  const wall = (Date.now() - t0) / 1000;
  const speed = await s.speed();
  assert.ok(speed > 0, `speed ${speed}`);
  console.log(`page synthetic generation: ${speed.toFixed(0)} beats/s (worker clock), whole generate+report ${wall.toFixed(1)} s`);
  console.log(`page speed line: ${await h.page.textContent('[data-testid=synth-speed]')}`);

  const q = await s.quality();
  for (const c of ['F', 'S', 'V']) {
    assert.ok(q[c], `quality row ${c}`);
    // Class, synthetic count, real count, corr, real corr, nn s→r, nn r→r, TSTR.
    assert.equal(Number(q[c][1].replace(/,/g, '')), { F: 4000, S: 3000, V: 2000 }[c]);
    const corr = Number(q[c][3].split(' ')[0]);
    assert.ok(corr > -1 && corr <= 1, `${c} corr ${q[c][3]}`);
    assert.ok(Number(q[c][5]) > 0, `${c} NN distance ${q[c][5]}`);
    assert.match(q[c][7], /^\d+\.\d %/, `${c} TSTR ${q[c][7]}`);
    // Gallery: synthetic beats and the real mean.
    assert.ok((await s.galleryPaths(c)) >= 2, c);
  }
  console.log(`quality: ${JSON.stringify(q)}`);

  await s.addToTraining();
  const train = new TrainScreen(h.page);
  await train.open();
  await h.page.waitForSelector('[data-testid=train-synth-note]');
  await train.set('train-epochs', 1);
  await train.start();
  const r = await train.results(1);
  assert.ok(r.N.support > 0);
  const row = await h.page.textContent('[data-testid=run-row][data-run="1"]');
  assert.match(row, /synthetic: F 4000, S 3000, V 2000 \(default, seed 42\)/);
});

test('no request left 127.0.0.1 and the page logged no error', async () => {
  assert.deepEqual(foreignRequests(h.requests, h.url), []);
  assert.deepEqual(h.consoleErrors, []);
});
