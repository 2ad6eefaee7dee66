// What autocomplete offers at the cursor ("|" marks it in each case).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completionContext } from '../../web/src/logql/completion-context.ts';

function at(marked: string) {
  const pos = marked.indexOf('|CURSOR|');
  const text = marked.replace('|CURSOR|', '');
  return completionContext(text, pos);
}

test('label names inside a selector, scoped by the matchers before', () => {
  assert.deepEqual(at('{|CURSOR|'), { kind: 'label-name', from: 1, to: 1, selector: '{}' });
  assert.deepEqual(at('{app="shop", le|CURSOR|}'), { kind: 'label-name', from: 13, to: 15, selector: '{app="shop"}' });
});

test('label values after a matcher operator, quoted or not', () => {
  assert.deepEqual(at('{app=|CURSOR|'), { kind: 'label-value', from: 5, to: 5, label: 'app', quoted: false, selector: '{}' });
  assert.deepEqual(at('{env="prod", app=~"sh|CURSOR|'), { kind: 'label-value', from: 19, to: 21, label: 'app', quoted: true, selector: '{env="prod"}' });
});

test('pipeline stages and fields after |, and after and/or in a label filter', () => {
  assert.deepEqual(at('{a="b"} | |CURSOR|'), { kind: 'pipeline', from: 10, to: 10 });
  assert.deepEqual(at('{a="b"} | js|CURSOR|'), { kind: 'pipeline', from: 10, to: 12 });
  assert.deepEqual(at('{a="b"} | json | status=200 and |CURSOR|'), { kind: 'pipeline', from: 32, to: 32 });
});

test('field values after a label filter operator', () => {
  assert.deepEqual(at('{a="b"} | json | method="|CURSOR|'), { kind: 'field-value', from: 25, to: 25, field: 'method', quoted: true });
  assert.deepEqual(at('{a="b"} | logfmt | status!=|CURSOR|'), { kind: 'field-value', from: 27, to: 27, field: 'status', quoted: false });
});

test('functions where an expression starts; grouping labels; durations', () => {
  assert.deepEqual(at('|CURSOR|'), { kind: 'function', from: 0, to: 0 });
  assert.deepEqual(at('cou|CURSOR|'), { kind: 'function', from: 0, to: 3 });
  assert.deepEqual(at('sum(|CURSOR|'), { kind: 'function', from: 4, to: 4 });
  assert.deepEqual(at('sum by (|CURSOR|'), { kind: 'grouping', from: 8, to: 8 });
  assert.deepEqual(at('sum by (app, |CURSOR|'), { kind: 'grouping', from: 13, to: 13 });
  assert.deepEqual(at('sum by (app) (|CURSOR|'), { kind: 'function', from: 14, to: 14 });
  assert.deepEqual(at('rate({a="b"}[|CURSOR|'), { kind: 'duration', from: 13, to: 13 });
});

test('nothing inside line filter strings or after a complete selector', () => {
  assert.deepEqual(at('{a="b"} |= "ti|CURSOR|'), { kind: 'none' });
  assert.deepEqual(at('{a="b"} |CURSOR|'), { kind: 'none' });
});
