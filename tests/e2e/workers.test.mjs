// Data-parallel training across Web Workers, end to end on the built-in demo set: the Workers
// input starts at min(logical processors − 1, 8) (at least 1); a run on 2 workers starts a second
// worker, finishes, and its settings say "2 workers"; Cancel stops a second 2-worker run and keeps
// its best model; the workers pass every batch's gradients to each other directly (the page
// passes on only a run's first message, which brings their channel's port; each worker's own count
// of those messages pairs up with the other's), and the main thread never blocks for more than 50 ms while they train (PerformanceObserver, long tasks).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foreignRequests, watchLongTasks, longTasks } from './harness.mjs';
import { TrainScreen, pageForTests } from './pages.mjs';

const h = pageForTests();

test('the Workers input starts at one fewer than the logical processors, 1 to 8', async () => {
  const train = new TrainScreen(h.page);
  await train.open();
  const cores = await h.page.evaluate(() => navigator.hardwareConcurrency);
  const want = Math.min(Math.max(cores - 1, 1), 8);
  assert.equal(await train.workers(), want, `${cores} logical processors`);
  // The page started that many workers (its own and the followers).
  for (let i = 0; i < 100 && h.page.workers().length < want; i++) await h.page.waitForTimeout(100);
  assert.equal(h.page.workers().length, want);
});

test('a run on 2 workers finishes, says so, and never blocks the page', async () => {
  const train = new TrainScreen(h.page);
  await train.set('train-workers', 2);
  await train.set('train-epochs', 2);
  // Every request the page posts to a worker, by type.
  await h.page.evaluate(() => {
    window.toWorkers = [];
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (msg, transfer) {
      const type = /"type":"(\w+)"/.exec(msg?.json ?? '');
      if (type) window.toWorkers.push(type[1]);
      return post.call(this, msg, transfer);
    };
  });
  await train.start();
  await h.page.waitForSelector('[data-testid=train-live]');
  // Watched from here on: what training on two workers puts on the main thread (passing every
  // gradient on, progress, live curves, results).
  await watchLongTasks(h.page);
  const r = await train.results(1);
  const tasks = await longTasks(h.page);
  console.log(`# long tasks (ms) during 2-worker training: ${JSON.stringify(tasks.map(Math.round))}`);
  assert.ok(h.page.workers().length >= 2, `a second worker was started (${h.page.workers().length})`);
  assert.match(await train.runSettings(), /\b2 workers\b/);
  assert.match(await train.rowSettings(1), /\b2 workers\b/);
  assert.ok(r.N.support > 0 && r.N.se > 0, `N: ${JSON.stringify(r.N)}`);
  assert.deepEqual(tasks.filter((d) => d > 50), [], 'no main-thread task over 50 ms while training');
  const sent = await h.page.evaluate(() => window.toWorkers);
  console.log(`# requests the page posted to workers during the run: ${JSON.stringify(sent)}`);
  assert.ok(sent.includes('Follow'), 'the page passed the run\'s Follow on to the follower');
  assert.deepEqual(sent.filter((t) => t === 'FollowStep' || t === 'ShardGradient'), [], 'no batch went through the page');
  // The workers' own count of their messages to each other (what tests/e2e/bench.mjs turns into
  // its model of the communication): every step the leader posted was received and answered by
  // one gradient, which the leader received.
  const counts = [];
  for (const w of h.page.workers()) {
    const t = await w.evaluate(() => wasm_bindgen.workerTimings(true));
    counts.push(JSON.parse(t));
  }
  const talked = counts.filter((t) => t.posts > 0 || t.received > 0);
  console.log(`# messages between the workers: ${JSON.stringify(talked.map((t) => [t.posts, t.received, t.awaited]))}`);
  assert.equal(talked.length, 2, 'two workers talked to each other');
  const [a, b] = talked;
  assert.ok(a.posts > 10, `${a.posts} messages`);
  assert.deepEqual([a.posts, a.received, b.posts, b.received], [a.posts, a.posts, a.posts, a.posts]);
  for (const t of talked) assert.ok(t.awaited <= t.received && t.post_ms > 0, JSON.stringify(t));
});

test('Cancel stops a 2-worker run and keeps its best model so far', async () => {
  const train = new TrainScreen(h.page);
  await train.set('train-epochs', 40);
  await train.start();
  await h.page.waitForFunction(() => /best validation macro-F1/.test(document.querySelector('[data-testid=train-status]')?.textContent ?? ''), null, { timeout: 300000 });
  await h.page.click('[data-testid=cancel]');
  await train.results(2, 120000);
  assert.match(await h.page.textContent('[data-testid=run-results] h2'), /cancelled/);
  assert.match(await train.runSettings(), /\b2 workers\b/);
  const status = await h.page.textContent('[data-testid=train-status]');
  const epoch = Number(status.match(/Epoch (\d+)/)[1]);
  assert.ok(epoch < 40, `stopped at epoch ${epoch}`);
  assert.equal(await train.runCount(), 2);
});

test('no request left 127.0.0.1 and the page logged no error', async () => {
  assert.deepEqual(foreignRequests(h.requests, h.url), []);
  assert.deepEqual(h.consoleErrors, []);
});
