// `set`: computed fields, labels and line; literals; null removes; all values computed before any is assigned.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ev, loadError, runnerFor } from '../pipeline-fixture.ts';

test('fields, labels and the line from expressions and literals', () => {
  const runner = runnerFor(`
pipelines:
  p:
    processors:
      - type: set
        fields:
          env: 'lower(labels.env)'
          version: 3
          canary: true
          source: {value: edge proxy}
          quoted: '"a b"'
          gone: 'fields.missing'
        labels:
          team: '"payments"'
          env: 'null'
        line: 'concat(fields.method, " ", fields.path)'
`);
  const [e] = runner.process([ev('raw', { env: 'PROD', pod: 'p1' }, { method: 'GET', path: '/x', gone: 'was here' })], 0);
  assert.deepEqual(e.fields, { method: 'GET', path: '/x', env: 'prod', version: 3, canary: true, source: 'edge proxy', quoted: 'a b' });
  assert.deepEqual(e.labels, { pod: 'p1', team: 'payments' });
  assert.equal(e.line, 'GET /x');
});

test('every value sees the event as it came in (a swap works)', () => {
  const runner = runnerFor("pipelines: {p: {processors: [{type: set, fields: {a: 'fields.b', b: 'fields.a'}}]}}");
  const [e] = runner.process([ev('x', {}, { a: 1, b: 2 })], 0);
  assert.deepEqual(e.fields, { a: 2, b: 1 });
});

test('numbers become label text; bad label names and empty sets are refused', () => {
  const [e] = runnerFor("pipelines: {p: {processors: [{type: set, labels: {code: 'fields.status'}}]}}").process([ev('x', {}, { status: 404 })], 0);
  assert.equal(e.labels.code, '404');
  assert.equal(loadError("pipelines: {p: {processors: [{type: set, labels: {'app.name': '\"x\"'}}]}}"), 'test.yaml:1: pipelines.p.processors[0].labels.app.name: is not a valid label name (expected a letter or _, then letters, digits or _)');
  assert.equal(loadError('pipelines: {p: {processors: [{type: set}]}}'), 'test.yaml:1: pipelines.p.processors[0]: expected at least one of fields:, labels:, line:');
  assert.match(loadError("pipelines: {p: {processors: [{type: set, fields: {a: 'nope(1)'}}]}}"), /^test\.yaml:1: pipelines\.p\.processors\[0\]\.fields\.a: invalid expression: column 1: unknown function "nope"/);
});

test('null removes a field; the others keep their order, new ones go last', () => {
  const runner = runnerFor(`
pipelines:
  p:
    processors:
      - type: set
        fields: {b: 'null', z: '"new"', a: '"again"', missing: 'null'}
`);
  const [e] = runner.process([ev('x', {}, { a: 1, b: 2, c: 3 })], 0);
  assert.deepEqual(Object.entries(e.fields), [['a', 'again'], ['c', 3], ['z', 'new']]);
});
