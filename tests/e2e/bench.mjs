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
//   scaling_model      epoch time and speed-up on 1–8 workers from a model of the communication
//                      cost fitted to the 1- and 2-worker epochs: a step on n workers takes
//                      t1/n + o·(n − 1), where t1 is the 1-worker step and o = t2 − t1/2 what one
//                      follower added to a step (its gradient relayed by the main thread both
//                      ways, summed, and the wait for the slowest shard). On a machine with fewer
//                      than n + 1 logical processors o also holds the contention, so the model is
//                      pessimistic there.
//   first_paint_ms     first contentful paint of the page (PerformanceObserver 'paint'), and
//   ready_ms           the worker's WebAssembly ready (the page's status line gone), from navigation
//   default_run_ms     with --default-run: the default settings (Train with nothing changed, the
//                      default Workers) on all 48 records in a fresh browser profile, click to
//                      results, and its epochs
// Compare with the CLI: `ecg-balance augment --plan seed` (its "seconds") and
// `ecg-balance train --epochs 1` (its "epoch_seconds"), run on the same machine.

import { openPage, mitdbFiles, REFERENCE } from './harness.mjs';
import { DataScreen, TrainScreen } from './pages.mjs';

const args = process.argv.slice(2);
const epochs = Number(args[args.indexOf('--epochs') + 1] || 1) || 1;
const skipTrain = args.includes('--skip-train');
const defaultRun = args.includes('--default-run');
const workerCounts = (args.includes('--workers') ? args[args.indexOf('--workers') + 1] : '1,2')
  .split(',').map(Number).filter((n) => n >= 1);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);

const h = await openPage();
const out = {};
try {
  out.first_paint_ms = await h.page.evaluate(() => new Promise((resolve) => {
    const fcp = () => performance.getEntriesByName('first-contentful-paint')[0];
    if (fcp()) return resolve(Math.round(fcp().startTime));
    new PerformanceObserver(() => fcp() && resolve(Math.round(fcp().startTime))).observe({ type: 'paint', buffered: true });
  }));
  await h.page.waitForFunction(() => !document.body.textContent.includes('Starting the background worker'), null, { timeout: 60000 });
  out.ready_ms = await h.page.evaluate(() => Math.round(performance.now()));
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
    if (one && two) {
      out.epoch_ratio_1_over_2 = Number((mean(one) / mean(two)).toFixed(3));
      // The steady epochs (the first holds the worker's warm-up) when there are several.
      const steady = (xs) => (xs.length > 1 ? xs.slice(1) : xs);
      const t1 = mean(steady(one));
      const t2 = mean(steady(two));
      const o = t2 - t1 / 2;
      out.scaling_model = {
        one_follower_adds_ms_per_epoch: Math.round(o),
        by_workers: Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8].map((n) => {
          const tn = t1 / n + o * (n - 1);
          return [n, { epoch_ms: Math.round(tn), speedup: Number((t1 / tn).toFixed(2)) }];
        })),
      };
    }
  }
} finally {
  await h.close();
}
if (defaultRun && !skipTrain) {
  // A new visitor: a fresh browser profile (a reload would bring back the records and runs the
  // page keeps across reloads), all 48 records dropped, Train with nothing changed.
  const fresh = await openPage();
  try {
    await fresh.page.waitForFunction(() => !document.body.textContent.includes('Starting the background worker'), null, { timeout: 60000 });
    const names = Object.keys(REFERENCE.records).sort();
    await new DataScreen(fresh.page).upload(mitdbFiles(names), { expectRecords: names.length });
    const train = new TrainScreen(fresh.page);
    await train.open();
    out.default_workers = await train.workers();
    const t0 = Date.now();
    await train.start();
    await train.results(1, 3600000);
    out.default_run_ms = Date.now() - t0;
    const ms = await fresh.page.getAttribute('[data-testid=run-row][data-run="1"]', 'data-epoch-ms');
    out.default_run_epochs = ms.split(',').filter(Boolean).length;
  } finally {
    await fresh.close();
  }
}
console.log(JSON.stringify(out));
