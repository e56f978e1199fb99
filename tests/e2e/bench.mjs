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
//   message_timings    per run on several workers, each training worker's messages to the others:
//                      posts and ms a post, messages received, their mean delivery (posting to
//                      handling, queueing behind work included), the worker's busy and idle shares
//                      and the part of the idle time with a message on its way, and the latency of
//                      the messages posted while the receiver already waited (`workerTimings`)
//   message_model      speed-up on 1–8 workers from those measured costs (per batch: the shard
//                      c/n, the leader's n − 1 posts, one post back and two latencies), assuming
//                      n free cores; with the measured 2-worker batch beside it
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
      if (Number(workers) > 1) {
        // What the messages between the training workers cost in this run (each worker counts
        // from zero again once read).
        const timings = [];
        for (const w of h.page.workers()) {
          const t = await w.evaluate(() => (typeof wasm_bindgen !== 'undefined' && wasm_bindgen.workerTimings
            ? wasm_bindgen.workerTimings(true) : '')).catch(() => '');
          if (t) timings.push(JSON.parse(t));
        }
        out.message_timings = out.message_timings || {};
        out.message_timings[workers] = timings.filter((t) => t.received > 0).map(summariseTimings);
      }
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
      const timed = (out.message_timings || {})[2];
      if (timed && timed.length === 2) {
        // A model of the messages as measured, for n workers on n free cores: each batch the
        // leader posts its n − 1 followers their step one after another (p each), the last
        // follower's step reaches it after a latency L, and its gradient comes back after
        // another p and L; the shard itself takes c/n, c being a 1-worker batch.
        const batches = Math.min(...timed.map((t) => t.received)) / two.length;
        const c = t1 / batches;
        const p = mean(timed.map((t) => t.post_ms_each));
        const awaited = timed.reduce((a, t) => a + t.awaited, 0);
        const L = awaited ? timed.reduce((a, t) => a + t.latency_ms_mean * t.awaited, 0) / awaited : 0;
        const batchMs = (n) => (n === 1 ? c : c / n + n * p + 2 * L);
        out.message_model = {
          batch_ms_1_worker: Number(c.toFixed(2)),
          post_ms: Number(p.toFixed(3)),
          latency_ms: Number(L.toFixed(3)),
          batch_ms_2_workers_measured: Number((t2 / batches).toFixed(2)),
          by_workers: Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8].map((n) => [n, {
            batch_ms: Number(batchMs(n).toFixed(2)),
            speedup: Number((c / batchMs(n)).toFixed(2)),
          }])),
        };
      }
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

// One worker's message costs, per message and as shares of its time from its first to its last
// message between training workers: busy (handling messages — a follower's step and shard
// included — and the leader's own work between them), idle before a message from another
// worker, and the part of that idle time after the message was posted (on its way).
function summariseTimings(t) {
  const span = Math.max(t.last_ms - t.first_ms, 1e-9);
  const busy = t.handle_ms + t.drive_ms;
  return {
    posts: t.posts,
    post_ms_each: Number((t.post_ms / Math.max(t.posts, 1)).toFixed(3)),
    received: t.received,
    delivery_ms_mean: Number((t.delivery_ms / Math.max(t.received, 1)).toFixed(3)),
    delivery_ms_max: Number(t.delivery_max_ms.toFixed(1)),
    busy_share: Number((busy / span).toFixed(3)),
    idle_share: Number((t.idle_ms / span).toFixed(3)),
    idle_in_transit_share: Number((t.transit_ms / span).toFixed(3)),
    awaited: t.awaited,
    latency_ms_mean: Number((t.awaited_ms / Math.max(t.awaited, 1)).toFixed(3)),
    span_ms: Math.round(span),
  };
}
