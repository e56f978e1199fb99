// Page object of the "Synthetic beats" section (Rebalance screen).

export class SynthSection {
  constructor(page) {
    this.page = page;
  }

  async open() {
    await this.page.click('[data-testid=tab-augment]');
    await this.page.waitForSelector('[data-testid=synth-section]');
  }

  async setCount(code, n) {
    await this.page.fill(`[data-testid=synth-count-${code}]`, String(n));
  }

  async count(code) {
    return Number(await this.page.inputValue(`[data-testid=synth-count-${code}]`));
  }

  async generate(timeout = 300000) {
    await this.page.waitForSelector('[data-testid=synth-generate]:not([disabled])', { timeout: 60000 });
    await this.page.click('[data-testid=synth-generate]');
    await this.page.waitForSelector('[data-testid=synth-results]', { timeout });
  }

  /** Beats per second the page measured in its worker. */
  async speed() {
    return Number(await this.page.getAttribute('[data-testid=synth-speed]', 'data-beats-per-second'));
  }

  /** The quality table: per class, its cells as text. */
  async quality() {
    return this.page.$$eval('[data-testid=synth-quality] tbody tr', (rows) =>
      Object.fromEntries(
        rows.map((r) => [
          r.getAttribute('data-testid').replace('synth-quality-', ''),
          [...r.querySelectorAll('th, td')].map((c) => c.textContent.trim()),
        ]),
      ),
    );
  }

  async galleryPaths(code) {
    return this.page.$$eval(`[data-testid=synth-gallery-${code}] path`, (p) => p.length);
  }

  async addToTraining() {
    await this.page.check('[data-testid=synth-add]');
  }
}
