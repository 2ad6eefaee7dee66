// The runner: which pipelines and processors an event goes through, order kept around `if`, `final`, held
// events released through the rest of the chain, a failing processor's batch kept and marked, and the counters.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PipelineEvent } from '../../src/pipeline/event.ts';
import { parsePipelines } from '../../src/pipeline/pipeline-config.ts';
import type { Processor, ProcessorType } from '../../src/pipeline/processor.ts';
import { PROCESSOR_TYPES } from '../../src/pipeline/registry.ts';
import { PROCESSOR_FAILED, PipelineRunner } from '../../src/pipeline/runner.ts';
import { ev, linesOf, runnerFor } from './pipeline-fixture.ts';

test('every matching pipeline runs, in file order, each seeing what the earlier ones did', () => {
  const runner = runnerFor(`
pipelines:
  web:
    if: 'labels.service == "nginx"'
    processors:
      - type: set
        fields: {seen: 'concat(fields.seen, "web")'}
      - type: set
        labels: {kind: '"http"'}
  http:
    if: 'labels.kind == "http"'
    processors:
      - type: set
        fields: {seen: 'concat(fields.seen, ",http")'}
  all:
    processors:
      - type: set
        fields: {seen: 'concat(fields.seen, ",all")'}
`);
  const out = runner.process([ev('a', { service: 'nginx' }), ev('b', { service: 'app' })], 0);
  assert.deepEqual(out.map((e) => e.fields.seen), ['web,http,all', ',all']);
  assert.equal(out[0].labels.kind, 'http');
});

test('a final pipeline is the last one for the events it took', () => {
  const runner = runnerFor(`
pipelines:
  noisy:
    if: 'labels.service == "batch"'
    final: true
    processors:
      - type: set
        fields: {by: '"noisy"'}
  all:
    processors:
      - type: set
        fields: {by: 'concat(fields.by, "all")'}
`);
  const out = runner.process([ev('1', { service: 'batch' }), ev('2', { service: 'web' }), ev('3', { service: 'batch' })], 0);
  assert.deepEqual(out.map((e) => e.fields.by), ['noisy', 'all', 'noisy']);
});

test('events a processor `if` skips keep their place among the processed ones', () => {
  const runner = runnerFor(`
pipelines:
  p:
    processors:
      - type: drop
        if: 'line =~ "^drop"'
      - type: set
        if: 'labels.s == "x"'
        line: 'upper(line)'
`);
  const input = [ev('a', { s: 'x' }), ev('drop1', { s: 'x' }), ev('b', { s: 'y' }), ev('c', { s: 'x' }), ev('drop2', { s: 'y' }), ev('d', { s: 'y' }), ev('e', { s: 'x' })];
  assert.deepEqual(linesOf(runner.process(input, 0)), ['A', 'b', 'C', 'd', 'E']);
  // none selected: the same array back; all selected: no copy either
  const none = [ev('q', { s: 'y' })];
  assert.equal(runnerFor('pipelines: {p: {if: \'labels.s == "x"\', processors: [{type: drop}]}}').process(none, 0), none);
});

test('a processor `if` over scattered runs: no copy while runs come back as they went in, order kept once one does not', () => {
  const inPlace = runnerFor(`
pipelines:
  p:
    processors:
      - type: set
        if: 'labels.s == "x"'
        line: 'upper(line)'
`);
  const input = [ev('a', { s: 'x' }), ev('b', { s: 'y' }), ev('c', { s: 'x' }), ev('d', { s: 'y' }), ev('e', { s: 'x' })];
  const out = inPlace.process(input, 0);
  assert.equal(out, input, 'changed in place: the same array back');
  assert.deepEqual(linesOf(out), ['A', 'b', 'C', 'd', 'E']);
  // the first two runs pass (within the burst), the later ones are dropped
  const limited = runnerFor(`
pipelines:
  p:
    processors:
      - type: rate_limit
        if: 'labels.s == "x"'
        events_per_second: 0.001
        burst: 2
`);
  const events = [ev('x1', { s: 'x' }), ev('y1', { s: 'y' }), ev('x2', { s: 'x' }), ev('y2', { s: 'y' }), ev('x3', { s: 'x' }), ev('y3', { s: 'y' }), ev('x4', { s: 'x' }), ev('y4', { s: 'y' })];
  assert.deepEqual(linesOf(limited.process(events, 0)), ['x1', 'y1', 'x2', 'y2', 'y3', 'y4']);
});

test('no pipelines, or no events: the input comes back untouched', () => {
  const events = [ev('a')];
  assert.equal(runnerFor('pipelines: {}').process(events, 0), events);
  assert.equal(runnerFor('tests: []').process(events, 0), events);
});

test('held events are released by flush and go through the rest of the chain and later pipelines', () => {
  const runner = runnerFor(`
pipelines:
  first:
    processors:
      - type: dedupe
        window: 10s
      - type: set
        fields: {after_dedupe: true}
  second:
    processors:
      - type: route
        outputs: [archive]
`);
  assert.equal(runner.holdsEvents, true);
  assert.deepEqual(runner.process([ev('x'), ev('x'), ev('y')], 1000), []);
  assert.deepEqual(runner.flush(5000, false), [], 'the window is not over');
  const out = runner.flush(11_000, false);
  assert.deepEqual(linesOf(out), ['x', 'y']);
  assert.deepEqual(out.map((e) => [e.fields.repeat_count, e.fields.after_dedupe, e.outputs]), [
    [2, true, ['archive']],
    [undefined, true, ['archive']],
  ]);
  runner.process([ev('z')], 12_000);
  assert.deepEqual(linesOf(runner.flush(12_000, true)), ['z'], 'final releases everything');
  assert.equal(runnerFor('pipelines: {p: {processors: [{type: drop}]}}').holdsEvents, false);
});

test('a processor that throws does not lose its batch: the events are marked and passed on', () => {
  const boom: ProcessorType = {
    type: 'boom',
    description: 'throws',
    build(): Processor {
      return {
        process(events: PipelineEvent[]) {
          if (events.some((e) => e.line === 'bad')) throw new Error('kaboom');
          return events;
        },
      };
    },
  };
  // the registry is read-only to its users; this case adds a type for its own duration
  const types = PROCESSOR_TYPES as Map<string, ProcessorType>;
  types.set('boom', boom);
  try {
    const warnings: string[] = [];
    const runner = new PipelineRunner(parsePipelines('pipelines:\n  p:\n    processors:\n      - type: boom\n      - type: set\n        fields: {after: true}\n', 'f.yaml'), { warn: (m) => warnings.push(m) });
    const out = runner.process([ev('good'), ev('bad')], 0);
    assert.deepEqual(linesOf(out), ['good', 'bad']);
    assert.deepEqual(out.map((e) => [e.error, e.fields.after]), [
      [PROCESSOR_FAILED, true],
      [PROCESSOR_FAILED, true],
    ]);
    assert.match(out[0].errorDetails!, /^processor p\/boom \(boom at f\.yaml:4\) failed: kaboom$/);
    assert.equal(warnings.length, 1);
    runner.process([ev('bad')], 1000);
    assert.equal(warnings.length, 1, 'the same warning is not repeated within a minute');
    runner.process([ev('bad')], 61_000);
    assert.equal(warnings.length, 2);
    assert.match(runner.metrics.render(), /sightline_pipeline_processor_errors_total\{pipeline="p",processor="boom",type="boom"\} 3/);
  } finally {
    types.delete('boom');
  }
});

test('counters per pipeline and per processor', () => {
  const runner = runnerFor(`
pipelines:
  web:
    if: 'labels.service == "nginx"'
    processors:
      - type: drop
        if: 'line =~ "health"'
      - type: sample
        name: thin
        rate: 2
`);
  runner.process([ev('a', { service: 'nginx' }), ev('health', { service: 'nginx' }), ev('b', { service: 'nginx' }), ev('c', { service: 'nginx' }), ev('other')], 0);
  const text = runner.metrics.render();
  assert.match(text, /sightline_pipeline_events_in_total\{pipeline="web"\} 4\n/);
  assert.match(text, /sightline_pipeline_events_out_total\{pipeline="web"\} 2\n/);
  assert.match(text, /sightline_pipeline_events_dropped_total\{pipeline="web"\} 2\n/);
  assert.match(text, /sightline_pipeline_processor_events_in_total\{pipeline="web",processor="drop",type="drop"\} 1\n/);
  assert.match(text, /sightline_pipeline_processor_events_dropped_total\{pipeline="web",processor="drop",type="drop"\} 1\n/);
  assert.match(text, /sightline_pipeline_processor_events_in_total\{pipeline="web",processor="thin",type="sample"\} 3\n/);
  assert.match(text, /sightline_pipeline_processor_events_out_total\{pipeline="web",processor="thin",type="sample"\} 2\n/);
});
