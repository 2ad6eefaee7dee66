// `dedupe`: repeats within the window collapse into the first with a count; different streams and compare
// values stay apart; held events come out when the window ends, at flush, or when too many are held.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ev, linesOf, loadError, runnerFor } from '../pipeline-fixture.ts';

test('repeats within the window become one event with repeat_count', () => {
  const runner = runnerFor('pipelines: {p: {processors: [{type: dedupe, window: 10s}]}}');
  const input = [ev('disk full'), ev('retrying'), ev('disk full'), ev('disk full'), ev('disk full', { other: 'stream' })];
  assert.deepEqual(runner.process(input, 0), []);
  runner.process([ev('disk full')], 9_000);
  const out = runner.flush(10_000, false);
  assert.deepEqual(out.map((e) => [e.line, e.labels, e.fields.repeat_count]), [
    ['disk full', {}, 4],
    ['retrying', {}, undefined],
    ['disk full', { other: 'stream' }, undefined],
  ]);
  assert.equal(out[0], input[0], 'the first occurrence is the one kept (its timestamp too)');
  // after the window a repeat starts a new group
  runner.process([ev('disk full')], 10_001);
  assert.deepEqual(runner.flush(20_001, false).map((e) => e.fields.repeat_count), [undefined]);
});

test('expired groups are also released by the next batch', () => {
  const runner = runnerFor('pipelines: {p: {processors: [{type: dedupe, window: 1s}]}}');
  runner.process([ev('a'), ev('a')], 0);
  assert.deepEqual(runner.process([ev('b')], 1500).map((e) => [e.line, e.fields.repeat_count]), [['a', 2]]);
});

test('compare chooses what makes a repeat; count_field names the count', () => {
  const runner = runnerFor("pipelines: {p: {processors: [{type: dedupe, compare: ['fields.code'], count_field: n}]}}");
  runner.process([ev('timeout after 3s', {}, { code: 'E1' }), ev('timeout after 5s', {}, { code: 'E1' }), ev('refused', {}, { code: 'E2' })], 0);
  assert.deepEqual(runner.flush(0, true).map((e) => [e.line, e.fields.n]), [
    ['timeout after 3s', 2],
    ['refused', undefined],
  ]);
});

test('past max_held the oldest is released early', () => {
  const runner = runnerFor('pipelines: {p: {processors: [{type: dedupe, max_held: 2}]}}');
  assert.deepEqual(linesOf(runner.process([ev('a'), ev('b'), ev('a'), ev('c'), ev('d')], 0)), ['a', 'b']);
  assert.deepEqual(runner.flush(0, true).map((e) => e.line), ['c', 'd']);
});

test('window must be above zero', () => {
  assert.equal(loadError('pipelines: {p: {processors: [{type: dedupe, window: 0s}]}}'), 'test.yaml:1: pipelines.p.processors[0].window: expected a duration above zero');
  assert.match(loadError('pipelines: {p: {processors: [{type: dedupe, window: soon}]}}'), /window: expected a duration like 500ms/);
});
