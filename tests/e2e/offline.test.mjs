// Offline use, end to end: one visit keeps the page's own files in its service worker's cache
// (exactly the files of the build, nothing else); then the server is stopped and the browser put
// offline, and the page still opens, loads MIT-BIH records from disk and trains a run whose
// test-set counts are the reference's. A new build served later is picked up on the next visit,
// and the old build's cache is deleted.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../../.ci/server.mjs';
import { openPage, mitdbFiles, referenceCounts, ROOT, CLASSES } from './harness.mjs';
import { DataScreen, TrainScreen } from './pages.mjs';

// Two DS1 records to train on and two DS2 records to test on.
const TRAIN = ['118', '208'];
const TEST = ['100', '213'];

/** VERSION and ASSETS of the built service worker (dist/sw.js). */
function builtWorker(dist) {
  const text = fs.readFileSync(path.join(dist, 'sw.js'), 'utf8');
  const version = text.match(/const VERSION = '([0-9a-f]+)';/)[1];
  const list = text.match(/const ASSETS = \[([^\]]*)\];/)[1];
  const assets = [...list.matchAll(/'([^']+)'/g)].map((m) => m[1]);
  return { version, assets };
}

/** The caches of the page's service worker: name → the paths they hold. (Records fetched from a
 * server have their own cache, `ecg-balance-lab-records-v1`, which the worker leaves alone.) */
async function kept(page) {
  return page.evaluate(async () => {
    const out = {};
    for (const key of await caches.keys()) {
      if (!key.startsWith('ecg-balance-lab-app-')) continue;
      const cache = await caches.open(key);
      out[key] = (await cache.keys()).map((r) => new URL(r.url).pathname.slice(1)).sort();
    }
    return out;
  });
}

let h;
let second;
let copy;
before(async () => {
  h = await openPage();
});
after(async () => {
  await h?.close();
  await second?.close();
  if (copy) fs.rmSync(copy, { recursive: true, force: true });
});

test('after one visit the page opens, loads records from disk and trains with no network', async () => {
  const page = h.page;
  await page.waitForSelector('[data-testid=offline-status][data-state=ready]', { timeout: 120000 });
  const status = await page.textContent('[data-testid=offline-status]');
  assert.match(status, /Works offline/);
  const { version, assets } = builtWorker(path.join(ROOT, 'dist'));
  // The dist's files, every one of them (sw.js aside), and nothing else: no data is kept.
  const distFiles = fs.readdirSync(path.join(ROOT, 'dist'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name !== 'sw.js')
    .map((e) => path.relative(path.join(ROOT, 'dist'), path.join(e.parentPath ?? e.path, e.name)))
    .sort();
  assert.deepEqual(assets, distFiles);
  assert.deepEqual(await kept(page), { [`ecg-balance-lab-app-${version}`]: assets });
  // The size the footer gives is what the cache holds.
  const bytes = assets.reduce((s, f) => s + fs.statSync(path.join(ROOT, 'dist', f)).size, 0);
  assert.match(status, new RegExp(`\\(${(bytes / 1e6).toFixed(1)} MB\\)`));

  // No server, no network.
  await h.stopServer();
  await page.context().setOffline(true);
  await page.reload();
  await page.waitForSelector('[data-testid=dropzone]', { timeout: 60000 });
  assert.equal(
    await page.evaluate(() => fetch('./data/index.json').then(() => 'answered', () => 'no network')),
    'no network',
  );
  // The worker starts from the cache and makes the demo set; then files from disk.
  await new DataScreen(page).waitDemo();
  const data = new DataScreen(page);
  await data.upload(mitdbFiles([...TRAIN, ...TEST]), { expectRecords: 4 });
  for (const r of [...TRAIN, ...TEST]) assert.deepEqual(await data.recordCounts(r), referenceCounts([r]), `record ${r}`);

  const train = new TrainScreen(page);
  await train.startShort();
  const run = await train.results(1);
  // Tested on DS2's records: every beat of 100 and 213, class by class.
  const expected = referenceCounts(TEST);
  for (const c of CLASSES) assert.equal(run[c].support, expected[c], `class ${c} support`);
  assert.ok(run.N.se > 0, 'the run classified beats');
});

test('a new build is picked up on the next visit, and the old cache deleted', async () => {
  const page = h.page;
  const port = new URL(h.url).port;
  // The same build with a marker in its page and a new VERSION, as a new release would have.
  copy = fs.mkdtempSync(path.join(os.tmpdir(), 'ecg-offline-'));
  fs.cpSync(path.join(ROOT, 'dist'), copy, { recursive: true });
  const index = path.join(copy, 'index.html');
  fs.writeFileSync(index, fs.readFileSync(index, 'utf8').replace('</head>', '<meta name="ecg-build" content="next"></head>'));
  const sw = path.join(copy, 'sw.js');
  const old = builtWorker(path.join(ROOT, 'dist')).version;
  const next = 'feedfacefeedface';
  fs.writeFileSync(sw, fs.readFileSync(sw, 'utf8').replace(`const VERSION = '${old}';`, `const VERSION = '${next}';`));
  assert.notEqual(old, next);

  second = await startServer({ dist: copy, port: Number(port) });
  await page.context().setOffline(false);
  await page.goto(h.url);
  await page.waitForSelector('[data-testid=dropzone]', { timeout: 60000 });
  assert.equal(await page.getAttribute('meta[name=ecg-build]', 'content'), 'next', 'the new page, not the kept one');
  await page.waitForFunction(async (name) => {
    const keys = (await caches.keys()).filter((k) => k.startsWith('ecg-balance-lab-app-'));
    return keys.length === 1 && keys[0] === name;
  }, `ecg-balance-lab-app-${next}`, { timeout: 60000, polling: 250 });
});
