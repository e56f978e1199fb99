// A small static server for the built page (dist/), on 127.0.0.1 only.
//
// Optionally publishes local WFDB databases same-origin, so the page can offer "Load MIT-BIH" in
// one click without any request leaving the machine:
//   ECG_MITDB_DIR=/path/to/mitdb  → /data/mitdb/<files>, /data/mitdb/RECORDS (made if missing)
//   /data/index.json lists what is published: {"databases":[{"id":"mitdb","records":[…]}]}
//
// Usage: node .ci/server.mjs [--dist dist] [--port 8080] [--mitdb DIR]
// As a module: startServer({ dist, port, mitdb, extra }) → { url, close() }; `extra(req, res)`
// may answer a request first (tests use it to imitate remote services) and returns true if so.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.hea': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
};

function recordsOf(dir) {
  const recordsFile = path.join(dir, 'RECORDS');
  if (fs.existsSync(recordsFile)) {
    return fs.readFileSync(recordsFile, 'utf8').split(/\r?\n/).filter(Boolean);
  }
  return fs.readdirSync(dir).filter((f) => f.endsWith('.hea')).map((f) => f.slice(0, -4)).sort();
}

function safeJoin(root, rel) {
  const p = path.normalize(path.join(root, rel));
  return p === root || p.startsWith(root + path.sep) ? p : null;
}

export function startServer({ dist = 'dist', port = 0, host = '127.0.0.1', mitdb = process.env.ECG_MITDB_DIR, extra } = {}) {
  const distRoot = path.resolve(dist);
  const dbs = {};
  if (mitdb && fs.existsSync(mitdb)) dbs.mitdb = path.resolve(mitdb);

  const server = http.createServer((req, res) => {
    if (extra && extra(req, res)) return;
    const url = new URL(req.url, 'http://localhost');
    const send = (status, body, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(body);
    };
    let pathname;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return send(400, 'bad path');
    }
    if (pathname === '/data/index.json') {
      const databases = Object.entries(dbs).map(([id, dir]) => ({ id, records: recordsOf(dir) }));
      return send(200, JSON.stringify({ databases }), MIME['.json']);
    }
    const m = pathname.match(/^\/data\/([a-z0-9_-]+)\/(.+)$/);
    let file;
    if (m) {
      const dir = dbs[m[1]];
      if (!dir) return send(404, 'no such database');
      if (m[2] === 'RECORDS' && !fs.existsSync(path.join(dir, 'RECORDS'))) {
        return send(200, recordsOf(dir).join('\n') + '\n');
      }
      file = safeJoin(dir, m[2]);
    } else {
      file = safeJoin(distRoot, pathname === '/' ? 'index.html' : pathname.slice(1));
    }
    if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) return send(404, 'not found');
    if (file === path.join(distRoot, 'index.html') && Object.keys(dbs).length > 0) {
      // Tell the page which databases are published here, without it having to ask.
      const meta = `<meta name="ecg-balance-lab:local-databases" content="${Object.keys(dbs).join(',')}">`;
      return send(200, fs.readFileSync(file, 'utf8').replace('</head>', `${meta}</head>`), MIME['.html']);
    }
    res.writeHead(200, {
      'content-type': MIME[path.extname(file)] || 'application/octet-stream',
      'content-length': fs.statSync(file).size,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    fs.createReadStream(file).pipe(res);
  });

  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(port, host, () => {
      const { port: p } = server.address();
      resolve({ url: `http://${host}:${p}/`, server, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const { url } = await startServer({ dist: opt('--dist', 'dist'), port: Number(opt('--port', 8080)), mitdb: opt('--mitdb', process.env.ECG_MITDB_DIR) });
  console.log(`ECG Balance Lab is served at ${url} (Ctrl-C stops it)`);
  if (process.env.ECG_MITDB_DIR || args.includes('--mitdb')) console.log('MIT-BIH is published same-origin at /data/mitdb/ (the page offers "Load MIT-BIH").');
}
