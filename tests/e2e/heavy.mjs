// Helpers of the heavy-input test (heavy.test.mjs): a large input set made at test time from
// MIT-BIH (never committed), and what the tab costs while it loads it — the resident memory of
// the browser's processes (read from /proc) and the size of each worker's WebAssembly memory.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MITDB, allRecords } from './harness.mjs';

/**
 * Writes `copies` copies of MIT-BIH into a new folder under os.tmpdir(): copy k's record `100`
 * is `c<k>_100` (its header's record line and signal file names renamed, its .dat and .atr
 * copied under the new name), so every copy is a distinct record with the same beats.
 * → { dir, files (paths, sorted), bytes, records (names) }
 */
export function writeHeavySet(copies) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecg-heavy-'));
  const files = [];
  const records = [];
  let bytes = 0;
  for (let k = 1; k <= copies; k++) {
    for (const r of allRecords()) {
      const name = `c${k}_${r}`;
      records.push(name);
      // `100 2 360 650000` and `100.dat 212 …`: the record name opens the first line and every
      // signal line names its file.
      const header = fs.readFileSync(path.join(MITDB, `${r}.hea`), 'latin1')
        .split('\n')
        .map((line, i) => {
          if (line.startsWith('#')) return line;
          if (i === 0) return line.replace(new RegExp(`^${r}\\b`), name);
          return line.replace(new RegExp(`^${r}\\.dat\\b`), `${name}.dat`);
        })
        .join('\n');
      const hea = path.join(dir, `${name}.hea`);
      fs.writeFileSync(hea, header, 'latin1');
      for (const ext of ['dat', 'atr']) {
        fs.copyFileSync(path.join(MITDB, `${r}.${ext}`), path.join(dir, `${name}.${ext}`));
      }
      for (const ext of ['hea', 'dat', 'atr']) {
        const p = path.join(dir, `${name}.${ext}`);
        files.push(p);
        bytes += fs.statSync(p).size;
      }
    }
  }
  return { dir, files: files.sort(), bytes, records };
}

/** Pids of `root` and every process below it (from /proc's parent links). */
function descendants(root) {
  const parent = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // comm may hold spaces and parentheses: the fields after the last ')' are fixed.
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(d), ppid);
    } catch {
      // the process ended while we looked
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    for (const [pid, ppid] of parent) if (ppid === out[i]) out.push(pid);
  }
  return out;
}

function rssBytes(pid) {
  try {
    const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

// Chromium's child processes rewrite their title: their arguments may come back as one string.
function cmdline(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
  } catch {
    return [];
  }
}

/** The browser process that uses the profile folder `profile`. */
function browserPid(profile) {
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const args = cmdline(d);
    if (args.includes(`--user-data-dir=${profile}`) && !args.some((a) => a.startsWith('--type='))) return Number(d);
  }
  return null;
}

/**
 * Samples the resident memory of the browser using `profile` every `everyMs` until stopped:
 * the largest renderer process (the page and its workers live in one) and all processes
 * together. → { stop() → { peakRendererBytes, peakTotalBytes, samples } }
 */
export function sampleMemory(profile, everyMs = 250) {
  const root = browserPid(profile);
  let peakRendererBytes = 0;
  let peakTotalBytes = 0;
  let samples = 0;
  const tick = () => {
    if (root === null) return;
    let total = 0;
    for (const pid of descendants(root)) {
      const rss = rssBytes(pid);
      total += rss;
      if (cmdline(pid).includes('--type=renderer')) peakRendererBytes = Math.max(peakRendererBytes, rss);
    }
    peakTotalBytes = Math.max(peakTotalBytes, total);
    samples += 1;
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    found: root !== null,
    stop() {
      clearInterval(timer);
      tick();
      return { peakRendererBytes, peakTotalBytes, samples };
    },
  };
}

/** The WebAssembly memory of each of the page's workers, bytes (it never shrinks: its peak). */
export async function workerMemory(page) {
  const sizes = [];
  for (const w of page.workers()) {
    try {
      sizes.push(await w.evaluate(() => (typeof wasm_bindgen !== 'undefined' && wasm_bindgen.workerMemoryBytes
        ? wasm_bindgen.workerMemoryBytes()
        : null)));
    } catch {
      sizes.push(null);
    }
  }
  return sizes;
}

export const MB = (b) => (b / 1e6).toFixed(0);
