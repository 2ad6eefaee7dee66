// Sigma conditions (Sigma Rules Specification 2.1, "Condition"): and, or, not, parentheses, precedence,
// `1 of`/`all of` with patterns and `them` (which leaves out identifiers starting with _), lists of conditions,
// and the Sigma 1.x forms refused with their reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCondition, expandPattern } from '../../../src/siem/sigma/sigma-condition.ts';
import { failure, matches, rule } from './sigma-fixture.ts';

const searches = `  a:\n    f: a\n  b:\n    f: b\n  c:\n    g: c\n  sel_x:\n    h: x\n  sel_y:\n    i: y\n  _hidden:\n    j: z\n`;
const r = (cond: string) => rule(`${searches}  condition: ${cond}\n`);
const ev = (o: Record<string, string>) => ({ fields: o });

test('precedence: not binds tighter than and, and than or', () => {
  const c = r('a or b and not c');
  assert.ok(matches(c, ev({ f: 'a', g: 'c' })), 'a alone suffices');
  assert.ok(matches(c, ev({ f: 'b' })));
  assert.ok(!matches(c, ev({ f: 'b', g: 'c' })));
  assert.deepEqual(parseCondition('a or b and not c'), {
    kind: 'or',
    left: { kind: 'ref', name: 'a' },
    right: { kind: 'and', left: { kind: 'ref', name: 'b' }, right: { kind: 'not', expr: { kind: 'ref', name: 'c' } } },
  });
});

test('parentheses group', () => {
  const c = r('(a or b) and not c');
  assert.ok(!matches(c, ev({ f: 'a', g: 'c' })));
  assert.ok(matches(c, ev({ f: 'a' })));
  assert.ok(matches(r('not (a or c)'), ev({ f: 'b' })));
  assert.ok(!matches(r('not (a or c)'), ev({ g: 'c' })));
});

test('1 of / all of a pattern', () => {
  assert.ok(matches(r('1 of sel_*'), ev({ h: 'x' })));
  assert.ok(!matches(r('all of sel_*'), ev({ h: 'x' })));
  assert.ok(matches(r('all of sel_*'), ev({ h: 'x', i: 'y' })));
  assert.ok(matches(r('a and not 1 of sel_*'), ev({ f: 'a' })));
  assert.ok(!matches(r('a and not 1 of sel_*'), ev({ f: 'a', i: 'y' })));
  assert.deepEqual(expandPattern('sel_*', ['a', 'sel_x', 'sel_y', 'xsel_']), ['sel_x', 'sel_y']);
  assert.deepEqual(expandPattern('*_x*', ['sel_x', 'a_xb', 'ax']), ['sel_x', 'a_xb']);
});

test('1 of them / all of them leave out identifiers starting with _', () => {
  assert.ok(matches(r('1 of them'), ev({ g: 'c' })));
  assert.ok(!matches(r('1 of them'), ev({ j: 'z' })), '_hidden is not among them');
  // a and b test the same field: all of them can never hold here
  assert.ok(!matches(r('all of them'), ev({ f: 'a', g: 'c', h: 'x', i: 'y' })));
  const two = rule('  one:\n    f: a\n  two:\n    g: c\n  _x:\n    h: nope\n  condition: all of them\n');
  assert.ok(matches(two, ev({ f: 'a', g: 'c' })), '_x is left out');
  assert.ok(!matches(two, ev({ f: 'a' })));
});

test('a list of conditions is OR', () => {
  const c = rule(`${searches}  condition:\n    - a\n    - c\n`);
  assert.ok(matches(c, ev({ g: 'c' })));
  assert.ok(!matches(c, ev({ f: 'b' })));
});

test('refusals name the problem', () => {
  assert.match(failure(`${searches}  condition: a | count() by f > 5\n`), /Sigma 1\.x aggregation "\| count\(\) by f > 5" is not supported/);
  assert.match(failure(`${searches}  condition: a near b\n`), /unexpected "near"|"near" \(Sigma 1\.x\) is not supported/);
  assert.match(failure(`${searches}  condition: a and missing\n`), /condition names "missing", which is not a search identifier of the detection/);
  assert.match(failure(`${searches}  condition: 1 of filter_*\n`), /condition "1 of filter_\*" matches no search identifier/);
  assert.match(failure(`${searches}  condition: (a or b\n`), /expected "\)" at the end of condition/);
  assert.match(failure(`${searches}  condition: a and\n`), /expected a search identifier/);
  assert.match(failure(`${searches}  condition: 2 of sel_*\n`), /"2 of" is not Sigma/);
  assert.match(failure(`${searches}  timeframe: 5m\n  condition: a\n`), /timeframe \(a Sigma 1\.x aggregation window\) is not supported/);
});
