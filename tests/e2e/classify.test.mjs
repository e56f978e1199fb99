// Records nobody annotated, end to end: a WFDB record dropped without its .atr and a PTB-XL
// record; the page finds their beats, classifies them with the model just trained, shows
// per-class counts and the found beats on the strip, and saves the labels as a WFDB annotation
// file. On an annotated record the result is compared with the annotations (EC57). Adapting to a
// record without annotations cannot take its first 5 minutes' labels from them: that choice is
// not offered there.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPage, foreignRequests, mitdbFiles, MITDB, SHARED, CLASSES } from './harness.mjs';
import { DataScreen, TrainScreen } from './pages.mjs';

const PTBXL = path.join(SHARED, 'data/ptbxl-sample/records100/00000');

let h;
before(async () => {
  h = await openPage();
  const data = new DataScreen(h.page);
  await data.upload(
    [
      ...mitdbFiles(['118', '119', '208', '100', '213', '221']),
      path.join(MITDB, '232.hea'),
      path.join(MITDB, '232.dat'),
      path.join(PTBXL, '00001_lr.hea'),
      path.join(PTBXL, '00001_lr.dat'),
      path.join(SHARED, 'data/ptbxl-sample/ptbxl_database.csv'),
      path.join(SHARED, 'data/ptbxl-sample/scp_statements.csv'),
    ],
    { expectRecords: 8 },
  );
  const train = new TrainScreen(h.page);
  await train.open();
  await train.set('train-epochs', 1);
  await train.start();
  await train.results(1);
});
after(async () => {
  await h?.close();
});

/** Beat codes of a WFDB (MIT format) annotation file: [code, ...] of every annotation. */
function annotationCodes(bytes) {
  const codes = [];
  for (let i = 0; i + 1 < bytes.length; ) {
    const w = bytes[i] | (bytes[i + 1] << 8);
    const code = w >> 10;
    const len = w & 0x3ff;
    i += 2;
    if (code === 0 && len === 0) break;
    if (code === 59) { i += 4; continue; } // SKIP: a 32-bit interval follows
    if (code === 63) { i += len + (len & 1); continue; } // AUX: its bytes, padded to even
    if (code >= 60 && code <= 62) continue; // NUM, SUB, CHN
    codes.push(code);
  }
  return codes;
}

async function openRecord(name) {
  const data = new DataScreen(h.page);
  await data.open();
  await h.page.click(`[data-testid=record-row][data-record="${name}"] [data-testid=record-open]`);
  await h.page.waitForSelector('[data-testid=classify-panel]');
  await h.page.waitForFunction((n) => document.querySelector('#strip-title')?.textContent === `Record ${n}`, name);
}

async function classify() {
  const before = await h.page.$eval('body', () => document.querySelector('[data-testid=classify-result]')?.dataset.beats ?? null);
  await h.page.click('[data-testid=classify-run]');
  await h.page.waitForSelector('[data-testid=classify-result]');
  await h.page.waitForFunction(() => !document.querySelector('[data-testid=classify-run]').disabled);
  const beats = Number(await h.page.getAttribute('[data-testid=classify-result]', 'data-beats'));
  const counts = {};
  for (const c of CLASSES) {
    counts[c] = Number(await h.page.getAttribute(`[data-testid=classify-count-${c}]`, 'data-count'));
  }
  return { before, beats, counts };
}

test('a WFDB record without annotations: beats found, classified, on the strip, saved as .atr', async () => {
  await openRecord('232');
  // The newest run is the default model.
  assert.match(await h.page.textContent('[data-testid=classify-model] option:checked'), /^run 1/);
  const { beats, counts } = await classify();
  // 232 holds 1,780 annotated beats in the reference (its .atr was not given to the page).
  assert.ok(beats >= 1700 && beats <= 1850, `${beats} beats found`);
  assert.equal(CLASSES.reduce((s, c) => s + counts[c], 0), beats, 'every beat has a class');
  assert.equal(await h.page.$('[data-testid=classify-detection]'), null, 'no reference to compare with');
  // The strip shows the found beats, coloured by class, and no annotated ones.
  await h.page.waitForFunction(() => document.querySelectorAll('[data-testid=strip] g.found').length > 3);
  assert.equal(await h.page.$$eval('[data-testid=strip] g.mark', (g) => g.length), 0);
  const found = await h.page.$$eval('[data-testid=strip] g.found', (g) => g.map((x) => x.dataset.class));
  assert.ok(found.every((c) => ['N', 'S', 'V', 'F', 'Q'].includes(c)), found.join());

  const [download] = await Promise.all([
    h.page.waitForEvent('download'),
    h.page.click('[data-testid=export-labels]'),
  ]);
  assert.equal(download.suggestedFilename(), '232.atr');
  const codes = annotationCodes(fs.readFileSync(await download.path()));
  assert.equal(codes.length, beats);
  // N → N (1), S → A (8), V → V (5), F → F (6), Q → Q (13)
  const code = { N: 1, S: 8, V: 5, F: 6, Q: 13 };
  for (const c of CLASSES) assert.equal(codes.filter((k) => k === code[c]).length, counts[c], c);
});

test('an annotated record: detection and classes are compared with its annotations', async () => {
  await openRecord('100');
  await classify();
  const se = Number(await h.page.getAttribute('[data-testid=classify-detection]', 'data-se'));
  const ppv = Number(await h.page.getAttribute('[data-testid=classify-detection]', 'data-ppv'));
  assert.ok(se > 0.995 && ppv > 0.995, `Se ${se}, +P ${ppv}`);
  await h.page.waitForSelector('[data-testid=classify-confusion]');
  // Both the annotations and the found beats are on the strip.
  await h.page.waitForFunction(() => document.querySelectorAll('[data-testid=strip] g.found').length > 3);
  assert.ok((await h.page.$$eval('[data-testid=strip] g.mark', (g) => g.length)) > 3);
});

test('the first-5-minutes protocol is chosen on an annotated record and not offered on 232, which has none', async () => {
  await openRecord('213');
  await classify();
  await h.page.waitForSelector('[data-testid=adapt-panel]');
  await h.page.check('[data-testid=adapt-mode-first5]');
  assert.ok(await h.page.isChecked('[data-testid=adapt-mode-first5]'));
  assert.ok(await h.page.isDisabled('[data-testid=adapt-k]'), 'the number of beats does not apply');
  // Record 232 was dropped without its .atr: its first minutes cannot be labelled from
  // annotations, so its panel starts on the model's picks, whatever 213's panel chose.
  await openRecord('232');
  await classify();
  await h.page.waitForSelector('[data-testid=adapt-panel]');
  assert.ok(await h.page.isDisabled('[data-testid=adapt-mode-first5]'));
  assert.equal(await h.page.isChecked('[data-testid=adapt-mode-first5]'), false);
  assert.ok(await h.page.isChecked('[data-testid=adapt-mode-k]'));
  assert.equal(await h.page.isDisabled('[data-testid=adapt-k]'), false);
  assert.match(await h.page.textContent('[data-testid=adapt-panel]'), /this record has no annotations/);
});

test('a PTB-XL record (100 Hz, 12 leads): its statements shown, beats found in lead II and classified', async () => {
  await openRecord('00001_lr');
  // ptbxl_database.csv and scp_statements.csv were dropped with it: its statements are shown.
  const codes = await h.page.$$eval('[data-testid=statement]', (li) => li.map((x) => x.dataset.code));
  assert.deepEqual(codes, ['NORM', 'LVOLT', 'SR']);
  assert.match(await h.page.textContent('[data-testid=statement][data-code=NORM]'), /normal ECG, likelihood 100 %/);
  // A lead other than the beat lead can be picked.
  assert.deepEqual(
    (await h.page.$$eval('[data-testid=classify-lead] option', (o) => o.map((x) => x.textContent))).slice(0, 3),
    ['II (beat lead)', 'I', 'II'],
  );
  const { beats, counts } = await classify();
  assert.ok(beats >= 6 && beats <= 25, `${beats} beats in 10 s`);
  assert.equal(CLASSES.reduce((s, c) => s + counts[c], 0), beats);
  assert.match(await h.page.textContent('[data-testid=classify-result] [role=status]'), /lead II /);
});

test('a plain CSV (250 Hz, the rate given in the page): beats found and classified', async () => {
  // 30 s of a spike train at 72 bpm: QRS-like Gaussians (σ 10 ms, 1.2 mV) on a slow wander.
  const fs_ = 250;
  const beatsAt = [];
  for (let t = 0.5; t < 29.7; t += 60 / 72) beatsAt.push(t);
  const lines = ['ECG'];
  for (let i = 0; i < 30 * fs_; i++) {
    const t = i / fs_;
    let v = 0.1 * Math.sin(2 * Math.PI * 0.25 * t);
    for (const b of beatsAt) v += 1.2 * Math.exp(-0.5 * ((t - b) / 0.01) ** 2);
    lines.push(v.toFixed(4));
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecg-classify-'));
  const csv = path.join(dir, 'spikes.csv');
  fs.writeFileSync(csv, lines.join('\n'));
  const data = new DataScreen(h.page);
  await data.open();
  await data.upload([csv]);
  await h.page.waitForSelector('[data-testid=csv-rate-prompt]');
  await h.page.fill('[data-testid=csv-rate]', '250');
  await h.page.click('[data-testid=csv-rate-apply]');
  await h.page.waitForSelector('[data-testid=record-row][data-record="spikes"]');
  await openRecord('spikes');
  const { beats, counts } = await classify();
  assert.equal(beats, beatsAt.length, `${beats} beats found of ${beatsAt.length}`);
  assert.equal(CLASSES.reduce((s, c) => s + counts[c], 0), beats);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('nothing left the machine and nothing failed', async () => {
  assert.deepEqual(foreignRequests(h.requests, h.url), []);
  assert.deepEqual(h.consoleErrors, []);
});
