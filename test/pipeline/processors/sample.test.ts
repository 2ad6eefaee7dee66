// `sample`: exactly 1 in N per stream, by key hash (whole traces together), always_keep, deterministic.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fnv1a32 } from '../../../src/pipeline/fnv-hash.ts';
import { ev, linesOf, loadError, runnerFor } from '../pipeline-fixture.ts';

test('per stream: the 1st, N+1-th, 2N+1-th… of each stream, across batches', () => {
  const runner = runnerFor('pipelines: {p: {processors: [{type: sample, rate: 3}]}}');
  const batch = (from: number, to: number) => {
    const out = [];
    for (let i = from; i < to; i++) out.push(ev(`a${i}`, { s: 'a' }), ev(`b${i}`, { s: 'b' }));
    return out;
  };
  const kept = [...linesOf(runner.process(batch(0, 4), 0)), ...linesOf(runner.process(batch(4, 10), 0))];
  assert.deepEqual(kept, ['a0', 'b0', 'a3', 'b3', 'a6', 'b6', 'a9', 'b9']);
  // the tenant is part of the stream
  const t = runnerFor('pipelines: {p: {processors: [{type: sample, rate: 2}]}}');
  assert.deepEqual(linesOf(t.process([ev('x1', {}, {}, 't1'), ev('y1', {}, {}, 't2'), ev('x2', {}, {}, 't1'), ev('y2', {}, {}, 't2')], 0)), ['x1', 'y1']);
});

test('by key: events with the same key are kept or dropped together, as the hash decides', () => {
  const runner = runnerFor("pipelines: {p: {processors: [{type: sample, rate: 4, key: 'fields.trace_id'}]}}");
  const traces = Array.from({ length: 200 }, (_, i) => `trace-${i}`);
  const input = traces.flatMap((t) => [ev(`${t} start`, {}, { trace_id: t }), ev(`${t} end`, {}, { trace_id: t })]);
  const kept = runner.process(input, 0);
  const keptTraces = new Set(kept.map((e) => e.fields.trace_id));
  for (const t of traces) {
    const expected = fnv1a32(t) % 4 === 0;
    assert.equal(keptTraces.has(t), expected, t);
  }
  assert.equal(kept.length, keptTraces.size * 2, 'both events of a kept trace');
  assert.ok(keptTraces.size > 30 && keptTraces.size < 70, `about a quarter kept, got ${keptTraces.size}`);
  // a second runner decides the same
  const again = runnerFor("pipelines: {p: {processors: [{type: sample, rate: 4, key: 'fields.trace_id'}]}}").process(input.map((e) => ({ ...e })), 0);
  assert.deepEqual(linesOf(again), linesOf(kept));
  // no key value: per-stream counting
  assert.deepEqual(linesOf(runnerFor("pipelines: {p: {processors: [{type: sample, rate: 2, key: 'fields.none'}]}}").process([ev('1'), ev('2'), ev('3')], 0)), ['1', '3']);
});

test('always_keep events are never sampled out (and do not count)', () => {
  const runner = runnerFor(`
pipelines:
  p:
    processors:
      - type: sample
        rate: 10
        always_keep: 'labels.level == "error" or error != null'
`);
  const input = Array.from({ length: 30 }, (_, i) => ev(`l${i}`, { level: i % 7 === 0 ? 'error' : 'info' }));
  input[5].error = 'JSONParserErr';
  const kept = linesOf(runner.process(input, 0));
  // errors (every 7th) and l5 always; the info stream's own count keeps its 1st and 11th (l1, l13), then l25
  assert.deepEqual(kept, ['l0', 'l1', 'l5', 'l7', 'l13', 'l14', 'l21', 'l25', 'l28']);
});

test('rate must be a positive integer', () => {
  assert.equal(loadError('pipelines: {p: {processors: [{type: sample, rate: 2.5}]}}'), 'test.yaml:1: pipelines.p.processors[0].rate: expected an integer, got 2.5');
  assert.match(loadError("pipelines: {p: {processors: [{type: sample, rate: 2, always_keep: 'labels.x =='}]}}"), /^test\.yaml:1: pipelines\.p\.processors\[0\]\.always_keep: invalid expression: column 12/);
});
