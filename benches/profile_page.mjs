// Where the page's training worker spends its time: a V8 CPU profile (Chrome DevTools Protocol)
// of the page's Web Worker(s) while the default model is trained DS1 → DS2 on all 48 MIT-BIH
// records. Measures only; builds nothing (the page must already be in dist/).
//
//   source .ci/env   # from the project root
//   node benches/profile_page.mjs [--epochs 2] [--workers 1] [--interval 200] [--top 40]
//        [--names /tmp/worker_named.wasm] [--focus REGEX] [--out /tmp/ecg-profile]
//
//   --interval  sampling interval of V8's profiler, µs
//   --names     a copy of worker_bg.wasm that still has its "name" section, to turn V8's
//               `$funcN` / `wasm-function[N]` into Rust names. dist/worker_bg.wasm has none
//               (wasm-opt drops it); one is made from the same wasm-bindgen output with the same
//               wasm-opt options plus -g, e.g.
//                 BINARYEN_CORES=1 wasm-opt -O3 -g --enable-reference-types --enable-bulk-memory \
//                   --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
//                   --enable-multivalue --enable-simd \
//                   $CARGO_TARGET_DIR/wasm-bindgen/release/worker_bg.wasm -o /tmp/worker_named.wasm
//               It is used only if its code section is byte-identical to dist/worker_bg.wasm's
//               (then the function indices are the same); otherwise the script says so.
//   --focus     also aggregate only the samples whose stack holds a function matching REGEX
//               (e.g. the training step), to leave out data preparation and evaluation
//   --exclude   with --focus: and whose stack holds no function matching this REGEX
//   --callers   for each function matching REGEX, the callers it spends its self time under
//   --from      analyse a .cpuprofile written before (no browser); the options above apply
//   --out       prefix of the written .cpuprofile files (open them in DevTools' Performance panel)
//
// How: a CDP session on the page, `Target.setAutoAttach {flatten: false}` so the page's dedicated
// workers are attached as child sessions, and `Target.sendMessageToTarget` carrying
// Profiler.enable / setSamplingInterval / start to each worker (Playwright's CDPSession has no way
// to address a flattened child session). The profiler starts just before Train is clicked and
// stops when the run's results are shown.

import fs from 'node:fs';
import path from 'node:path';
import { openPage, mitdbFiles, REFERENCE, ROOT } from '../tests/e2e/harness.mjs';
import { DataScreen, TrainScreen } from '../tests/e2e/pages.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const epochs = Number(opt('--epochs', 2));
const workers = Number(opt('--workers', 1));
const interval = Number(opt('--interval', 200));
const top = Number(opt('--top', 40));
const namesWasm = opt('--names', null);
const focus = opt('--focus', null);
const exclude = opt('--exclude', null);
const callers = opt('--callers', null);
const from = opt('--from', null);
const outPrefix = opt('--out', '/tmp/ecg-profile');

// ---------------------------------------------------------------- wasm function names

/** The sections of a wasm binary: [{ id, name (custom), start, end }]. */
function wasmSections(buf) {
  let p = 8;
  const leb = () => {
    let r = 0;
    let s = 0;
    let b;
    do {
      b = buf[p++];
      r += (b & 0x7f) * 2 ** s;
      s += 7;
    } while (b & 0x80);
    return r;
  };
  const out = [];
  while (p < buf.length) {
    const id = buf[p++];
    const size = leb();
    const start = p;
    let name;
    if (id === 0) {
      const l = leb();
      name = buf.subarray(p, p + l).toString('utf8');
    }
    out.push({ id, name, start, end: start + size });
    p = start + size;
  }
  return { sections: out, leb: (at) => { p = at; const v = leb(); return [v, p]; } };
}

/** Function index → name from a wasm's "name" section (subsection 1), or null. */
function wasmFunctionNames(file, distFile) {
  const named = fs.readFileSync(file);
  const dist = fs.readFileSync(distFile);
  const a = wasmSections(named);
  const b = wasmSections(dist);
  const code = (w, buf) => {
    const s = w.sections.find((x) => x.id === 10);
    return buf.subarray(s.start, s.end);
  };
  if (!code(a, named).equals(code(b, dist))) {
    return { names: null, why: `${file}'s code section differs from ${distFile}'s: indices may not match, names not used` };
  }
  const ns = a.sections.find((s) => s.id === 0 && s.name === 'name');
  if (!ns) return { names: null, why: `${file} has no "name" section` };
  const names = new Map();
  let [nameLen, p] = a.leb(ns.start);
  p += nameLen;
  while (p < ns.end) {
    const sub = named[p++];
    let size;
    [size, p] = a.leb(p);
    const end = p + size;
    if (sub === 1) {
      let count;
      [count, p] = a.leb(p);
      for (let i = 0; i < count; i++) {
        let idx;
        let len;
        [idx, p] = a.leb(p);
        [len, p] = a.leb(p);
        names.set(idx, named.subarray(p, p + len).toString('utf8'));
        p += len;
      }
    }
    p = end;
  }
  return { names, why: null };
}

// ---------------------------------------------------------------- CDP on dedicated workers

class WorkerProfiler {
  constructor(session) {
    this.session = session;
    this.workers = new Map(); // sessionId → { targetInfo, attachedAt, detached, profiling }
    this.pending = new Map();
    this.nextId = 1;
    this.profiling = false;
    session.on('Target.attachedToTarget', (e) => {
      this.workers.set(e.sessionId, { info: e.targetInfo, attachedAt: Date.now(), detached: false, profiling: false });
      if (this.profiling) this.startOne(e.sessionId).catch((err) => console.error(`start on a new worker failed: ${err.message}`));
    });
    session.on('Target.detachedFromTarget', (e) => {
      const w = this.workers.get(e.sessionId);
      if (w) w.detached = true;
    });
    session.on('Target.receivedMessageFromTarget', (e) => {
      const m = JSON.parse(e.message);
      const p = m.id !== undefined && this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(new Error(`${p.method}: ${JSON.stringify(m.error)}`));
      else p.resolve(m.result);
    });
  }

  async attach() {
    await this.session.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  }

  send(sessionId, method, params = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.session.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
    });
  }

  async startOne(sessionId) {
    const w = this.workers.get(sessionId);
    await this.send(sessionId, 'Profiler.enable');
    await this.send(sessionId, 'Profiler.setSamplingInterval', { interval });
    await this.send(sessionId, 'Profiler.start');
    w.profiling = true;
  }

  async start() {
    this.profiling = true;
    for (const [id, w] of this.workers) if (!w.detached) await this.startOne(id);
  }

  /** Stops every profiler; returns [{ sessionId, info, profile }]. */
  async stop() {
    this.profiling = false;
    const out = [];
    for (const [id, w] of this.workers) {
      if (!w.profiling) continue;
      if (w.detached) {
        out.push({ sessionId: id, info: w.info, profile: null, why: 'worker detached (terminated) before the profiler was stopped' });
        continue;
      }
      const { profile } = await this.send(id, 'Profiler.stop');
      out.push({ sessionId: id, info: w.info, profile });
    }
    return out;
  }
}

// ---------------------------------------------------------------- aggregation

const strip = (s) => s.replace(/::h[0-9a-f]{16}$/, '');

function frameName(cf, names) {
  let n = cf.functionName || '(anonymous)';
  const m = /^\$func(\d+)$/.exec(n) || /^wasm-function\[(\d+)\]$/.exec(n) || /^(\d+)$/.exec(n);
  const isWasm = cf.url.includes('.wasm') || cf.url.startsWith('wasm://');
  if (m && names?.has(Number(m[1]))) n = names.get(Number(m[1]));
  n = strip(n);
  const where = isWasm ? 'wasm' : cf.url ? path.basename(cf.url.split('?')[0]) : '';
  return { name: n, where, key: `${n}\u0000${where}` };
}

/** Self and inclusive µs per function (name + script); samples optionally filtered by `keep`. */
function aggregate(profile, names, keep) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const info = new Map(profile.nodes.map((n) => [n.id, frameName(n.callFrame, names)]));
  const stackCache = new Map();
  const stack = (id) => {
    let s = stackCache.get(id);
    if (s) return s;
    s = [];
    for (let x = id; x !== undefined; x = parent.get(x)) s.push(info.get(x));
    stackCache.set(id, s);
    return s;
  };
  const self = new Map();
  const incl = new Map();
  let total = 0;
  let idle = 0;
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const dt = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : interval;
    const st = stack(samples[i]);
    const leaf = st[0];
    if (leaf.name === '(idle)') {
      idle += dt;
      continue;
    }
    if (keep && !keep(st)) continue;
    total += dt;
    self.set(leaf.key, (self.get(leaf.key) || 0) + dt);
    const seen = new Set();
    for (const f of st) {
      if (seen.has(f.key)) continue;
      seen.add(f.key);
      incl.set(f.key, (incl.get(f.key) || 0) + dt);
    }
  }
  return { self, incl, total, idle, samples: samples.length, span: profile.endTime - profile.startTime };
}

// Groups, first match wins. There is no memcpy/memset function in the module: with bulk memory
// they are inlined as memory.copy / memory.fill, so the copies and fills are counted by the
// functions that are nothing but one (Bytes' aligning copy, zeroed allocation, fills, tiled copies).
const GROUPS = [
  ['gemm kernels (matrix products)', /gemm|matmul|\bgebp|microkernel|pack_(lhs|rhs)/i],
  ['burn-flex gather/scatter (select: the im2col)', /gather_scatter|float_select|select_update|select_add/i],
  ['memory copies/fills', /memcpy|memmove|memset|memory\.(fill|copy)|copy_nonoverlapping|copy_from_slice|compiler_builtins::mem|alloc_with_data|__rdl_alloc_zeroed|TensorData::full_dtype|copy_2d_tiled|slice_write_impl|ops::cat::cat|to_contiguous/i],
  ['allocator', /dlmalloc|malloc|\bfree\b|realloc|__rust_(alloc|dealloc|realloc)|__rdl_|__rg_|alloc::alloc::|RawVec|raw_vec|finish_grow|do_reserve_and_handle|calloc/i],
  ['burn / burn-flex element-wise and autodiff', /burn|flex|macerator/i],
  ['RNG (jitter noise: Box-Muller, libm)', /rng::Rng|libm::/i],
  ['JS / glue', null],
  ['other', null],
];

function group(key) {
  const [name, where] = key.split('\u0000');
  if (where !== 'wasm') return 'JS / glue';
  for (const [g, re] of GROUPS) if (re && re.test(name)) return g;
  if (/wasm_bindgen|js_sys|web_sys|serde|postMessage|__wbg|__wbindgen/i.test(name)) return 'JS / glue';
  return 'other';
}

const pct = (x, t) => `${((100 * x) / t).toFixed(2).padStart(6)} %`;
const ms = (us) => (us / 1000).toFixed(1).padStart(10);
const label = (key) => {
  const [name, where] = key.split('\u0000');
  return where === 'wasm' ? name : `${name} [${where || 'native'}]`;
};

function report(title, agg) {
  const t = agg.total;
  console.log(`\n=== ${title}`);
  console.log(`busy ${ms(t).trim()} ms (idle ${ms(agg.idle).trim()} ms) over ${(agg.span / 1000).toFixed(0)} ms, ${agg.samples} samples`);
  console.log(`\n-- top ${top} by self time (percent of busy samples)`);
  console.log(`${'self %'.padStart(8)} ${'self ms'.padStart(10)}  ${'group'.padEnd(44)} function`);
  const bySelf = [...agg.self].sort((a, b) => b[1] - a[1]);
  for (const [k, v] of bySelf.slice(0, top)) console.log(`${pct(v, t)} ${ms(v)}  ${group(k).padEnd(44)} ${label(k)}`);
  console.log(`\n-- self time by group`);
  const g = new Map();
  for (const [k, v] of agg.self) g.set(group(k), (g.get(group(k)) || 0) + v);
  for (const [name] of GROUPS) console.log(`${pct(g.get(name) || 0, t)} ${ms(g.get(name) || 0)}  ${name}`);
  console.log(`\n-- top ${top} wasm functions by inclusive time (sample counted once per function)`);
  console.log(`${'incl %'.padStart(8)} ${'incl ms'.padStart(10)} ${'self %'.padStart(8)}  function`);
  const byIncl = [...agg.incl].filter(([k]) => k.endsWith('\u0000wasm')).sort((a, b) => b[1] - a[1]);
  for (const [k, v] of byIncl.slice(0, top)) console.log(`${pct(v, t)} ${ms(v)} ${pct(agg.self.get(k) || 0, t)}  ${label(k)}`);
}

/** Self time of the functions matching `re`, split by their direct (wasm) caller. */
function callerReport(profile, names, re, total) {
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const info = new Map(profile.nodes.map((n) => [n.id, frameName(n.callFrame, names)]));
  const by = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const leaf = info.get(samples[i]);
    if (!re.test(leaf.name)) continue;
    const dt = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : interval;
    // The first caller that is not the function itself nor a burn dispatch layer.
    let x = parent.get(samples[i]);
    const chain = [];
    while (x !== undefined && chain.length < 3) {
      const f = info.get(x);
      if (f.name !== leaf.name && !/^burn_(dispatch|tensor::bridge)|^<burn_dispatch|^burn_tensor::tensor::api/.test(f.name)) chain.push(f.name);
      x = parent.get(x);
    }
    const key = `${leaf.name}\n      <- ${chain.join('\n      <- ')}`;
    by.set(key, (by.get(key) || 0) + dt);
  }
  console.log(`\n-- callers of /${re.source}/ (self time, percent of busy samples)`);
  for (const [k, v] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(v, total)} ${ms(v)}  ${k}`);
}

function analyse(title, profile) {
  const all = aggregate(profile, names);
  report(title, all);
  if (focus) {
    const re = new RegExp(focus);
    const ex = exclude && new RegExp(exclude);
    const agg = aggregate(profile, names, (st) => st.some((f) => re.test(f.name)) && !(ex && st.some((f) => ex.test(f.name))));
    report(`only samples under /${focus}/${ex ? ` and not under /${exclude}/` : ''} (${pct(agg.total, all.total).trim()} of busy)`, agg);
  }
  if (callers) callerReport(profile, names, new RegExp(callers), all.total);
}

// ---------------------------------------------------------------- the run

const distWasm = path.join(ROOT, 'dist/worker_bg.wasm');
let names = null;
if (namesWasm) {
  const r = wasmFunctionNames(namesWasm, distWasm);
  if (r.names) {
    names = r.names;
    console.log(`wasm names: ${names.size} function names from ${namesWasm} (code section identical to dist's)`);
  } else console.log(`wasm names: ${r.why}`);
} else {
  const has = wasmSections(fs.readFileSync(distWasm)).sections.some((s) => s.id === 0 && s.name === 'name');
  console.log(`wasm names: dist/worker_bg.wasm ${has ? 'has' : 'has NO'} "name" section${has ? '' : ' (pass --names, see the header)'}`);
}

if (from) {
  analyse(`${from}`, JSON.parse(fs.readFileSync(from, 'utf8')));
  process.exit(0);
}

const h = await openPage();
let results;
let epochMs;
try {
  const cdp = await h.page.context().newCDPSession(h.page);
  const prof = new WorkerProfiler(cdp);
  await prof.attach();
  await h.page.waitForFunction(() => !document.body.textContent.includes('Starting the background worker'), null, { timeout: 60000 });
  const data = new DataScreen(h.page);
  const recs = Object.keys(REFERENCE.records).sort();
  await data.upload(mitdbFiles(recs), { expectRecords: recs.length });
  console.log(`loaded ${recs.length} records; read + segment ${(await data.loadTiming()).readSegmentMs} ms`);

  const train = new TrainScreen(h.page);
  await train.open();
  await train.set('train-workers', workers);
  await train.set('train-epochs', epochs);
  console.log(`workers attached before Train: ${[...prof.workers.values()].map((w) => `${w.info.type} ${w.info.url}`).join(', ') || 'none'}`);
  await prof.start();
  const t0 = Date.now();
  await train.start();
  await train.results(1, 1800000);
  const wall = Date.now() - t0;
  results = await prof.stop();
  epochMs = (await h.page.getAttribute('[data-testid=run-row][data-run="1"]', 'data-epoch-ms')).split(',').filter(Boolean).map(Number);
  console.log(`run: ${epochs} epoch(s) on ${workers} worker(s), click to results ${wall} ms, epochs ${epochMs.join(', ')} ms`);
} finally {
  await h.close();
}

let best = null;
for (const [i, r] of results.entries()) {
  if (!r.profile) {
    console.log(`worker ${i} (${r.info.url}): no profile: ${r.why}`);
    continue;
  }
  const file = `${outPrefix}-worker${i}.cpuprofile`;
  fs.writeFileSync(file, JSON.stringify(r.profile));
  const agg = aggregate(r.profile, names);
  console.log(`worker ${i} (${r.info.type} ${r.info.url}): busy ${(agg.total / 1000).toFixed(0)} ms, written to ${file}`);
  if (!best || agg.total > best.agg.total) best = { i, r, agg };
}
if (!best) throw new Error('no worker profile');
const unnamed = [...best.agg.self.keys()].filter((k) => /^(\$func\d+|wasm-function\[\d+\])\u0000/.test(k)).length;
if (unnamed) console.log(`note: ${unnamed} wasm functions still unnamed ($funcN / wasm-function[N]: V8's index into the module)`);
analyse(`worker ${best.i}, the busiest (training) worker: whole run (data to the worker, ${epochs} epochs, evaluation)`, best.r.profile);
