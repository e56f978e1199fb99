// The page's own timings in headless Chromium, for the benchmark notes (not a test: timings never
// gate CI). Needs a built page in dist/ (`trunk build --release`).
//
//   node tests/e2e/bench.mjs [--epochs 1] [--skip-train]
//
// Prints one JSON object:
//   load_ms            reading + segmenting all 48 MIT-BIH records dropped at once (the page's own
//                      figure: data-read-segment-ms)
//   rebalance_ms       generating the guide's plan (N 50,000 · S 8,000 · V 12,000 · F 5,000 ·
//                      Q 20,000) from the DS1 training split, in the worker
//   epoch_ms           wall time of each epoch of the default model trained DS1 → DS2 in the worker
// Compare with the CLI: `ecg-balance augment --plan seed` (its "seconds") and
// `ecg-balance train --epochs 1` (its "epoch_seconds"), run on the same machine.

import { openPage, mitdbFiles, REFERENCE } from './harness.mjs';
import { DataScreen, TrainScreen } from './pages.mjs';

const args = process.argv.slice(2);
const epochs = Number(args[args.indexOf('--epochs') + 1] || 1) || 1;
const skipTrain = args.includes('--skip-train');

const h = await openPage();
const out = {};
try {
  const data = new DataScreen(h.page);
  const names = Object.keys(REFERENCE.records).sort();
  await data.upload(mitdbFiles(names), { expectRecords: names.length });
  out.load_ms = (await data.loadTiming()).readSegmentMs;

  await h.page.click('[data-testid=tab-augment]');
  await h.page.check('[data-testid=plan-seed]');
  await h.page.click('[data-testid=rebalance-generate]');
  const timing = await h.page.waitForSelector('[data-testid=rebalance-timing]', { timeout: 120000 });
  out.rebalance_ms = Number(await timing.getAttribute('data-ms'));
  out.rebalance_beats = Number(await timing.getAttribute('data-beats'));

  if (!skipTrain) {
    const train = new TrainScreen(h.page);
    await train.open();
    await train.set('train-epochs', epochs);
    await train.start();
    await train.results(1, 1800000);
    const ms = await h.page.getAttribute('[data-testid=run-row][data-run="1"]', 'data-epoch-ms');
    out.epoch_ms = ms.split(',').filter(Boolean).map(Number);
  }
  console.log(JSON.stringify(out));
} finally {
  await h.close();
}
