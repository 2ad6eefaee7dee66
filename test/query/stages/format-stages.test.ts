// line_format and label_format stages: rewriting lines and labels, rename semantics, the pre-stage label snapshot,
// TemplateFormatErr handling, compile-time checks, and formatting real Apache lines.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LabelFormatStage, PipelineStage } from '../../../src/query/ast.ts';
import { compilePipeline, StageCompileError } from '../../../src/query/stages/pipeline.ts';
import { loghubLines, run, runCompiled } from './stage-harness.ts';

const lineFormat = (template: string): PipelineStage => ({ kind: 'line_format', template });
const labelFormat = (...items: [string, { src?: string; template?: string }][]): LabelFormatStage => ({
  kind: 'label_format',
  items: items.map(([dst, it]) => ({ dst, ...it })),
});

describe('line_format', () => {
  it('docs example: query and duration from logfmt', () => {
    const out = run([{ kind: 'logfmt', strict: false, keepEmpty: false, params: [] }, lineFormat('{{.query}} {{.duration}}')],
      'level=info query="sum(rate(x[1m]))" duration=1.2s');
    assert.deepEqual(out, { kept: true, line: 'sum(rate(x[1m])) 1.2s', labels: { duration: '1.2s', level: 'info', query: 'sum(rate(x[1m]))' } });
  });

  it('docs example: math on labels', () => {
    assert.equal(run([lineFormat('{{.ip}} {{.status}} {{div .duration 1000}}')], 'x', { ip: '1.1.1.1', status: '200', duration: '3000' }).line, '1.1.1.1 200 3');
  });

  it('__line__ is the line as it reaches the stage', () => {
    assert.equal(run([lineFormat('[{{ __line__ }}]'), lineFormat('<{{ __line__ }}>')], 'orig').line, '<[orig]>');
  });

  it('a failing template keeps the line and sets TemplateFormatErr', () => {
    assert.deepEqual(run([lineFormat('{{ div 1 0 }}')], 'orig', { app: 'a' }), {
      kept: true,
      line: 'orig',
      labels: {
        __error__: 'TemplateFormatErr',
        __error_details__: 'template: line:1:4: executing "line" at <div 1 0>: error calling div: runtime error: integer divide by zero',
        app: 'a',
      },
    });
  });

  it('can produce an empty line', () => {
    assert.equal(run([lineFormat('{{ .missing }}')], 'orig').line, '');
  });

  it('formats real Apache lines after a pattern parser (Loghub)', () => {
    const lines = loghubLines('Apache').slice(0, 3);
    const p = compilePipeline([
      { kind: 'pattern', pattern: '[<_> <_> <_> <time> <_>] [<level>] <msg>' },
      lineFormat('{{ .time }} {{ .level | upper | printf "%-6s" }} {{ .msg | trunc 24 }}'),
    ]);
    assert.deepEqual(lines.map((l) => runCompiled(p, l).line), [
      '04:47:44 NOTICE workerEnv.init() ok /etc',
      '04:47:44 ERROR  mod_jk child workerEnv i',
      '04:51:08 NOTICE jk2_init() Found child 6',
    ]);
  });
});

describe('label_format', () => {
  const cases: [string, LabelFormatStage, Record<string, string>, Record<string, string>][] = [
    ['rename moves the value and drops the source (docs)', labelFormat(['dst', { src: 'src' }]), { src: 'v', x: '1' }, { dst: 'v', x: '1' }],
    ['rename of a missing source does nothing', labelFormat(['dst', { src: 'nope' }]), { x: '1' }, { x: '1' }],
    ['rename overwrites an existing destination', labelFormat(['a', { src: 'b' }]), { a: '1', b: '2' }, { a: '2' }],
    ['rename onto itself keeps the label', labelFormat(['a', { src: 'a' }]), { a: '1' }, { a: '1' }],
    ['template keeps the referenced labels (docs)', labelFormat(['dst', { template: '{{.src}}' }]), { src: 'v' }, { dst: 'v', src: 'v' }],
    ['template combining labels (docs)', labelFormat(['dst', { template: '{{.status}} {{.query}}' }]), { status: '200', query: 'q' }, { dst: '200 q', query: 'q', status: '200' }],
    ['template creates a new label', labelFormat(['new', { template: 'const' }]), {}, { new: 'const' }],
    ['every template sees the labels from before the stage', labelFormat(['a', { template: 'new' }], ['b', { template: '{{.a}}' }]), { a: 'old' }, { a: 'new', b: 'old' }],
    ['a template after a rename sees the pre-rename labels', labelFormat(['x', { src: 'a' }], ['y', { template: '[{{.a}}][{{.x}}]' }]), { a: '1' }, { x: '1', y: '[1][]' }],
    ['__timestamp__ and __line__ are available', labelFormat(['day', { template: '{{ __timestamp__ | date "2006-01-02" }}' }], ['len', { template: '{{ len __line__ }}' }]), {}, { day: '2023-11-14', len: '4' }],
  ];
  for (const [name, stage, labels, expected] of cases) {
    it(name, () => assert.deepEqual(run([stage], 'line', labels), { kept: true, line: 'line', labels: expected }));
  }

  it('a failing template leaves its label, applies the others, and sets TemplateFormatErr', () => {
    assert.deepEqual(run([labelFormat(['a', { template: '{{ div 1 0 }}' }], ['b', { template: 'ok' }])], 'line', { a: 'keep' }), {
      kept: true,
      line: 'line',
      labels: {
        __error__: 'TemplateFormatErr',
        __error_details__: 'template: label:1:4: executing "label" at <div 1 0>: error calling div: runtime error: integer divide by zero',
        a: 'keep',
        b: 'ok',
      },
    });
  });

  it('chained stages see each other (docs: two expressions instead of a repeated name)', () => {
    assert.deepEqual(run([labelFormat(['foo', { src: 'bar' }]), labelFormat(['foo', { template: 'new {{.foo}}' }])], 'l', { bar: 'b' }).labels, { foo: 'new b' });
  });

  it('a label created by label_format is overwritten by a later parser, not suffixed', () => {
    assert.deepEqual(run([labelFormat(['level', { template: 'x' }]), { kind: 'json', params: [] }], '{"level":"warn"}').labels, { level: 'warn' });
  });

  it('a stream label overwritten by label_format still makes a parser use _extracted', () => {
    assert.deepEqual(run([labelFormat(['level', { template: 'x' }]), { kind: 'json', params: [] }], '{"level":"warn"}', { level: 'info' }).labels, {
      level: 'x', level_extracted: 'warn',
    });
  });

  const invalid: [string, LabelFormatStage, string][] = [
    ['repeated destination (docs)', labelFormat(['foo', { src: 'bar' }], ['foo', { template: 'new' }]), "stage 1 (label_format): multiple label name 'foo' not allowed in a single format operation"],
    ['invalid destination name', labelFormat(['a-b', { template: 'x' }]), 'stage 1 (label_format): invalid label name "a-b"'],
    ['__error__ as destination', labelFormat(['__error__', { template: '' }]), 'stage 1 (label_format): label name "__error__" is reserved for pipeline errors'],
    ['bad template', labelFormat(['a', { template: '{{ nope }}' }]), 'stage 1 (label_format): template: label:1:4: function "nope" not defined'],
  ];
  for (const [name, stage, message] of invalid) {
    it(`rejects at compile time: ${name}`, () => {
      assert.throws(() => compilePipeline([stage]), (err: unknown) => err instanceof StageCompileError && err.message === message);
    });
  }
});
