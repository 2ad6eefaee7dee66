// OTLP/HTTP on a port of its own (`config.otlp.httpPort`, conventionally 4318): only POST /v1/logs, served by the
// same route as on the main port (src/server/routes/otlp.ts). HTTPS when the server has `tls`; mutual TLS with
// tls.client_ca_file. Anything else gets a google.rpc.Status JSON error.

import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { sendJson } from '../http-server.ts';
import { otlpRoutes } from '../routes/otlp.ts';
import { listenError, type ListenerStarter, type SocketListener } from './socket-listener.ts';

const CLOSE_GRACE_MS = 10_000;

export const startOtlpHttp: ListenerStarter = async (deps) => {
  const port = deps.config.otlp.httpPort;
  if (port === undefined) return [];
  const route = otlpRoutes(deps).find((r) => r.path === '/v1/logs')!;
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    let routeName = 'unknown';
    const done = () => {
      deps.metrics.requests.inc({ route: routeName, status: String(res.statusCode) });
      deps.metrics.requestDuration.observe((performance.now() - started) / 1000, { route: routeName });
    };
    if (url.pathname !== route.path) {
      // google.rpc.Code NOT_FOUND
      sendJson(res, 404, { code: 5, message: `no route for ${url.pathname}: this port serves OTLP/HTTP logs at POST /v1/logs only` });
      req.resume();
      return done();
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      // google.rpc.Code UNIMPLEMENTED
      sendJson(res, 405, { code: 12, message: `method ${req.method} not allowed on /v1/logs: use POST` });
      req.resume();
      return done();
    }
    routeName = route.name;
    // the route answers its own failures as OTLP does; a rejection here would be a bug below it
    Promise.resolve(route.handler(req, res, { url, params: {} })).catch((e: unknown) => {
      process.stderr.write(`sightline: OTLP/HTTP request failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      if (!res.headersSent) sendJson(res, 500, { code: 13, message: 'internal error' });
      else res.destroy();
    }).finally(done);
  };
  const { tls } = deps.config;
  const server = tls
    ? https.createServer({
      cert: readFileSync(tls.certFile),
      key: readFileSync(tls.keyFile),
      ...(tls.clientCaFile ? { ca: readFileSync(tls.clientCaFile), requestCert: true, rejectUnauthorized: true } : {}),
    }, handler)
    : http.createServer(handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: Error) => reject(listenError('OTLP/HTTP', port, '--otlp-http-port', e)));
    server.listen(port, deps.config.host, () => resolve());
  });
  server.on('error', (e: Error) => process.stderr.write(`sightline: OTLP/HTTP listener: ${e.message}\n`));
  const listener: SocketListener = {
    name: 'otlp_http',
    address: server.address() as AddressInfo,
    async close() {
      // stop accepting, let requests in progress commit and answer, then cut what is left
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      await closed;
      clearTimeout(timer);
    },
  };
  return [listener];
};
