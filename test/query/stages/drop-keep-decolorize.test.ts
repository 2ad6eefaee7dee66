// drop / keep (the Loki docs examples, matchers, error labels) and decolorize (ANSI sequences of every kind).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DropKeepStage, Matcher, PipelineStage } from '../../../src/query/ast.ts';
import { run } from './stage-harness.ts';

const item = (name: string, op?: Matcher['op'], value?: string): DropKeepStage['items'][number] =>
  op === undefined ? { name } : { name, matcher: { name, op, value: value! } };
const drop = (...items: DropKeepStage['items']): PipelineStage => ({ kind: 'drop', items });
const keep = (...items: DropKeepStage['items']): PipelineStage => ({ kind: 'keep', items });
const json: PipelineStage = { kind: 'json', params: [] };

const DOC_LINE = '{"level": "info", "method": "GET", "path": "/", "host": "grafana.net", "status": "200"}';

describe('drop', () => {
  it('docs: drop level, method="GET"', () => {
    assert.deepEqual(run([json, drop(item('level'), item('method', '=', 'GET'))], DOC_LINE).labels, { host: 'grafana.net', path: '/', status: '200' });
  });

  it('docs: drop with a regex matcher keeps non-matching values', () => {
    const stages = [json, drop(item('level'), item('path'), item('app', '=~', 'some-api.*'))];
    assert.deepEqual(run(stages, '{"app": "some-api-service", "level": "info", "method": "GET", "path": "/", "host": "grafana.net", "status": "200"}', { job: 'varlogs' }).labels, {
      host: 'grafana.net', job: 'varlogs', method: 'GET', status: '200',
    });
    assert.deepEqual(run(stages, '{"app": "other-service", "level": "info", "method": "GET", "path": "/", "host": "grafana.net", "status": "200"}', { job: 'varlogs' }).labels, {
      app: 'other-service', host: 'grafana.net', job: 'varlogs', method: 'GET', status: '200',
    });
  });

  it('docs: drop __error__ after a failed parse', () => {
    assert.deepEqual(run([json, drop(item('__error__'), item('__error_details__'))], 'INFO GET / loki.net 200', { job: 'varlogs' }), {
      kept: true, line: 'INFO GET / loki.net 200', labels: { job: 'varlogs' },
    });
  });

  it('drop __error__ with a matcher only drops that error kind', () => {
    assert.deepEqual(run([json, drop(item('__error__', '=', 'LogfmtParserErr'))], 'x').labels.__error__, 'JSONParserErr');
    assert.deepEqual(run([json, drop(item('__error__', '!=', 'LogfmtParserErr'))], 'x').labels.__error__, undefined);
  });

  it('drops stream labels and ignores missing names', () => {
    assert.deepEqual(run([drop(item('app'), item('nope'), item('env', '!~', 'prod|dev'))], 'l', { app: 'a', env: 'qa', z: '1' }).labels, { z: '1' });
  });
});

describe('keep', () => {
  it('docs: keep level, method="GET"', () => {
    const stages = [json, keep(item('level'), item('method', '=', 'GET'))];
    assert.deepEqual(run(stages, DOC_LINE).labels, { level: 'info', method: 'GET' });
    assert.deepEqual(run(stages, DOC_LINE.replace('GET', 'POST')).labels, { level: 'info' });
  });

  it('docs: keep with a regex matcher, including stream labels', () => {
    const stages = [json, keep(item('level'), item('tenant'), item('app', '=~', 'some-api.*'))];
    assert.deepEqual(run(stages, '{"app": "some-api-service", "level": "info"}', { job: 'varlogs' }).labels, { app: 'some-api-service', level: 'info' });
    assert.deepEqual(run(stages, '{"app": "other-service", "level": "info"}', { job: 'varlogs' }).labels, { level: 'info' });
  });

  it('never removes __error__ and __error_details__ (docs)', () => {
    assert.deepEqual(run([json, keep(item('job'))], 'not json', { job: 'j', other: 'o' }).labels, {
      __error__: 'JSONParserErr',
      __error_details__: 'JSON syntax error at offset 0: expected a JSON object, found "n"',
      job: 'j',
    });
  });

  it('a plain name wins over a matcher for the same label', () => {
    assert.deepEqual(run([keep(item('a', '=', 'no'), item('a'))], 'l', { a: 'yes', b: '1' }).labels, { a: 'yes' });
  });
});

describe('decolorize', () => {
  const cases: [string, string, string][] = [
    ['no escapes', 'plain line', 'plain line'],
    ['SGR colours', '\x1b[31mred\x1b[0m and \x1b[1;32mbold green\x1b[m', 'red and bold green'],
    ['256 and true colour', '\x1b[38;5;196mx\x1b[48;2;10;20;30my\x1b[0m', 'xy'],
    ['cursor and erase controls', 'a\x1b[2K\x1b[1Ab\x1b[?25h', 'ab'],
    ['OSC title ended by BEL', '\x1b]0;my title\x07text', 'text'],
    ['OSC hyperlink ended by ST', '\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\', 'link'],
    ['8-bit CSI', '\x9b31mred\x9b0m', 'red'],
    ['two-byte escapes', '\x1b(Bx\x1b7y\x1b8', 'xy'],
    ['a lone ESC at the end stays', 'text\x1b', 'text\x1b'],
    ['an unfinished CSI stays', 'text\x1b[31', 'text\x1b[31'],
    ['real-world log line', '\x1b[90m2024-01-01T00:00:00Z\x1b[0m \x1b[32mINF\x1b[0m started \x1b[36mport=\x1b[0m8080', '2024-01-01T00:00:00Z INF started port=8080'],
  ];
  for (const [name, line, expected] of cases) {
    it(name, () => assert.deepEqual(run([{ kind: 'decolorize' }], line), { kept: true, line: expected, labels: {} }));
  }

  it('lets a later parser see the clean line', () => {
    assert.deepEqual(run([{ kind: 'decolorize' }, { kind: 'logfmt', strict: true, keepEmpty: false, params: [] }], '\x1b[32mlevel\x1b[0m=info').labels, { level: 'info' });
  });
});
