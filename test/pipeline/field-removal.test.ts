// Removing fields by rebuilding the object: the fields that stay keep their order and values, absent names are
// ignored, and a field named `__proto__` stays a field (it does not become the object's prototype).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldValue } from '../../src/pipeline/event.ts';
import { copyFields, fieldsWithout } from '../../src/pipeline/field-removal.ts';

test('fieldsWithout: order and values kept, only the first `count` names removed, absent ones ignored', () => {
  const fields: Record<string, FieldValue> = { a: 1, ts: 't', b: null, lvl: 'x', c: true, '10': 'n' };
  const out = fieldsWithout(fields, ['lvl', 'ts', 'nope', 'c'], 3);
  assert.deepEqual(Object.entries(out), [['10', 'n'], ['a', 1], ['b', null], ['c', true]]);
  assert.deepEqual(Object.keys(fields), ['10', 'a', 'ts', 'b', 'lvl', 'c'], 'the input is left alone');
  assert.notEqual(out, fields);
});

test('copyFields: what `delete`s left, in the same order', () => {
  const fields: Record<string, FieldValue> = { a: 1, b: 2, c: 3 };
  delete fields.b;
  fields.d = 4;
  assert.deepEqual(Object.entries(copyFields(fields)), [['a', 1], ['c', 3], ['d', 4]]);
});

test('a __proto__ field stays an own field', () => {
  const fields = JSON.parse('{"__proto__":"x","a":1}') as Record<string, FieldValue>;
  for (const out of [fieldsWithout(fields, ['a'], 1), copyFields(fields)]) {
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.ok(Object.hasOwn(out, '__proto__'));
    assert.equal(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, 'x');
  }
});
