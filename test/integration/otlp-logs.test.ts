// OTLP/HTTP logs against a real server with the OpenTelemetry JS SDK (sdk-logs + the otlp-http JSON and otlp-proto
// protobuf exporters): resource → labels/metadata, severity, attributes and trace context queried back through LogQL;
// plus hand-made bodies for what the SDK never sends (structured bodies, partial success, malformed input, gzip).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import protobuf from 'protobufjs';
import { getJson, rangeQuery, withServer } from './harness.ts';

const KEYS = { tenantKeys: { acme: ['key-acme'], ops: ['key-ops'] } };
const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';

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

async function emitWith(exporter: JsonExporter | ProtoExporter, service: string, t0: number): Promise<void> {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'deployment.environment': 'test', 'service.instance.id': 'i-42', 'host.name': 'web-1' }),
    processors: [new BatchLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('checkout-lib', '1.2.3');
  const spanCtx = trace.setSpanContext(context.active(), { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
  logger.emit({ timestamp: t0, severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'order placed', attributes: { 'order.id': 1001, 'http.route': '/orders' }, context: spanCtx });
  logger.emit({ timestamp: t0 + 1, severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: 'payment declined', attributes: { 'order.id': 1002, retry: true } });
  logger.emit({ timestamp: t0 + 2, severityNumber: SeverityNumber.WARN, body: { msg: 'slow', ms: 1234 } });
  await provider.forceFlush();
  await provider.shutdown();
}

for (const [name, make] of [
  ['otlp-http (JSON)', (url: string, key: string) => new JsonExporter({ url: `${url}/v1/logs`, headers: { Authorization: `Bearer ${key}` } })],
  ['otlp-proto (protobuf)', (url: string, key: string) => new ProtoExporter({ url: `${url}/v1/logs`, headers: { Authorization: `Bearer ${key}` } })],
] as const) {
  test(`OpenTelemetry SDK with ${name}: labels, metadata, line, timestamps, trace context`, async () => {
    await withServer(KEYS, async (s) => {
      const t0 = Date.now() - 30_000;
      await emitWith(make(s.url, 'key-acme'), 'checkout', t0);
      const q = await getJson(s.url, rangeQuery('{service_name="checkout"}', { limit: '100', direction: 'forward' }), { key: 'key-acme' });
      assert.equal(q.status, 200);
      const got = entries(q.body);
      assert.deepEqual(got.map((e) => e.line), ['order placed', 'payment declined', '{"msg":"slow","ms":1234}']);
      assert.deepEqual(got.map((e) => e.ts), [0, 1, 2].map((i) => BigInt(t0 + i) * 1_000_000n));
      // labels (the promoted resource attributes) and structured metadata together, as Loki returns them
      const common = { service_name: 'checkout', deployment_environment: 'test', host_name: 'web-1', service_instance_id: 'i-42', scope_name: 'checkout-lib', scope_version: '1.2.3' };
      assert.deepEqual(got[0].stream, { ...common, order_id: '1001', http_route: '/orders', trace_id: TRACE_ID, span_id: SPAN_ID, flags: '1', severity_text: 'INFO', severity_number: '9', level: 'info' });
      assert.equal(got[1].stream.level, 'error');
      assert.equal(got[1].stream.retry, 'true');
      assert.equal(got[1].stream.trace_id, undefined);
      assert.equal(got[2].stream.level, 'warn');
      assert.equal(got[2].stream.severity_text, undefined);
      // metadata is filterable; labels select streams
      const errors = await getJson(s.url, rangeQuery('{service_name="checkout", deployment_environment="test"} | level="error"'), { key: 'key-acme' });
      assert.deepEqual(entries(errors.body).map((e) => e.line), ['payment declined']);
      const byTrace = await getJson(s.url, rangeQuery(`{host_name="web-1"} | trace_id="${TRACE_ID}"`), { key: 'key-acme' });
      assert.deepEqual(entries(byTrace.body).map((e) => e.line), ['order placed']);
      const labels = await getJson(s.url, '/loki/api/v1/labels', { key: 'key-acme' });
      assert.deepEqual([...labels.body.data].sort(), ['deployment_environment', 'host_name', 'service_name']);
      // the key picked the tenant
      assert.deepEqual((await getJson(s.url, rangeQuery('{service_name="checkout"}'), { key: 'key-ops' })).body.data.result, []);
    });
  });
}

test('SDK exporter with a wrong key: the export fails with the 401, nothing stored; the raw reply is a Status', async () => {
  await withServer(KEYS, async (s) => {
    const inner = new JsonExporter({ url: `${s.url}/v1/logs`, headers: { Authorization: 'Bearer nope' } });
    const results: { code: number; error?: Error }[] = [];
    const exporter: LogRecordExporter = {
      export: (records, done) => inner.export(records, (r) => {
        results.push(r);
        done(r);
      }),
      shutdown: () => inner.shutdown(),
      forceFlush: () => inner.forceFlush(),
    };
    const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'intruder' }), processors: [new SimpleLogRecordProcessor({ exporter })] });
    provider.getLogger('x').emit({ body: 'should not land' });
    await provider.forceFlush();
    await provider.shutdown();
    assert.equal(results.length, 1);
    assert.equal(results[0].code, 1); // ExportResultCode.FAILED
    assert.equal((results[0].error as Error & { code?: number }).code, 401);
    assert.deepEqual((await getJson(s.url, rangeQuery('{service_name="intruder"}'), { key: 'key-acme' })).body.data.result, []);
    const res = await fetch(`${s.url}/v1/logs`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer nope' }, body: '{}' });
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), { code: 16, message: 'invalid API key' });
  });
});

function jsonRecord(fields: Record<string, unknown>): Record<string, unknown> {
  return { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'raw' } }, { key: 'k8s.pod.name', value: { stringValue: 'api-7f' } }] }, scopeLogs: [{ logRecords: [fields] }] }] };
}

test('OTLP/JSON by hand: kvlist/array bodies, snake_case names, observed time fallback, nested attributes flattened', async () => {
  await withServer({}, async (s) => {
    const t = BigInt(Date.now() - 10_000) * 1_000_000n + 123n;
    const doc = {
      resourceLogs: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'raw' } }, { key: 'k8s.pod.name', value: { stringValue: 'api-7f' } }] },
        scopeLogs: [{
          scope: { name: 'hand' },
          logRecords: [
            { timeUnixNano: String(t), body: { kvlistValue: { values: [{ key: 'a', value: { intValue: '9007199254740993' } }, { key: 'b', value: { arrayValue: { values: [{ boolValue: true }, { doubleValue: 1.5 }] } } }] } }, attributes: [{ key: 'http', value: { kvlistValue: { values: [{ key: 'status_code', value: { intValue: 503 } }] } } }] },
            { observed_time_unix_nano: String(t + 1n), severity_number: 'SEVERITY_NUMBER_DEBUG2', body: { string_value: 'snake' } },
            { timeUnixNano: Number(t / 1_000_000n) * 1_000_000, severityText: 'Notice', body: { stringValue: 'numeric time, text level' }, traceId: '00000000000000000000000000000000' },
          ],
        }],
      }],
    };
    const res = await fetch(`${s.url}/v1/logs`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, body: new Uint8Array(gzipSync(JSON.stringify(doc))) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(await res.json(), {});
    const got = entries((await getJson(s.url, rangeQuery('{service_name="raw", k8s_pod_name="api-7f"}', { direction: 'forward' }))).body);
    // a JSON number that large is a double: the server keeps the value the parser reads, exactly
    const numericTs = BigInt(Number(t / 1_000_000n) * 1_000_000);
    assert.deepEqual(got.map((e) => [e.ts, e.line]), [
      [numericTs, 'numeric time, text level'],
      [t, '{"a":"9007199254740993","b":[true,1.5]}'],
      [t + 1n, 'snake'],
    ].sort((a, b) => ((a[0] as bigint) < (b[0] as bigint) ? -1 : 1)));
    const byLine = new Map(got.map((e) => [e.line, e.stream]));
    assert.equal(byLine.get('{"a":"9007199254740993","b":[true,1.5]}')?.http_status_code, '503');
    assert.equal(byLine.get('snake')?.level, 'debug');
    assert.equal(byLine.get('snake')?.severity_number, '6');
    assert.equal(byLine.get('numeric time, text level')?.level, 'notice');
    assert.equal(byLine.get('numeric time, text level')?.trace_id, undefined);
  });
});

test('partial success: refused records counted in the reply (JSON and protobuf), the rest stored', async () => {
  await withServer({}, async (s) => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const doc = {
      resourceLogs: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'partial' } }] },
        scopeLogs: [{ logRecords: [
          { timeUnixNano: String(now), body: { stringValue: 'kept' } },
          { timeUnixNano: '1000000000', body: { stringValue: 'too old' } },
        ] }],
      }],
    };
    const res = await fetch(`${s.url}/v1/logs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(doc) });
    assert.equal(res.status, 200);
    const reply = await res.json();
    assert.equal(reply.partialSuccess.rejectedLogRecords, '1');
    assert.match(reply.partialSuccess.errorMessage, /log record 1 of \{service_name="partial"\}: timestamp 1970-01-01T00:00:01\.000Z is older/);

    // the same in protobuf, encoded by protobufjs from the OTLP schema, answered with a protobuf ExportLogsServiceResponse
    const root = protobuf.parse(OTLP_PROTO).root;
    const Req = root.lookupType('ExportLogsServiceRequest');
    const Resp = root.lookupType('ExportLogsServiceResponse');
    const msg = Req.fromObject({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'partial' } }] }, scopeLogs: [{ logRecords: [
      { timeUnixNano: (now + 1n).toString(), body: { stringValue: 'kept too' }, traceId: Buffer.from(TRACE_ID, 'hex'), spanId: Buffer.from(SPAN_ID, 'hex'), attributes: [{ key: 'bytes', value: { bytesValue: Buffer.from([1, 2, 3]) } }, { key: 'ratio', value: { doubleValue: 0.25 } }] },
      { timeUnixNano: '1000000000', body: { stringValue: 'too old' } },
    ] }] }] });
    const pres = await fetch(`${s.url}/v1/logs`, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf' }, body: new Uint8Array(gzipSync(Req.encode(msg).finish())), ...{} });
    assert.equal(pres.status, 400); // gzip without Content-Encoding is not protobuf
    const pres2 = await fetch(`${s.url}/v1/logs`, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'gzip' }, body: new Uint8Array(gzipSync(Req.encode(msg).finish())) });
    assert.equal(pres2.status, 200);
    assert.equal(pres2.headers.get('content-type'), 'application/x-protobuf');
    const decoded = Resp.toObject(Resp.decode(new Uint8Array(await pres2.arrayBuffer())), { longs: String }) as { partialSuccess: { rejectedLogRecords: string; errorMessage: string } };
    assert.equal(decoded.partialSuccess.rejectedLogRecords, '1');

    const got = entries((await getJson(s.url, rangeQuery('{service_name="partial"}', { direction: 'forward' }))).body);
    assert.deepEqual(got.map((e) => e.line), ['kept', 'kept too']);
    assert.equal(got[1].stream.trace_id, TRACE_ID);
    assert.equal(got[1].stream.bytes, 'AQID');
    assert.equal(got[1].stream.ratio, '0.25');
  });
});

test('bad input: 400 with a Status naming the problem, in the request encoding; 415 for other types', async () => {
  await withServer({}, async (s) => {
    const post = (type: string, body: string | Uint8Array<ArrayBuffer>) => fetch(`${s.url}/v1/logs`, { method: 'POST', headers: { 'Content-Type': type }, body });
    let res = await post('application/json', '{"resourceLogs": [');
    assert.equal(res.status, 400);
    assert.match((await res.json()).message, /^request body is not valid JSON/);
    res = await post('application/json', JSON.stringify(jsonRecord({ timeUnixNano: 'yesterday' })));
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { code: 3, message: 'invalid ExportLogsServiceRequest at resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano: expected nanoseconds since the epoch as a decimal string or number, got "yesterday"' });
    res = await post('application/json', JSON.stringify(jsonRecord({ traceId: 'xyz' })));
    assert.match((await res.json()).message, /logRecords\[0\]\.traceId: expected 32 hex digits/);
    res = await post('application/json', JSON.stringify({ resourceLogs: {} }));
    assert.match((await res.json()).message, /at resourceLogs: expected an array, got an object/);

    // truncated protobuf: field 1 (resource_logs) claims 100 bytes, 2 follow; the Status comes back in protobuf
    res = await post('application/x-protobuf', new Uint8Array([0x0a, 100, 0x0a, 0x00]));
    assert.equal(res.status, 400);
    const root = protobuf.parse(OTLP_PROTO).root;
    const status = root.lookupType('Status').decode(new Uint8Array(await res.arrayBuffer())) as unknown as { code: number; message: string };
    assert.equal(status.code, 3);
    assert.equal(status.message, 'malformed protobuf ExportLogsServiceRequest at byte 1: length 100 runs past the end of the enclosing message (2 bytes left)');

    res = await post('text/plain', 'hello');
    assert.equal(res.status, 415);
    assert.match((await res.json()).message, /application\/x-protobuf or application\/json/);
    // the server is fine afterwards
    res = await post('application/json', JSON.stringify(jsonRecord({ body: { stringValue: 'after' } })));
    assert.equal(res.status, 200);
    assert.deepEqual(entries((await getJson(s.url, rangeQuery('{service_name="raw"}'))).body).map((e) => e.line), ['after']);
  });
});

/** The OTLP messages used above (opentelemetry-proto common/v1, resource/v1, logs/v1, collector/logs/v1; google.rpc.Status). */
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
message Status { int32 code = 1; string message = 2; }
`;
