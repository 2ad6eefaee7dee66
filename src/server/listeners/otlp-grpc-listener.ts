// OTLP/gRPC logs receiver (OTLP spec "OTLP/gRPC"): opentelemetry.proto.collector.logs.v1.LogsService/Export on
// `config.otlp.grpcPort`, HTTP/2 cleartext or TLS (mutual with tls.client_ca_file). Same decoding and mapping as
// OTLP/HTTP; credentials from metadata; refused records in partial_success; store back-pressure as UNAVAILABLE.

import http2, { type Http2Session, type IncomingHttpHeaders } from 'node:http2';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { partialSuccessMessage } from '../../ingest/otlp-logs.ts';
import { encodeExportLogsResponse, parseOtlpLogsProtobuf } from '../../ingest/otlp-logs-protobuf.ts';
import { DEFAULT_TENANT } from '../../model/record.ts';
import { StoreBusyError } from '../../store/store.ts';
import { AuthError } from '../auth.ts';
import type { ServerDeps } from '../http-server.ts';
import { commitAdapterResult } from '../ingest-handler.ts';
import { GrpcError, GrpcStatus, GrpcUnaryService, type UnaryHandler } from './grpc-unary.ts';
import { listenError, type ListenerStarter, type SocketListener } from './socket-listener.ts';

export const OTLP_LOGS_EXPORT_METHOD = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';
const PROTOCOL = 'otlp_grpc';
const MAX_INFLIGHT_BYTES = 256 * 1024 * 1024;
/** how long close() lets calls in progress finish before cutting connections */
const CLOSE_GRACE_MS = 10_000;

export const startOtlpGrpc: ListenerStarter = async (deps) => {
  const port = deps.config.otlp.grpcPort;
  if (port === undefined) return [];
  const service = new GrpcUnaryService({
    methods: new Map([[OTLP_LOGS_EXPORT_METHOD, exportLogsHandler(deps)]]),
    maxMessageBytes: deps.config.limits.maxBodyBytes,
    maxInflightBytes: MAX_INFLIGHT_BYTES,
  });
  const { tls } = deps.config;
  const settings = { maxConcurrentStreams: 100 };
  const server = tls
    ? http2.createSecureServer({
      cert: readFileSync(tls.certFile),
      key: readFileSync(tls.keyFile),
      ...(tls.clientCaFile ? { ca: readFileSync(tls.clientCaFile), requestCert: true, rejectUnauthorized: true } : {}),
      settings,
    })
    : http2.createServer({ settings });
  const sessions = new Set<Http2Session>();
  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    session.on('error', () => {
      // a broken connection concerns only its own calls
    });
  });
  server.on('stream', service.onStream);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: Error) => reject(listenError('OTLP/gRPC', port, '--otlp-grpc-port', e)));
    server.listen(port, deps.config.host, () => resolve());
  });
  server.on('error', (e: Error) => process.stderr.write(`sightline: OTLP/gRPC listener: ${e.message}\n`));
  const listener: SocketListener = {
    name: 'otlp_grpc',
    address: server.address() as AddressInfo,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // GOAWAY: no new calls; those in progress finish (their batches commit) before the session closes
      for (const s of sessions) s.close();
      const timer = setTimeout(() => {
        for (const s of sessions) s.destroy();
      }, CLOSE_GRACE_MS);
      await closed;
      clearTimeout(timer);
    },
  };
  return [listener];
};

/** Export: authenticate from metadata, decode, commit, answer with partial_success for refused records. */
function exportLogsHandler(deps: ServerDeps): UnaryHandler {
  return async (metadata, readMessage) => {
    const tenant = tenantOf(deps, metadata);
    const message = await readMessage();
    const result = parseOtlpLogsProtobuf(message, { tenant, limits: deps.config.limits, nowMs: Date.now() });
    if (result.fatal) {
      deps.metrics.ingestRejected.inc({ reason: 'malformed_body', protocol: PROTOCOL });
      throw new GrpcError(GrpcStatus.INVALID_ARGUMENT, result.fatal);
    }
    try {
      await commitAdapterResult(deps, result, PROTOCOL);
    } catch (e) {
      // UNAVAILABLE is retried by every OTLP exporter; RetryInfo says when (OTLP "OTLP/gRPC Throttling")
      if (e instanceof StoreBusyError) throw new GrpcError(GrpcStatus.UNAVAILABLE, e.message, e.retryAfterSeconds);
      throw e;
    }
    const rejected = result.errors.length;
    return encodeExportLogsResponse(rejected, rejected > 0 ? partialSuccessMessage(result) : '');
  };
}

/** The tenant a call acts as: `authorization: Bearer <key>` (or Basic with the key as password) and `x-scope-orgid`. */
function tenantOf(deps: ServerDeps, metadata: IncomingHttpHeaders): string {
  const requested = firstValue(metadata['x-scope-orgid'])?.trim() || undefined;
  try {
    return deps.auth.tenantForKey(presentedKey(firstValue(metadata.authorization)), requested, DEFAULT_TENANT);
  } catch (e) {
    if (e instanceof AuthError) throw new GrpcError(e.status === 401 ? GrpcStatus.UNAUTHENTICATED : GrpcStatus.PERMISSION_DENIED, e.message);
    throw e;
  }
}

function firstValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function presentedKey(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const [scheme, value] = authorization.trim().split(/\s+/, 2);
  if (!value) return undefined;
  const s = scheme.toLowerCase();
  if (s === 'bearer') return value;
  if (s === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    return i >= 0 ? decoded.slice(i + 1) : undefined;
  }
  return undefined;
}
