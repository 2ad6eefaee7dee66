// The Fluent Forward mapping: the four event modes, EventTime to the nanosecond, tag and Kubernetes labels, line and
// metadata, per-entry refusals (limits, wrong types) next to the entries that are kept, and message-level problems.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { encode } from '@msgpack/msgpack';
import { decodeForwardFrame, EventTime, FORWARD_EXTENSION_CODEC, mapForwardMessages, recordMetadata, timeNs } from '../../src/ingest/fluent-forward.ts';
import { DEFAULT_LIMITS, type IngestLimits } from '../../src/ingest/limits.ts';
import type { AdapterContext } from '../../src/ingest/adapter.ts';

const NOW_MS = Date.UTC(2024, 0, 15, 12, 0, 0);
const NOW_S = NOW_MS / 1000;
const S = 1_000_000_000n;
const ctx = (limits: Partial<IngestLimits> = {}): AdapterContext => ({ tenant: 'acme', limits: { ...DEFAULT_LIMITS, ...limits }, nowMs: NOW_MS });
const pack = (v: unknown): Uint8Array => encode(v, { extensionCodec: FORWARD_EXTENSION_CODEC, useBigInt64: true });
/** what the listener does: encode on the wire, decode one frame */
const wire = (v: unknown): unknown => decodeForwardFrame(pack(v));
const packed = (...entries: unknown[]): Buffer => Buffer.concat(entries.map((e) => pack(e)));

test('Message mode: EventTime to the nanosecond, tag label, `log` as the line, the rest as metadata, chunk', () => {
  const r = mapForwardMessages(
    [wire(['app.web', new EventTime(NOW_S - 5, 123_456_789), { log: 'GET /orders 200', stream: 'stdout', http: { method: 'GET', status: 200 } }, { chunk: 'c1', size: 1 }])],
    ctx(),
  );
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.messages, [{ events: 1, chunk: 'c1' }]);
  assert.deepEqual(r.batch, {
    tenant: 'acme',
    entries: 1,
    bytes: 15,
    streams: [{ labels: { tag: 'app.web' }, ts: [BigInt(NOW_S - 5) * S + 123_456_789n], lines: ['GET /orders 200'], metadata: [{ stream: 'stdout', http_method: 'GET', http_status: '200' }] }],
  });
});

test('Forward mode: integer seconds, `message` as the line, the whole record as JSON when neither is a string', () => {
  const r = mapForwardMessages(
    [wire(['db', [[NOW_S - 1, { message: 'slow query', ms: 812 }], [NOW_S, { log: { not: 'a string' }, message: 'fallback' }], [NOW_S, { cpu: 0.5, host: 'n1' }]]])],
    ctx(),
  );
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.messages, [{ events: 3 }]);
  const s = r.batch.streams[0];
  assert.deepEqual(s.labels, { tag: 'db' });
  assert.deepEqual(s.ts, [BigInt(NOW_S - 1) * S, BigInt(NOW_S) * S, BigInt(NOW_S) * S]);
  assert.deepEqual(s.lines, ['slow query', 'fallback', '{"cpu":0.5,"host":"n1"}']);
  assert.deepEqual(s.metadata, [{ ms: '812' }, { log_not: 'a string' }, { cpu: '0.5', host: 'n1' }]);
});

test('PackedForward: entries as bin, and as str the way Fluentd writes them (str 32 header), bytes intact', () => {
  const entries = packed([new EventTime(NOW_S, 1), { log: 'é one' }], [new EventTime(NOW_S, 2), { log: 'two', bytes: 'ÿ' }]);
  const asBin = wire(['k', entries, { chunk: 'p1', size: 2 }]);
  // Fluentd's out_forward: fixarray 3, tag, 0xdb + uint32 length + entries, option map
  const tag = pack('k');
  const header = Buffer.from([0xdb, 0, 0, 0, 0]);
  header.writeUInt32BE(entries.length, 1);
  const asStr = decodeForwardFrame(Buffer.concat([Buffer.from([0x93]), tag, header, entries, pack({ chunk: 'p2' })]));
  for (const [msg, chunk] of [[asBin, 'p1'], [asStr, 'p2']] as const) {
    const r = mapForwardMessages([msg], ctx());
    assert.deepEqual(r.messages, [{ events: 2, chunk }]);
    assert.deepEqual(r.batch.streams[0].lines, ['é one', 'two']);
    assert.deepEqual(r.batch.streams[0].ts, [BigInt(NOW_S) * S + 1n, BigInt(NOW_S) * S + 2n]);
    assert.deepEqual(r.batch.streams[0].metadata, [undefined, { bytes: 'ÿ' }]);
  }
});

test('CompressedPackedForward: gzip, several concatenated members; "text" means uncompressed', () => {
  const a = gzipSync(packed([NOW_S, { log: 'a' }], [NOW_S, { log: 'b' }]));
  const b = gzipSync(packed([NOW_S, { log: 'c' }]));
  const r = mapForwardMessages([wire(['z', Buffer.concat([a, b]), { compressed: 'gzip', chunk: 'g' }]), wire(['t', packed([NOW_S, { log: 'plain' }]), { compressed: 'text' }])], ctx());
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.messages, [{ events: 3, chunk: 'g' }, { events: 1 }]);
  assert.deepEqual(r.batch.streams.map((s) => [s.labels.tag, s.lines]), [['z', ['a', 'b', 'c']], ['t', ['plain']]]);
});

test('a gzip bomb stops at the body limit; bad gzip and unknown compression are the message problem', () => {
  const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024));
  let r = mapForwardMessages([wire(['z', bomb, { compressed: 'gzip', chunk: 'b' }])], ctx({ maxBodyBytes: 1024 * 1024 }));
  assert.equal(r.batch.entries, 0);
  assert.deepEqual(r.messages, [{ events: 0, chunk: 'b', problem: 'gzip-compressed entries expand past the limit of 1048576 bytes (tag "z")' }]);
  r = mapForwardMessages([wire(['z', Buffer.from('not gzip'), { compressed: 'gzip' }])], ctx());
  assert.match(r.messages[0].problem!, /^gzip-compressed entries cannot be decompressed: incorrect header check \(tag "z"\)$/);
  r = mapForwardMessages([wire(['z', Buffer.from('x'), { compressed: 'zstd' }])], ctx());
  assert.equal(r.messages[0].problem, 'unsupported option compressed="zstd": only "gzip" is defined (tag "z")');
});

test('Kubernetes names from Fluent Bit become labels namespace, pod, container; other kubernetes fields metadata', () => {
  const k8s = { namespace_name: 'shop', pod_name: 'cart-7d9f-x2', container_name: 'cart', labels: { app: 'cart' }, host: 'node-1' };
  const r = mapForwardMessages([wire(['kube.var.log', [[NOW_S, { log: 'hi', kubernetes: k8s }], [NOW_S, { log: 'other pod', kubernetes: { ...k8s, pod_name: 'cart-7d9f-y3' } }]]])], ctx());
  assert.deepEqual(r.batch.streams.map((s) => s.labels), [
    { tag: 'kube.var.log', namespace: 'shop', pod: 'cart-7d9f-x2', container: 'cart' },
    { tag: 'kube.var.log', namespace: 'shop', pod: 'cart-7d9f-y3', container: 'cart' },
  ]);
  assert.deepEqual(r.batch.streams[0].metadata, [{ kubernetes_labels_app: 'cart', kubernetes_host: 'node-1' }]);
});

test('level, else severity, is structured metadata `level`, lowercased (not a label)', () => {
  assert.deepEqual(recordMetadata({ log: 'x', level: 'ERROR' }, 'log', false), { level: 'error' });
  assert.deepEqual(recordMetadata({ log: 'x', severity: 'Warning' }, 'log', false), { severity: 'Warning', level: 'warning' });
  const r = mapForwardMessages([wire(['a', [[NOW_S, { log: 'x', level: 'INFO' }], [NOW_S, { log: 'y', level: 'ERROR' }]]])], ctx());
  assert.equal(r.batch.streams.length, 1, 'one stream whatever the level');
});

test('limits refuse single entries (old, future, too long) while the others of the message are kept', () => {
  const r = mapForwardMessages(
    [wire(['a', [[NOW_S - 8 * 86400, { log: 'ancient' }], [NOW_S, { log: 'x'.repeat(200) }], [NOW_S + 3600, { log: 'future' }], [NOW_S, { log: 'fine' }]], { chunk: 'k' }])],
    ctx({ maxLineBytes: 100 }),
  );
  assert.deepEqual(r.messages, [{ events: 4, chunk: 'k' }]);
  assert.deepEqual(r.batch.streams[0].lines, ['fine']);
  assert.deepEqual(r.errors.map((e) => [e.entry, e.reason]), [[0, 'timestamp_too_old'], [1, 'line_too_long'], [2, 'timestamp_too_new']]);
  assert.equal(r.errors[1].message, 'line is 200 bytes, more than the limit of 100');
});

test('wrong types inside a message: valid entries kept, each bad one an error, the first one the problem', () => {
  const r = mapForwardMessages(
    [wire(['a', [[NOW_S, { log: 'ok 1' }], [NOW_S, 'not a map'], ['yesterday', { log: 'x' }], [NOW_S], [NOW_S, { log: 'ok 2' }]], { chunk: 'w' }])],
    ctx(),
  );
  assert.deepEqual(r.batch.streams[0].lines, ['ok 1', 'ok 2']);
  assert.deepEqual(r.errors.map((e) => [e.entry, e.reason, e.message]), [
    [1, 'invalid_json', 'tag "a" entry 1: record must be a map, got string "not a map"'],
    [2, 'invalid_timestamp', 'tag "a" entry 2: time must be integer seconds or an EventTime, got string "yesterday"'],
    [3, 'invalid_json', 'tag "a" entry 3 must be an array [time, record], got an array of 1'],
  ]);
  assert.deepEqual(r.messages, [{ events: 5, chunk: 'w', problem: 'tag "a" entry 1: record must be a map, got string "not a map"' }]);
});

test('messages that are not Forward messages are problems; mapping stops at the first one', () => {
  const cases: [unknown, string][] = [
    [{ a: 1 }, 'a Forward message is an array [tag, time, record(, option)] or [tag, entries(, option)]; got a map'],
    [['only'], 'a Forward message is an array [tag, time, record(, option)] or [tag, entries(, option)]; got an array of 1'],
    [[42, NOW_S, {}], 'tag must be a string, got number 42'],
    [['t', NOW_S], 'Message mode [tag, time, record] lacks the record (tag "t")'],
    [['t', true, {}], 'the second element must be a time (Message mode), an array of entries (Forward mode) or packed entries as bin/str (PackedForward mode); got boolean true (tag "t")'],
    [['t', NOW_S, {}, 'opt'], 'option must be a map, got string "opt"'],
    [['t', NOW_S, {}, { chunk: 5 }], 'option "chunk" must be a string, got number 5'],
  ];
  for (const [msg, problem] of cases) {
    const r = mapForwardMessages([wire(['first', NOW_S, { log: 'kept' }]), wire(msg), wire(['never', NOW_S, { log: 'not reached' }])], ctx());
    assert.equal(r.messages.length, 2);
    assert.equal(r.messages[1].problem, problem);
    assert.deepEqual(r.batch.streams.map((s) => s.lines), [['kept']]);
  }
  // the chunk of a malformed message is still read, so it can be settled
  assert.equal(mapForwardMessages([wire([7, NOW_S, {}, { chunk: 'q' }])], ctx()).messages[0].chunk, 'q');
});

test('truncated packed entries: the complete ones are kept, the rest is the problem', () => {
  const entries = packed([NOW_S, { log: 'one' }], [NOW_S, { log: 'two' }]);
  const r = mapForwardMessages([wire(['p', entries.subarray(0, entries.length - 3)])], ctx());
  assert.deepEqual(r.batch.streams[0].lines, ['one']);
  assert.match(r.messages[0].problem!, /^packed entries are not valid MessagePack after entry 1: .*Insufficient data.* \(tag "p"\)$/);
});

test('times: EventTime, integers, floats, big ints, Fluent Bit [time, metadata]; malformed EventTime refused', () => {
  assert.equal(timeNs(new EventTime(1, 5)), 1_000_000_005n);
  assert.equal(timeNs(1700000000), 1_700_000_000n * S);
  assert.equal(timeNs(1700000000.25), 1_700_000_000_250_000_000n);
  assert.equal(timeNs(1700000000n), 1_700_000_000n * S);
  assert.equal(timeNs([new EventTime(2, 3), { otel: 1 }]), 2n * S + 3n);
  assert.equal(timeNs('1700000000'), undefined);
  assert.equal(timeNs(Number.NaN), undefined);
  // ext type 0 of 4 bytes is not an EventTime
  const bad = Buffer.from([0x93, 0xa1, 0x74, 0xd6, 0x00, 0, 0, 0, 1, 0x81, 0xa3, 0x6c, 0x6f, 0x67, 0xa1, 0x78]);
  const r = mapForwardMessages([decodeForwardFrame(bad)], ctx());
  assert.equal(r.errors[0].reason, 'invalid_timestamp');
  assert.match(r.errors[0].message, /got ext type 0 of 4 bytes/);
});

test('metadata values: bin as text, 64-bit ints exact, arrays as JSON, nil skipped, names made LogQL-safe', () => {
  const r = mapForwardMessages(
    [wire(['a', NOW_S, { log: 'x', raw: Buffer.from('bytes'), id: 2n ** 63n - 1n, tags: ['a', 1], gone: null, 'http.method': 'GET', '1st': 'y' }])],
    ctx(),
  );
  assert.deepEqual(r.batch.streams[0].metadata[0], { raw: 'bytes', id: '9223372036854775807', tags: '["a",1]', http_method: 'GET', _1st: 'y' });
});

test('deeply nested records do not overflow the stack: the line stays bounded JSON', () => {
  // ['deep', NOW_S, {nest: {d: {d: … 'bottom'}}}] written by hand: encoders refuse such depth themselves
  const head = Buffer.concat([Buffer.from([0x93]), Buffer.from(pack('deep')), Buffer.from(pack(NOW_S)), Buffer.from([0x81]), Buffer.from(pack('nest'))]);
  const frame = Buffer.concat([head, Buffer.alloc(20_000 * 3, Buffer.from([0x81, 0xa1, 0x64])), Buffer.from(pack('bottom'))]);
  const r = mapForwardMessages([decodeForwardFrame(frame)], ctx());
  assert.equal(r.batch.entries, 1);
  assert.ok(r.batch.streams[0].lines[0].startsWith('{"nest":{"d":{"d":'));
  assert.ok(r.batch.streams[0].lines[0].includes('"…"'));
});

test('a tag longer than a label value may be: its events are refused as invalid_labels', () => {
  const tag = 't'.repeat(3000);
  const r = mapForwardMessages([wire([tag, NOW_S, { log: 'x' }, { chunk: 'l' }])], ctx());
  assert.equal(r.batch.entries, 0);
  assert.equal(r.errors[0].reason, 'invalid_labels');
  assert.deepEqual(r.messages, [{ events: 1, chunk: 'l' }]);
});

test('Fluent Bit metrics and traces (fluent_signal 1, 2) are refused as not log data, without a protocol problem', () => {
  const r = mapForwardMessages([wire(['cpu', Buffer.from([0x81, 0xa1, 0x6d, 0x01]), { fluent_signal: 1, chunk: 's' }]), wire(['a', NOW_S, { log: 'x' }, { fluent_signal: 0 }])], ctx());
  assert.deepEqual(r.messages, [{ events: 0, chunk: 's' }, { events: 1 }]);
  assert.deepEqual(r.errors.map((e) => [e.reason, e.message]), [['unsupported_action', 'tag "cpu": fluent_signal 1 (metrics) is not log data; Sightline stores logs only, route only logs to this output']]);
  assert.deepEqual(r.batch.streams[0].lines, ['x']);
});
