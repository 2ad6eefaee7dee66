// Tests of the Loki protobuf push adapter. Bodies are encoded by protobufjs from Loki's published field numbers and
// compressed by the `snappy` package (both independent of the decoder), plus hand-built wire bytes for edge cases:
// structured metadata, field order, unknown fields, per-entry rejections, and malformed input as fatal with offsets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { compressSync } from 'snappy';
import { parseLokiProtobuf } from '../../src/ingest/loki-protobuf.ts';
import { parseLokiJson } from '../../src/ingest/loki-json.ts';
import { DEFAULT_LIMITS, type IngestError, type IngestLimits } from '../../src/ingest/limits.ts';
import type { AdapterContext } from '../../src/ingest/adapter.ts';

const NOW_MS = Date.UTC(2024, 0, 15, 12, 0, 0);
const NOW_S = NOW_MS / 1000;
const NOW_NS = BigInt(NOW_MS) * 1_000_000n;
const HERE = fileURLToPath(new URL('.', import.meta.url));

// Loki's push.proto, as documented (field numbers only; no code taken from Loki)
const root = protobuf.parse(`
  syntax = "proto3";
  package logproto;
  message PushRequest { repeated StreamAdapter streams = 1; }
  message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
  message EntryAdapter { Timestamp timestamp = 1; string line = 2; repeated LabelPairAdapter structuredMetadata = 3; }
  message LabelPairAdapter { string name = 1; string value = 2; }
  message Timestamp { int64 seconds = 1; int32 nanos = 2; }
`).root;
const PushRequest = root.lookupType('logproto.PushRequest');

interface Entry {
  timestamp?: { seconds: number; nanos?: number };
  line?: string;
  structuredMetadata?: { name: string; value: string }[];
}
interface Stream {
  labels?: string;
  entries?: Entry[];
  hash?: number;
}

const encode = (streams: Stream[]): Buffer => Buffer.from(PushRequest.encode(PushRequest.fromObject({ streams })).finish());
const body = (streams: Stream[]): Buffer => compressSync(encode(streams));
const ctx = (over: Partial<AdapterContext> = {}, limits: Partial<IngestLimits> = {}): AdapterContext => ({
  tenant: 'acme',
  limits: { ...DEFAULT_LIMITS, ...limits },
  nowMs: NOW_MS,
  ...over,
});
const at = (offsetS: number, nanos = 0): Entry['timestamp'] => ({ seconds: NOW_S + offsetS, nanos });
const ns = (offsetS: number, nanos = 0): bigint => NOW_NS + BigInt(offsetS) * 1_000_000_000n + BigInt(nanos);

test('streams, entries with nanosecond timestamps, structured metadata and the hash field', () => {
  const r = parseLokiProtobuf(
    body([
      {
        labels: '{app="api", env="prod"}',
        hash: 12345,
        entries: [
          { timestamp: at(-2, 123_456_789), line: 'GET /orders 200' },
          { timestamp: at(-1), line: 'GET /orders 500', structuredMetadata: [{ name: 'trace_id', value: '4bf92f35' }, { name: 'user', value: 'u-1' }] },
        ],
      },
      { labels: '{app="worker"}', entries: [{ timestamp: at(0, 1), line: 'job done' }] },
    ]),
    ctx(),
  );
  assert.equal(r.fatal, undefined);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.batch, {
    tenant: 'acme',
    streams: [
      { labels: { app: 'api', env: 'prod' }, ts: [ns(-2, 123_456_789), ns(-1)], lines: ['GET /orders 200', 'GET /orders 500'], metadata: [undefined, { trace_id: '4bf92f35', user: 'u-1' }] },
      { labels: { app: 'worker' }, ts: [ns(0, 1)], lines: ['job done'], metadata: [undefined] },
    ],
    entries: 3,
    bytes: 'GET /orders 200'.length + 'GET /orders 500'.length + 'job done'.length,
  });
});

test('the same push as JSON and as protobuf gives the same batch (real log lines)', () => {
  const apache = readFileSync(`${HERE}../../../shared/data/loghub/Apache/Apache_2k.log`, 'utf8').split('\n').filter(Boolean).slice(0, 300);
  const streams = [{ labels: '{job="apache"}', entries: apache.map((line, i) => ({ timestamp: at(-300 + i, i * 1000), line })) }];
  const json = {
    streams: [{ stream: { job: 'apache' }, values: apache.map((line, i) => [String(ns(-300 + i, i * 1000)), line]) }],
  };
  const fromProto = parseLokiProtobuf(body(streams), ctx());
  const fromJson = parseLokiJson(Buffer.from(JSON.stringify(json)), ctx());
  assert.deepEqual(fromProto, fromJson);
  assert.equal(fromProto.batch.entries, 300);
});

test('extra labels are merged; an empty Timestamp message is the epoch (rejected as too old)', () => {
  const r = parseLokiProtobuf(body([{ labels: '{app="api"}', entries: [{ timestamp: at(0), line: 'x' }, { timestamp: { seconds: 0 }, line: 'epoch' }] }]), ctx({ extraLabels: { source: 'test' } }));
  assert.deepEqual(r.batch.streams[0].labels, { app: 'api', source: 'test' });
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0].reason, 'timestamp_too_old');
  assert.equal(r.errors[0].entry, 1);
});

test('bad streams and bad entries are reported one by one; the rest of the push is kept', () => {
  const r = parseLokiProtobuf(
    body([
      { labels: '{app="ok"}', entries: [{ timestamp: at(0), line: 'kept 1' }] },
      { labels: '{app="broken}', entries: [{ timestamp: at(0), line: 'lost' }] },
      { labels: '', entries: [{ timestamp: at(0), line: 'lost too' }] },
      { labels: '{__name__="x"}', entries: [{ timestamp: at(0), line: 'lost three' }] },
      {
        labels: '{app="mixed"}',
        entries: [
          { timestamp: at(0), line: 'kept 2' },
          { line: 'no timestamp' },
          { timestamp: at(-30 * 86400), line: 'too old' },
          { timestamp: at(3600), line: 'too new' },
          { timestamp: at(0), line: 'x'.repeat(101) },
          { timestamp: at(0), line: 'bad meta', structuredMetadata: [{ name: '', value: 'v' }] },
          { timestamp: at(0), line: 'kept 3', structuredMetadata: [{ name: 'k', value: '' }] },
        ],
      },
    ]),
    ctx({}, { maxLineBytes: 100 }),
  );
  assert.equal(r.fatal, undefined);
  assert.deepEqual(r.batch.streams.map((s) => s.lines), [['kept 1'], ['kept 2', 'kept 3']]);
  assert.deepEqual(r.batch.streams[1].metadata, [undefined, { k: '' }]);
  const brief = r.errors.map((e: IngestError) => [e.stream, e.entry, e.reason]);
  assert.deepEqual(brief, [
    ['streams[1] {app="broken}', undefined, 'invalid_labels'],
    ['streams[2]', undefined, 'missing_field'],
    ['{__name__="x"}', undefined, 'invalid_labels'],
    ['{app="mixed"}', 1, 'invalid_timestamp'],
    ['{app="mixed"}', 2, 'timestamp_too_old'],
    ['{app="mixed"}', 3, 'timestamp_too_new'],
    ['{app="mixed"}', 4, 'line_too_long'],
    ['{app="mixed"}', 5, 'missing_field'],
  ]);
  assert.equal(r.errors[0].message, 'invalid labels at column 6: unterminated string for label "app"');
  assert.equal(r.errors[1].message, 'stream has no labels: expected a label set such as {app="api"}');
  assert.equal(r.errors[3].message, 'entry has no timestamp');
  assert.equal(r.errors[6].message, 'line is 101 bytes, more than the limit of 100');
  assert.equal(r.errors[7].message, 'structured metadata pair has an empty name');
});

test('hand-built wire bytes: fields in any order, unknown fields skipped, nanos checked, invalid UTF-8 lines refused', () => {
  const seconds = varint(NOW_S);
  const ts = (nanosBytes: number[] = []) => len(1, [0x08, ...seconds, ...nanosBytes]);
  const entry = (...parts: number[][]) => len(2, parts.flat());
  const text = (field: number, s: string | Buffer) => len(field, [...Buffer.from(s)]);
  const stream = (...parts: number[][]) => len(1, parts.flat());
  const unknownFields = [[0x78, 0x05], [0x81, 0x01, 1, 2, 3, 4, 5, 6, 7, 8], [0x8d, 0x01, 1, 2, 3, 4], len(17, [1, 2, 3])];
  const msg = Buffer.from(
    [
      ...unknownFields.flat(),
      // entries before labels; an entry with its line before its timestamp, plus unknown fields everywhere
      ...stream(
        entry(text(2, 'second'), ts([0x10, 0x05]), ...unknownFields),
        [0x18, 0x2a], // hash
        text(1, '{app="wire"}'),
        entry(ts([0x10, ...varint(1_000_000_000)]), text(2, 'bad nanos')),
        entry(ts(), text(2, Buffer.from([0x61, 0xff, 0x62]))),
        entry(ts([0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), text(2, 'negative nanos')),
      ),
    ].flat(),
  );
  const r = parseLokiProtobuf(compressSync(msg), ctx());
  assert.equal(r.fatal, undefined);
  assert.deepEqual(r.batch.streams, [{ labels: { app: 'wire' }, ts: [NOW_NS + 5n], lines: ['second'], metadata: [undefined] }]);
  assert.deepEqual(r.errors, [
    { stream: '{app="wire"}', entry: 1, reason: 'invalid_timestamp', message: 'timestamp nanos 1000000000 is outside 0..999999999' },
    { stream: '{app="wire"}', entry: 2, reason: 'invalid_utf8', message: 'line is not valid UTF-8' },
    { stream: '{app="wire"}', entry: 3, reason: 'invalid_timestamp', message: 'timestamp nanos -1 is outside 0..999999999' },
  ]);
});

test('an empty PushRequest is an empty batch', () => {
  const r = parseLokiProtobuf(compressSync(Buffer.alloc(0)), ctx());
  assert.deepEqual(r, { batch: { tenant: 'acme', streams: [], entries: 0, bytes: 0 }, errors: [] });
});

test('malformed snappy or protobuf is fatal, with the byte offset and the place in the message', () => {
  const fatal = (b: Buffer) => {
    const r = parseLokiProtobuf(b, ctx());
    assert.deepEqual(r.batch.streams, []);
    assert.deepEqual(r.errors, []);
    return r.fatal;
  };
  assert.equal(fatal(Buffer.from('{"streams":[]}')), 'malformed snappy block at byte 1 of the body: copy offset 29811 points before the start of the output (at 0)');
  assert.equal(fatal(Buffer.alloc(0)), 'malformed snappy block at byte 0 of the body: empty body: expected a snappy block');
  const good = encode([{ labels: '{app="a"}', entries: [{ timestamp: { seconds: NOW_S }, line: 'hello' }, { timestamp: { seconds: NOW_S }, line: 'world' }] }]);
  assert.equal(good.length, 47);
  // cut at the end: the stream's length prefix (at byte 1) runs past the end
  assert.equal(fatal(compressSync(good.subarray(0, good.length - 2))), 'malformed protobuf push body at byte 1 of the decompressed message (in PushRequest): length 45 runs past the end of the enclosing message (43 bytes left)');
  // the stream's own length is consistent but its second entry's is not
  const inner = good.subarray(2);
  const broken = Buffer.from([0x0a, inner.length - 2, ...inner.subarray(0, inner.length - 2)]);
  assert.equal(fatal(compressSync(broken)), 'malformed protobuf push body at byte 31 of the decompressed message (in streams[0]): length 15 runs past the end of the enclosing message (13 bytes left)');
  // a broken Timestamp inside the first entry
  const badTs = Buffer.from(good);
  badTs[good.indexOf(0x08, 15)] = 0x09;
  assert.equal(fatal(compressSync(badTs)), 'malformed protobuf push body at byte 17 of the decompressed message (in streams[0].entries[0]): field Timestamp.seconds (1) has wire type 1, expected 0');
  const wire = (...bytes: number[]) => fatal(compressSync(Buffer.from(bytes)));
  assert.equal(wire(0x0b), 'malformed protobuf push body at byte 0 of the decompressed message (in PushRequest): field PushRequest.streams (1) has wire type 3, expected 2');
  assert.equal(wire(0x00), 'malformed protobuf push body at byte 0 of the decompressed message (in PushRequest): invalid field tag 0');
  assert.equal(wire(0x0a, 0x02, 0x08, 0x01), 'malformed protobuf push body at byte 2 of the decompressed message (in streams[0]): field StreamAdapter.labels (1) has wire type 0, expected 2');
  assert.equal(wire(0x0a, 0x04, 0x12, 0x02, 0x0a, 0x00, 0x12), 'malformed protobuf push body at byte 7 of the decompressed message (in PushRequest): truncated varint');
  // a stream without labels still has its entries checked: a broken entry is a broken body
  assert.equal(wire(0x0a, 0x03, 0x12, 0x01, 0x80), 'malformed protobuf push body at byte 4 of the decompressed message (in streams[0].entries[0]): truncated varint');
  assert.equal(wire(0x0a, 0x0c, 0x18, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01), 'malformed protobuf push body at byte 3 of the decompressed message (in streams[0]): varint longer than 10 bytes');
});

test('every truncation and many bit flips of a real push decode or fail cleanly, never throw', () => {
  const msg = encode([
    { labels: '{app="a", env="b"}', entries: Array.from({ length: 20 }, (_, i) => ({ timestamp: at(-i), line: `line ${i}`, structuredMetadata: [{ name: 'n', value: String(i) }] })) },
  ]);
  // the whole message is one length-prefixed stream, so any proper prefix is a broken body
  for (let cut = 0; cut < msg.length; cut++) {
    const r = parseLokiProtobuf(compressSync(msg.subarray(0, cut)), ctx());
    if (cut === 0) assert.deepEqual([r.fatal, r.batch.entries], [undefined, 0]);
    else assert.match(r.fatal ?? '', /^malformed protobuf push body at byte \d+ of the decompressed message/, `cut at ${cut}`);
  }
  let seed = 1;
  for (let i = 0; i < 2000; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const mutated = Buffer.from(msg);
    mutated[seed % mutated.length] ^= 1 << (seed >>> 29);
    const r = parseLokiProtobuf(compressSync(mutated), ctx());
    if (r.fatal) assert.match(r.fatal, /^malformed protobuf push body at byte \d+/);
    else assert.equal(r.batch.entries + r.errors.length > 0, true);
  }
});

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

function len(field: number, payload: number[]): number[] {
  return [...varint(field * 8 + 2), ...varint(payload.length), ...payload];
}
