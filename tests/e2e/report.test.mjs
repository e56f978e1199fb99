// "Download report", end to end: a short run on the demo set, the button, the downloaded HTML
// file (it holds the figures the page shows), then that file opened on its own in a new tab
// whose every request is intercepted: none is made. Then a run on MIT-BIH files, whose report's
// command, run with the native CLI on the same files, gives the page's confusion matrix.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { openPage, foreignRequests, watchLongTasks, longTasks, mitdbFiles, ROOT, CLASSES } from './harness.mjs';
import { DataScreen, TrainScreen } from './pages.mjs';

// The CLI `cargo test` builds (.ci/env sets CARGO_TARGET_DIR); ECG_BALANCE_BIN overrides it.
const CLI = process.env.ECG_BALANCE_BIN
  || path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target'), 'debug/ecg-balance');

let h;
let saved;
let dir;
before(async () => {
  h = await openPage();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecg-report-'));
  await h.page.waitForSelector('[data-testid=demo-banner]', { timeout: 60000 });
  await new DataScreen(h.page).waitDemo();
});
after(async () => {
  await h?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Opens `file` in a new tab of the same browser; every URL it asks for other than itself. */
async function requestsOfFile(file) {
  const url = pathToFileURL(file).href;
  const page = await h.page.context().newPage();
  const asked = [];
  page.on('request', (r) => {
    if (r.url() !== url) asked.push(r.url());
  });
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (u === url) return route.continue();
    asked.push(u);
    return route.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForTimeout(500);
  return { page, asked: [...new Set(asked)] };
}

test('Download report gives one HTML file with the figures the page shows', async () => {
  const train = new TrainScreen(h.page);
  await train.open();
  await train.set('train-epochs', 1);
  await train.start();
  const r = await train.results(1);
  const macro = (await h.page.textContent('[data-testid=run-results] [data-testid=macro-f1]')).trim();
  const button = await h.page.waitForSelector('button[data-testid=download-report]');
  assert.equal((await button.textContent()).trim(), 'Download report');
  await watchLongTasks(h.page);
  const [download] = await Promise.all([h.page.waitForEvent('download'), button.click()]);
  assert.equal(download.suggestedFilename(), 'ecg-balance-report.html');
  saved = path.join(dir, download.suggestedFilename());
  await download.saveAs(saved);
  const tasks = await longTasks(h.page);
  console.log(`# long tasks (ms) while building the report: ${JSON.stringify(tasks.map(Math.round))}`);
  assert.deepEqual(tasks.filter((d) => d > 50), [], 'no main-thread task over 50 ms');

  const html = fs.readFileSync(saved, 'utf8');
  assert.match(html, /^<!DOCTYPE html>/);
  for (const bad of ['http://', 'https://', 'src=', '@import', 'url(', '<script', '<link']) {
    assert.ok(!html.includes(bad), `the report holds ${bad}`);
  }
  assert.deepEqual(html.match(/href="[^#][^"]*"/g), null, 'only # links');

  const { page, asked } = await requestsOfFile(saved);
  try {
    assert.equal((await page.textContent('#run-1 [data-testid=report-macro-f1]')).trim(), macro);
    const rows = await page.$$eval('#run-1 [data-testid=report-per-class] tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
    CLASSES.forEach((c, k) => {
      assert.equal(Number(rows[k][2]), r[c].f1, `${c} F1`);
      assert.equal(Number(rows[k][0]), r[c].se, `${c} Se`);
      assert.equal(Number(rows[k][4].replace(/,/g, '')), r[c].support, `${c} support`);
    });
    assert.match(await page.textContent('#run-1 [data-testid=report-command]'), /^ecg-balance train --data DIR .*--epochs 1 /);
    assert.equal(await page.$$eval('#run-1 [data-testid=report-indicators] tbody tr', (t) => t.length), 4);
    assert.ok(await page.$('#run-1 svg.curves polyline'));
    assert.deepEqual(asked, [], 'the report asked for nothing');
  } finally {
    await page.close();
  }
});

test('the request counter does see a request a file makes (a control)', async () => {
  const bad = path.join(dir, 'with-image.html');
  fs.writeFileSync(bad, fs.readFileSync(saved, 'utf8').replace('<body>', '<body><img src="http://127.0.0.1:9/x.png" alt="">'));
  const { page, asked } = await requestsOfFile(bad);
  await page.close();
  assert.deepEqual(asked, ['http://127.0.0.1:9/x.png']);
});

/** Clicks Download report; the saved file's text. */
async function downloadReport(name) {
  const [download] = await Promise.all([h.page.waitForEvent('download'), h.page.click('[data-testid=download-report]')]);
  const file = path.join(dir, name);
  await download.saveAs(file);
  return fs.readFileSync(file, 'utf8');
}

test('the command in the report, run with the CLI on the same files, gives the page\'s run', async () => {
  const records = ['118', '119', '208', '100', '213'];
  const data = new DataScreen(h.page);
  await data.open();
  await data.upload(mitdbFiles(records), { expectRecords: records.length });
  const train = new TrainScreen(h.page);
  await train.open();
  await train.set('train-epochs', 1);
  await train.start();
  await train.results(2);
  const pageMatrix = await h.page.$$eval('[data-testid=run-results] [data-testid=confusion] tbody tr', (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td .count')].map((c) => Number(c.textContent.replace(/,/g, '')))));
  const html = await downloadReport('mitdb-report.html');
  const run2 = html.slice(html.indexOf('id="run-2"'));
  const command = run2.match(/data-testid="report-command"><code>([^<]*)<\/code>/)[1];
  assert.match(command, /^ecg-balance train --data DIR --out run-2-metrics\.json --threads 1 /);
  assert.ok(!run2.slice(0, run2.indexOf('</section>')).includes('report-no-flag'), 'every setting has an option');
  assert.ok(fs.existsSync(CLI), `build the CLI first (cargo test builds ${CLI})`);
  const folder = fs.mkdtempSync(path.join(dir, 'data-'));
  for (const f of mitdbFiles(records)) fs.copyFileSync(f, path.join(folder, path.basename(f)));
  const args = command.split(' ').slice(1).map((a) => (a === 'DIR' ? folder : a));
  args[args.indexOf('--out') + 1] = path.join(dir, 'run-2-metrics.json');
  execFileSync(CLI, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 600000 });
  const metrics = JSON.parse(fs.readFileSync(path.join(dir, 'run-2-metrics.json'), 'utf8'));
  assert.deepEqual(metrics.confusion, pageMatrix, 'the CLI run is the page run, beat for beat');
  assert.equal(metrics.data_fingerprint, run2.match(/<code>([0-9a-f]{16})<\/code>/)[1], 'the same data');
});

test('no request left 127.0.0.1 and the page logged no error', async () => {
  // The report's own tab (file:) and the control's image are the tests' requests, not the page's.
  const ours = (u) => u.startsWith('file:') || u === 'http://127.0.0.1:9/x.png';
  assert.deepEqual(foreignRequests(h.requests, h.url).filter((u) => !ours(u)), []);
  assert.deepEqual(h.consoleErrors, []);
});
