// Table-driven tests of Sightline's native NDJSON ingest: timestamps from any of the four keys in any accepted form,
// arrival time, labels from the body and from extraLabels, lines from `line` or the object itself, and bad lines
// reported with their 1-based line number while the rest of the body is kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseNativeNdjson } from '../../src/ingest/native-ndjson.ts';
import { DEFAULT_LIMITS, type IngestError, type IngestLimits } from '../../src/ingest/limits.ts';
import type { AdapterContext } from '../../src/ingest/adapter.ts';
import type { StreamEntries } from '../../src/model/record.ts';

const NOW_MS = Date.UTC(2024, 0, 15, 12, 0, 0); // 2024-01-15T12:00:00.000Z
const NOW_NS = BigInt(NOW_MS) * 1_000_000n;
const S = 1_000_000_000n;

const ctx = (over: Partial<AdapterContext> = {}, limits: Partial<IngestLimits> = {}): AdapterContext => ({
  tenant: 'acme',
  limits: { ...DEFAULT_LIMITS, ...limits },
  nowMs: NOW_MS,
  ...over,
});
const ndjson = (...records: unknown[]): Buffer => Buffer.from(records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n'), 'utf8');
const parse = (body: Buffer, c: AdapterContext = ctx()) => parseNativeNdjson(body, c);
const lineErr = (line: number, reason: IngestError['reason'], message: string): IngestError => ({ line, reason, message: `line ${line}: ${message}` });

const HERE = fileURLToPath(new URL('.', import.meta.url));
function sampleLines(file: string, count: number): string[] {
  const text = readFileSync(`${HERE}../../../shared/data/loghub/${file}`, 'utf8');
  return text.split(/\r\n|\r|\n/).filter((l) => l !== '').slice(0, count);
}

test('a record with labels, line, timestamp and metadata', () => {
  const r = parse(ndjson({ ts: '2024-01-15T11:59:00.123456789Z', labels: { app: 'api', env: 'prod' }, line: 'GET /health 200', metadata: { trace_id: 'abc' } }));
  assert.equal(r.fatal, undefined);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.batch, {
    tenant: 'acme',
    streams: [{ labels: { app: 'api', env: 'prod' }, ts: [NOW_NS - 60n * S + 123_456_789n], lines: ['GET /health 200'], metadata: [{ trace_id: 'abc' }] }],
    entries: 1,
    bytes: 'GET /health 200'.length,
  });
});

test('the timestamp comes from @timestamp, timestamp, ts or time in any accepted form', async (t) => {
  const base = NOW_NS - 3600n * S; // 2024-01-15T11:00:00Z
  const forms: [string, unknown, bigint][] = [
    ['RFC 3339 Z', '2024-01-15T11:00:00Z', base],
    ['RFC 3339 with nanoseconds', '2024-01-15T11:00:00.000000001Z', base + 1n],
    ['RFC 3339 with milliseconds', '2024-01-15T11:00:00.250Z', base + 250_000_000n],
    ['RFC 3339 positive offset', '2024-01-15T13:30:00.5+02:30', base + 500_000_000n],
    ['RFC 3339 negative offset', '2024-01-15T06:00:00.123456789-05:00', base + 123_456_789n],
    ['epoch seconds (number)', 1705316400, base],
    ['epoch seconds with fraction (number)', 1705316400.5, base + 500_000_000n],
    ['epoch seconds (string)', '1705316400', base],
    ['epoch milliseconds (number)', 1705316400000, base],
    ['epoch milliseconds (string)', '1705316400000', base],
    ['epoch microseconds (number)', 1705316400000000, base],
    ['epoch nanoseconds (string)', '1705316400000000001', base + 1n],
  ];
  for (const key of ['@timestamp', 'timestamp', 'ts', 'time']) {
    for (const [name, value, expected] of forms) {
      await t.test(`${key}: ${name}`, () => {
        const r = parse(ndjson({ [key]: value, line: 'x' }));
        assert.deepEqual(r.errors, []);
        assert.deepEqual(r.batch.streams[0].ts, [expected]);
      });
    }
  }
});

test('when several time keys are present, @timestamp > timestamp > ts > time', () => {
  const t = (sec: number) => `2024-01-15T11:00:0${sec}Z`;
  const at = (sec: number) => NOW_NS - 3600n * S + BigInt(sec) * S;
  const r = parse(ndjson(
    { time: t(4), ts: t(3), timestamp: t(2), '@timestamp': t(1), line: 'a' },
    { time: t(4), ts: t(3), timestamp: t(2), line: 'b' },
    { time: t(4), ts: t(3), line: 'c' },
    { time: t(4), line: 'd' },
  ));
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.batch.streams[0].ts, [at(1), at(2), at(3), at(4)]);
});

test('records without a timestamp get the arrival time', () => {
  const r = parse(ndjson({ line: 'a' }, { line: 'b', labels: { app: 'x' } }));
  assert.deepEqual(r.batch.streams.map((s: StreamEntries) => s.ts), [[NOW_NS], [NOW_NS]]);
});

test('labels come from "labels" and from extraLabels, which win', () => {
  const r = parse(
    ndjson({ labels: { app: 'api', source: 'body' }, line: 'a' }, { line: 'b' }, { labels: { app: 'web' }, line: 'c' }),
    ctx({ extraLabels: { source: 'query', region: 'eu' } }),
  );
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.batch.streams.map((s: StreamEntries) => [s.labels, s.lines]), [
    [{ app: 'api', source: 'query', region: 'eu' }, ['a']],
    [{ source: 'query', region: 'eu' }, ['b']],
    [{ app: 'web', source: 'query', region: 'eu' }, ['c']],
  ]);
});

test('records of the same label set are grouped into one stream in arrival order', () => {
  const r = parse(ndjson(
    { labels: { app: 'a' }, line: '1' },
    { labels: { app: 'b' }, line: '2' },
    { labels: { app: 'a' }, line: '3' },
    { line: '4' },
    { labels: {}, line: '5' },
  ));
  assert.deepEqual(r.batch.streams.map((s: StreamEntries) => [s.labels, s.lines]), [
    [{ app: 'a' }, ['1', '3']],
    [{ app: 'b' }, ['2']],
    [{}, ['4', '5']],
  ]);
  assert.equal(r.batch.entries, 5);
  assert.equal(r.batch.bytes, 5);
});

test('without "line" the object itself, minus labels and metadata, is the line', () => {
  const rec = { '@timestamp': '2024-01-15T11:00:00Z', level: 'info', msg: 'user logged in', user: { id: 7, roles: ['a'] }, labels: { app: 'auth' }, metadata: { trace_id: 't1' }, ok: true, n: null };
  const r = parse(ndjson(rec));
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.batch.streams[0].lines, ['{"@timestamp":"2024-01-15T11:00:00Z","level":"info","msg":"user logged in","user":{"id":7,"roles":["a"]},"ok":true,"n":null}']);
  assert.deepEqual(r.batch.streams[0].labels, { app: 'auth' });
  assert.deepEqual(r.batch.streams[0].metadata, [{ trace_id: 't1' }]);
});

test('an object with only labels becomes the line "{}"', () => {
  const r = parse(ndjson({ labels: { app: 'x' } }));
  assert.deepEqual(r.batch.streams[0].lines, ['{}']);
});

test('bad lines are reported with their 1-based line number and the others are kept', () => {
  const old = new Date(NOW_MS - DEFAULT_LIMITS.maxAgeMs - 1000).toISOString();
  const future = new Date(NOW_MS + DEFAULT_LIMITS.maxFutureMs + 1000).toISOString();
  const lines = [
    /* 1 */ JSON.stringify({ line: 'ok 1', labels: { app: 'a' } }),
    /* 2 */ '{"line": "unterminated',
    /* 3 */ '',
    /* 4 */ '[1, 2, 3]',
    /* 5 */ '"just a string"',
    /* 6 */ 'null',
    /* 7 */ JSON.stringify({ line: 'x', labels: { app: 1 } }),
    /* 8 */ JSON.stringify({ line: 'x', labels: ['app'] }),
    /* 9 */ JSON.stringify({ line: 'x', labels: { 'bad-name': 'v' } }),
    /* 10 */ JSON.stringify({ line: 'x', ts: 'yesterday at noon' }),
    /* 11 */ JSON.stringify({ line: 'x', time: true }),
    /* 12 */ JSON.stringify({ line: 'x', metadata: { n: 1 } }),
    /* 13 */ JSON.stringify({ line: 'x', metadata: 'trace=1' }),
    /* 14 */ JSON.stringify({ line: 42 }),
    /* 15 */ JSON.stringify({ line: 'x', timestamp: old }),
    /* 16 */ JSON.stringify({ line: 'x', '@timestamp': future }),
    /* 17 */ JSON.stringify({ line: 'y'.repeat(101) }),
    /* 18 */ '   ',
    /* 19 */ JSON.stringify({ line: 'ok 19', labels: { app: 'a' } }),
    /* 20 */ JSON.stringify({ line: 'x', ts: null }),
    /* 21 */ '42',
    /* 22 */ JSON.stringify({ line: 'ok 22' }),
  ];
  const r = parse(Buffer.from(lines.join('\n') + '\n'), ctx({}, { maxLineBytes: 100 }));
  assert.equal(r.fatal, undefined);
  const [json2, ...rest] = r.errors;
  assert.equal(json2.line, 2);
  assert.equal(json2.reason, 'invalid_json');
  assert.match(json2.message, /^line 2: malformed JSON: /);
  assert.deepEqual(rest, [
    lineErr(4, 'invalid_json', 'expected a JSON object'),
    lineErr(5, 'invalid_json', 'expected a JSON object'),
    lineErr(6, 'invalid_json', 'expected a JSON object'),
    lineErr(7, 'invalid_labels', '"labels" must be an object of string values'),
    lineErr(8, 'invalid_labels', '"labels" must be an object of string values'),
    lineErr(9, 'invalid_labels', 'invalid label name "bad-name": must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __'),
    lineErr(10, 'invalid_timestamp', '"ts" value "yesterday at noon" is not an RFC 3339 time or a Unix epoch'),
    lineErr(11, 'invalid_timestamp', '"time" value true is not an RFC 3339 time or a Unix epoch'),
    lineErr(12, 'invalid_json', '"metadata" must be an object of string values'),
    lineErr(13, 'invalid_json', '"metadata" must be an object of string values'),
    lineErr(14, 'invalid_json', '"line" must be a string'),
    { stream: '{}', entry: undefined, line: 15, reason: 'timestamp_too_old', message: `line 15: timestamp 2024-01-08T11:59:59.000Z is older than the accepted window (2024-01-08T12:00:00.000Z)` },
    { stream: '{}', entry: undefined, line: 16, reason: 'timestamp_too_new', message: `line 16: timestamp 2024-01-15T12:10:01.000Z is too far in the future (after 2024-01-15T12:10:00.000Z)` },
    { stream: '{}', entry: undefined, line: 17, reason: 'line_too_long', message: 'line 17: line is 101 bytes, more than the limit of 100' },
    lineErr(20, 'invalid_timestamp', '"ts" value null is not an RFC 3339 time or a Unix epoch'),
    lineErr(21, 'invalid_json', 'expected a JSON object'),
  ]);
  assert.deepEqual(r.batch.streams.map((s: StreamEntries) => [s.labels, s.lines]), [
    [{ app: 'a' }, ['ok 1', 'ok 19']],
    [{}, ['ok 22']],
  ]);
  assert.equal(r.batch.entries, 3);
});

test('too many labels (counting extraLabels) rejects the record', () => {
  const r = parse(ndjson({ labels: { a: '1', b: '2' }, line: 'x' }, { labels: { a: '1' }, line: 'y' }), ctx({ extraLabels: { c: '3' } }, { maxLabels: 2 }));
  assert.deepEqual(r.errors, [lineErr(1, 'invalid_labels', 'stream has 3 labels, more than the limit of 2')]);
  assert.deepEqual(r.batch.streams.map((s: StreamEntries) => s.lines), [['y']]);
});

test('CRLF line endings and surrounding blanks are tolerated; line numbers still count blank lines', () => {
  const body = Buffer.from('\r\n  {"line":"a"}  \r\n\r\n{"line":"b"}\r\n{oops}\r\n');
  const r = parse(body);
  assert.deepEqual(r.batch.streams[0]?.lines, ['a', 'b']);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0].line, 5);
  assert.match(r.errors[0].message, /^line 5: malformed JSON: /);
});

test('an empty body yields an empty batch and no errors', () => {
  for (const body of ['', '\n', '\n\n  \n']) {
    const r = parse(Buffer.from(body));
    assert.equal(r.fatal, undefined);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.batch, { tenant: 'acme', streams: [], entries: 0, bytes: 0 });
  }
});

test('the last line needs no trailing newline', () => {
  const r = parse(Buffer.from('{"line":"a"}\n{"line":"b"}'));
  assert.deepEqual(r.batch.streams[0].lines, ['a', 'b']);
});

test('a line with invalid UTF-8 bytes is rejected with its line number; the others are kept', async (t) => {
  const sequences: [string, number[]][] = [
    ['0xC3 0x28', [0xc3, 0x28]],
    ['0xFF', [0xff]],
    ['truncated 0xE2 0x82', [0xe2, 0x82]],
    ['overlong 0xC0 0xAF', [0xc0, 0xaf]],
    ['surrogate 0xED 0xA0 0x80', [0xed, 0xa0, 0x80]],
  ];
  for (const [name, bytes] of sequences) {
    await t.test(`in "line": ${name}`, () => {
      const body = Buffer.concat([
        Buffer.from('{"line":"good 1 ☃"}\n{"line":"bad '),
        Buffer.from(bytes),
        Buffer.from(' here"}\n{"line":"good 3 日本"}\n'),
      ]);
      const r = parse(body);
      assert.deepEqual(r.errors, [{ stream: '{}', entry: undefined, line: 2, reason: 'invalid_utf8', message: 'line 2: line is not valid UTF-8' }]);
      assert.deepEqual(r.batch.streams[0].lines, ['good 1 ☃', 'good 3 日本']);
    });
    await t.test(`in a field of a line-less object: ${name}`, () => {
      const body = Buffer.concat([Buffer.from('{"msg":"ok"}\n{"msg":"bad '), Buffer.from(bytes), Buffer.from('"}\n')]);
      const r = parse(body);
      assert.deepEqual(r.errors.map((e) => [e.line, e.reason]), [[2, 'invalid_utf8']]);
      assert.deepEqual(r.batch.streams[0].lines, ['{"msg":"ok"}']);
    });
  }
});

test('real loghub lines (OpenStack, Apache) as NDJSON records round-trip unchanged', () => {
  const openstack = sampleLines('OpenStack/OpenStack_2k.log', 150);
  const apache = sampleLines('Apache/Apache_2k.log', 150);
  const records: unknown[] = [];
  for (let i = 0; i < 150; i++) {
    records.push({ ts: String(NOW_NS - BigInt(150 - i) * S), labels: { job: 'openstack' }, line: openstack[i] });
    records.push({ labels: { job: 'apache' }, line: apache[i], metadata: { n: String(i) } });
  }
  const r = parse(ndjson(...records));
  assert.deepEqual(r.errors, []);
  assert.equal(r.batch.entries, 300);
  assert.deepEqual(r.batch.streams.map((s: StreamEntries) => s.labels), [{ job: 'openstack' }, { job: 'apache' }]);
  assert.deepEqual(r.batch.streams[0].lines, openstack);
  assert.deepEqual(r.batch.streams[0].ts, openstack.map((_, i) => NOW_NS - BigInt(150 - i) * S));
  assert.deepEqual(r.batch.streams[1].lines, apache);
  assert.deepEqual(r.batch.streams[1].ts, apache.map(() => NOW_NS));
  assert.deepEqual(r.batch.streams[1].metadata, apache.map((_, i) => ({ n: String(i) })));
});

test('real loghub lines embedded in line-less objects are kept inside the JSON line', () => {
  const lines = sampleLines('Apache/Apache_2k.log', 20);
  const r = parse(ndjson(...lines.map((message) => ({ message, source: 'apache' }))));
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.batch.streams[0].lines.map((l: string) => JSON.parse(l)), lines.map((message) => ({ message, source: 'apache' })));
});

test('repeated label sets (as shippers send them) still get each line checked and grouped exactly', () => {
  const r = parse(
    ndjson(
      { labels: { app: 'a', env: 'p' }, line: '1' },
      { labels: { app: 'a', env: 'p' }, line: '2' },
      { labels: { env: 'p', app: 'a' }, line: '3' }, // same set, other order: grouped apart (the store merges them)
      { labels: { app: 'a', env: 'p', x: 'y' }, line: '4' }, // a name more
      { labels: { app: 'a' }, line: '5' }, // a name fewer
      { labels: { app: 'a', env: 'q' }, line: '6' }, // another value
      { labels: { app: 'a', env: 'p' }, line: '7' },
      { labels: { 'bad-name': 'v' }, line: '8' },
      { labels: { 'bad-name': 'v' }, line: '9' }, // the cached check still rejects, with this line's number
      { labels: {}, line: '10' },
      { labels: [], line: '11' }, // an array right after {} is not the same labels
      { labels: { app: 1 }, line: '12' },
      { labels: { app: 'a', env: 'p' }, line: '13', ts: 'nope' }, // a bad entry of a known stream is still refused
      { labels: { app: 'a', env: 'p' }, line: '14' },
    ),
  );
  assert.deepEqual(r.batch.streams.map((s: StreamEntries) => [s.labels, s.lines]), [
    [{ app: 'a', env: 'p' }, ['1', '2', '7', '14']],
    [{ env: 'p', app: 'a' }, ['3']],
    [{ app: 'a', env: 'p', x: 'y' }, ['4']],
    [{ app: 'a' }, ['5']],
    [{ app: 'a', env: 'q' }, ['6']],
    [{}, ['10']],
  ]);
  const badName = 'invalid label name "bad-name": must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __';
  assert.deepEqual(r.errors, [
    lineErr(8, 'invalid_labels', badName),
    lineErr(9, 'invalid_labels', badName),
    lineErr(11, 'invalid_labels', '"labels" must be an object of string values'),
    lineErr(12, 'invalid_labels', '"labels" must be an object of string values'),
    lineErr(13, 'invalid_timestamp', '"ts" value "nope" is not an RFC 3339 time or a Unix epoch'),
  ]);
});

test('extraLabels apply to every line of a run of repeated label sets', () => {
  const r = parse(ndjson({ labels: { app: 'a' }, line: '1' }, { labels: { app: 'a' }, line: '2' }, { line: '3' }, { line: '4' }), ctx({ extraLabels: { app: 'q' } }));
  assert.deepEqual(r.batch.streams.map((s: StreamEntries) => [s.labels, s.lines]), [[{ app: 'q' }, ['1', '2', '3', '4']]]);
});

test('"ts" as 19 digits of Unix nanoseconds (the agent\'s form) is exact; other digit strings keep their meaning', () => {
  const ns = NOW_NS + 123_456_789n;
  const r = parse(ndjson({ ts: String(ns), line: 'a' }, { ts: String(NOW_NS / 1000n), line: 'b' }, { ts: ' ' + String(ns), line: 'c' }, { ts: '17053200001234567x', line: 'd' }));
  assert.deepEqual(r.batch.streams[0].ts, [ns, NOW_NS, ns]);
  assert.deepEqual(r.errors, [lineErr(4, 'invalid_timestamp', '"ts" value "17053200001234567x" is not an RFC 3339 time or a Unix epoch')]);
});
