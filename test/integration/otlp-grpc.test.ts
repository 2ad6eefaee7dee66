// OTLP/gRPC logs (port otlp.grpc_port) against a real server with the OpenTelemetry JS SDK's gRPC exporter
// (@grpc/grpc-js underneath): mapping, auth statuses, TLS and mutual TLS, gzip; raw grpc-js and node:http2 calls for
// what the SDK never sends (garbage, partial success, oversize, other encodings); and OTLP/HTTP on its own port.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import path from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor, BatchLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { OTLPLogExporter as GrpcExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as HttpJsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import protobuf from 'protobufjs';
import { DEFAULT_LIMITS } from '../../src/ingest/limits.ts';
import { StoreBusyError } from '../../src/store/store.ts';
import type { RunningServer } from '../../src/server/sightline-server.ts';
import { getJson, rangeQuery, tempDir, withServer } from './harness.ts';

const KEYS = { tenantKeys: { acme: ['key-acme', 'key-both'], ops: ['key-ops', 'key-both'] } };
const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';
const METHOD = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';
const GRPC = { otlp: { grpcPort: 0 } };

interface Entry {
  ts: bigint;
  line: string;
  stream: Record<string, string>;
}

function entries(body: { data: { result: { stream: Record<string, string>; values: string[][] }[] } }): Entry[] {
  const out: Entry[] = [];
  for (const s of body.data.result) for (const [ts, line] of s.values) out.push({ ts: BigInt(ts), line, stream: s.stream });
  return out.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
}

async function stored(s: RunningServer, query: string, key?: string, tenant?: string): Promise<Entry[]> {
  const q = await getJson(s.url, rangeQuery(query, { limit: '1000', direction: 'forward' }), { key, tenant });
  assert.equal(q.status, 200, JSON.stringify(q.body));
  return entries(q.body);
}

function grpcTarget(s: RunningServer): string {
  return `127.0.0.1:${s.listeners.otlp_grpc.port}`;
}

function bearer(key: string, tenant?: string): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${key}`);
  if (tenant) md.set('x-scope-orgid', tenant);
  return md;
}

/** Wraps an exporter so the test sees each export's result (the SDK only logs failures). */
function recording(inner: LogRecordExporter): { exporter: LogRecordExporter; results: { code: number; error?: Error }[] } {
  const results: { code: number; error?: Error }[] = [];
  const exporter: LogRecordExporter = {
    export: (records, done) => inner.export(records, (r) => {
      results.push(r);
      done(r);
    }),
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush(),
  };
  return { exporter, results };
}

async function emitOne(exporter: LogRecordExporter, service: string, body: string): Promise<void> {
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': service }), processors: [new SimpleLogRecordProcessor({ exporter })] });
  provider.getLogger('t').emit({ body, severityNumber: SeverityNumber.INFO });
  await provider.forceFlush();
  await provider.shutdown();
}

test('OpenTelemetry SDK over OTLP/gRPC: labels, metadata, line, timestamps, trace context; the key picks the tenant', async () => {
  await withServer({ ...KEYS, ...GRPC }, async (s) => {
    assert.equal(s.listeners.otlp_grpc.address, '127.0.0.1');
    const t0 = Date.now() - 30_000;
    const { exporter, results } = recording(new GrpcExporter({ url: `http://${grpcTarget(s)}`, metadata: bearer('key-acme') }));
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'checkout', 'deployment.environment': 'test', 'service.instance.id': 'i-42', 'host.name': 'web-1' }),
      processors: [new BatchLogRecordProcessor({ exporter })],
    });
    const logger = provider.getLogger('checkout-lib', '1.2.3');
    const spanCtx = trace.setSpanContext(context.active(), { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
    logger.emit({ timestamp: t0, severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'order placed', attributes: { 'order.id': 1001, 'http.route': '/orders' }, context: spanCtx });
    logger.emit({ timestamp: t0 + 1, severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: 'payment declined', attributes: { 'order.id': 1002, retry: true } });
    logger.emit({ timestamp: t0 + 2, severityNumber: SeverityNumber.WARN, body: { msg: 'slow', ms: 1234 } });
    await provider.forceFlush();
    await provider.shutdown();
    assert.deepEqual(results.map((r) => r.code), [0]);

    const got = await stored(s, '{service_name="checkout"}', 'key-acme');
    assert.deepEqual(got.map((e) => e.line), ['order placed', 'payment declined', '{"msg":"slow","ms":1234}']);
    assert.deepEqual(got.map((e) => e.ts), [0, 1, 2].map((i) => BigInt(t0 + i) * 1_000_000n));
    const common = { service_name: 'checkout', deployment_environment: 'test', host_name: 'web-1', service_instance_id: 'i-42', scope_name: 'checkout-lib', scope_version: '1.2.3' };
    assert.deepEqual(got[0].stream, { ...common, order_id: '1001', http_route: '/orders', trace_id: TRACE_ID, span_id: SPAN_ID, flags: '1', severity_text: 'INFO', severity_number: '9', level: 'info' });
    assert.equal(got[1].stream.level, 'error');
    assert.equal(got[1].stream.retry, 'true');
    assert.equal(got[2].stream.level, 'warn');
    assert.deepEqual((await stored(s, `{host_name="web-1"} | trace_id="${TRACE_ID}"`, 'key-acme')).map((e) => e.line), ['order placed']);
    // a key bound to one tenant needs nothing else: nothing went to ops
    assert.deepEqual(await stored(s, '{service_name="checkout"}', 'key-ops'), []);

    // a key serving two tenants chooses with x-scope-orgid
    const both = recording(new GrpcExporter({ url: `http://${grpcTarget(s)}`, metadata: bearer('key-both', 'ops') }));
    await emitOne(both.exporter, 'billing', 'to ops');
    assert.deepEqual(both.results.map((r) => r.code), [0]);
    assert.deepEqual((await stored(s, '{service_name="billing"}', 'key-ops')).map((e) => e.line), ['to ops']);
    assert.deepEqual(await stored(s, '{service_name="billing"}', 'key-acme'), []);
  });
});

test('auth over gRPC: bad or missing key → UNAUTHENTICATED, wrong tenant → PERMISSION_DENIED, as the exporter sees it', async () => {
  await withServer({ ...KEYS, ...GRPC }, async (s) => {
    const cases: [grpc.Metadata, number, RegExp][] = [
      [bearer('nope'), grpc.status.UNAUTHENTICATED, /^16 UNAUTHENTICATED: invalid API key$/],
      [new grpc.Metadata(), grpc.status.UNAUTHENTICATED, /^16 UNAUTHENTICATED: authentication required/],
      [bearer('key-acme', 'ops'), grpc.status.PERMISSION_DENIED, /^7 PERMISSION_DENIED: this API key may not access tenant "ops"$/],
      [bearer('key-both'), grpc.status.PERMISSION_DENIED, /several tenants/],
      [bearer('key-acme', 'a|b'), grpc.status.PERMISSION_DENIED, /invalid tenant ID "a\|b"/],
    ];
    for (const [metadata, code, message] of cases) {
      const { exporter, results } = recording(new GrpcExporter({ url: `http://${grpcTarget(s)}`, metadata }));
      await emitOne(exporter, 'intruder', 'should not land');
      assert.equal(results.length, 1);
      assert.equal(results[0].code, 1); // ExportResultCode.FAILED
      const err = results[0].error as Error & { code?: number };
      assert.equal(err.code, code);
      assert.match(err.message, message);
    }
    for (const key of ['key-acme', 'key-ops']) assert.deepEqual(await stored(s, '{service_name="intruder"}', key), []);
  });
});

test('gzip from the SDK exporter; gzip and deflate frames by hand; bad encodings get their status', async () => {
  await withServer(GRPC, async (s) => {
    const { exporter, results } = recording(new GrpcExporter({ url: `http://${grpcTarget(s)}`, compression: CompressionAlgorithm.GZIP }));
    await emitOne(exporter, 'zipped', 'compressed by grpc-js');
    assert.deepEqual(results.map((r) => r.code), [0]);

    const now = BigInt(Date.now()) * 1_000_000n;
    const raw = encodeRequest('framed', [{ timeUnixNano: String(now), body: { stringValue: 'gzip frame' } }]);
    let r = await h2Call(s, frame(gzipSync(raw), true), { 'grpc-encoding': 'gzip' });
    assert.equal(r.status, '0', r.message);
    r = await h2Call(s, frame(deflateSync(encodeRequest('framed', [{ timeUnixNano: String(now + 1n), body: { stringValue: 'deflate frame' } }])), true), { 'grpc-encoding': 'deflate' });
    assert.equal(r.status, '0', r.message);
    // an uncompressed frame is fine whatever grpc-encoding says (the flag decides)
    r = await h2Call(s, frame(encodeRequest('framed', [{ timeUnixNano: String(now + 2n), body: { stringValue: 'flag 0' } }]), false), { 'grpc-encoding': 'gzip' });
    assert.equal(r.status, '0', r.message);
    assert.deepEqual((await stored(s, '{service_name="zipped"}')).map((e) => e.line), ['compressed by grpc-js']);
    assert.deepEqual((await stored(s, '{service_name="framed"}')).map((e) => e.line), ['gzip frame', 'deflate frame', 'flag 0']);

    r = await h2Call(s, frame(raw, false), { 'grpc-encoding': 'snappy' });
    assert.deepEqual([r.status, r.message, r.acceptEncoding], ['12', 'unsupported grpc-encoding "snappy": use identity,deflate,gzip', 'identity,deflate,gzip']);
    r = await h2Call(s, frame(raw, true), {});
    assert.deepEqual([r.status, r.message], ['13', 'the message is flagged compressed but grpc-encoding is identity']);
    r = await h2Call(s, frame(Buffer.from('not gzip at all'), true), { 'grpc-encoding': 'gzip' });
    assert.equal(r.status, '13');
    assert.match(r.message, /^could not decompress the gzip request message: /);
    // framing: truncated, two messages, none
    r = await h2Call(s, frame(raw, false).subarray(0, 20), {});
    assert.deepEqual([r.status, r.message], ['13', `the request ended inside a message (15 of ${raw.length} bytes)`]);
    r = await h2Call(s, Buffer.concat([frame(raw, false), frame(raw, false)]), {});
    assert.deepEqual([r.status, r.message], ['13', 'more than one request message on a unary call']);
    r = await h2Call(s, Buffer.alloc(0), {});
    assert.deepEqual([r.status, r.message], ['13', 'the request ended without a message']);
    // not gRPC at all
    r = await h2Call(s, frame(raw, false), { 'content-type': 'application/json' });
    assert.equal(r.httpStatus, 415);
    r = await h2Call(s, frame(raw, false), {}, '/opentelemetry.proto.collector.trace.v1.TraceService/Export');
    assert.deepEqual([r.status, r.message], ['12', `unknown method /opentelemetry.proto.collector.trace.v1.TraceService/Export: this server implements ${METHOD}`]);
    // nothing of the failed calls was stored
    assert.equal((await stored(s, '{service_name="framed"}')).length, 3);
  });
});

test('malformed message (raw grpc-js call with garbage) → INVALID_ARGUMENT naming the byte; the server still serves', async () => {
  await withServer(GRPC, async (s) => {
    const client = new grpc.Client(grpcTarget(s), grpc.credentials.createInsecure());
    try {
      const err = await rawCall(client, Buffer.from([0x0a, 100, 0x0a, 0x00])).then(() => undefined, (e: grpc.ServiceError) => e);
      assert.ok(err);
      assert.equal(err.code, grpc.status.INVALID_ARGUMENT);
      assert.equal(err.details, 'malformed protobuf ExportLogsServiceRequest at byte 1: length 100 runs past the end of the enclosing message (2 bytes left)');
      const garbage = await rawCall(client, Buffer.from('\xff\xff\xff\xff garbage', 'latin1')).then(() => undefined, (e: grpc.ServiceError) => e);
      assert.equal(garbage?.code, grpc.status.INVALID_ARGUMENT);
      assert.match(garbage!.details, /^malformed protobuf ExportLogsServiceRequest at byte 0: /);
      // the same connection goes on serving
      const reply = await rawCall(client, encodeRequest('after', [{ timeUnixNano: String(BigInt(Date.now()) * 1_000_000n), body: { stringValue: 'still serving' } }]));
      assert.equal(reply.length, 0); // an empty ExportLogsServiceResponse: nothing refused
      assert.deepEqual((await stored(s, '{service_name="after"}')).map((e) => e.line), ['still serving']);
    } finally {
      client.close();
    }
  });
});

test('partial success: refused records counted in ExportLogsServiceResponse.partial_success, the rest stored', async () => {
  await withServer(GRPC, async (s) => {
    const client = new grpc.Client(grpcTarget(s), grpc.credentials.createInsecure());
    try {
      const now = BigInt(Date.now()) * 1_000_000n;
      const reply = await rawCall(client, encodeRequest('partial', [
        { timeUnixNano: String(now), body: { stringValue: 'kept' }, traceId: Buffer.from(TRACE_ID, 'hex') },
        { timeUnixNano: '1000000000', body: { stringValue: 'too old' } },
      ]));
      const Resp = otlpRoot().lookupType('ExportLogsServiceResponse');
      const decoded = Resp.toObject(Resp.decode(reply), { longs: String }) as { partialSuccess: { rejectedLogRecords: string; errorMessage: string } };
      assert.equal(decoded.partialSuccess.rejectedLogRecords, '1');
      assert.match(decoded.partialSuccess.errorMessage, /^log record 1 of \{service_name="partial"\}: timestamp 1970-01-01T00:00:01\.000Z is older than the accepted window/);
      const got = await stored(s, '{service_name="partial"}');
      assert.deepEqual(got.map((e) => e.line), ['kept']);
      assert.equal(got[0].stream.trace_id, TRACE_ID);
    } finally {
      client.close();
    }
  });
});

test('limits and back-pressure: oversize → RESOURCE_EXHAUSTED; a busy store → UNAVAILABLE with RetryInfo, then the retry lands', async () => {
  await withServer({ ...GRPC, limits: { ...DEFAULT_LIMITS, maxBodyBytes: 4096 } }, async (s) => {
    const client = new grpc.Client(grpcTarget(s), grpc.credentials.createInsecure());
    try {
      const now = BigInt(Date.now()) * 1_000_000n;
      const big = encodeRequest('big', [{ timeUnixNano: String(now), body: { stringValue: 'x'.repeat(5000) } }]);
      const err = await rawCall(client, big).then(() => undefined, (e: grpc.ServiceError) => e);
      assert.equal(err?.code, grpc.status.RESOURCE_EXHAUSTED);
      assert.equal(err!.details, `request message of ${big.length} bytes is larger than the limit of 4096 bytes (limits.max_body_bytes)`);
      // a small message that inflates past the limit
      const bomb = await h2Call(s, frame(gzipSync(encodeRequest('bomb', [{ timeUnixNano: String(now), body: { stringValue: 'y'.repeat(50_000) } }])), true), { 'grpc-encoding': 'gzip' });
      assert.deepEqual([bomb.status, bomb.message], ['8', 'request message is larger than the limit of 4096 bytes (limits.max_body_bytes) after gzip decompression']);

      const realAppend = s.store.append.bind(s.store);
      let calls = 0;
      s.store.append = async (batch) => {
        if (++calls === 1) throw new StoreBusyError('test: ingest queue is full', 2);
        return realAppend(batch);
      };
      const msg = encodeRequest('busy', [{ timeUnixNano: String(now), body: { stringValue: 'after the retry' } }]);
      const busy = await rawCall(client, msg).then(() => undefined, (e: grpc.ServiceError) => e);
      assert.equal(busy?.code, grpc.status.UNAVAILABLE);
      assert.equal(busy!.details, 'test: ingest queue is full');
      // google.rpc.Status with a google.rpc.RetryInfo detail: retry_delay 2s
      const [details] = busy!.metadata.get('grpc-status-details-bin') as Buffer[];
      const status = otlpRoot().lookupType('RpcStatus').toObject(otlpRoot().lookupType('RpcStatus').decode(details), { longs: Number }) as { code: number; message: string; details: { typeUrl: string; value: Uint8Array }[] };
      assert.equal(status.code, 14);
      assert.equal(status.details[0].typeUrl, 'type.googleapis.com/google.rpc.RetryInfo');
      const RetryInfo = otlpRoot().lookupType('RetryInfo');
      assert.deepEqual(RetryInfo.toObject(RetryInfo.decode(status.details[0].value), { longs: Number }), { retryDelay: { seconds: 2 } });
      assert.deepEqual(await stored(s, '{service_name="busy"}'), []);
      assert.equal((await rawCall(client, msg)).length, 0);
      assert.deepEqual((await stored(s, '{service_name="busy"}')).map((e) => e.line), ['after the retry']);
      assert.deepEqual(await stored(s, '{service_name=~"big|bomb"}'), []);
    } finally {
      client.close();
    }
  });
});

test('TLS with the server certificate, and mutual TLS with tls.client_ca_file', async () => {
  const dir = tempDir('sightline-grpc-tls-');
  try {
    const pki = makePki(dir);
    const ca = readFileSync(pki.ca);
    await withServer({ ...GRPC, tls: { certFile: pki.serverCert, keyFile: pki.serverKey } }, async (s) => {
      const { exporter, results } = recording(new GrpcExporter({ url: `https://${grpcTarget(s)}`, credentials: grpc.credentials.createSsl(ca) }));
      await emitOne(exporter, 'secure', 'over TLS');
      assert.deepEqual(results.map((r) => r.code), [0]);
      // the main port is HTTPS too: query through it
      const q = await queryTls(s, '{service_name="secure"}', ca);
      assert.deepEqual(q, ['over TLS']);
      // cleartext HTTP/2 to a TLS port fails
      const plain = recording(new GrpcExporter({ url: `http://${grpcTarget(s)}`, timeoutMillis: 3000 }));
      await emitOne(plain.exporter, 'secure', 'not over TLS');
      assert.equal(plain.results[0].code, 1);
    });
    await withServer({ ...GRPC, tls: { certFile: pki.serverCert, keyFile: pki.serverKey, clientCaFile: pki.ca } }, async (s) => {
      const without = recording(new GrpcExporter({ url: `https://${grpcTarget(s)}`, credentials: grpc.credentials.createSsl(ca), timeoutMillis: 3000 }));
      await emitOne(without.exporter, 'mutual', 'no client certificate');
      assert.equal(without.results[0].code, 1);
      assert.equal((without.results[0].error as Error & { code?: number }).code, grpc.status.UNAVAILABLE);
      const withCert = recording(new GrpcExporter({
        url: `https://${grpcTarget(s)}`,
        credentials: grpc.credentials.createSsl(ca, readFileSync(pki.clientKey), readFileSync(pki.clientCert)),
      }));
      await emitOne(withCert.exporter, 'mutual', 'with a client certificate');
      assert.deepEqual(withCert.results.map((r) => r.code), [0]);
      assert.deepEqual(await queryTls(s, '{service_name="mutual"}', ca, pki), ['with a client certificate']);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('OTLP/HTTP on its own port (otlp.http_port): the SDK exporter, errors in OTLP shape, other paths refused', async () => {
  await withServer({ ...KEYS, otlp: { httpPort: 0 } }, async (s) => {
    const base = `http://127.0.0.1:${s.listeners.otlp_http.port}`;
    assert.equal(s.listeners.otlp_grpc, undefined);
    const { exporter, results } = recording(new HttpJsonExporter({ url: `${base}/v1/logs`, headers: { Authorization: 'Bearer key-acme' } }));
    await emitOne(exporter, 'port4318', 'via the OTLP/HTTP port');
    assert.deepEqual(results.map((r) => r.code), [0]);
    assert.deepEqual((await stored(s, '{service_name="port4318"}', 'key-acme')).map((e) => e.line), ['via the OTLP/HTTP port']);
    const bad = recording(new HttpJsonExporter({ url: `${base}/v1/logs`, headers: { Authorization: 'Bearer nope' } }));
    await emitOne(bad.exporter, 'port4318', 'refused');
    assert.equal((bad.results[0].error as Error & { code?: number }).code, 401);
    let res = await fetch(`${base}/v1/logs`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer nope' }, body: '{}' });
    assert.deepEqual([res.status, await res.json()], [401, { code: 16, message: 'invalid API key' }]);
    res = await fetch(`${base}/loki/api/v1/query_range?query={a="b"}`, { headers: { Authorization: 'Bearer key-acme' } });
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { code: 5, message: 'no route for /loki/api/v1/query_range: this port serves OTLP/HTTP logs at POST /v1/logs only' });
    res = await fetch(`${base}/v1/logs`);
    assert.deepEqual([res.status, res.headers.get('allow')], [405, 'POST']);
    assert.equal((await res.json()).code, 12);
    assert.equal((await stored(s, '{service_name="port4318"}', 'key-acme')).length, 1);
  });
});

test('bind errors name the listener and the flag', async () => {
  await withServer(GRPC, async (s) => {
    const port = s.listeners.otlp_grpc.port;
    await assert.rejects(withServer({ otlp: { grpcPort: port } }, async () => undefined), {
      message: `OTLP/gRPC cannot listen on port ${port}: the port is in use; choose another with --otlp-grpc-port N, or turn it off with --otlp-grpc-port 0`,
    });
  });
});

// ---- helpers ----------------------------------------------------------------------------------------------------

function rawCall(client: grpc.Client, message: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(METHOD, (b: Buffer) => b, (b: Buffer) => b, message, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (err, reply) => (err ? reject(err) : resolve(reply!)));
  });
}

/** A gRPC Length-Prefixed-Message. */
function frame(message: Buffer, compressed: boolean): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = compressed ? 1 : 0;
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

/** One call over a bare node:http2 client: the bytes exactly as given, the status as the server answered it. */
async function h2Call(s: RunningServer, body: Buffer, headers: Record<string, string>, method = METHOD): Promise<{ httpStatus: number; status?: string; message: string; acceptEncoding?: string }> {
  const session = http2.connect(`http://${grpcTarget(s)}`);
  try {
    return await new Promise((resolve, reject) => {
      const req = session.request({ ':method': 'POST', ':path': method, 'content-type': 'application/grpc', te: 'trailers', ...headers });
      let head: http2.IncomingHttpHeaders = {};
      let trailers: http2.IncomingHttpHeaders = {};
      req.on('response', (h) => (head = h));
      req.on('trailers', (t) => (trailers = t));
      req.on('error', reject);
      req.resume();
      req.on('end', () => {
        const all = { ...head, ...trailers };
        resolve({
          httpStatus: Number(head[':status']),
          status: all['grpc-status'] as string | undefined,
          message: decodeURIComponent(String(all['grpc-message'] ?? '')),
          acceptEncoding: all['grpc-accept-encoding'] as string | undefined,
        });
      });
      req.end(body);
    });
  } finally {
    session.close();
  }
}

let root: protobuf.Root | undefined;
function otlpRoot(): protobuf.Root {
  return (root ??= protobuf.parse(OTLP_PROTO).root);
}

function encodeRequest(service: string, records: Record<string, unknown>[]): Buffer {
  const Req = otlpRoot().lookupType('ExportLogsServiceRequest');
  const msg = Req.fromObject({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeLogs: [{ logRecords: records }] }] });
  return Buffer.from(Req.encode(msg).finish());
}

async function queryTls(s: RunningServer, query: string, ca: Buffer, client?: Pki): Promise<string[]> {
  const https = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = https.get(`${s.url}${rangeQuery(query, { direction: 'forward' })}`, { ca, ...(client ? { cert: readFileSync(client.clientCert), key: readFileSync(client.clientKey) } : {}) }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve(entries(JSON.parse(text)).map((e) => e.line)));
    });
    req.on('error', reject);
  });
}

interface Pki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** A throwaway CA with a server certificate for 127.0.0.1 and a client certificate (openssl). */
function makePki(dir: string): Pki {
  const p = (f: string) => path.join(dir, f);
  const ssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=Sightline gRPC Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const leaf = (name: string, cn: string, ext: string) => {
    writeFileSync(p(`${name}.ext`), ext);
    ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', `/CN=${cn}`]);
    ssl(['x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p(`${name}.pem`), '-days', '2', '-extfile', p(`${name}.ext`)]);
  };
  leaf('server', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
  leaf('client', 'otel-client', 'subjectAltName=DNS:otel-client\nextendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
  return { ca: p('ca.pem'), serverCert: p('server.pem'), serverKey: p('server.key'), clientCert: p('client.pem'), clientKey: p('client.key') };
}

/** The OTLP messages used above (opentelemetry-proto common/v1, resource/v1, logs/v1, collector/logs/v1) and google.rpc's Status/RetryInfo. */
const OTLP_PROTO = `
syntax = "proto3";
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message LogRecord { fixed64 time_unix_nano = 1; fixed64 observed_time_unix_nano = 11; int32 severity_number = 2; string severity_text = 3; AnyValue body = 5; repeated KeyValue attributes = 6; uint32 dropped_attributes_count = 7; fixed32 flags = 8; bytes trace_id = 9; bytes span_id = 10; string event_name = 12; }
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ExportLogsPartialSuccess { int64 rejected_log_records = 1; string error_message = 2; }
message ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }
message Any { string type_url = 1; bytes value = 2; }
message RpcStatus { int32 code = 1; string message = 2; repeated Any details = 3; }
message Duration { int64 seconds = 1; int32 nanos = 2; }
message RetryInfo { Duration retry_delay = 1; }
`;
