// Table-driven tests of the Loki JSON push adapter: valid bodies (with and without structured metadata),
// fatal bodies, stream- and entry-level rejections with their exact errors, limits, invalid UTF-8, real loghub lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseLokiJson } from '../../src/ingest/loki-json.ts';
import { DEFAULT_LIMITS, type IngestError, type IngestLimits } from '../../src/ingest/limits.ts';
import type { AdapterContext } from '../../src/ingest/adapter.ts';
import type { StreamEntries } from '../../src/model/record.ts';

const NOW_MS = Date.UTC(2024, 0, 15, 12, 0, 0); // 2024-01-15T12:00:00.000Z
const NOW_NS = BigInt(NOW_MS) * 1_000_000n;
const ns = (offsetMs: number, extraNs = 0n): bigint => NOW_NS + BigInt(offsetMs) * 1_000_000n + extraNs;
const nsText = (offsetMs: number, extraNs = 0n): string => String(ns(offsetMs, extraNs));
const MIN_NS = NOW_NS - BigInt(DEFAULT_LIMITS.maxAgeMs) * 1_000_000n;
const MAX_NS = NOW_NS + BigInt(DEFAULT_LIMITS.maxFutureMs) * 1_000_000n;

const ctx = (over: Partial<AdapterContext> = {}, limits: Partial<IngestLimits> = {}): AdapterContext => ({
  tenant: 'acme',
  limits: { ...DEFAULT_LIMITS, ...limits },
  nowMs: NOW_MS,
  ...over,
});
const json = (doc: unknown): Buffer => Buffer.from(JSON.stringify(doc), 'utf8');
const push = (doc: unknown, c: AdapterContext = ctx()) => parseLokiJson(json(doc), c);

const GRAMMAR = 'entry must be ["<unix epoch ns>", "<line>"] or ["<ns>", "<line>", {metadata}]';
const META_MSG = 'structured metadata (third element) must be an object of string values';
const entryErr = (stream: string, entry: number, reason: IngestError['reason'], message: string): IngestError => ({ stream, entry, reason, message });

const HERE = fileURLToPath(new URL('.', import.meta.url));
function sampleLines(file: string, count: number): string[] {
  const text = readFileSync(`${HERE}../../../shared/data/loghub/${file}`, 'utf8');
  return text.split(/\r\n|\r|\n/).filter((l) => l !== '').slice(0, count);
}

test('a stream of 2-element values is accepted as is', () => {
  const r = push({ streams: [{ stream: { app: 'api', env: 'prod' }, values: [[nsText(-1000), 'first line'], [nsText(-500), 'second line']] }] });
  assert.equal(r.fatal, undefined);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.batch, {
    tenant: 'acme',
    streams: [{ labels: { app: 'api', env: 'prod' }, ts: [ns(-1000), ns(-500)], lines: ['first line', 'second line'], metadata: [undefined, undefined] }],
    entries: 2,
    bytes: 'first line'.length + 'second line'.length,
  });
});

test('3-element values carry structured metadata; numbers and booleans become strings, null and {} are kept apart', () => {
  const r = push({
    streams: [{
      stream: { app: 'api' },
      values: [
        [nsText(-4), 'a', { trace_id: '4bf92f3577b34da6', user: 'u-1' }],
        [nsText(-3), 'b', { status: 200, cached: false, ratio: 0.5 }],
        [nsText(-2), 'c', {}],
        [nsText(-1), 'd', null],
        [nsText(0), 'e'],
      ],
    }],
  });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.batch.streams[0].metadata, [
    { trace_id: '4bf92f3577b34da6', user: 'u-1' },
    { status: '200', cached: 'false', ratio: '0.5' },
    {},
    undefined,
    undefined,
  ]);
  assert.deepEqual(r.batch.streams[0].lines, ['a', 'b', 'c', 'd', 'e']);
  assert.equal(r.batch.entries, 5);
});

test('invalid structured metadata rejects only that entry', () => {
  const bad: unknown[] = [['x'], 'text', 5, true, { nested: { a: '1' } }, { list: ['a'] }, { n: null }];
  const values = [[nsText(-10), 'kept before', { ok: 'yes' }], ...bad.map((m, i) => [nsText(-9 + i), `bad ${i}`, m]), [nsText(0), 'kept after']];
  const r = push({ streams: [{ stream: { app: 'api' }, values }] });
  assert.deepEqual(r.errors, bad.map((_, i) => entryErr('{app="api"}', i + 1, 'missing_field', META_MSG)));
  assert.deepEqual(r.batch.streams[0].lines, ['kept before', 'kept after']);
  assert.deepEqual(r.batch.streams[0].metadata, [{ ok: 'yes' }, undefined]);
  assert.equal(r.batch.entries, 2);
});

test('several streams keep their order; totals add up; a stream whose entries all fail is left out', () => {
  const r = push({
    streams: [
      { stream: { app: 'a' }, values: [[nsText(-3), 'a1'], [nsText(-2), 'a2']] },
      { stream: { app: 'b' }, values: [['bogus', 'b1']] },
      { stream: { app: 'c', level: 'warn' }, values: [[nsText(-1), 'c1 ünïcödé']] },
      { stream: { app: 'd' }, values: [] },
    ],
  });
  assert.deepEqual(r.batch.streams.map((s: StreamEntries) => s.labels), [{ app: 'a' }, { app: 'c', level: 'warn' }]);
  assert.equal(r.batch.entries, 3);
  assert.equal(r.batch.bytes, 2 + 2 + 'c1 ünïcödé'.length);
  assert.deepEqual(r.errors, [entryErr('{app="b"}', 0, 'invalid_timestamp', 'timestamp "bogus" is not a Unix epoch in nanoseconds given as a string of digits')]);
});

test('the batch carries the context tenant', () => {
  const r = push({ streams: [{ stream: { a: 'b' }, values: [[nsText(0), 'x']] }] }, ctx({ tenant: 'team-7' }));
  assert.equal(r.batch.tenant, 'team-7');
});

test('bodies that cannot be understood are fatal and yield an empty batch', async (t) => {
  const empty = { tenant: 'acme', streams: [], entries: 0, bytes: 0 };
  const shape = 'push body must be an object with a "streams" array';
  const cases: [string, string, string | RegExp][] = [
    ['empty body', '', /^malformed JSON push body: /],
    ['truncated object', '{"streams":[{"stream":{"a":"b"}', /^malformed JSON push body: /],
    ['plain text', 'hello world', /^malformed JSON push body: /],
    ['trailing comma', '{"streams":[],}', /^malformed JSON push body: /],
    ['null', 'null', shape],
    ['array', '[]', shape],
    ['number', '42', shape],
    ['no streams key', '{"stream":{"a":"b"}}', shape],
    ['streams is an object', '{"streams":{"stream":{}}}', shape],
    ['streams is a string', '{"streams":"x"}', shape],
    ['streams is null', '{"streams":null}', shape],
  ];
  for (const [name, body, expected] of cases) {
    await t.test(name, () => {
      const r = parseLokiJson(Buffer.from(body), ctx());
      if (typeof expected === 'string') assert.equal(r.fatal, expected);
      else assert.match(r.fatal ?? '', expected);
      assert.deepEqual(r.batch, empty);
      assert.deepEqual(r.errors, []);
    });
  }
});

test('stream-level problems reject the stream and keep the others', () => {
  const good = { stream: { app: 'ok' }, values: [[nsText(0), 'kept']] };
  const r = push({
    streams: [
      { values: [[nsText(0), 'no labels']] },
      good,
      { stream: ['app', 'x'], values: [[nsText(0), 'labels as array']] },
      { stream: null, values: [] },
      null,
      'text',
      { stream: { app: 'novalues' } },
      { stream: { app: 'badvalues' }, values: { 0: [nsText(0), 'x'] } },
    ],
  });
  const streamObj = (i: number) => ({ entry: undefined, stream: `streams[${i}]`, reason: 'missing_field' as const, message: `streams[${i}].stream must be an object of labels` });
  assert.deepEqual(r.errors, [
    streamObj(0),
    streamObj(2),
    streamObj(3),
    streamObj(4),
    streamObj(5),
    { stream: '{app="novalues"}', reason: 'missing_field', message: 'streams[6].values must be an array of [timestamp, line] pairs' },
    { stream: '{app="badvalues"}', reason: 'missing_field', message: 'streams[7].values must be an array of [timestamp, line] pairs' },
  ]);
  assert.deepEqual(r.batch.streams.map((s: StreamEntries) => s.lines), [['kept']]);
});

test('invalid label sets are rejected with the reason named', async (t) => {
  const nameMsg = (n: string) => `invalid label name "${n}": must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __`;
  const cases: [string, Record<string, unknown>, Partial<IngestLimits>, string, string][] = [
    ['name starts with a digit', { '1app': 'x' }, {}, nameMsg('1app'), '{1app="x"}'],
    ['name with a dash', { 'app-name': 'x' }, {}, nameMsg('app-name'), '{app-name="x"}'],
    ['name with a dot', { 'k8s.pod': 'x' }, {}, nameMsg('k8s.pod'), '{k8s.pod="x"}'],
    ['empty name', { '': 'x' }, {}, nameMsg(''), '{="x"}'],
    ['reserved __ prefix', { __name__: 'x' }, {}, nameMsg('__name__'), '{__name__="x"}'],
    ['non-ASCII name', { 'nöm': 'x' }, {}, nameMsg('nöm'), '{nöm="x"}'],
    ['numeric value', { app: 5 }, {}, 'label "app" must be a string', '{app=5}'],
    ['null value', { app: null }, {}, 'label "app" must be a string', '{app=null}'],
    ['too many labels', { a: '1', b: '2', c: '3', d: '4' }, { maxLabels: 3 }, 'stream has 4 labels, more than the limit of 3', '{a="1", b="2", c="3", d="4"}'],
    ['value too long', { app: 'x'.repeat(11) }, { maxLabelValueLength: 10 }, 'label "app" value is 11 characters, more than the limit of 10', `{app="${'x'.repeat(11)}"}`],
  ];
  for (const [name, labels, limits, message, stream] of cases) {
    await t.test(name, () => {
      const r = push({ streams: [{ stream: labels, values: [[nsText(0), 'line']] }, { stream: { ok: 'yes' }, values: [[nsText(0), 'kept']] }] }, ctx({}, limits));
      assert.deepEqual(r.errors, [{ stream, reason: 'invalid_labels', message }]);
      assert.deepEqual(r.batch.streams.map((s: StreamEntries) => s.labels), [{ ok: 'yes' }]);
    });
  }
  await t.test('limits are inclusive: exactly maxLabels labels and a value of exactly maxLabelValueLength pass', () => {
    const r = push({ streams: [{ stream: { a: '1', b: '2', c: 'x'.repeat(10) }, values: [[nsText(0), 'line']] }] }, ctx({}, { maxLabels: 3, maxLabelValueLength: 10 }));
    assert.deepEqual(r.errors, []);
    assert.equal(r.batch.entries, 1);
  });
  await t.test('a stream with no labels at all is accepted', () => {
    const r = push({ streams: [{ stream: {}, values: [[nsText(0), 'line']] }] });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.batch.streams[0].labels, {});
  });
});

test('extraLabels are merged into every stream and win over pushed labels', () => {
  const r = push(
    { streams: [{ stream: { app: 'api', source: 'client' }, values: [[nsText(0), 'x']] }, { stream: { app: 'web' }, values: [[nsText(0), 'y']] }] },
    ctx({ extraLabels: { source: 'gateway', region: 'eu' } }),
  );
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.batch.streams.map((s: StreamEntries) => s.labels), [
    { app: 'api', source: 'gateway', region: 'eu' },
    { app: 'web', source: 'gateway', region: 'eu' },
  ]);
});

test('extraLabels count towards the label limit', () => {
  const r = push({ streams: [{ stream: { a: '1', b: '2' }, values: [[nsText(0), 'x']] }] }, ctx({ extraLabels: { c: '3' } }, { maxLabels: 2 }));
  assert.deepEqual(r.errors, [{ stream: '{a="1", b="2", c="3"}', reason: 'invalid_labels', message: 'stream has 3 labels, more than the limit of 2' }]);
  assert.equal(r.batch.entries, 0);
});

test('malformed entries are rejected one by one with their index', () => {
  const values: unknown[] = [
    [nsText(0), 'ok0'],
    'not an array',
    [nsText(0)],
    [],
    [nsText(0), 42],
    [nsText(0), null],
    [nsText(0), { line: 'x' }],
    null,
    [nsText(0), 'ok8'],
  ];
  const r = push({ streams: [{ stream: { app: 'api' }, values }] });
  assert.deepEqual(r.errors, [1, 2, 3, 4, 5, 6, 7].map((i) => entryErr('{app="api"}', i, 'missing_field', GRAMMAR)));
  assert.deepEqual(r.batch.streams[0].lines, ['ok0', 'ok8']);
});

test('timestamps must be digit strings of at most 19 digits (or safe non-negative integers)', async (t) => {
  const msg = (raw: unknown) => `timestamp ${JSON.stringify(raw)} is not a Unix epoch in nanoseconds given as a string of digits`;
  const invalid: unknown[] = ['abc', '', ' 1705320000000000000', '1705320000000000000 ', '1.7e18', '-1705320000000000000', '0x10', '17053200000000000001', 1.5, -1, 1705320000000000000, null, true, {}, ['1']];
  for (const raw of invalid) {
    await t.test(`invalid: ${JSON.stringify(raw)}`, () => {
      const r = push({ streams: [{ stream: { app: 'api' }, values: [[raw, 'line']] }] });
      assert.deepEqual(r.errors, [entryErr('{app="api"}', 0, 'invalid_timestamp', msg(raw))]);
      assert.equal(r.batch.entries, 0);
    });
  }
  await t.test('nanosecond precision is kept exactly', () => {
    const r = push({ streams: [{ stream: { app: 'api' }, values: [['1705319999123456789', 'x']] }] });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.batch.streams[0].ts, [1705319999123456789n]);
  });
  await t.test('a safe integer is taken as nanoseconds (and so is far too old)', () => {
    const r = push({ streams: [{ stream: { app: 'api' }, values: [[5, 'x']] }] });
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].reason, 'timestamp_too_old');
    assert.match(r.errors[0].message, /^timestamp 1970-01-01T00:00:00\.000Z is older than the accepted window/);
  });
});

test('timestamps outside [now - maxAge, now + maxFuture] are rejected; the bounds are inclusive', () => {
  const r = push({
    streams: [{
      stream: { app: 'api' },
      values: [
        [String(MIN_NS - 1n), 'one ns too old'],
        [String(MIN_NS), 'oldest accepted'],
        [String(MAX_NS), 'newest accepted'],
        [String(MAX_NS + 1_000_000n), 'one ms too new'],
        ['0', 'epoch zero'],
        ['9999999999999999999', 'year 2286'],
      ],
    }],
  });
  assert.deepEqual(r.batch.streams[0].lines, ['oldest accepted', 'newest accepted']);
  assert.deepEqual(r.batch.streams[0].ts, [MIN_NS, MAX_NS]);
  assert.deepEqual(r.errors, [
    entryErr('{app="api"}', 0, 'timestamp_too_old', 'timestamp 2024-01-08T11:59:59.999Z is older than the accepted window (2024-01-08T12:00:00.000Z)'),
    entryErr('{app="api"}', 3, 'timestamp_too_new', 'timestamp 2024-01-15T12:10:00.001Z is too far in the future (after 2024-01-15T12:10:00.000Z)'),
    entryErr('{app="api"}', 4, 'timestamp_too_old', 'timestamp 1970-01-01T00:00:00.000Z is older than the accepted window (2024-01-08T12:00:00.000Z)'),
    entryErr('{app="api"}', 5, 'timestamp_too_new', 'timestamp 2286-11-20T17:46:39.999Z is too far in the future (after 2024-01-15T12:10:00.000Z)'),
  ]);
});

test('tightened age limits move the window', () => {
  const c = ctx({}, { maxAgeMs: 60_000, maxFutureMs: 0 });
  const r = push({ streams: [{ stream: { app: 'api' }, values: [[nsText(-60_001), 'old'], [nsText(-60_000), 'edge'], [nsText(0), 'now'], [nsText(0, 1n), 'future']] }] }, c);
  assert.deepEqual(r.batch.streams[0].lines, ['edge', 'now']);
  assert.deepEqual(r.errors.map((e) => [e.entry, e.reason]), [[0, 'timestamp_too_old'], [3, 'timestamp_too_new']]);
});

test('lines longer than maxLineBytes (counted in UTF-8 bytes) are rejected', async (t) => {
  const cases: [string, string, boolean][] = [
    ['ASCII at the limit', 'a'.repeat(10), true],
    ['ASCII one over', 'a'.repeat(11), false],
    ['2-byte chars at the limit', 'é'.repeat(5), true],
    ['2-byte chars over (6 chars, 12 bytes)', 'é'.repeat(6), false],
    ['3-byte chars over (4 chars, 12 bytes)', '€'.repeat(4), false],
    ['4-byte chars over (3 chars, 12 bytes)', '😀'.repeat(3), false],
    ['empty line', '', true],
  ];
  for (const [name, line, ok] of cases) {
    await t.test(name, () => {
      const r = push({ streams: [{ stream: { app: 'api' }, values: [[nsText(0), line]] }] }, ctx({}, { maxLineBytes: 10 }));
      if (ok) {
        assert.deepEqual(r.errors, []);
        assert.deepEqual(r.batch.streams[0].lines, [line]);
      } else {
        const bytes = Buffer.byteLength(line);
        assert.deepEqual(r.errors, [entryErr('{app="api"}', 0, 'line_too_long', `line is ${bytes} bytes, more than the limit of 10`)]);
        assert.equal(r.batch.entries, 0);
      }
    });
  }
});

test('the default line limit is 256 KiB', () => {
  const r = push({ streams: [{ stream: { app: 'api' }, values: [[nsText(0), 'x'.repeat(256 * 1024)], [nsText(0), 'x'.repeat(256 * 1024 + 1)]] }] });
  assert.equal(r.batch.entries, 1);
  assert.deepEqual(r.errors, [entryErr('{app="api"}', 1, 'line_too_long', `line is ${256 * 1024 + 1} bytes, more than the limit of 262144`)]);
});

// Builds `{"streams":[{"stream":{"app":"api"},"values":[[ts,"good 0"],[ts,"bad<bytes>"],[ts,"good 2 …"]]}]}` by hand.
function bodyWithRawBytes(bad: number[]): Buffer {
  const t = nsText(0);
  return Buffer.concat([
    Buffer.from(`{"streams":[{"stream":{"app":"api"},"values":[["${t}","good 0"],["${t}","bad `),
    Buffer.from(bad),
    Buffer.from(` end"],["${t}","good 2 naïve ☃ 日本 😀"]]}]}`),
  ]);
}

test('a line with invalid UTF-8 bytes is rejected; valid lines of the same body are kept', async (t) => {
  const sequences: [string, number[]][] = [
    ['0xC3 0x28 (bad continuation)', [0xc3, 0x28]],
    ['lone continuation byte 0x80', [0x80]],
    ['0xFF', [0xff]],
    ['truncated 3-byte sequence 0xE2 0x82', [0xe2, 0x82]],
    ['overlong 0xC0 0xAF', [0xc0, 0xaf]],
    ['UTF-16 surrogate 0xED 0xA0 0x80', [0xed, 0xa0, 0x80]],
    ['above U+10FFFF 0xF4 0x90 0x80 0x80', [0xf4, 0x90, 0x80, 0x80]],
  ];
  for (const [name, bytes] of sequences) {
    await t.test(name, () => {
      const r = parseLokiJson(bodyWithRawBytes(bytes), ctx());
      assert.equal(r.fatal, undefined);
      assert.deepEqual(r.errors, [entryErr('{app="api"}', 1, 'invalid_utf8', 'line is not valid UTF-8')]);
      assert.deepEqual(r.batch.streams[0].lines, ['good 0', 'good 2 naïve ☃ 日本 😀']);
      assert.equal(r.batch.entries, 2);
    });
  }
  await t.test('a valid body with an escaped U+FFFD is not taken for invalid UTF-8', () => {
    const r = push({ streams: [{ stream: { app: 'api' }, values: [[nsText(0), 'replacement \uFFFD char']] }] });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.batch.streams[0].lines, ['replacement \uFFFD char']);
  });
});

test('real loghub lines (Apache, OpenStack) round-trip unchanged', () => {
  const apache = sampleLines('Apache/Apache_2k.log', 200);
  const openstack = sampleLines('OpenStack/OpenStack_2k.log', 200);
  assert.equal(apache.length, 200);
  assert.equal(openstack.length, 200);
  assert.match(apache[0], /^\[Sun Dec 04 04:47:44 2005\] \[notice\]/);
  const values = (lines: string[]) => lines.map((l, i) => [nsText(-lines.length + i), l]);
  const r = push({ streams: [{ stream: { job: 'apache' }, values: values(apache) }, { stream: { job: 'openstack', host: 'nova-api' }, values: values(openstack) }] });
  assert.deepEqual(r.errors, []);
  assert.equal(r.batch.entries, 400);
  assert.deepEqual(r.batch.streams[0].lines, apache);
  assert.deepEqual(r.batch.streams[1].lines, openstack);
  assert.deepEqual(r.batch.streams[1].ts, openstack.map((_, i) => ns(-200 + i)));
  assert.equal(r.batch.bytes, [...apache, ...openstack].reduce((n, l) => n + l.length, 0));
});

test('real loghub lines are checked against a tightened line limit one by one', () => {
  const lines = sampleLines('OpenStack/OpenStack_2k.log', 100);
  const limit = 300;
  const r = push({ streams: [{ stream: { job: 'openstack' }, values: lines.map((l) => [nsText(0), l]) }] }, ctx({}, { maxLineBytes: limit }));
  const long = lines.map((l, i) => [i, Buffer.byteLength(l)] as const).filter(([, b]) => b > limit);
  assert.ok(long.length > 0 && long.length < lines.length, 'sample should mix short and long lines');
  assert.deepEqual(r.errors, long.map(([i, b]) => entryErr('{job="openstack"}', i, 'line_too_long', `line is ${b} bytes, more than the limit of ${limit}`)));
  assert.deepEqual(r.batch.streams[0].lines, lines.filter((l) => Buffer.byteLength(l) <= limit));
});
