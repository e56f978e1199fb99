// The page's own timings in headless Chromium, for the benchmark notes (not a test: timings never
// gate CI). Needs a built page in dist/ (`trunk build --release`).
//
//   node tests/e2e/bench.mjs [--epochs 1] [--workers 1,2] [--skip-train]
//
// Prints one JSON object:
//   load_ms            reading + segmenting all 48 MIT-BIH records dropped at once (the page's own
//                      figure: data-read-segment-ms)
//   rebalance_ms       generating the guide's plan (N 50,000 · S 8,000 · V 12,000 · F 5,000 ·
//                      Q 20,000) from the DS1 training split, in the worker
//   epoch_ms           wall time of each epoch of the default model trained DS1 → DS2 on 1 worker
//   epoch_ms_by_workers  the same run on each number of Web Workers of --workers (data-parallel,
//                      the page's Workers input): { "1": [...], "2": [...] }
//   epoch_ratio_1_over_2  mean 1-worker epoch time over mean 2-worker epoch time (the speed-up;
//                      only meaningful on a quiet machine with at least 3 logical processors)
// Compare with the CLI: `ecg-balance augment --plan seed` (its "seconds") and
// `ecg-balance train --epochs 1` (its "epoch_seconds"), run on the same machine.

import { openPage, mitdbFiles, REFERENCE } from './harness.mjs';
import { DataScreen, TrainScreen } from './pages.mjs';

const args = process.argv.slice(2);
const epochs = Number(args[args.indexOf('--epochs') + 1] || 1) || 1;
const skipTrain = args.includes('--skip-train');
const workerCounts = (args.includes('--workers') ? args[args.indexOf('--workers') + 1] : '1,2')
  .split(',').map(Number).filter((n) => n >= 1);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);

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
    out.logical_processors = await h.page.evaluate(() => navigator.hardwareConcurrency);
    out.epoch_ms_by_workers = {};
    let run = 0;
    for (const workers of workerCounts) {
      run += 1;
      await train.set('train-workers', workers);
      await train.set('train-epochs', epochs);
      await train.start();
      await train.results(run, 1800000);
      const ms = await h.page.getAttribute(`[data-testid=run-row][data-run="${run}"]`, 'data-epoch-ms');
      out.epoch_ms_by_workers[workers] = ms.split(',').filter(Boolean).map(Number);
    }
    out.epoch_ms = out.epoch_ms_by_workers[1];
    const one = out.epoch_ms_by_workers[1];
    const two = out.epoch_ms_by_workers[2];
    if (one && two) out.epoch_ratio_1_over_2 = Number((mean(one) / mean(two)).toFixed(3));
  }
  console.log(JSON.stringify(out));
} finally {
  await h.close();
}
