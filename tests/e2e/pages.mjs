// Page objects: one per screen. Tests talk to the page only through these and data-testids.

import { before, after } from 'node:test';
import { CLASSES, openPage } from './harness.mjs';

const num = (s) => Number(String(s).replace(/[,\s]/g, ''));

/**
 * One page for all the tests of the calling file: opened before them, on the built-in demo set
 * (24 synthetic patients) once it is shown, then `prepare(h)` if given, and closed after them.
 * Returns the object `openPage` gives, filled in by the time the first test runs. (Node runs a
 * file's top-level `before` hooks side by side, so what must follow the page's opening goes in
 * `prepare`, not in a hook of its own.)
 */
export function pageForTests(prepare) {
  const h = {};
  before(async () => {
    Object.assign(h, await openPage());
    await new DataScreen(h.page).waitDemo();
    await prepare?.(h);
  });
  after(async () => {
    await h.close?.();
  });
  return h;
}

export class DataScreen {
  constructor(page) {
    this.page = page;
  }

  /** Waits until the built-in demo set (24 synthetic patients) is listed. */
  async waitDemo() {
    await this.page.waitForFunction(() => document.querySelectorAll('[data-testid=record-row]').length === 24, null, { timeout: 60000 });
  }

  async open() {
    await this.page.click('[data-testid=tab-data]');
    await this.page.waitForSelector('[data-testid=dropzone]');
  }

  /** Uploads files through the file input and waits for the load to finish. */
  async upload(files, { expectRecords } = {}) {
    const before = await this.page.evaluate(() => window.__loads || 0);
    await this.page.setInputFiles('[data-testid=file-input]', files);
    await this.waitIdle();
    if (expectRecords !== undefined) {
      await this.page.waitForFunction(
        (n) => document.querySelectorAll('[data-testid=record-row]').length === n,
        expectRecords,
        { timeout: 60000 },
      );
    }
    return before;
  }

  async waitIdle(timeout = 120000) {
    // The progress panel appears while busy; wait for it to go away.
    await this.page.waitForTimeout(50);
    await this.page.waitForFunction(() => !document.querySelector('[data-testid=progress]'), null, { timeout });
  }

  async recordNames() {
    return this.page.$$eval('[data-testid=record-row]', (rows) => rows.map((r) => r.dataset.record));
  }

  async recordCounts(name) {
    const out = {};
    for (const c of CLASSES) {
      out[c] = num(await this.page.textContent(`[data-testid=record-row][data-record="${name}"] [data-testid=record-count-${c}]`));
    }
    return out;
  }

  async errors() {
    return this.page.$$eval('[data-testid=load-error]', (els) => els.map((e) => e.textContent));
  }

  async loadTiming() {
    const el = await this.page.waitForSelector('[data-testid=load-timing]');
    return { text: await el.textContent(), readSegmentMs: Number(await el.getAttribute('data-read-segment-ms')) };
  }
}

export class DistributionScreen {
  constructor(page) {
    this.page = page;
  }

  async open() {
    await this.page.click('[data-testid=tab-distribution]');
    await this.page.waitForSelector('[data-testid=dist-all]');
  }

  /** Counts, percentages and statuses of table `which` (all | train | test). */
  async table(which) {
    const rows = {};
    for (const c of CLASSES) {
      const sel = `[data-testid=dist-${which}] [data-testid=dist-${which}-${c}]`;
      rows[c] = {
        count: num(await this.page.textContent(`${sel} [data-testid=count]`)),
        percent: Number(await this.page.textContent(`${sel} [data-testid=percent]`)),
        status: (await this.page.textContent(`${sel} [data-testid=status]`)).trim(),
      };
    }
    const ratio = (await this.page.textContent(`[data-testid=dist-${which}] [data-testid=imbalance-ratio]`)).trim();
    const total = num(await this.page.textContent(`[data-testid=dist-${which}] [data-testid=total]`));
    return { rows, ratio, total };
  }

  async counts(which) {
    const t = await this.table(which);
    return Object.fromEntries(CLASSES.map((c) => [c, t.rows[c].count]));
  }

  async chooseRandomSplit() {
    await this.page.check('[data-testid=split-random]');
    await this.page.waitForSelector('[data-testid=optimistic-warning]');
  }

  async chooseInterPatient() {
    await this.page.check('[data-testid=split-inter]');
    await this.page.waitForFunction(() => !document.querySelector('[data-testid=optimistic-warning]'));
  }
}

export class TrainScreen {
  constructor(page) {
    this.page = page;
  }

  async open() {
    await this.page.click('[data-testid=tab-train]');
    await this.page.waitForSelector('[data-testid=train-start]');
  }

  async set(testid, value) {
    await this.page.fill(`[data-testid=${testid}]`, String(value));
  }

  async start() {
    await this.page.click('[data-testid=train-start]');
  }

  /** Opens the Train screen and starts a short run: `workers` workers, `epochs` epochs. */
  async startShort({ workers = 1, epochs = 1 } = {}) {
    await this.open();
    await this.set('train-workers', workers);
    await this.set('train-epochs', epochs);
    await this.start();
  }

  /** Waits for run `id`'s results and returns its per-class figures. */
  async results(id, timeout = 600000) {
    await this.page.waitForSelector(`[data-testid=run-results][data-run="${id}"]`, { timeout });
    const out = {};
    for (const c of ['N', 'S', 'V', 'F', 'Q']) {
      const row = `[data-testid=run-results] [data-testid=metric-${c}]`;
      out[c] = {
        se: Number(await this.page.textContent(`${row} [data-testid=se]`)),
        ppv: Number(await this.page.textContent(`${row} [data-testid=ppv]`)),
        f1: Number(await this.page.textContent(`${row} [data-testid=f1]`)),
        support: Number((await this.page.textContent(`${row} [data-testid=support]`)).replace(/,/g, '')),
      };
    }
    return out;
  }

  async runCount() {
    return this.page.$$eval('[data-testid=run-row]', (rows) => rows.length);
  }

  /** The Workers input's value. */
  async workers() {
    return Number(await this.page.inputValue('[data-testid=train-workers]'));
  }

  /** The settings line of the run whose results are shown. */
  async runSettings() {
    return this.page.textContent('[data-testid=run-results] [data-testid=run-settings]');
  }

  /** The settings cell of run `id` in the table of runs. */
  async rowSettings(id) {
    return this.page.textContent(`[data-testid=run-row][data-run="${id}"] td.wrap`);
  }
}
