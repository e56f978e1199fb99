// "Adapt to this patient", end to end: a short inter-patient run on three DS1 records, then
// record 232 (DS2: 1,382 S beats of 1,780) is classified, the worker picks 20 beats to label in
// two rounds of 10 (the second picked by a copy fine-tuned on the first's labels), and the test
// labels each with the keyboard as a person would — by its true class, which it
// looks up by the beat's R-peak sample (data-r-sample) in ../shared/reference/mitdb.json, never
// through the page. Fine-tuning runs in the worker without blocking the page; the S F1 on the
// beats nobody labelled must rise. A record the model was trained on is refused, with the
// reason, in the panel.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, foreignRequests, mitdbFiles, REFERENCE, watchLongTasks, longTasks } from './harness.mjs';
import { DataScreen, TrainScreen } from './pages.mjs';

const TRAIN = ['118', '207', '209'];
const RECORD = '232';

// MIT-BIH beat symbols to AAMI classes (ANSI/AAMI EC57).
const AAMI = { N: 'N', L: 'N', R: 'N', e: 'N', j: 'N', A: 'S', a: 'S', J: 'S', S: 'S', V: 'V', E: 'V', F: 'F', '/': 'Q', f: 'Q', Q: 'Q' };

/** The true class of the beat nearest `rSample` within 150 ms, from the reference file. */
function trueClass(record, rSample) {
  const ref = REFERENCE.records[record];
  const window = Math.round(0.15 * ref.fs_hz);
  let best = null;
  ref.beat_samples.forEach((s, k) => {
    const d = Math.abs(s - rSample);
    if (d <= window && (best === null || d < best.d)) best = { d, symbol: ref.beat_symbols[k] };
  });
  return best ? AAMI[best.symbol] ?? null : null;
}

let h;
before(async () => {
  h = await openPage();
  const data = new DataScreen(h.page);
  await data.upload(mitdbFiles([...TRAIN, RECORD]), { expectRecords: 4 });
  const train = new TrainScreen(h.page);
  await train.open();
  await train.set('train-epochs', 3);
  await train.start();
  await train.results(1);
});
after(async () => {
  await h?.close();
});

async function openAndClassify(name) {
  const data = new DataScreen(h.page);
  await data.open();
  await h.page.click(`[data-testid=record-row][data-record="${name}"] [data-testid=record-open]`);
  await h.page.waitForFunction((n) => document.querySelector('#strip-title')?.textContent === `Record ${n}`, name);
  await h.page.click('[data-testid=classify-run]');
  await h.page.waitForSelector('[data-testid=classify-result]');
  await h.page.waitForFunction(() => !document.querySelector('[data-testid=classify-run]').disabled);
  await h.page.waitForSelector('[data-testid=adapt-panel]');
}

test('record 232: label the 20 beats the model picks by key, fine-tune, S F1 on the unlabelled beats rises', async () => {
  await openAndClassify(RECORD);
  assert.equal(await h.page.inputValue('[data-testid=adapt-k]'), '20', 'k = 20 by default');
  await h.page.fill('[data-testid=adapt-k]', '20');
  await h.page.click('[data-testid=adapt-start]');
  await h.page.waitForSelector('[data-testid=adapt-labeller]', { timeout: 120000 });
  // The labeller takes the keys at once.
  assert.equal(await h.page.evaluate(() => document.activeElement?.dataset.testid), 'adapt-labeller');
  assert.equal((await h.page.textContent('[data-testid=adapt-progress]')).split(' ·')[0], 'beat 1 of 10');
  // k = 20 is asked in two rounds of 10: the model picks the first.
  assert.equal(await h.page.getAttribute('[data-testid=adapt-round]', 'data-round'), '1');
  assert.equal(await h.page.getAttribute('[data-testid=adapt-round]', 'data-rounds'), '2');

  const given = [];
  // Labels beats `from` to `to` − 1 by key, as a person would, from their true class.
  async function labelBeats(from, to, who) {
    for (let k = from; k < to; k++) {
      await h.page.waitForFunction((i) => document.querySelector('[data-testid=adapt-beat]')?.dataset.position === String(i), k);
      assert.match(await h.page.textContent('[data-testid=adapt-progress]'), new RegExp(`^beat ${k + 1} of ${to}`));
      // Each beat says why it is asked; the patient's dominant beat comes first.
      const why = await h.page.textContent('[data-testid=adapt-why]');
      if (k === 0) assert.match(why, /^Asked first: the patient's most typical beat/);
      else assert.match(why, new RegExp(`^Asked because ${who} (calls \\d+ of this record's beats [NSVFQ]|hesitates here)`));
      const rSample = Number(await h.page.getAttribute('[data-testid=adapt-beat]', 'data-r-sample'));
      const truth = trueClass(RECORD, rSample);
      if (truth) {
        await h.page.keyboard.press(truth.toLowerCase());
        given.push(truth);
      } else {
        // A found beat with no annotated beat near it: left unlabelled.
        await h.page.keyboard.press('Enter');
      }
      await h.page.waitForFunction(
        (n) => document.querySelector('[data-testid=adapt-progress]').dataset.labelled === String(n),
        given.length,
      );
    }
  }
  await labelBeats(0, 10, 'the model');
  assert.match(await h.page.textContent('[data-testid=adapt-finetune]'), /then pick 10 more$/);
  await watchLongTasks(h.page);
  const t0 = Date.now();
  // Round 1: a copy fine-tuned on these labels picks 10 more, after them in the list.
  await h.page.click('[data-testid=adapt-finetune]');
  await h.page.waitForSelector('[data-testid=adapt-round][data-round="2"]', { timeout: 600000 });
  const roundMs = Date.now() - t0;
  assert.equal(await h.page.getAttribute('[data-testid=adapt-round]', 'data-earlier'), '10');
  // The first round's labels are kept; labelling goes on at beat 11, focused for the keys.
  assert.equal(await h.page.getAttribute('[data-testid=adapt-progress]', 'data-labelled'), String(given.length));
  assert.equal(await h.page.evaluate(() => document.activeElement?.dataset.testid), 'adapt-labeller');
  await labelBeats(10, 20, 'the copy fine-tuned on your labels');
  console.log(`# labels given by key: ${given.join('')}`);
  assert.ok(given.length >= 18, `${given.length} of 20 queried beats have an annotated class`);
  // The chips say what each beat got; the last one's button is pressed.
  const chips = await h.page.$$eval('[data-testid=adapt-chip]', (b) => b.map((x) => x.textContent.trim()));
  assert.equal(chips.length, 20);

  const t1 = Date.now();
  await h.page.click('[data-testid=adapt-finetune]');
  await h.page.waitForSelector('[data-testid=progress]');
  await h.page.waitForSelector('[data-testid=adapt-result]', { timeout: 600000 });
  const wallMs = Date.now() - t1;
  const tasks = await longTasks(h.page);
  console.log(`# long tasks (ms) during fine-tuning: ${JSON.stringify(tasks.map(Math.round))}`);

  const row = '[data-testid=adapt-score-S]';
  const f1Before = Number(await h.page.getAttribute(row, 'data-f1-before'));
  const f1After = Number(await h.page.getAttribute(row, 'data-f1-after'));
  const seAfter = Number(await h.page.getAttribute(row, 'data-se-after'));
  const ppvAfter = Number(await h.page.getAttribute(row, 'data-ppv-after'));
  const scored = Number(await h.page.getAttribute('[data-testid=adapt-scored-note]', 'data-scored'));
  const fineTuneMs = Number(await h.page.getAttribute('[data-testid=adapt-result]', 'data-fine-tune-ms'));
  const note = await h.page.textContent('[data-testid=adapt-scored-note]');
  console.log(
    `# 232, k = 20: S F1 on ${scored} unlabelled beats ${f1Before.toFixed(3)} → ${f1After.toFixed(3)} ` +
      `(Se ${seAfter.toFixed(3)}, +P ${ppvAfter.toFixed(3)} after); fine-tuning ${(fineTuneMs / 1000).toFixed(1)} s ` +
      `in the worker, ${(wallMs / 1000).toFixed(1)} s from the click to the result (round 1: ${(roundMs / 1000).toFixed(1)} s to the next beats)`,
  );
  assert.match(note, /^Scored on the [\d,]+ beats you did not label, against the record's annotations/);
  assert.ok(scored > 1650, `${scored} beats scored`);
  assert.ok(f1After > f1Before, `S F1 on the unlabelled beats: ${f1Before} → ${f1After}`);
  // Every beat has a class before and after.
  let before = 0;
  let after_ = 0;
  for (const c of ['N', 'S', 'V', 'F', 'Q']) {
    before += Number(await h.page.getAttribute(`[data-testid=adapt-count-${c}]`, 'data-before'));
    after_ += Number(await h.page.getAttribute(`[data-testid=adapt-count-${c}]`, 'data-after'));
  }
  assert.equal(before, after_);
  assert.equal(before, Number(await h.page.getAttribute('[data-testid=classify-result]', 'data-beats')));
  assert.deepEqual(tasks.filter((d) => d > 50), [], 'no main-thread task over 50 ms while fine-tuning');
});

test('a record the model was trained on is refused in the panel, with the reason', async () => {
  await openAndClassify('118');
  await h.page.click('[data-testid=adapt-start]');
  const err = await h.page.waitForSelector('[data-testid=adapt-error]');
  assert.match(await err.textContent(), /this record was used to train the model; adapt on a record it has not seen/);
  assert.equal(await h.page.$('[data-testid=adapt-labeller]'), null);
});

test('nothing left the machine and nothing failed', async () => {
  assert.deepEqual(foreignRequests(h.requests, h.url), []);
  assert.deepEqual(h.consoleErrors, []);
});
