// `| regexp` and `| pattern`: the Loki docs examples, partial and failed matches, invalid expressions, and full
// extraction of the Loghub Apache, OpenStack and HDFS samples checked field by field against Loghub's own parse.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PipelineStage } from '../../../src/query/ast.ts';
import { compilePipeline, StageCompileError } from '../../../src/query/stages/pipeline.ts';
import { loghubLines, loghubStructured, run, runCompiled } from './stage-harness.ts';

const regexp = (pattern: string): PipelineStage => ({ kind: 'regexp', pattern });
const pattern = (p: string): PipelineStage => ({ kind: 'pattern', pattern: p });

const NGINX_LINE = '0.191.12.2 - - [10/Jun/2021:09:14:29 +0000] "GET /api/plugins/versioncheck HTTP/1.1" 200 2 "-" "Go-http-client/2.0" "13.76.247.102, 34.120.177.193" "TLSv1.2" "US" ""';
const LOKI_LINE = 'level=debug ts=2021-06-10T09:24:13.472094048Z caller=logging.go:66 traceID=0568b66ad2d9294c msg="POST /loki/api/v1/push (204) 16.652862ms"';

describe('regexp parser', () => {
  const cases: [string, string, string, Record<string, string>, Record<string, string>][] = [
    ['docs example', '(?P<method>\\w+) (?P<path>[\\w|/]+) \\((?P<status>\\d+?)\\) (?P<duration>.*)', 'POST /api/prom/api/v1/query_range (200) 1.5s', {}, {
      duration: '1.5s', method: 'POST', path: '/api/prom/api/v1/query_range', status: '200',
    }],
    ['unanchored: the first match anywhere', 'status=(?P<status>\\d+)', 'a status=404 b status=500', {}, { status: '404' }],
    ['(?<name>) syntax', '(?<user>\\w+)@', 'mail bob@example.org', {}, { user: 'bob' }],
    ['a group that does not take part is empty', '(?P<a>x)?(?P<b>y)', 'y', {}, { a: '', b: 'y' }],
    ['no match adds nothing', '(?P<code>\\d{3})', 'no digits', {}, {}],
    ['(?i) flag', '(?i)level=(?P<level>[a-z]+)', 'LEVEL=WARN', {}, { level: 'WARN' }],
    ['Unicode text', 'city=(?P<city>\\pL+)', 'city=Zürich', {}, { city: 'Zürich' }],
    ['stream label collision', '(?P<app>\\w+)', 'web', { app: 'api' }, { app: 'api', app_extracted: 'web' }],
  ];
  for (const [name, re, line, stream, labels] of cases) {
    it(name, () => {
      assert.deepEqual(run([regexp(re)], line, stream), { kept: true, line, labels });
    });
  }

  const invalid: [string, string, string][] = [
    ['syntax error', '(?P<a>x', 'stage 1 (regexp): invalid regular expression: error parsing regexp: missing closing ): `(?P<a>x`'],
    ['backreference', '(?P<a>x)\\1', 'stage 1 (regexp): invalid regular expression: error parsing regexp: invalid escape sequence: `\\1`'],
    ['no named group', '(\\d+)', 'stage 1 (regexp): at least one named capture must be supplied'],
    ['group name that is not a label name', '(?P<1a>x)', 'stage 1 (regexp): capture "1a": invalid label name "1a"'],
    ['reserved group name', '(?P<__error__>x)', 'stage 1 (regexp): capture "__error__": label name "__error__" is reserved for pipeline errors'],
  ];
  for (const [name, re, message] of invalid) {
    it(`rejects at compile time: ${name}`, () => {
      assert.throws(() => compilePipeline([regexp(re)]), (err: unknown) => err instanceof StageCompileError && err.message === message);
    });
  }
});

describe('pattern parser', () => {
  const cases: [string, string, string, Record<string, string>][] = [
    ['docs NGINX example', '<ip> - - <_> "<method> <uri> <_>" <status> <size> <_> "<agent>" <_>', NGINX_LINE, {
      agent: 'Go-http-client/2.0', ip: '0.191.12.2', method: 'GET', size: '2', status: '200', uri: '/api/plugins/versioncheck',
    }],
    ['docs: unanchored with a leading <_>', '<_> msg="<method> <path> (<status>) <latency>"', LOKI_LINE, {
      latency: '16.652862ms', method: 'POST', path: '/loki/api/v1/push', status: '204',
    }],
    ['a trailing capture takes the rest of the line', 'level=<level> <rest>', 'level=info a b c', { level: 'info', rest: 'a b c' }],
    ['a leading literal must start the line', 'level=<level> ', 'x level=info y', {}],
    ['a capture whose closing literal is missing takes the rest and stops', '<a> | <b> | <c>', 'one | two three', { a: 'one', b: 'two three' }],
    ['a capture may be empty', '[<a>] <b>', '[] x', { a: '', b: 'x' }],
    ['captures end at the first occurrence of the next literal', '<k>=<v>', 'a=b=c', { k: 'a', v: 'b=c' }],
    ['literal-only text in angle brackets', '<_> <a b> <x>', 'p <a b> q', { x: 'q' }],
    ['empty line', '<a> <b>', '', {}],
  ];
  for (const [name, p, line, labels] of cases) {
    it(name, () => {
      assert.deepEqual(run([pattern(p)], line), { kept: true, line, labels });
    });
  }

  it('stream label collision gets _extracted', () => {
    assert.deepEqual(run([pattern('<level> <msg>')], 'warn disk', { level: 'info' }).labels, { level: 'info', level_extracted: 'warn', msg: 'disk' });
  });

  const invalid: [string, string, string][] = [
    ['no named capture (docs)', '<_> foo <_>', 'stage 1 (pattern): invalid pattern "<_> foo <_>": at least one named capture is required'],
    ['consecutive captures (docs)', '<a><b>', 'stage 1 (pattern): invalid pattern "<a><b>": consecutive captures <a> and <b>'],
    ['duplicate capture', '<a> <a>', 'stage 1 (pattern): invalid pattern "<a> <a>": duplicate capture <a>'],
    ['only literals', 'plain', 'stage 1 (pattern): invalid pattern "plain": at least one named capture is required'],
    ['reserved name', '<__error__> x', 'stage 1 (pattern): capture <__error__>: label name "__error__" is reserved for pipeline errors'],
  ];
  for (const [name, p, message] of invalid) {
    it(`rejects at compile time: ${name}`, () => {
      assert.throws(() => compilePipeline([pattern(p)]), (err: unknown) => err instanceof StageCompileError && err.message === message);
    });
  }
});

describe('parsers on Loghub samples, checked against Loghub structured fields', () => {
  it('pattern extracts time, level and content of all 2000 Apache lines', () => {
    const lines = loghubLines('Apache');
    const records = loghubStructured('Apache');
    const p = compilePipeline([pattern('[<time>] [<level>] <content>')]);
    lines.forEach((line, i) => {
      const r = records[i]!;
      assert.deepEqual(runCompiled(p, line, { job: 'apache' }).labels, { content: r.Content, job: 'apache', level: r.Level, time: r.Time }, `line ${i + 1}`);
    });
  });

  it('pattern extracts the eight OpenStack fields of all 2000 lines', () => {
    const lines = loghubLines('OpenStack');
    const records = loghubStructured('OpenStack');
    const p = compilePipeline([pattern('<file> <date> <time> <pid> <level> <component> [<addr>] <content>')]);
    lines.forEach((line, i) => {
      const r = records[i]!;
      assert.deepEqual(runCompiled(p, line).labels, {
        addr: r.ADDR, component: r.Component, content: r.Content, date: r.Date, file: r.Logrecord, level: r.Level, pid: r.Pid, time: r.Time,
      }, `line ${i + 1}`);
    });
  });

  it('regexp extracts the six HDFS fields of all 2000 lines', () => {
    const lines = loghubLines('HDFS');
    const records = loghubStructured('HDFS');
    const p = compilePipeline([regexp('^(?P<date>\\d{6}) (?P<time>\\d{6}) (?P<pid>\\d+) (?P<level>[A-Z]+) (?P<component>[^:]+): (?P<content>.*)$')]);
    lines.forEach((line, i) => {
      const r = records[i]!;
      assert.deepEqual(runCompiled(p, line).labels, {
        component: r.Component, content: r.Content, date: r.Date, level: r.Level, pid: r.Pid, time: r.Time,
      }, `line ${i + 1}`);
    });
  });
});
