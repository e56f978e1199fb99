// Heavy input in the page (issue 13): six copies of MIT-BIH, renamed so that each copy is a
// distinct record (c1_100 … c6_234: 288 records, 864 files, 563 MB), made in the system temp
// folder at test time and deleted after, chosen through the file input. The load must end with
// every record and beat counted exactly (6 × wfdb-python's MIT-BIH totals) or with a refusal
// naming the sample budget; the tab must not die, the main thread must stay free (long tasks,
// and a tab switch while the worker parses), and the page must say what the worker holds.
//
// The test prints what it measured (`# heavy: …`): the load's time, the worker's WebAssembly
// memory, the browser's peak resident memory and the main thread's long tasks. On the 2-core
// CI machine: 6–11 s, 1,504 MB of WebAssembly memory, 1.8 GB resident in the page's renderer;
// before loads were sent in parts, the page read every file first and the worker copied them
// all: 7.6–21 s, 2,798 MB, 2.5 GB, and fourteen copies (1.3 GB) killed the worker.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { openPage, REFERENCE, CLASSES } from './harness.mjs';
import { DataScreen, DistributionScreen } from './pages.mjs';
import { writeHeavySet, sampleMemory, workerMemory, MB } from './heavy.mjs';

const COPIES = 6;
const RECORDS = COPIES * 48;
// Every MIT-BIH record is 650,000 samples of two leads, held as 16-bit samples.
const SAMPLE_BYTES = RECORDS * 650000 * 2 * 2;
// Main-thread tasks while loading, ms. Choosing 864 files costs one task of the browser's own
// (about 0.3 ms a file: Chromium takes each file's metadata when a change listener reads the
// file list; a bare listener that only reads `files.length` costs the same), measured 170–500 ms
// here depending on what else the machine runs, so the task in which the files are chosen has
// its own bound. Every task after it is the page's (reading the files' sizes a few dozen at a
// time, reading parts, progress, the table of records a few rows per frame): measured at most
// 58 ms, most runs none over 50 ms; the rule while training is 50 ms, and 100 ms leaves room
// for a busy CI machine (rendering the 288 rows at once took 107–113 ms).
const CHOOSE_TASK_BOUND_MS = 1000;
const LONG_TASK_BOUND_MS = 100;
// The worker's WebAssembly memory after the load, bytes: what it holds (749 MB of samples,
// 26 MB of annotations, 701 MB of beats) and one part in flight, with room for the allocator.
const WORKER_MEMORY_BOUND = 2.0e9;

let h;
let set;
before(async () => {
  set = writeHeavySet(COPIES);
  h = await openPage();
  // The page opens on the demo set; the files replace it.
  await new DataScreen(h.page).waitDemo();
});
after(async () => {
  await h?.close();
  if (set) fs.rmSync(set.dir, { recursive: true, force: true });
});

test(`a ${COPIES}-fold MIT-BIH load (${RECORDS} records) is counted exactly, keeps the page free and says what it holds`, { timeout: 300000 }, async () => {
  assert.ok(set.bytes > 500e6, `the set holds ${MB(set.bytes)} MB`);
  let crashed = false;
  h.page.on('crash', () => { crashed = true; });
  const data = new DataScreen(h.page);
  await h.page.evaluate(() => {
    window.__heavyTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__heavyTasks.push({ start: e.startTime, ms: e.duration });
    }).observe({ type: 'longtask' });
  });
  const memory = sampleMemory(h.profile);
  const t0 = Date.now();
  await h.page.setInputFiles('[data-testid=file-input]', set.files);
  const chosen = await h.page.evaluate(() => performance.now());

  // While the worker parses: the page answers at once, and switching screens works.
  await h.page.waitForFunction(() => /^read /.test(document.querySelector('[data-testid=progress-label]')?.textContent ?? ''), null, { timeout: 60000 });
  const t1 = Date.now();
  await h.page.click('[data-testid=tab-distribution]');
  await h.page.waitForSelector('[data-testid=tab-distribution][aria-selected=true]');
  await h.page.click('[data-testid=tab-data]');
  await h.page.waitForSelector('[data-testid=dropzone]');
  const switchMs = Date.now() - t1;

  await data.waitIdle(240000);
  // Done: every record listed (the table fills a few rows per frame), or a refusal shown.
  await h.page.waitForFunction((n) => document.querySelectorAll('[data-testid=record-row]').length === n
    || document.querySelector('[data-testid=load-error]'), RECORDS, { timeout: 60000 });
  const loadS = (Date.now() - t0) / 1000;
  const peak = memory.stop();
  assert.equal(crashed, false, 'the tab did not die');
  const all = await h.page.evaluate(() => window.__heavyTasks);
  const choosing = all.filter((t) => t.start < chosen).map((t) => t.ms);
  const tasks = all.filter((t) => t.start >= chosen).map((t) => t.ms);
  const workers = await workerMemory(h.page);
  const timing = await h.page.textContent('[data-testid=load-timing]').catch(() => '');
  console.log(`# heavy: ${set.files.length} files, ${MB(set.bytes)} MB loaded in ${loadS.toFixed(1)} s; ${timing}`);
  console.log(`# heavy: worker WebAssembly memory ${workers.map((b) => (b ? `${MB(b)} MB` : '?')).join(', ')}; peak resident memory: largest renderer ${MB(peak.peakRendererBytes)} MB, all browser processes ${MB(peak.peakTotalBytes)} MB`);
  console.log(`# heavy: main-thread long tasks (ms): choosing the files ${JSON.stringify(choosing.map(Math.round))}, after ${JSON.stringify(tasks.map(Math.round))}; screen switch while parsing ${switchMs} ms`);

  const errors = await data.errors();
  const rows = await h.page.$$eval('[data-testid=record-row]', (r) => r.length);
  if (rows < RECORDS) {
    // Refused: by name, with the budget.
    assert.ok(errors.length > 0 && errors.every((e) => /budget/.test(e) && /was not loaded/.test(e)), errors.join(' | '));
  } else {
    assert.deepEqual(errors, []);
    assert.equal(rows, RECORDS);
    const dist = new DistributionScreen(h.page);
    await dist.open();
    const want = Object.fromEntries(CLASSES.map((c) => [c, COPIES * REFERENCE.meta.aami_totals[c]]));
    const total = Object.values(want).reduce((a, b) => a + b, 0);
    await h.page.waitForFunction((n) => document.querySelector('[data-testid=dist-all] [data-testid=total]')?.textContent.replace(/,/g, '') === String(n), total, { timeout: 60000 });
    assert.deepEqual(await dist.counts('all'), want);
    await data.open();
  }

  // What the worker holds, computed in the core, next to the load summary.
  const line = await h.page.waitForSelector('[data-testid=memory]');
  const text = await line.textContent();
  console.log(`# heavy: ${text}`);
  assert.match(text, /^Holding [\d,.]+ MB of samples for \d+ records \(\d+ % of the 1,073\.7 MB budget\)/);
  assert.equal(Number(await line.getAttribute('data-records')), rows);
  if (rows === RECORDS) assert.equal(Number(await line.getAttribute('data-sample-bytes')), SAMPLE_BYTES);

  assert.ok(loadS < 120, `the load took ${loadS.toFixed(1)} s`);
  assert.deepEqual(choosing.filter((d) => d > CHOOSE_TASK_BOUND_MS), [], `choosing the files: no task over ${CHOOSE_TASK_BOUND_MS} ms`);
  assert.deepEqual(tasks.filter((d) => d > LONG_TASK_BOUND_MS), [], `while loading: no main-thread task over ${LONG_TASK_BOUND_MS} ms`);
  assert.ok(switchMs < 2000, `switching screens while the worker parses took ${switchMs} ms`);
  const own = Math.max(0, ...workers.filter(Boolean));
  assert.ok(own && own < WORKER_MEMORY_BOUND, `the worker holds ${MB(own)} MB of WebAssembly memory`);
  assert.deepEqual(h.consoleErrors, []);
});
