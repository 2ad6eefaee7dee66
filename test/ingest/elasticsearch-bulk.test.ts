// Table-driven tests of the Elasticsearch `_bulk` adapter: action/source pairing, per-item results and error types,
// the index label, @timestamp, line and structured-metadata mapping with its bounds, and whole-body (fatal) errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BULK_METADATA_LIMITS, checkIndexName, elasticsearchBulkAdapter, flattenFields, type BulkItem } from '../../src/ingest/elasticsearch-bulk.ts';
import { DEFAULT_LIMITS, type IngestLimits } from '../../src/ingest/limits.ts';
import type { AdapterContext } from '../../src/ingest/adapter.ts';

const NOW_MS = Date.UTC(2024, 0, 15, 12, 0, 0);
const NOW_NS = BigInt(NOW_MS) * 1_000_000n;
const ctx = (limits: Partial<IngestLimits> = {}): AdapterContext => ({ tenant: 'acme', limits: { ...DEFAULT_LIMITS, ...limits }, nowMs: NOW_MS });
const ndjson = (...lines: unknown[]): Buffer => Buffer.from(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
const bulk = (body: Buffer, urlIndex?: string, c: AdapterContext = ctx()) => elasticsearchBulkAdapter(urlIndex)(body, c);
const ok = (action: BulkItem['action'], index: string, id: string | null = null): BulkItem => ({ action, index, id });
const bad = (action: BulkItem['action'], index: string | null, id: string | null, type: string, reason: string): BulkItem => ({ action, index, id, error: { status: 400, type, reason } });

test('index and create actions become entries of one stream per index, in order', () => {
  const r = bulk(
    ndjson(
      { index: { _index: 'web', _id: 'a1' } },
      { '@timestamp': '2024-01-15T11:59:00.123456789Z', message: 'GET /orders 200', http: { method: 'GET', status: 200 } },
      { create: { _index: 'jobs' } },
      { '@timestamp': NOW_MS - 1000, message: 'job done', ok: true },
      { index: {} },
      { service: 'api', count: 3 },
    ),
    'web',
  );
  assert.equal(r.fatal, undefined);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.items, [ok('index', 'web', 'a1'), ok('create', 'jobs'), ok('index', 'web')]);
  assert.deepEqual(r.batch, {
    tenant: 'acme',
    streams: [
      {
        labels: { index: 'web' },
        ts: [NOW_NS - 60_000_000_000n + 123_456_789n, NOW_NS],
        lines: ['GET /orders 200', '{"service":"api","count":3}'],
        metadata: [{ http_method: 'GET', http_status: '200' }, { service: 'api', count: '3' }],
      },
      { labels: { index: 'jobs' }, ts: [NOW_NS - 1_000_000_000n], lines: ['job done'], metadata: [{ ok: 'true' }] },
    ],
    entries: 3,
    bytes: 'GET /orders 200'.length + '{"service":"api","count":3}'.length + 'job done'.length,
  });
});

test('the line is the message when it is a string, else the whole document as sent', () => {
  const r = bulk(ndjson({ index: {} }, '{"message": {"text": "nested"},  "n": 1}', { index: {} }, { message: 42 }, { index: {} }, { message: '' }), 'x');
  assert.deepEqual(r.batch.streams[0].lines, ['{"message": {"text": "nested"},  "n": 1}', '{"message":42}', '']);
  assert.deepEqual(r.batch.streams[0].metadata, [{ message_text: 'nested', n: '1' }, { message: '42' }, undefined]);
});

test('bad items are answered one by one, in Elasticsearch terms; the good ones around them are kept', () => {
  const r = bulk(
    ndjson(
      { index: { _index: 'web' } }, { message: 'kept 1' },
      { delete: { _index: 'web', _id: 'd1' } },
      { update: { _index: 'web', _id: 'u1' } }, { doc: { a: 1 } },
      { index: { _index: 'Web' } }, { message: 'upper case index' },
      { index: {} }, { message: 'no index' },
      { index: { _index: 7 } }, { message: 'numeric index' },
      { index: { _index: 'web', _id: 5 } }, '{"message": "broken',
      { index: { _index: 'web' } }, '[1, 2]',
      { create: { _index: 'web' } }, '',
      { index: { _index: 'web' } }, { '@timestamp': 'last tuesday', message: 'bad time' },
      { index: { _index: 'web' } }, { '@timestamp': '2020-01-01T00:00:00Z', message: 'too old' },
      { index: { _index: 'web' } }, { message: 'x'.repeat(50) },
      { create: { _index: 'web' } }, { message: 'kept 2', '@timestamp': null },
    ),
    undefined,
    ctx({ maxLineBytes: 40 }),
  );
  assert.equal(r.fatal, undefined);
  assert.deepEqual(r.batch.streams.map((s) => s.lines), [['kept 1', 'kept 2']]);
  assert.deepEqual(r.batch.streams[0].ts, [NOW_NS, NOW_NS]);
  const appendOnly = (a: string) => `Sightline stores logs append-only: [${a}] is not supported; use [index] or [create]`;
  // newer V8 versions append " (line 1 column 20)" to JSON.parse messages
  for (const item of r.items) if (item.error) item.error.reason = item.error.reason.replace(/ \(line \d+ column \d+\)$/, '');
  assert.deepEqual(r.items, [
    ok('index', 'web'),
    bad('delete', 'web', 'd1', 'illegal_argument_exception', appendOnly('delete')),
    bad('update', 'web', 'u1', 'illegal_argument_exception', appendOnly('update')),
    bad('index', 'Web', null, 'invalid_index_name_exception', 'Invalid index name [Web], must be lowercase'),
    bad('index', null, null, 'action_request_validation_exception', 'Validation Failed: 1: index is missing;'),
    bad('index', null, null, 'action_request_validation_exception', 'Validation Failed: 1: [_index] must be a string, got 7;'),
    bad('index', 'web', '5', 'mapper_parsing_exception', "failed to parse the source document on line 13: Unterminated string in JSON at position 19"),
    bad('index', 'web', null, 'mapper_parsing_exception', 'failed to parse the source document on line 15: expected a JSON object'),
    bad('create', 'web', null, 'mapper_parsing_exception', 'failed to parse: the source document on line 17 is empty'),
    bad('index', 'web', null, 'mapper_parsing_exception', 'failed to parse field [@timestamp] of type [date]: "last tuesday" is not an RFC 3339 time or an epoch in milliseconds'),
    bad('index', 'web', null, 'illegal_argument_exception', 'timestamp 2020-01-01T00:00:00.000Z is older than the accepted window (2024-01-08T12:00:00.000Z)'),
    bad('index', 'web', null, 'illegal_argument_exception', 'line is 50 bytes, more than the limit of 40'),
    ok('create', 'web'),
  ]);
  // the same rejections as IngestErrors (metrics and logs), each naming the item and its action line
  assert.deepEqual(r.errors.map((e) => [e.entry, e.line, e.reason]), [
    [1, 3, 'unsupported_action'],
    [2, 4, 'unsupported_action'],
    [3, 6, 'invalid_labels'],
    [4, 8, 'missing_field'],
    [5, 10, 'missing_field'],
    [6, 12, 'invalid_json'],
    [7, 14, 'invalid_json'],
    [8, 16, 'invalid_json'],
    [9, 18, 'invalid_timestamp'],
    [10, 20, 'timestamp_too_old'],
    [11, 22, 'line_too_long'],
  ]);
  assert.equal(r.errors[0].message, `item 1 (line 3): ${appendOnly('delete')}`);
});

test('invalid UTF-8 in a message is refused for that item only', () => {
  const body = Buffer.concat([Buffer.from('{"index":{}}\n{"message":"bad '), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n{"index":{}}\n{"message":"good"}\n')]);
  const r = bulk(body, 'x');
  assert.deepEqual(r.batch.streams[0].lines, ['good']);
  assert.deepEqual(r.items[0].error, { status: 400, type: 'mapper_parsing_exception', reason: 'line is not valid UTF-8' });
});

test('CRLF line endings, blank lines between actions and a missing final newline are accepted', () => {
  const r = bulk(Buffer.from('\r\n{"index":{"_index":"a"}}\r\n{"message":"one"}\r\n\r\n\n{"create":{"_index":"a"}}\n{"message":"two"}'));
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.batch.streams[0].lines, ['one', 'two']);
});

test('a malformed action line, an unknown action or a missing source fails the whole request, as in Elasticsearch', () => {
  const cases: [string, string][] = [
    ['', 'Validation Failed: 1: no requests added;'],
    ['\n  \n', 'Validation Failed: 1: no requests added;'],
    ['{"index":{}}\n{"message":"a"}\n{"index": \n{"message":"b"}\n', 'Malformed action/metadata line [3]: Unexpected end of JSON input'],
    ['"index"\n{}\n', 'Malformed action/metadata line [1], expected START_OBJECT'],
    ['{"upsert":{}}\n{}\n', 'Malformed action/metadata line [1], expected a single field [create], [delete], [index] or [update] but found [upsert]'],
    ['{"index":{},"create":{}}\n{}\n', 'Malformed action/metadata line [1], expected a single field [create], [delete], [index] or [update] but found [index], [create]'],
    ['{"index":[]}\n{}\n', 'Malformed action/metadata line [1], expected an object after [index]'],
    ['{"index":{}}\n{"message":"a"}\n{"create":{}}\n', 'action/metadata line [3] ([create]) is not followed by a source document'],
  ];
  for (const [body, fatal] of cases) {
    const r = bulk(Buffer.from(body), 'x');
    assert.deepEqual(r, { batch: { tenant: 'acme', streams: [], entries: 0, bytes: 0 }, errors: [], items: [], fatal }, JSON.stringify(body));
  }
});

test("index names follow Elasticsearch's rules", () => {
  const cases: [string, string | undefined][] = [
    ['logs-nginx-default', undefined],
    ['.ds-logs', undefined],
    ['filebeat-8.11.0-2024.01.15', undefined],
    ['', 'Invalid index name [], must not be empty'],
    ['Logs', 'Invalid index name [Logs], must be lowercase'],
    ['a b', 'Invalid index name [a b], must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?, #, :]'],
    ['a:b', 'Invalid index name [a:b], must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?, #, :]'],
    ['a*', 'Invalid index name [a*], must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?, #, :]'],
    ['_x', "Invalid index name [_x], must not start with '_', '-', or '+'"],
    ['-x', "Invalid index name [-x], must not start with '_', '-', or '+'"],
    ['+x', "Invalid index name [+x], must not start with '_', '-', or '+'"],
    ['..', "Invalid index name [..], must not be '.' or '..'"],
    ['x'.repeat(255), undefined],
    ['é'.repeat(128), `Invalid index name [${'é'.repeat(40)}…], index name is too long, (256 > 255)`],
  ];
  for (const [name, problem] of cases) assert.equal(checkIndexName(name), problem, name);
});

test('flattening: nested objects joined with _, names made label-safe, arrays as JSON, nulls skipped, first spelling wins', () => {
  assert.deepEqual(
    flattenFields(
      {
        '@timestamp': 'x',
        message: 'the line',
        host: { name: 'web-1', os: { family: 'debian' }, ip: ['10.0.0.1', '10.0.0.2'] },
        'log.level': 'warn',
        'http-status': 502,
        '2fa': true,
        'user name': 'ann',
        a: { b: 'nested first' },
        'a.b': 'dotted second',
        gone: null,
        empty: {},
        '': 'empty key',
      },
      true,
    ),
    {
      host_name: 'web-1',
      host_os_family: 'debian',
      host_ip: '["10.0.0.1","10.0.0.2"]',
      log_level: 'warn',
      http_status: '502',
      _2fa: 'true',
      user_name: 'ann',
      a_b: 'nested first',
      _: 'empty key',
    },
  );
  assert.equal(flattenFields({ message: 'only the line' }, true), undefined);
  assert.deepEqual(flattenFields({ message: { text: 'm' } }, false), { message_text: 'm' });
});

test('flattening is bounded: depth, field count, value length and total size', () => {
  const L = BULK_METADATA_LIMITS;
  let deep: Record<string, unknown> = { leaf: 'v' };
  for (let i = 0; i < L.maxDepth + 2; i++) deep = { d: deep };
  const flat = flattenFields(deep, false)!;
  const name = Array(L.maxDepth).fill('d').join('_');
  assert.deepEqual(Object.keys(flat), [name]);
  assert.equal(flat[name], JSON.stringify({ d: { d: { leaf: 'v' } } }));

  const many: Record<string, number> = {};
  for (let i = 0; i < L.maxFields + 10; i++) many[`f${i}`] = i;
  const capped = flattenFields(many, false)!;
  assert.equal(Object.keys(capped).length, L.maxFields + 1);
  assert.equal(capped[`f${L.maxFields - 1}`], String(L.maxFields - 1));
  assert.equal(capped[`f${L.maxFields}`], undefined);
  assert.equal(capped.sightline_dropped_fields, '10');

  const long = flattenFields({ stack: 'x'.repeat(L.maxValueChars + 5), short: 'y' }, false)!;
  assert.equal(long.stack.length, L.maxValueChars);
  assert.equal(long.short, 'y');
  assert.equal(long.sightline_truncated_fields, '1');

  const big: Record<string, string> = {};
  for (let i = 0; i < 10; i++) big[`k${i}`] = 'z'.repeat(8000);
  const sized = flattenFields(big, false)!;
  assert.equal(Object.keys(sized).filter((k) => k.startsWith('k')).length, 8);
  assert.equal(sized.sightline_dropped_fields, '2');
});
