// compilePipeline as a whole: stage order and early exit, Loki's __error__ semantics across stages, per-row state,
// compile errors that name the failing stage, and end-to-end queries over real OpenStack lines.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LabelFilterExpr, PipelineStage } from '../../../src/query/ast.ts';
import { compilePipeline, StageCompileError } from '../../../src/query/stages/pipeline.ts';
import { loghubLines, run, runCompiled } from './stage-harness.ts';

const json: PipelineStage = { kind: 'json', params: [] };
const logfmt = (strict = false): PipelineStage => ({ kind: 'logfmt', strict, keepEmpty: false, params: [] });
const lf = (expr: LabelFilterExpr): PipelineStage => ({ kind: 'label_filter', expr });
const noError = lf({ kind: 'string', name: '__error__', op: '=', value: '' });

describe('pipeline', () => {
  it('an empty pipeline keeps every row unchanged', () => {
    assert.deepEqual(run([], 'l', { a: '1' }), { kept: true, line: 'l', labels: { a: '1' } });
  });

  it('stops at the first stage that drops the row', () => {
    const out = run([{ kind: 'line_filter', op: '|=', values: ['nope'] }, { kind: 'line_format', template: 'changed' }], 'orig');
    assert.deepEqual(out, { kept: false, line: 'orig', labels: {} });
  });

  it('| json | __error__="" drops rows that are not JSON', () => {
    const p = compilePipeline([json, noError]);
    assert.deepEqual(runCompiled(p, '{"a":"1"}'), { kept: true, line: '{"a":"1"}', labels: { a: '1' } });
    assert.equal(runCompiled(p, 'plain').kept, false);
  });

  it('the first error of a row wins', () => {
    assert.deepEqual(run([json, logfmt(true)], 'a=1 b="x').labels, {
      __error__: 'JSONParserErr',
      __error_details__: 'JSON syntax error at offset 0: expected a JSON object, found "a"',
      a: '1',
    });
  });

  it('parsers keep running after an error', () => {
    assert.deepEqual(run([json, logfmt()], 'level=info').labels.level, 'info');
  });

  it('a later parser overwrites a label an earlier parser created (no _extracted)', () => {
    assert.deepEqual(run([logfmt(), { kind: 'line_format', template: '{"level":"{{.inner}}"}' }, json], 'level=info inner=debug').labels, {
      inner: 'debug', level: 'debug',
    });
  });

  it('does not carry labels or state between rows', () => {
    const p = compilePipeline([json, { kind: 'label_format', items: [{ dst: 'seen', template: '{{.seen}}+' }] }]);
    assert.deepEqual(runCompiled(p, '{"a":"1"}').labels, { a: '1', seen: '+' });
    assert.deepEqual(runCompiled(p, '{"b":"2"}', { a: 'stream' }).labels, { a: 'stream', b: '2', seen: '+' });
    assert.deepEqual(runCompiled(p, '{"a":"3"}', { a: 'stream' }).labels, { a: 'stream', a_extracted: '3', seen: '+' });
  });

  it('reports the failing stage of an invalid pipeline', () => {
    assert.throws(
      () => compilePipeline([json, { kind: 'line_filter', op: '|=', values: ['x'] }, { kind: 'regexp', pattern: '(?P<a' }]),
      (err: unknown) => {
        assert.ok(err instanceof StageCompileError);
        assert.equal(err.stageIndex, 2);
        assert.equal(err.stageKind, 'regexp');
        assert.equal(err.code, 'invalid_regex');
        assert.equal(err.input, '(?P<a');
        assert.equal(err.message, 'stage 3 (regexp): invalid regular expression: error parsing regexp: invalid named capture: `(?P<a`');
        return true;
      },
    );
  });

  it('end to end over OpenStack: WARNING lines reformatted, labels reduced to minute and component', () => {
    const lines = loghubLines('OpenStack');
    const p = compilePipeline([
      { kind: 'pattern', pattern: '<_> <date> <time> <pid> <level> <component> [<_>] <msg>' },
      lf({ kind: 'string', name: 'level', op: '=', value: 'WARNING' }),
      { kind: 'label_format', items: [{ dst: 'minute', template: '{{ .time | trunc 5 }}' }] },
      { kind: 'keep', items: [{ name: 'minute' }, { name: 'component' }] },
      { kind: 'line_format', template: '{{ .component }}: {{ regexReplaceAll "^.*?\\\\] " __line__ "" }}' },
    ]);
    const kept = lines.map((l) => runCompiled(p, l, { job: 'nova' })).filter((o) => o.kept);
    assert.equal(kept.length, 31);
    assert.deepEqual(kept[0], {
      kept: true,
      line: 'nova.virt.libvirt.imagecache: Unknown base file: /var/lib/nova/instances/_base/a489c868f0c37da93b76227c91bb03908ac0e742',
      labels: { component: 'nova.virt.libvirt.imagecache', minute: '00:00' },
    });
  });
});
