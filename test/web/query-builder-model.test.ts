// The query builder's model: what it writes, what it reads back (round trips), and what it leaves to code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildQuery, emptyBuilder, parseBuilder, type BuilderQuery } from '../../web/src/explore/query-builder-model.ts';

const full: BuilderQuery = {
  matchers: [
    { label: 'service', op: '=', value: 'api' },
    { label: 'env', op: '!~', value: 'dev|test' },
  ],
  lineFilters: [
    { op: '|=', value: 'error' },
    { op: '!=', value: 'health "check"' },
    { op: '|~', value: 'time(d|out)' },
  ],
  parser: 'json',
  pattern: '',
  fieldFilters: [
    { field: 'status', op: '>=', value: '500' },
    { field: 'latency', op: '>', value: '250ms' },
    { field: 'path', op: '=~', value: '/api/.*' },
  ],
  metric: { fn: 'rate', range: '5m', by: ['service', 'status'] },
};

test('writes LogQL for each shape', () => {
  assert.equal(buildQuery(emptyBuilder()), '{}');
  assert.equal(
    buildQuery(full),
    'sum by (service, status) (rate({service="api", env!~"dev|test"} |= "error" != "health \\"check\\"" |~ "time(d|out)" | json | status>=500 | latency>250ms | path=~"/api/.*" [5m]))',
  );
  assert.equal(buildQuery({ ...full, metric: { fn: 'count_over_time', range: '1h', by: [] }, lineFilters: [], fieldFilters: [] }), 'sum(count_over_time({service="api", env!~"dev|test"} | json [1h]))');
  assert.equal(buildQuery({ ...emptyBuilder(), matchers: [{ label: 'app', op: '=', value: 'web' }], parser: 'pattern', pattern: '<ip> - <_> "<method> <path>"' }), '{app="web"} | pattern "<ip> - <_> \\"<method> <path>\\""');
});

test('leaves incomplete rows out instead of writing invalid LogQL', () => {
  const b: BuilderQuery = { ...emptyBuilder(), matchers: [{ label: '', op: '=', value: 'x' }, { label: 'app', op: '=', value: 'web' }], lineFilters: [{ op: '|=', value: '' }], fieldFilters: [{ field: 'status', op: '>', value: 'abc' }] };
  assert.equal(buildQuery(b), '{app="web"}');
});

test('reads back what it writes', () => {
  for (const b of [
    full,
    (({ metric: _, ...rest }) => rest)(full),
    { ...full, metric: { fn: 'count_over_time' as const, range: '10m', by: [] } },
    { ...emptyBuilder(), matchers: [{ label: 'app', op: '=' as const, value: 'web' }], parser: 'pattern' as const, pattern: '<ip> <_>' },
    { ...emptyBuilder(), matchers: [{ label: 'app', op: '=' as const, value: 'web' }], parser: 'logfmt' as const, fieldFilters: [{ field: 'level', op: '!=' as const, value: 'debug' }] },
  ]) {
    assert.deepEqual(parseBuilder(buildQuery(b)), b, buildQuery(b));
  }
});

test('reads hand-written queries of the same shapes', () => {
  assert.deepEqual(parseBuilder('{app="web"}|="x"'), { ...emptyBuilder(), matchers: [{ label: 'app', op: '=', value: 'web' }], lineFilters: [{ op: '|=', value: 'x' }] });
  assert.deepEqual(parseBuilder('sum(rate({app="web"}[1m])) by (host)')?.metric, { fn: 'rate', range: '1m', by: ['host'] });
  assert.deepEqual(parseBuilder('{app=`a\\b`}')?.matchers, [{ label: 'app', op: '=', value: 'a\\b' }]);
});

test('anything else is left to the code editor', () => {
  for (const q of [
    '{app="web"} | json | line_format "{{.msg}}"',
    '{app="web"} | json a="b"',
    'topk(5, sum by (app) (rate({app="web"}[5m])))',
    'sum by (app) (rate({app="web"}[5m])) > 1',
    'avg_over_time({app="web"} | unwrap latency [5m])',
    '{app="web"} | json | logfmt',
    '{app="web"} | json |= "after parser"',
    '{app="web"',
    '{app="web"} # comment',
    'sum by (a) (rate({app="web"}[5m])) by (b)',
  ]) {
    assert.equal(parseBuilder(q), undefined, q);
  }
});
