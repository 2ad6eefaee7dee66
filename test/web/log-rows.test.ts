// Flattening Loki's categorized streams into the list's rows: order, levels, fields, trace ids, highlights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareNs, fieldsOf, fieldValue, rowJson, rowsFromStreams, traceIdOf, traceIdSpans } from '../../web/src/explore/log-rows.ts';
import { detectLevel, normalizeLevel } from '../../web/src/explore/log-level.ts';
import { highlighter, toJsRegex } from '../../web/src/explore/match-highlight.ts';

const result = [
  { stream: { app: 'api', level: 'error' }, values: [['1764064800000000003', 'GET /a 500', { structuredMetadata: { trace_id: 't-1' }, parsed: { status: '500' } }]] as [string, string, object][] },
  { stream: { app: 'web' }, values: [['1764064800000000001', 'level=warn msg=slow'], ['1764064800000000002', '{"traceId":"abc123def","msg":"x"}', {}]] as [string, string][] },
];

test('rows of all streams in time order, with their categorized labels', () => {
  const rows = rowsFromStreams(result as never);
  assert.deepEqual(rows.map((r) => r.tsNs), ['1764064800000000003', '1764064800000000002', '1764064800000000001']);
  assert.deepEqual(rows[0].metadata, { trace_id: 't-1' });
  assert.deepEqual(rows[0].parsed, { status: '500' });
  assert.equal(rows[0].level, 'error');
  assert.equal(rows[2].level, 'warn');
  assert.equal(rows[0].tsMs, 1764064800000.000003);
  assert.deepEqual(rowsFromStreams(result as never, 'forward').map((r) => r.tsNs)[0], '1764064800000000001');
  assert.equal(new Set(rows.map((r) => r.key)).size, 3);
  assert.equal(fieldValue(rows[0], 'status'), '500');
  assert.equal(fieldValue(rows[0], 'app'), 'api');
});

test('fields by frequency, trace ids from fields or the line', () => {
  const rows = rowsFromStreams(result as never);
  const fields = fieldsOf(rows);
  assert.deepEqual(fields[0], { name: 'app', source: 'label', count: 3, distinct: 2 });
  assert.ok(fields.some((f) => f.name === 'trace_id' && f.source === 'metadata'));
  assert.equal(traceIdOf(rows[0]), 't-1');
  assert.equal(traceIdOf(rows[1]), 'abc123def');
  assert.equal(traceIdOf(rows[2]), undefined);
  assert.deepEqual(traceIdSpans('a trace_id=0af7651916cd43dd b'), [{ from: 11, to: 27, id: '0af7651916cd43dd' }]);
  assert.equal(rowJson(rows[0]), '{"timestamp":"1764064800000000003","labels":{"app":"api","level":"error"},"structuredMetadata":{"trace_id":"t-1"},"parsed":{"status":"500"},"line":"GET /a 500"}');
  assert.equal(compareNs('999', '1000') < 0, true);
});

test('levels from labels, metadata, fields or the line', () => {
  assert.equal(normalizeLevel('WARNING'), 'warn');
  assert.equal(normalizeLevel('crit'), 'fatal');
  assert.equal(normalizeLevel('nope'), undefined);
  assert.equal(detectLevel({}, { severity_text: 'ERROR' }, {}, ''), 'error');
  assert.equal(detectLevel({}, {}, {}, '2026-01-01 [main] DEBUG starting'), 'debug');
  assert.equal(detectLevel({}, {}, {}, '{"level":"info","msg":"no error here"}'), 'info');
  assert.equal(detectLevel({}, {}, {}, 'nothing to see'), 'unknown');
});

test('highlighting line filter matches', () => {
  const h = highlighter([
    { op: '|=', value: 'out' },
    { op: '|~', value: '(?i)TIME\\w+' },
  ]);
  assert.deepEqual(h('timeout, then timeout'), [
    { from: 0, to: 7 },
    { from: 14, to: 21 },
  ]);
  assert.deepEqual(highlighter([])('x'), []);
  assert.equal(toJsRegex('(unclosed'), undefined);
});
