// Click-to-filter rewrites and the derived queries (histogram, stream context, trace).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addFieldFilter, addLabelMatcher, histogramQuery, isMetricQuery, lineFilters, streamSelector, traceQueries, unquote } from '../../web/src/logql/query-edit.ts';

test('addLabelMatcher adds to the selector, replacing the same label and operator', () => {
  assert.equal(addLabelMatcher('{app="shop"} |= "x"', 'level', '=', 'error'), '{app="shop", level="error"} |= "x"');
  assert.equal(addLabelMatcher('{app="shop", level="info"} | json', 'level', '=', 'error'), '{app="shop", level="error"} | json');
  assert.equal(addLabelMatcher('{app="shop", level="info"}', 'level', '!=', 'debug'), '{app="shop", level="info", level!="debug"}');
  assert.equal(addLabelMatcher('{}', 'app', '=', 'a"b'), '{app="a\\"b"}');
  assert.equal(addLabelMatcher('', 'app', '=', 'x'), '{app="x"}');
  assert.equal(addLabelMatcher('rate({app="a"}[5m])', 'env', '!=', 'dev'), 'rate({app="a", env!="dev"}[5m])');
});

test('addFieldFilter appends to the pipeline, or before the range of a metric query', () => {
  assert.equal(addFieldFilter('{app="shop"} | json', 'status', '=', '500'), '{app="shop"} | json | status="500"');
  assert.equal(addFieldFilter('{app="shop"} | logfmt  ', 'user', '!=', 'bob'), '{app="shop"} | logfmt | user!="bob"');
  assert.equal(addFieldFilter('count_over_time({a="b"} | json [5m])', 'x', '=', 'y'), 'count_over_time({a="b"} | json | x="y" [5m])');
});

test('lineFilters lists positive filters, including or-chains, and skips negative ones', () => {
  assert.deepEqual(lineFilters('{a="b"} |= "timeout" != "debug" |~ "(?i)err.r" |= "x" or "y"'), [
    { op: '|=', value: 'timeout' },
    { op: '|~', value: '(?i)err.r' },
    { op: '|=', value: 'x' },
    { op: '|=', value: 'y' },
  ]);
  assert.deepEqual(lineFilters('{a="b"} |= `raw\\d`'), [{ op: '|=', value: 'raw\\d' }]);
});

test('derived queries', () => {
  assert.equal(histogramQuery('{app="a"} |= "x" # why', 30), 'sum by (level) (count_over_time({app="a"} |= "x" | drop __error__, __error_details__ [30s]))');
  assert.equal(streamSelector({ b: '2', a: 'x"y' }), '{a="x\\"y", b="2"}');
  assert.deepEqual(traceQueries('abc'), ['{} | trace_id="abc"', '{} |= "abc"']);
  assert.equal(isMetricQuery('sum(rate({a="b"}[1m]))'), true);
  assert.equal(isMetricQuery('  {a="b"} | json'), false);
  assert.equal(unquote('"a\\"b\\\\c"'), 'a"b\\c');
});
