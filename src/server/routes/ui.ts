// The web UI on the main port: the page at `/ui/…` (and at `/` for browsers, see elasticsearch.ts), its assets at
// `/ui/assets/<name>-<hash>.<ext>` (immutable, gzip/brotli), and `/ui/api/session` (does the UI need a key, which
// tenants may it act as). The bundle is made from web/ by esbuild on the first request, kept in
// node_modules/.cache/sightline/ui/, and remade when web/ or the installed packages change: no build step for users.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import { AuthError } from '../auth.ts';
import { HttpError, sendJson, type Handler, type Route, type ServerDeps } from '../http-server.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const WEB_DIR = path.join(ROOT, 'web');
const ENTRY = path.join(WEB_DIR, 'src', 'main.tsx');
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'sightline', 'ui');
/** the one server source file the UI bundles too (the dashboard JSON shapes): its changes remake the bundle */
const SHARED_WITH_SERVER = path.join(ROOT, 'src', 'dashboards', 'dashboard-json.ts');
/** how often a request may look at web/'s modification times (a few dozen stat calls) */
const STALE_CHECK_MS = 1000;

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** Served to every page: scripts only from here, API calls and the tail WebSocket only to here, no framing. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  gzip?: Buffer;
  br?: Buffer;
}

interface Bundle {
  stamp: string;
  html: Asset;
  /** by file name under /ui/assets/ */
  assets: Map<string, Asset>;
}

interface Manifest {
  stamp: string;
  js: string;
  css: string;
}

/** Both compressed forms of every asset are made once per bundle and cached beside it, so no request waits on brotli. */
const ENCODINGS = [
  { ext: 'br', compress: (b: Buffer) => brotliAsync(b, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: b.length } }) },
  { ext: 'gz', compress: (b: Buffer) => gzipAsync(b, { level: 9 }) },
] as const;

/** The UI bundle, one per process (every server in it serves the same files). */
class UiBundle {
  private current: Bundle | undefined;
  private building: Promise<Bundle> | undefined;
  private checkedAt = 0;

  async get(): Promise<Bundle> {
    const now = Date.now();
    if (this.current && now - this.checkedAt < STALE_CHECK_MS) return this.current;
    if (this.building) return this.building;
    this.checkedAt = now;
    const stamp = sourceStamp();
    if (this.current?.stamp === stamp) return this.current;
    this.building = this.load(stamp).finally(() => (this.building = undefined));
    this.current = await this.building;
    return this.current;
  }

  private async load(stamp: string): Promise<Bundle> {
    const cached = readCached(stamp);
    if (cached) return assemble(stamp, cached.manifest, cached.files);
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [ENTRY],
      bundle: true,
      minify: true,
      format: 'esm',
      target: ['chrome109', 'firefox115', 'safari16'],
      jsx: 'automatic',
      jsxImportSource: 'preact',
      write: false,
      outdir: CACHE_DIR,
      entryNames: 'app-[hash]',
      logLevel: 'silent',
    });
    const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
    const css = result.outputFiles.find((f) => f.path.endsWith('.css'));
    if (!js || !css) throw new Error('the UI bundle has no JavaScript or no CSS output');
    const manifest: Manifest = { stamp, js: path.basename(js.path), css: path.basename(css.path) };
    const files = new Map<string, Buffer>();
    for (const out of [js, css]) {
      const body = Buffer.from(out.contents);
      const name = path.basename(out.path);
      files.set(name, body);
      for (const e of ENCODINGS) files.set(`${name}.${e.ext}`, await e.compress(body));
    }
    writeCached(manifest, files);
    return assemble(stamp, manifest, files);
  }
}

const bundle = new UiBundle();

/** Newest modification time under web/src and of the lockfile: a change to either means a new bundle. */
function sourceStamp(): string {
  const newest = (dir: string): number => {
    let n = 0;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      n = Math.max(n, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }
    return n;
  };
  let lock = 0;
  try {
    lock = statSync(path.join(ROOT, 'package-lock.json')).mtimeMs;
  } catch {
    // an installation without a lockfile: web/ alone decides
  }
  try {
    return `${newest(path.join(WEB_DIR, 'src'))}:${statSync(SHARED_WITH_SERVER).mtimeMs}:${lock}`;
  } catch {
    throw new HttpError(404, `the web UI's sources are not installed (looked in ${WEB_DIR})`);
  }
}

function readCached(stamp: string): { manifest: Manifest; files: Map<string, Buffer> } | undefined {
  try {
    const manifest = JSON.parse(readFileSync(path.join(CACHE_DIR, 'manifest.json'), 'utf8')) as Manifest;
    if (manifest.stamp !== stamp) return undefined;
    const files = new Map<string, Buffer>();
    for (const name of [manifest.js, manifest.css]) {
      files.set(name, readFileSync(path.join(CACHE_DIR, name)));
      for (const e of ENCODINGS) files.set(`${name}.${e.ext}`, readFileSync(path.join(CACHE_DIR, `${name}.${e.ext}`)));
    }
    return { manifest, files };
  } catch {
    return undefined;
  }
}

/** Files first, the manifest last, each written aside and renamed: a server reading at the same moment sees old or new, never half. */
function writeCached(manifest: Manifest, files: Map<string, Buffer>): void {
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    const put = (name: string, body: Buffer | string) => {
      const tmp = path.join(CACHE_DIR, `${name}.${process.pid}.tmp`);
      writeFileSync(tmp, body);
      renameSync(tmp, path.join(CACHE_DIR, name));
    };
    for (const [name, body] of files) put(name, body);
    put('manifest.json', JSON.stringify(manifest));
    // older bundles' files: servers still using one hold it in memory
    for (const name of readdirSync(CACHE_DIR)) {
      if (name !== 'manifest.json' && !files.has(name) && !name.endsWith('.tmp')) rmSync(path.join(CACHE_DIR, name), { force: true });
    }
  } catch {
    // a read-only installation: the bundle is kept in memory only
  }
}

function asset(body: Buffer, type: string, files?: Map<string, Buffer>, name?: string): Asset {
  const a: Asset = { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
  if (files && name) {
    a.br = files.get(`${name}.br`);
    a.gzip = files.get(`${name}.gz`);
  }
  return a;
}

function assemble(stamp: string, manifest: Manifest, files: Map<string, Buffer>): Bundle {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Sightline</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ui/assets/${manifest.css}">
<script type="module" src="/ui/assets/${manifest.js}"></script>
</head>
<body>
<div id="app"></div>
<noscript>Sightline's UI needs JavaScript. The APIs are described in docs/http-api.md.</noscript>
</body>
</html>
`;
  return {
    stamp,
    html: asset(Buffer.from(html), 'text/html; charset=utf-8'),
    assets: new Map([
      [manifest.js, asset(files.get(manifest.js)!, 'text/javascript; charset=utf-8', files, manifest.js)],
      [manifest.css, asset(files.get(manifest.css)!, 'text/css; charset=utf-8', files, manifest.css)],
    ]),
  };
}

/**
 * Whether a `GET /` comes from a browser: `text/html` is accepted explicitly and ranked at least as high as JSON.
 * Shippers and Elasticsearch clients send `application/json`, `*` `/*` or nothing, and keep the cluster info.
 */
export function prefersHtml(req: IncomingMessage): boolean {
  const accept = req.headers.accept;
  if (!accept) return false;
  let html = 0;
  let json = 0;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q)) continue;
    if (type === 'text/html' || type === 'application/xhtml+xml') html = Math.max(html, q);
    else if (type === 'application/json' || type.startsWith('application/vnd.elasticsearch')) json = Math.max(json, q);
  }
  return html > 0 && html >= json;
}

/** Picks the smallest encoding the client accepts (RFC 9110 §12.5.3, q=0 refuses), compressing once per asset. */
async function encodedBody(req: IncomingMessage, a: Asset): Promise<{ body: Buffer; encoding?: 'br' | 'gzip' }> {
  const accepted = new Set<string>();
  for (const part of (req.headers['accept-encoding'] ?? '').toString().split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (name && !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p))) accepted.add(name);
  }
  if (a.body.length < 1024) return { body: a.body };
  if (accepted.has('br')) {
    a.br ??= await brotliAsync(a.body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: a.body.length } });
    return { body: a.br, encoding: 'br' };
  }
  if (accepted.has('gzip')) {
    a.gzip ??= await gzipAsync(a.body, { level: 9 });
    return { body: a.gzip, encoding: 'gzip' };
  }
  return { body: a.body };
}

async function sendAsset(req: IncomingMessage, res: ServerResponse, a: Asset, headers: Record<string, string>): Promise<void> {
  const common = { ETag: a.etag, Vary: 'Accept, Accept-Encoding', 'X-Content-Type-Options': 'nosniff', ...headers };
  if (req.headers['if-none-match'] === a.etag) {
    res.writeHead(304, common);
    res.end();
    return;
  }
  const { body, encoding } = await encodedBody(req, a);
  res.writeHead(200, { ...common, 'Content-Type': a.type, 'Content-Length': body.length, ...(encoding ? { 'Content-Encoding': encoding } : {}) });
  res.end(body);
}

/** The UI's HTML page; the app reads its path and query string. */
export const serveUiPage: Handler = async (req, res) => {
  const b = await bundle.get();
  await sendAsset(req, res, b.html, { 'Cache-Control': 'no-cache', 'Content-Security-Policy': CSP, 'Referrer-Policy': 'no-referrer' });
};

export function uiRoutes(deps: ServerDeps): Route[] {
  const { auth, config } = deps;
  return [
    { method: 'GET', path: '/ui', name: 'ui_page', handler: serveUiPage },
    { method: 'GET', path: '/ui/:page', name: 'ui_page', handler: serveUiPage },
    {
      method: 'GET',
      path: '/ui/assets/:file',
      name: 'ui_asset',
      handler: async (req, res, { params }) => {
        const a = (await bundle.get()).assets.get(params.file);
        // an asset of an older bundle (a page loaded before web/ changed) is gone: reloading fetches the new one
        if (!a) throw new HttpError(404, `no UI asset ${params.file}: reload the page`);
        await sendAsset(req, res, a, { 'Cache-Control': 'public, max-age=31536000, immutable' });
      },
    },
    {
      // what the UI must ask for before its first query: a key (401 here when one is needed and missing or
      // wrong), and the tenants that key may act as, for the tenant picker
      method: 'GET',
      path: '/ui/api/session',
      name: 'ui_session',
      handler: (req, res) => {
        if (!auth.enabled) {
          sendJson(res, 200, { authRequired: false, tenants: [] });
          return;
        }
        const header = req.headers.authorization ?? '';
        const m = /^Bearer\s+(\S+)$/i.exec(header);
        if (!m) throw new AuthError(401, 'authentication required: send Authorization: Bearer <api key>');
        const tenants: string[] = [];
        for (const tenant of Object.keys(config.tenantKeys).sort()) {
          try {
            auth.tenantForKey(m[1], tenant, tenant);
            tenants.push(tenant);
          } catch {
            // this key does not serve that tenant
          }
        }
        if (tenants.length === 0) throw new AuthError(401, 'invalid API key');
        sendJson(res, 200, { authRequired: true, tenants });
      },
    },
  ];
}
