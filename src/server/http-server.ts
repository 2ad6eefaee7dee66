// The main HTTP(S) listener: a small router over the route modules, with request metrics, error shaping and
// graceful shutdown. Route modules stay thin: authenticate, validate, call the layer below, shape the reply.

import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { AuthError, Authenticator } from './auth.ts';
import type { ServerConfig } from './config.ts';
import { ServerMetrics } from './metrics.ts';
import { BodyError } from '../ingest/body-decoding.ts';
import { ParamError } from './loki-params.ts';
import { QueryError } from '../query/query-error.ts';
import { StoreBusyError, type Store } from '../store/store.ts';
import { QueryEngine } from '../query/engine.ts';
import { lokiRoutes } from './routes/loki.ts';
import { nativeRoutes } from './routes/native.ts';
import { adminRoutes } from './routes/admin.ts';
import { elasticsearchRoutes } from './routes/elasticsearch.ts';
import { otlpRoutes } from './routes/otlp.ts';
import { journaldRoutes } from './routes/journald.ts';
import { splunkHecRoutes } from './routes/splunk-hec.ts';
import { lokiIndexRoutes } from './routes/loki-index.ts';
import { LiveTail } from './routes/loki-tail.ts';
import type { PipelineHost } from './pipeline-host.ts';
import { lokiMiscRoutes } from './routes/loki-misc.ts';
import { rulerRoutes } from './routes/ruler.ts';
import { uiRoutes } from './routes/ui.ts';
import { siemRoutes } from './routes/siem.ts';
import { detectionRoutes } from './routes/detections.ts';
import { dashboardRoutes } from './routes/dashboards.ts';
import type { SiemService } from '../siem/siem-service.ts';
import type { Ruler } from '../rules/ruler-service.ts';

export type Handler = (req: IncomingMessage, res: ServerResponse, ctx: RequestContext) => Promise<void> | void;

/** Takes over a connection that asked to switch protocols (WebSocket); throw before writing to refuse it. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, ctx: RequestContext) => void;

export interface RequestContext {
  url: URL;
  params: Record<string, string>;
}

export interface Route {
  /** one method or several joined by `|`; GET also serves HEAD */
  method: 'GET' | 'POST' | 'PUT' | 'HEAD' | 'DELETE' | 'GET|POST' | 'POST|PUT';
  /** exact path, or a pattern with `:name` segments */
  path: string;
  name: string;
  handler: Handler;
  /** for GET routes that also accept an `Upgrade` (the WebSocket handshake) */
  upgrade?: UpgradeHandler;
}

/** Everything a route module needs. */
export interface ServerDeps {
  config: ServerConfig;
  store: Store;
  engine: QueryEngine;
  auth: Authenticator;
  metrics: ServerMetrics;
  /** the pipelines every ingested batch goes through; undefined = none configured (ingest goes straight to the store) */
  pipeline?: PipelineHost;
  /** the ruler (rules, alerts, ruler API); set once it has started */
  ruler?: Ruler;
  /** SIEM detection (`siem:` / `--siem`), fed every committed batch */
  siem?: SiemService;
}

export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

interface CompiledRoute extends Route {
  segments: string[];
}

export class SightlineHttpServer {
  private server: http.Server | undefined;
  private readonly routes: CompiledRoute[];
  private readonly exact = new Map<string, CompiledRoute>();
  private readonly liveTail: LiveTail;

  constructor(private readonly deps: ServerDeps) {
    this.liveTail = new LiveTail(deps);
    const all = [
      ...lokiRoutes(deps),
      ...lokiIndexRoutes(deps),
      ...this.liveTail.routes(),
      ...lokiMiscRoutes(deps),
      ...rulerRoutes(deps),
      ...nativeRoutes(deps),
      ...adminRoutes(deps),
      ...elasticsearchRoutes(deps),
      ...otlpRoutes(deps),
      ...journaldRoutes(deps),
      ...splunkHecRoutes(deps),
      ...uiRoutes(deps),
      ...dashboardRoutes(deps),
      ...(deps.siem ? siemRoutes(deps, deps.siem) : []),
      ...detectionRoutes(deps),
    ];
    this.routes = all.map((r) => ({ ...r, segments: r.path.split('/') }));
    for (const r of this.routes) if (!r.path.includes(':')) this.exact.set(r.path, r);
  }

  async listen(): Promise<AddressInfo> {
    const { config } = this.deps;
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    this.server = config.tls
      ? https.createServer(
          {
            cert: readFileSync(config.tls.certFile),
            key: readFileSync(config.tls.keyFile),
            // tls.client_ca_file: mutual TLS, clients must present a certificate signed by this CA
            ...(config.tls.clientCaFile ? { ca: readFileSync(config.tls.clientCaFile), requestCert: true, rejectUnauthorized: true } : {}),
          },
          handler,
        )
      : http.createServer(handler);
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.handleUpgrade(req, socket, head));
    this.server.keepAliveTimeout = 65_000;
    this.server.requestTimeout = 300_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(config.port, config.host, () => resolve());
    });
    return this.server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    await this.liveTail.close();
    const s = this.server;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeIdleConnections();
    });
  }

  private match(method: string, pathname: string): { route: CompiledRoute; params: Record<string, string> } | 'method' | undefined {
    const exact = this.exact.get(pathname);
    if (exact) return methodAllowed(exact.method, method) ? { route: exact, params: {} } : 'method';
    const segs = pathname.split('/');
    let wrongMethod = false;
    for (const r of this.routes) {
      if (!r.path.includes(':') || r.segments.length !== segs.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segs.length && ok; i++) {
        if (r.segments[i].startsWith(':')) params[r.segments[i].slice(1)] = decodeURIComponent(segs[i]);
        else ok = r.segments[i] === segs[i];
      }
      if (!ok) continue;
      if (!methodAllowed(r.method, method)) {
        wrongMethod = true;
        continue;
      }
      return { route: r, params };
    }
    return wrongMethod ? 'method' : undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const found = this.match(req.method ?? 'GET', url.pathname);
    let routeName = 'unknown';
    try {
      if (found === undefined) throw new HttpError(404, `no route for ${url.pathname}`);
      if (found === 'method') throw new HttpError(405, `method ${req.method} not allowed on ${url.pathname}`);
      routeName = found.route.name;
      await found.route.handler(req, res, { url, params: found.params });
    } catch (e) {
      this.sendError(res, e);
      req.resume();
    } finally {
      this.deps.metrics.requests.inc({ route: routeName, status: String(res.statusCode) });
      this.deps.metrics.requestDuration.observe((performance.now() - started) / 1000, { route: routeName });
    }
  }

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const found = this.match(req.method ?? 'GET', url.pathname);
    let routeName = 'unknown';
    let status = 101;
    try {
      if (found === undefined || found === 'method' || !found.route.upgrade) throw new HttpError(404, `no WebSocket endpoint at ${url.pathname}`);
      routeName = found.route.name;
      found.route.upgrade(req, socket, head, { url, params: found.params });
    } catch (e) {
      // refuse the handshake with a plain HTTP reply carrying the same JSON error body as other routes; a 401
      // names the scheme to use (RFC 9110 §11.6.1), as RFC 6455 §4.2.2 lets a server demand authentication
      const { status: code, headers, body } = errorReply(e);
      status = code;
      if (code === 401) headers['WWW-Authenticate'] = 'Bearer realm="sightline"';
      const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.end(`HTTP/1.1 ${code} ${http.STATUS_CODES[code] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`);
    }
    this.deps.metrics.requests.inc({ route: routeName, status: String(status) });
  }

  private sendError(res: ServerResponse, e: unknown): void {
    const { status, headers, body } = errorReply(e);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...headers });
    res.end(body);
  }
}

function methodAllowed(allowed: Route['method'], method: string): boolean {
  const methods = allowed.split('|');
  return methods.includes(method) || (method === 'HEAD' && methods.includes('GET'));
}

/** The HTTP status, message and headers an error thrown below a route stands for; every protocol shapes its own body from it. */
export function classifyError(e: unknown): { status: number; message: string; headers: Record<string, string> } {
  let status = 500;
  let message = 'internal error';
  const headers: Record<string, string> = {};
  if (e instanceof HttpError) {
    status = e.status;
    message = e.message;
    Object.assign(headers, e.headers);
  } else if (e instanceof AuthError || e instanceof BodyError) {
    status = e.status;
    message = e.message;
  } else if (e instanceof StoreBusyError) {
    status = e.retryAfterSeconds > 1 ? 503 : 429;
    message = e.message;
    headers['Retry-After'] = String(e.retryAfterSeconds);
  } else if (e instanceof ParamError || e instanceof QueryError || (e instanceof Error && e.name === 'LogQLParseError')) {
    status = 400;
    message = (e as Error).message;
  } else if (e instanceof Error) {
    message = e.message;
    process.stderr.write(`sightline: request failed: ${e.stack ?? e.message}\n`);
  }
  return { status, message, headers };
}

/** The status, headers and Loki-style JSON body answering an error thrown by a route. */
function errorReply(e: unknown): { status: number; headers: Record<string, string>; body: string } {
  const { status, message, headers } = classifyError(e);
  const body = JSON.stringify({ status: 'error', errorType: status === 400 ? 'bad_data' : 'error', code: status, message, error: message });
  return { status, headers, body };
}
