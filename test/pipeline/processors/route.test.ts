// `route`: first matching route wins, default for the rest, a fixed outputs: list, and validation of outputs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitByOutput } from '../../../src/pipeline/outputs.ts';
import { ev, loadError, runnerFor } from '../pipeline-fixture.ts';

test('errors to store + alert, debug to the archive only, the rest by default', () => {
  const runner = runnerFor(`
pipelines:
  all:
    processors:
      - type: route
        routes:
          - if: 'labels.level in ["error", "fatal"]'
            outputs: [store, alert]
          - if: 'labels.level == "debug"'
            outputs: archive
          - if: 'labels.level == "error"'
            outputs: [drop]
        default: [store]
`);
  const out = runner.process([ev('e', { level: 'error' }), ev('d', { level: 'debug' }), ev('i', { level: 'info' }), ev('x')], 0);
  assert.deepEqual(out.map((e) => e.outputs), [['store', 'alert'], ['archive'], ['store'], ['store']]);
  const routed = splitByOutput(out);
  assert.deepEqual([routed.store.map((e) => e.line), routed.archive.map((e) => e.line), routed.alert.map((e) => e.line), routed.dropped], [['e', 'i', 'x'], ['d'], ['e'], 0]);
});

test('without default, unmatched events keep their outputs; a later route overrides', () => {
  const runner = runnerFor(`
pipelines:
  all:
    processors:
      - type: route
        if: 'fields.status >= 500'
        outputs: [store, alert]
      - type: route
        routes:
          - if: 'labels.level == "debug"'
            outputs: [drop]
`);
  const out = runner.process([ev('a', {}, { status: '503' }), ev('b', { level: 'debug' }, { status: 502 }), ev('c')], 0);
  assert.deepEqual(out.map((e) => e.outputs), [['store', 'alert'], ['drop'], undefined]);
  const routed = splitByOutput(out);
  assert.deepEqual([routed.store.length, routed.alert.length, routed.dropped], [2, 1, 1]);
});

test('outputs are checked', () => {
  assert.equal(loadError('pipelines: {p: {processors: [{type: route, outputs: [store, s3]}]}}'), 'test.yaml:1: pipelines.p.processors[0].outputs: unknown output "s3" (expected some of store, archive, alert, drop)');
  assert.equal(loadError('pipelines: {p: {processors: [{type: route, outputs: [drop, store]}]}}'), 'test.yaml:1: pipelines.p.processors[0].outputs: `drop` cannot be combined with other outputs');
  assert.match(loadError('pipelines: {p: {processors: [{type: route}]}}'), /pipelines\.p\.processors\[0\]: expected either outputs: .* or routes: /);
  assert.equal(loadError('pipelines: {p: {processors: [{type: route, routes: [{outputs: [store]}]}]}}'), 'test.yaml:1: pipelines.p.processors[0].routes[0].if: is required (expected the condition of this route)');
  assert.equal(loadError('pipelines: {p: {processors: [{type: route, outputs: [store], default: [archive]}]}}'), 'test.yaml:1: pipelines.p.processors[0].default: default: goes with routes:, not with outputs:');
});
