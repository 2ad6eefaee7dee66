// The protocol benchmark's encoders: each encoding of a small batch (JSON and logfmt lines, a multi-line stack trace,
// quotes, non-ASCII text, structured metadata) is decoded by an independent reader (protobufjs with the schema,
// @msgpack/msgpack, snappy, hand-split frames) and by Sightline's own ingest adapter, and must give back every line,
// timestamp and mapped field, with the entry count the benchmark then expects to find stored.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import snappy from 'snappy';
import { decode, decodeMulti, ExtData } from '@msgpack/msgpack';
import { batchFromPushBody } from '../../../src/bench/protocols/corpus-batches.ts';
import { encodeLokiJson } from '../../../src/bench/protocols/loki-json.ts';
import { encodeLokiProtobuf, labelText } from '../../../src/bench/protocols/loki-protobuf.ts';
import { encodeElasticsearchBulk } from '../../../src/bench/protocols/elasticsearch-bulk.ts';
import { encodeOtlpProtobuf } from '../../../src/bench/protocols/otlp-protobuf.ts';
import { encodeOtlpJson } from '../../../src/bench/protocols/otlp-json.ts';
import { encodeSplunkHecEvent } from '../../../src/bench/protocols/splunk-hec-event.ts';
import { encodeSplunkHecRaw, rawEventCount } from '../../../src/bench/protocols/splunk-hec-raw.ts';
import { encodeNativeNdjson } from '../../../src/bench/protocols/native-ndjson.ts';
import { encodeFluentForward } from '../../../src/bench/protocols/fluent-forward.ts';
import { encodeSyslogTcp, encodeSyslogUdp } from '../../../src/bench/protocols/syslog-rfc5424.ts';
import { encodeJournaldExport } from '../../../src/bench/protocols/journald-export.ts';
import { nsToRfc3339, type EncodedBatch } from '../../../src/bench/protocols/protocol.ts';
import { PROTOCOLS } from '../../../src/bench/protocols/registry.ts';
import type { AdapterContext, AdapterResult } from '../../../src/ingest/adapter.ts';
import { DEFAULT_LIMITS } from '../../../src/ingest/limits.ts';
import { parseLokiJson } from '../../../src/ingest/loki-json.ts';
import { parseLokiProtobuf } from '../../../src/ingest/loki-protobuf.ts';
import { elasticsearchBulkAdapter } from '../../../src/ingest/elasticsearch-bulk.ts';
import { parseOtlpLogsProtobuf } from '../../../src/ingest/otlp-logs-protobuf.ts';
import { parseOtlpLogsJson } from '../../../src/ingest/otlp-logs-json.ts';
import { splunkHecEventAdapter, splunkHecRawAdapter } from '../../../src/ingest/splunk-hec.ts';
import { parseNativeNdjson } from '../../../src/ingest/native-ndjson.ts';
import { decodeForwardFrame, mapForwardMessages } from '../../../src/ingest/fluent-forward.ts';
import { parseSyslog } from '../../../src/ingest/syslog.ts';
import { parseJournalExport } from '../../../src/ingest/journald-export.ts';

const nowMs = Date.now();
const us = (agoMs: number, extraUs: number): string => `${(nowMs - agoMs) * 1000 + extraUs}000`;
const TRACE = '0123456789abcdef0123456789abcdef';
const SPAN = 'fedcba9876543210';
const STACK = 'ERROR [mailer-3] render failed\nTraceback (most recent call last):\n  File "/app/x.py", line 88\n\n'; // a blank line and a trailing LF

const body = JSON.stringify({
  streams: [
    {
      stream: { service: 'order', namespace: 'shop', pod: 'order-abc-1', level: 'info' },
      values: [
        [us(60_000, 123), '{"msg":"a \\"quoted\\" value","amount":1.5}', { trace_id: TRACE, span_id: SPAN, user_id: 'u_7' }],
        [us(59_000, 456), 'ts=2026 level=info msg="cache hit" ünïcode ✓'],
      ],
    },
    {
      stream: { service: 'notify', namespace: 'shop', pod: 'notify-x-2', level: 'error' },
      values: [[us(58_000, 789), STACK, { user_id: 'u_9' }]],
    },
  ],
});
const batch = batchFromPushBody(body);

interface Entry {
  labels: Record<string, string>;
  ts: bigint;
  line: string;
  meta: Record<string, string>;
}

/** The corpus entries in a flat list. */
const original: Entry[] = batch.streams.flatMap((s) => s.values.map((v) => ({ labels: s.stream, ts: BigInt(v[0]), line: v[1], meta: v[2] ?? {} })));

const ctx = (): AdapterContext => ({ tenant: 't', limits: DEFAULT_LIMITS, nowMs: Date.now() });

function entries(r: AdapterResult): Entry[] {
  assert.equal(r.fatal, undefined, r.fatal);
  assert.deepEqual(r.errors, []);
  const out: Entry[] = [];
  for (const s of r.batch.streams) s.lines.forEach((line, i) => out.push({ labels: s.labels, ts: s.ts[i], line, meta: s.metadata[i] ?? {} }));
  return out.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
}

const buf = (e: EncodedBatch): Buffer => {
  assert.ok(Buffer.isBuffer(e.payload));
  return e.payload as Buffer;
};

test('the batch reader counts lines and UTF-8 bytes of line text', () => {
  assert.equal(batch.lines, 3);
  assert.equal(batch.rawBytes, original.reduce((a, e) => a + Buffer.byteLength(e.line), 0));
});

test('RFC 3339 times keep the microseconds of a nanosecond timestamp', () => {
  assert.equal(nsToRfc3339('1795585011388782000'), '2026-11-25T05:36:51.388782Z');
  assert.equal(nsToRfc3339('1795585011000001000'), '2026-11-25T05:36:51.000001Z');
});

test('every protocol of the registry has a unique name and encodes the batch', () => {
  assert.equal(new Set(PROTOCOLS.map((p) => p.name)).size, PROTOCOLS.length);
  assert.equal(PROTOCOLS.length, 13);
  for (const p of PROTOCOLS) {
    const e = p.encode(batch);
    assert.equal(e.entries, p.name === 'splunk-hec-raw' ? 5 : 3, p.name);
    assert.ok(e.bytes > 0, p.name);
  }
});

test('Loki JSON round-trips through the Loki JSON adapter', () => {
  const e = encodeLokiJson(batch);
  assert.deepEqual(entries(parseLokiJson(buf(e), ctx())), original);
});

test('Loki protobuf is a snappy block of a PushRequest that protobufjs and the adapter both read', () => {
  const e = encodeLokiProtobuf(batch);
  const root = protobuf.Root.fromJSON({
    nested: {
      PushRequest: { fields: { streams: { rule: 'repeated', type: 'Stream', id: 1 } } },
      Stream: { fields: { labels: { type: 'string', id: 1 }, entries: { rule: 'repeated', type: 'Entry', id: 2 } } },
      Entry: { fields: { timestamp: { type: 'Timestamp', id: 1 }, line: { type: 'string', id: 2 }, structuredMetadata: { rule: 'repeated', type: 'Pair', id: 3 } } },
      Timestamp: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
      Pair: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
    },
  });
  const msg = root.lookupType('PushRequest').decode(snappy.uncompressSync(buf(e)) as Buffer) as unknown as {
    streams: { labels: string; entries: { timestamp: { seconds: { toString(): string }; nanos: number }; line: string; structuredMetadata: { name: string; value: string }[] }[] }[];
  };
  assert.equal(msg.streams[0].labels, '{service="order", namespace="shop", pod="order-abc-1", level="info"}');
  const first = msg.streams[0].entries[0];
  assert.equal(`${first.timestamp.seconds.toString()}${String(first.timestamp.nanos).padStart(9, '0')}`, original[0].ts.toString());
  assert.deepEqual(first.structuredMetadata.map((p) => [p.name, p.value]), [['trace_id', TRACE], ['span_id', SPAN], ['user_id', 'u_7']]);
  assert.equal(msg.streams[1].entries[0].line, STACK);
  assert.deepEqual(entries(parseLokiProtobuf(buf(e), ctx())), original);
  assert.equal(labelText({ a: 'say "hi" \\ bye' }), '{a="say \\"hi\\" \\\\ bye"}');
});

test('Elasticsearch bulk: create actions with _index = service, labels and metadata as fields', () => {
  const e = encodeElasticsearchBulk(batch);
  const lines = buf(e).toString('utf8').split('\n');
  assert.equal(lines.length, 7); // 3 × (action + source) + the final newline
  assert.deepEqual(JSON.parse(lines[0]), { create: { _index: 'order' } });
  assert.equal(JSON.parse(lines[1])['@timestamp'], nsToRfc3339(original[0].ts.toString()));
  const got = entries(elasticsearchBulkAdapter(undefined)(buf(e), ctx()));
  assert.deepEqual(got.map((x) => [x.labels, x.ts, x.line]), original.map((o) => [{ index: o.labels.service }, o.ts, o.line]));
  assert.deepEqual(got[0].meta, { namespace: 'shop', pod: 'order-abc-1', level: 'info', trace_id: TRACE, span_id: SPAN, user_id: 'u_7' });
});

function checkOtlp(got: Entry[]): void {
  assert.deepEqual(got.map((x) => [x.labels, x.ts, x.line]), original.map((o) => [{ service_name: o.labels.service, k8s_namespace_name: 'shop', k8s_pod_name: o.labels.pod }, o.ts, o.line]));
  assert.equal(got[0].meta.trace_id, TRACE);
  assert.equal(got[0].meta.span_id, SPAN);
  assert.equal(got[0].meta.user_id, 'u_7');
  assert.equal(got[0].meta.level, 'info');
  assert.equal(got[2].meta.level, 'error');
}

test('OTLP protobuf: one resource per pod, severity, ids as bytes; read back by the OTLP adapter', () => {
  const e = encodeOtlpProtobuf(batch);
  checkOtlp(entries(parseOtlpLogsProtobuf(buf(e), ctx())));
});

test('OTLP JSON: hex ids, nanosecond strings; read back by the OTLP JSON adapter', () => {
  const e = encodeOtlpJson(batch);
  const doc = JSON.parse(buf(e).toString('utf8')) as { resourceLogs: { scopeLogs: { logRecords: Record<string, unknown>[] }[] }[] };
  assert.equal(doc.resourceLogs.length, 2);
  assert.equal(doc.resourceLogs[0].scopeLogs[0].logRecords[0].traceId, TRACE);
  assert.equal(doc.resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano, original[0].ts.toString());
  checkOtlp(entries(parseOtlpLogsJson(buf(e), ctx())));
});

test('Splunk HEC events: host = pod, source = service, fields → metadata, time to the microsecond', () => {
  const e = encodeSplunkHecEvent(batch);
  const got = entries(splunkHecEventAdapter({})(buf(e), ctx()));
  assert.deepEqual(got.map((x) => [x.labels, x.ts, x.line]), original.map((o) => [{ host: o.labels.pod, source: o.labels.service, sourcetype: `kube:container:${o.labels.service}`, index: 'shop' }, o.ts, o.line]));
  assert.deepEqual(got[0].meta, { level: 'info', trace_id: TRACE, span_id: SPAN, user_id: 'u_7' });
});

test('Splunk HEC raw: one event per non-blank line, so the stack trace counts 3', () => {
  assert.equal(rawEventCount(STACK), 3);
  assert.equal(rawEventCount('a\r\n \n\nb'), 2);
  const e = encodeSplunkHecRaw(batch);
  const got = entries(splunkHecRawAdapter({ source: 'corpus' })(buf(e), ctx()));
  assert.equal(got.length, e.entries);
  assert.deepEqual(got.map((x) => x.line).sort(), [original[0].line, original[1].line, 'ERROR [mailer-3] render failed', 'Traceback (most recent call last):', '  File "/app/x.py", line 88'].sort());
});

test('native NDJSON round-trips through the native adapter', () => {
  const e = encodeNativeNdjson(batch);
  assert.deepEqual(entries(parseNativeNdjson(buf(e), ctx())), original);
});

test('Fluent Forward: one PackedForward message per pod with a chunk id, EventTime entries, kubernetes names', () => {
  const e = encodeFluentForward(batch);
  const list = e.payload as Buffer[];
  assert.equal(list.length, 2);
  assert.equal(e.chunks?.length, 2);
  // independent read: [tag, bin, option]; the bin is a stream of [ExtData(0, 8 bytes), record]
  const [tag, packed, option] = decode(list[0]) as [string, Uint8Array, { chunk: string; size: number }];
  assert.equal(tag, 'kube.shop.order-abc-1');
  assert.deepEqual(option, { chunk: e.chunks?.[0], size: 2 });
  const inner = [...decodeMulti(packed)] as [ExtData, Record<string, unknown>][];
  assert.equal(inner.length, 2);
  assert.equal(inner[0][0].type, 0);
  const timeBytes = inner[0][0].data as Uint8Array;
  assert.equal(timeBytes.length, 8);
  const view = new DataView(timeBytes.buffer, timeBytes.byteOffset, 8);
  assert.equal(BigInt(view.getUint32(0)) * 1_000_000_000n + BigInt(view.getUint32(4)), original[0].ts);
  assert.deepEqual(inner[0][1], { log: original[0].line, level: 'info', kubernetes: { namespace_name: 'shop', pod_name: 'order-abc-1', container_name: 'order' }, trace_id: TRACE, span_id: SPAN, user_id: 'u_7' });
  // Sightline's own reading
  const r = mapForwardMessages(list.map((f) => decodeForwardFrame(f)), ctx());
  assert.deepEqual(r.messages.map((m) => m.chunk), e.chunks);
  const got = entries(r);
  assert.deepEqual(got.map((x) => [x.labels, x.ts, x.line]), original.map((o) => [{ tag: `kube.shop.${o.labels.pod}`, namespace: 'shop', pod: o.labels.pod, container: o.labels.service }, o.ts, o.line]));
  assert.equal(got[0].meta.level, 'info');
  assert.equal(got[0].meta.trace_id, TRACE);
});

/** Splits RFC 6587 octet-counted frames: `LEN SP MSG` repeated. */
function octetFrames(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < b.length) {
    const sp = b.indexOf(0x20, at);
    const len = Number(b.toString('latin1', at, sp));
    assert.ok(Number.isInteger(len) && len > 0, `frame length at byte ${at}`);
    out.push(b.subarray(sp + 1, sp + 1 + len));
    at = sp + 1 + len;
  }
  assert.equal(at, b.length);
  return out;
}

function checkSyslog(messages: Buffer[]): void {
  assert.equal(messages.length, 3);
  assert.ok(messages[0].toString('utf8').startsWith(`<134>1 ${nsToRfc3339(original[0].ts.toString())} order-abc-1 order - - [meta@32473 trace_id="${TRACE}" span_id="${SPAN}" user_id="u_7"] {"msg"`));
  assert.ok(messages[2].toString('utf8').startsWith('<131>1 ')); // local0.err
  messages.forEach((m, i) => {
    const p = parseSyslog(m, Date.now());
    assert.ok(!('rejected' in p), `message ${i} refused`);
    if ('rejected' in p) return;
    assert.equal(p.problem, undefined);
    assert.equal(p.format, 'rfc5424');
    assert.equal(p.tsNs, original[i].ts);
    assert.equal(p.hostname, original[i].labels.pod);
    assert.equal(p.appName, original[i].labels.service);
    // the parser drops trailing LF (RFC 6587 senders' habit); everything else is the line
    assert.equal(p.msg, original[i].line.replace(/\n+$/, ''));
    if (i === 0) assert.equal(p.metadata.meta_32473_trace_id, TRACE);
  });
}

test('syslog over TCP: octet-counted RFC 5424 frames in one buffer per batch', () => {
  const e = encodeSyslogTcp(batch);
  const list = e.payload as Buffer[];
  assert.equal(list.length, 1);
  checkSyslog(octetFrames(list[0]));
});

test('syslog over UDP: one RFC 5424 message per datagram', () => {
  checkSyslog(encodeSyslogUdp(batch).payload as Buffer[]);
});

test('journald export: text fields, MESSAGE with newlines in the binary form, read back by the journald parser', () => {
  const e = encodeJournaldExport(batch);
  const b = buf(e);
  const binAt = b.indexOf('MESSAGE\n');
  assert.ok(binAt > 0, 'the multi-line MESSAGE uses the binary field form');
  assert.equal(b.readBigUInt64LE(binAt + 8), BigInt(Buffer.byteLength(STACK)));
  const got = entries(parseJournalExport(b, 't', DEFAULT_LIMITS, Date.now()));
  assert.deepEqual(got.map((x) => [x.labels, x.ts, x.line]), original.map((o) => [{ service: o.labels.service, host: o.labels.pod, level: o.labels.level }, o.ts, o.line]));
  assert.equal(got[0].meta.trace_id, TRACE);
  assert.equal(got[2].meta.user_id, 'u_9');
});
