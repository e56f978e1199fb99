// Shared harness of the browser end-to-end tests: builds nothing (the page must already be in
// dist/, `trunk build --release`), serves it on 127.0.0.1, launches Debian's Chromium headless
// through playwright-core with a fresh profile, and records every network request.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../.ci/server.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED = path.resolve(ROOT, '../shared');
export const MITDB = path.join(SHARED, 'data/mitdb');
export const REFERENCE = JSON.parse(fs.readFileSync(path.join(SHARED, 'reference/mitdb.json'), 'utf8'));
export const CLASSES = ['N', 'S', 'V', 'F', 'Q'];

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Starts server + browser; returns { page, url, requests, consoleErrors, close }. */
export async function openPage({ mitdb = MITDB, extra } = {}) {
  const server = await startServer({ dist: path.join(ROOT, 'dist'), port: 0, mitdb, extra });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ecg-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  const requests = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = context.pages()[0] || (await context.newPage());
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  await page.goto(server.url);
  await page.waitForFunction(() => document.querySelector('[data-testid=dropzone]'));
  let stopped = false;
  return {
    page,
    url: server.url,
    profile,
    requests,
    consoleErrors,
    /** Stops the page's server (its open connections too): the origin is gone. */
    async stopServer() {
      if (stopped) return;
      stopped = true;
      server.server.closeAllConnections();
      await server.close();
    },
    async close() {
      await context.close();
      await this.stopServer();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Every recorded request went to the page's own origin (or stayed in the browser). */
export function foreignRequests(requests, url) {
  const origin = new URL(url).origin;
  return requests.filter((u) => !(u.startsWith(origin + '/') || u.startsWith('data:') || u.startsWith('blob:')));
}

export function mitdbFiles(records) {
  return records.flatMap((r) => ['hea', 'dat', 'atr'].map((e) => path.join(MITDB, `${r}.${e}`)));
}

export function referenceCounts(records) {
  const sum = Object.fromEntries(CLASSES.map((c) => [c, 0]));
  for (const r of records) {
    const counts = REFERENCE.records[r].aami_counts;
    for (const c of CLASSES) sum[c] += counts[c];
  }
  return sum;
}

export function allRecords() {
  return Object.keys(REFERENCE.records).sort();
}

/** Starts collecting main-thread long tasks (> 50 ms) in the page. */
export async function watchLongTasks(page) {
  await page.evaluate(() => {
    window.__longTasks = [];
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(e.duration);
    });
    obs.observe({ type: 'longtask', buffered: false });
    window.__longTaskObserver = obs;
  });
}

export async function longTasks(page) {
  return page.evaluate(() => window.__longTasks.slice());
}
