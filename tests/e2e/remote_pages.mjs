// Page object of the "Get data" panel (Data screen): LightWAVE and base-URL fetching, the cache,
// and the fingerprints of fetched records.

export class GetDataPanel {
  constructor(page) {
    this.page = page;
  }

  async open() {
    await this.page.click('[data-testid=tab-data]');
    await this.page.waitForSelector('[data-testid=get-data]');
  }

  async listDatabases(server) {
    await this.page.fill('[data-testid=lw-server]', server);
    await this.page.click('[data-testid=lw-list-dbs]');
    await this.idle();
  }

  async listRecords(db) {
    await this.page.fill('[data-testid=lw-db]', db);
    await this.page.click('[data-testid=lw-list-records]');
    await this.idle();
  }

  async options(testid) {
    return this.page.$$eval(`[data-testid=${testid}] option`, (os) => os.map((o) => o.value));
  }

  /** Fetches `record` through LightWAVE and waits for its fingerprint row. */
  async fetchLightwave({ server, db, record }) {
    await this.page.fill('[data-testid=lw-server]', server);
    await this.page.fill('[data-testid=lw-db]', db);
    await this.page.fill('[data-testid=lw-record]', record);
    await this.page.click('[data-testid=lw-fetch]');
    return this.fingerprint(record);
  }

  async listBase(base) {
    await this.page.fill('[data-testid=url-base]', base);
    await this.page.click('[data-testid=url-list]');
    await this.idle();
  }

  /** Fetches `record` from a folder of WFDB files and waits for its fingerprint row. */
  async fetchBase({ base, record }) {
    await this.page.fill('[data-testid=url-base]', base);
    await this.page.fill('[data-testid=url-record]', record);
    await this.page.click('[data-testid=url-fetch]');
    return this.fingerprint(record);
  }

  /** Waits until no fetch runs. */
  async idle(timeout = 60000) {
    await this.page.waitForTimeout(50);
    await this.page.waitForFunction(() => !document.querySelector('[data-testid=fetch-progress]'), null, { timeout });
  }

  async error() {
    const el = await this.page.$('[data-testid=fetch-error]');
    return el ? el.textContent() : null;
  }

  /** Clicks `testid`, waits for the fetch to end, returns the error shown. */
  async errorAfter(action, timeout = 60000) {
    await action();
    await this.idle(timeout);
    await this.page.waitForSelector('[data-testid=fetch-error]', { timeout });
    return this.error();
  }

  /** The fingerprint row of `record`, once the record is loaded. */
  async fingerprint(record, timeout = 120000) {
    const row = await this.page.waitForSelector(`[data-testid=fetched-record][data-record="${record}"]`, { timeout });
    const a = async (n) => row.getAttribute(n);
    const json = async (n) => JSON.parse(await a(n));
    return {
      source: await a('data-source'),
      sigLen: Number(await a('data-sig-len')),
      sha256: await a('data-sha256'),
      sum: await json('data-sum'),
      sumSq: await json('data-sum-sq'),
      first: await json('data-first'),
      last: await json('data-last'),
      nAnnotations: Number(await a('data-n-annotations')),
      nBeats: Number(await a('data-n-beats')),
      beatsSha256: await a('data-beats-sha256'),
      annotationsSha256: await a('data-annotations-sha256'),
    };
  }

  async cache() {
    const el = await this.page.waitForSelector('[data-testid=cache-size]');
    const names = await this.page.$$eval('[data-testid=cached-record]', (els) => els.map((e) => e.dataset.name));
    return { bytes: Number(await el.getAttribute('data-bytes')), names: names.sort() };
  }

  async loadCached(name) {
    await this.page.click(`[data-testid=cached-record][data-name="${name}"] [data-testid=cached-load]`);
    return this.fingerprint(name);
  }

  async clearCache() {
    await this.page.click('[data-testid=cache-clear]');
    await this.page.waitForFunction(() => document.querySelectorAll('[data-testid=cached-record]').length === 0);
  }
}
