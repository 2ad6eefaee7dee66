// `remove`: deletes fields and labels by name.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ev, loadError, runnerFor } from '../pipeline-fixture.ts';

test('removes the named fields and labels, ignores absent ones', () => {
  const runner = runnerFor('pipelines: {p: {processors: [{type: remove, fields: [password, missing], labels: pod}]}}');
  const [e] = runner.process([ev('x', { service: 's', pod: 'p-1' }, { password: 'hunter2', user: 'bob' })], 0);
  assert.deepEqual(e.fields, { user: 'bob' });
  assert.deepEqual(e.labels, { service: 's' });
});

test('needs something to remove', () => {
  assert.equal(loadError('pipelines: {p: {processors: [{type: remove}]}}'), 'test.yaml:1: pipelines.p.processors[0]: expected fields: or labels: (names to remove)');
});

test('the fields left keep their order and values; an event without the names is left as it was', () => {
  const runner = runnerFor('pipelines: {p: {processors: [{type: remove, fields: [b, d]}]}}');
  const untouched = { a: 1, c: 'x' };
  const [e, f] = runner.process([ev('x', {}, { a: 1, b: 2, c: null, d: 'z', e: true }), ev('y', {}, untouched)], 0);
  assert.deepEqual(Object.entries(e.fields), [['a', 1], ['c', null], ['e', true]]);
  assert.deepEqual(Object.entries(f.fields), Object.entries(untouched));
});
