// `rate_limit`: a token bucket per stream or key on the processing clock; the excess is dropped, counted and
// reported.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ev, linesOf, loadError, runnerFor } from '../pipeline-fixture.ts';

const burst = (n: number, labels: Record<string, string> = { s: 'a' }, prefix = 'e') => Array.from({ length: n }, (_, i) => ev(`${prefix}${i}`, labels));

test('a burst passes, the excess is dropped, tokens come back with time', () => {
  const warnings: string[] = [];
  const runner = runnerFor('pipelines: {p: {processors: [{type: rate_limit, events_per_second: 10, burst: 5}]}}', { warn: (m) => warnings.push(m) });
  assert.deepEqual(linesOf(runner.process(burst(8), 1000)), ['e0', 'e1', 'e2', 'e3', 'e4']);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /^rate_limit \(test\.yaml:1\): stream \{s="a"\} \(tenant default\) is over 10 events\/s; the excess is dropped$/);
  // 300 ms later: 3 tokens
  assert.equal(runner.process(burst(8), 1300).length, 3);
  // much later: the bucket is full again, not more
  assert.equal(runner.process(burst(8), 60_000).length, 5);
  assert.match(runner.metrics.render(), /sightline_pipeline_processor_events_dropped_total\{pipeline="p",processor="rate_limit",type="rate_limit"\} 11\n/);
});

test('each stream has its own bucket; a key shares one across streams', () => {
  const perStream = runnerFor('pipelines: {p: {processors: [{type: rate_limit, events_per_second: 2}]}}');
  assert.equal(perStream.process([...burst(5, { s: 'a' }), ...burst(5, { s: 'b' })], 0).length, 4);
  const byKey = runnerFor("pipelines: {p: {processors: [{type: rate_limit, events_per_second: 2, key: 'labels.service'}]}}");
  const out = byKey.process([...burst(3, { service: 'x', pod: '1' }, 'a'), ...burst(3, { service: 'x', pod: '2' }, 'b'), ...burst(3, { service: 'y', pod: '3' }, 'c')], 0);
  assert.deepEqual(linesOf(out), ['a0', 'a1', 'c0', 'c1']);
});

test('burst defaults to the rate; the rate is required', () => {
  assert.equal(runnerFor('pipelines: {p: {processors: [{type: rate_limit, events_per_second: 3}]}}').process(burst(10), 0).length, 3);
  assert.equal(runnerFor('pipelines: {p: {processors: [{type: rate_limit, events_per_second: 0.5}]}}').process(burst(10), 0).length, 1);
  assert.equal(loadError('pipelines: {p: {processors: [{type: rate_limit}]}}'), 'test.yaml:1: pipelines.p.processors[0].events_per_second: is required (expected a number)');
});
