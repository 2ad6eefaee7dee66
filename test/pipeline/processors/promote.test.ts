// `promote`: fields become labels under the cardinality guard (per label and tenant): `__other__` or refusal past
// max_values, one warning, the field moved unless keep_fields.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ev, loadError, runnerFor } from '../pipeline-fixture.ts';

test('fields become labels and leave the fields', () => {
  const runner = runnerFor('pipelines: {p: {processors: [{type: promote, fields: {status: status_code, method: method}}]}}');
  const [e] = runner.process([ev('x', { service: 'web' }, { status: 200, method: 'GET', path: '/' })], 0);
  assert.deepEqual(e.labels, { service: 'web', status_code: '200', method: 'GET' });
  assert.deepEqual(e.fields, { path: '/' });
});

test('past max_values new values become __other__, known ones still pass, with one warning', () => {
  const warnings: string[] = [];
  const runner = runnerFor('pipelines: {p: {processors: [{type: promote, fields: [user], max_values: 3}]}}', { warn: (m) => warnings.push(m) });
  const users = ['ann', 'bob', 'cid', 'dan', 'eve', 'ann'];
  const out = runner.process(users.map((u) => ev(u, {}, { user: u })), 0);
  assert.deepEqual(out.map((e) => e.labels.user), ['ann', 'bob', 'cid', '__other__', '__other__', 'ann']);
  assert.deepEqual(warnings, ['promote (test.yaml:1): label "user" of tenant "default" reached max_values (3 distinct values); new values become "__other__"']);
  // the guard is per tenant
  assert.deepEqual(runner.process([ev('z', {}, { user: 'zed' }, 'other-tenant')], 0).map((e) => e.labels.user), ['zed']);
});

test('on_limit: refuse leaves new values as fields; keep_fields keeps the field', () => {
  const warnings: string[] = [];
  const runner = runnerFor('pipelines: {p: {processors: [{type: promote, fields: [user], max_values: 1, on_limit: refuse, keep_fields: true}]}}', { warn: (m) => warnings.push(m) });
  const out = runner.process([ev('1', {}, { user: 'ann' }), ev('2', {}, { user: 'bob' })], 0);
  assert.deepEqual(out.map((e) => [e.labels.user, e.fields.user]), [
    ['ann', 'ann'],
    [undefined, 'bob'],
  ]);
  assert.match(warnings[0], /new values stay fields and are not promoted$/);
});

test('absent, null and empty fields are not promoted; label names are checked', () => {
  const runner = runnerFor('pipelines: {p: {processors: [{type: promote, fields: [a]}]}}');
  const out = runner.process([ev('1'), ev('2', {}, { a: null }), ev('3', {}, { a: '' })], 0);
  assert.deepEqual(out.map((e) => e.labels), [{}, {}, {}]);
  assert.match(loadError("pipelines: {p: {processors: [{type: promote, fields: ['http.status']}]}}"), /fields: "http\.status" is not a valid label name .*map the field to another name: \{http\.status: name\}/);
  assert.equal(loadError('pipelines: {p: {processors: [{type: promote, fields: [a], on_limit: drop}]}}'), 'test.yaml:1: pipelines.p.processors[0].on_limit: expected one of other, refuse, got "drop"');
});

test('the fields left keep their order; a field listed twice is promoted once', () => {
  const runner = runnerFor('pipelines: {p: {processors: [{type: promote, fields: [level, user, level], max_values: 2}]}}');
  const out = runner.process([ev('1', {}, { a: 1, level: 'info', b: 2, user: 'ann', c: 3 }), ev('2', {}, { level: 'warn', z: 0 }), ev('3', {}, { level: 'error', z: 0 })], 0);
  assert.deepEqual(out.map((e) => Object.entries(e.fields)), [[['a', 1], ['b', 2], ['c', 3]], [['z', 0]], [['z', 0]]]);
  assert.deepEqual(out.map((e) => e.labels), [{ level: 'info', user: 'ann' }, { level: 'warn' }, { level: '__other__' }]);
});
