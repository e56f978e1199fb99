// What keeping the work across reloads costs, for the benchmark notes (not a test: timings never
// gate CI). Needs a built page in dist/ (`trunk build --release`).
//
//   node tests/e2e/bench_persist.mjs [--runs 3] [--epochs 1]
//
// Drops all 48 MIT-BIH records (144 files), trains --runs runs of --epochs epochs (DS1 → DS2,
// 1 worker), waits until the browser keeps them, reloads, and prints one JSON object:
//   kept        the footer's line before the reload (files, runs, bytes, the origin's usage)
//   restored    the page's own restore line (what it restored, in how long)
//   reload_to_records_ms  from the reload to all 48 records listed again
//   reload_to_runs_ms     from the reload to every run back in the runs table

import { openPage, mitdbFiles, allRecords } from './harness.mjs';
import { DataScreen, TrainScreen } from './pages.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const runs = Number(arg('--runs', 3));
const epochs = Number(arg('--epochs', 1));

const h = await openPage();
try {
  const page = h.page;
  const records = allRecords();
  await new DataScreen(page).upload(mitdbFiles(records), { expectRecords: records.length });
  const train = new TrainScreen(page);
  await train.open();
  await train.set('train-workers', 1);
  await train.set('train-epochs', epochs);
  for (let k = 1; k <= runs; k++) {
    await train.start();
    await train.results(k);
  }
  const want = new RegExp(`${records.length * 3} files and ${runs} runs`);
  await page.waitForFunction((w) => new RegExp(w).test(document.querySelector('[data-testid=kept-text]')?.textContent ?? ''), want.source, { timeout: 120000 })
    .catch(async (e) => {
      console.error(await page.textContent('[data-testid=kept-text]'), await page.$$eval('[role=alert], .notice', (n) => n.map((x) => x.textContent)));
      throw e;
    });
  const kept = (await page.textContent('[data-testid=kept-text]')).trim();
  const t0 = Date.now();
  await page.reload();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=record-row]').length === n, records.length, { timeout: 300000, polling: 20 });
  const toRecords = Date.now() - t0;
  await page.waitForSelector('[data-testid=restored]', { timeout: 300000 });
  await train.open();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=run-row]').length === n, runs, { timeout: 300000, polling: 20 });
  const toRuns = Date.now() - t0;
  const restored = (await page.textContent('[data-testid=restored]')).trim();
  console.log(JSON.stringify({ kept, restored, reload_to_records_ms: toRecords, reload_to_runs_ms: toRuns }, null, 2));
} finally {
  await h.close();
}
