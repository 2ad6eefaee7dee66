// `| logfmt`: the Loki docs examples, quoting and escapes, empty values and standalone keys (--keep-empty),
// malformed pairs in default and --strict mode, parameters, and real Linux auth lines from Loghub.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LogfmtParserStage } from '../../../src/query/ast.ts';
import { compilePipeline, StageCompileError } from '../../../src/query/stages/pipeline.ts';
import { loghubLines, run, runCompiled } from './stage-harness.ts';

const logfmt = (opts: { strict?: boolean; keepEmpty?: boolean } = {}, ...params: [string, string][]): LogfmtParserStage => ({
  kind: 'logfmt',
  strict: opts.strict ?? false,
  keepEmpty: opts.keepEmpty ?? false,
  params: params.map(([label, key]) => ({ label, key })),
});

const DOCS_LINE = 'at=info method=GET path=/ host=grafana.net fwd="124.133.124.161" service=8ms status=200';

describe('logfmt parser', () => {
  const cases: [string, LogfmtParserStage, string, Record<string, string>, Record<string, string>][] = [
    ['docs example', logfmt(), DOCS_LINE, {}, {
      at: 'info', fwd: '124.133.124.161', host: 'grafana.net', method: 'GET', path: '/', service: '8ms', status: '200',
    }],
    ['docs: parameters select and rename', logfmt({}, ['host', ''], ['fwd_ip', 'fwd']), DOCS_LINE, {}, { fwd_ip: '124.133.124.161', host: 'grafana.net' }],
    ['quoted values with spaces, = and escapes', logfmt(), String.raw`msg="a b=c \"q\" \\ \u00e9\n" x=1`, {}, { msg: 'a b=c "q" \\ é\n', x: '1' }],
    ['a quoted value may be followed directly by the next key', logfmt(), 'a="x"b=2', {}, { a: 'x', b: '2' }],
    ['tabs and repeated spaces separate pairs', logfmt(), '  a=1\t\tb=2   ', {}, { a: '1', b: '2' }],
    ['empty values and standalone keys are dropped by default', logfmt(), 'a= b="" standalone c=3', {}, { c: '3' }],
    ['--keep-empty keeps them as empty labels', logfmt({ keepEmpty: true }), 'a= b="" standalone c=3', {}, { a: '', b: '', c: '3', standalone: '' }],
    ['a requested standalone key is kept without --keep-empty (docs)', logfmt({}, ['standalone', ''], ['missing', '']), 'a=1 standalone', {}, { standalone: '' }],
    ['keys are sanitized', logfmt(), 'user.name=bob 1st=a http-status=200 é=x', {}, { _1st: 'a', _: 'x', http_status: '200', user_name: 'bob' }],
    ['UTF-8 values', logfmt(), 'city=Zürich emoji="😀 ok"', {}, { city: 'Zürich', emoji: '😀 ok' }],
    ['the first of repeated keys wins (docs)', logfmt(), 'a=1 a=2', {}, { a: '1' }],
    ['a stream label of the same name gets _extracted', logfmt(), 'level=error app=x', { level: 'info' }, { app: 'x', level: 'info', level_extracted: 'error' }],
    ['parameter labels get _extracted too', logfmt({}, ['level', '']), 'level=error', { level: 'info' }, { level: 'info', level_extracted: 'error' }],
    ['docs: malformed pairs are skipped in default mode', logfmt(), 'a=1 =value foo=bar=buzz fo"o=bar b=2', {}, { a: '1', b: '2' }],
    ['unterminated quote ends the line in default mode', logfmt(), 'a=1 msg="never closed b=2', {}, { a: '1' }],
    ['invalid escape skips the pair in default mode', logfmt(), String.raw`a="\q" b=2`, {}, { b: '2' }],
    ['empty line', logfmt(), '', {}, {}],
    ['a line that is not logfmt at all adds nothing and no error', logfmt(), 'just some words', {}, {}],
  ];
  for (const [name, stage, line, stream, labels] of cases) {
    it(name, () => {
      assert.deepEqual(run([stage], line, stream), { kept: true, line, labels: { ...stream, ...labels } });
    });
  }

  const strict: [string, string, Record<string, string>, string][] = [
    ['missing key', 'a=1 =value b=2', { a: '1' }, "logfmt syntax error at pos 5 : unexpected '='"],
    ['= inside a bare value', 'a=1 foo=bar=buzz c=3', { a: '1' }, "logfmt syntax error at pos 12 : unexpected '='"],
    ['quote inside a key', 'fo"o=bar', {}, 'logfmt syntax error at pos 3 : unexpected \'"\''],
    ['quote inside a bare value', 'a=b"c', {}, 'logfmt syntax error at pos 4 : unexpected \'"\''],
    ['unterminated quoted value', 'a=1 b="x', { a: '1' }, 'logfmt syntax error at pos 9 : unterminated quoted value'],
    ['invalid escape', String.raw`a="\q"`, {}, 'logfmt syntax error at pos 7 : invalid quoted value'],
  ];
  for (const [name, line, labels, details] of strict) {
    it(`--strict stops at the first malformed pair: ${name}`, () => {
      assert.deepEqual(run([logfmt({ strict: true })], line), {
        kept: true,
        line,
        labels: { ...labels, __error__: 'LogfmtParserErr', __error_details__: details },
      });
    });
  }

  it('--strict accepts well-formed lines without an error', () => {
    assert.deepEqual(run([logfmt({ strict: true })], 'key=value key2="value in double quotes" k3'), {
      kept: true, line: 'key=value key2="value in double quotes" k3', labels: { key: 'value', key2: 'value in double quotes' },
    });
  });

  const invalid: [string, LogfmtParserStage, string][] = [
    ['invalid label', logfmt({}, ['a-b', 'x']), 'stage 1 (logfmt): invalid label name "a-b"'],
    ['duplicate label', logfmt({}, ['a', 'x'], ['a', 'y']), 'stage 1 (logfmt): label "a" extracted twice'],
  ];
  for (const [name, stage, message] of invalid) {
    it(`rejects at compile time: ${name}`, () => {
      assert.throws(() => compilePipeline([stage]), (err: unknown) => err instanceof StageCompileError && err.message === message);
    });
  }
});

describe('logfmt parser on real Linux auth lines (Loghub)', () => {
  const line = 'Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 ';

  it('extracts the key=value pairs of a pam_unix line', () => {
    assert.deepEqual(run([logfmt()], line).labels, { euid: '0', rhost: '218.188.2.4', tty: 'NODEVssh', uid: '0' });
  });

  it('with --keep-empty also keeps every standalone word, sanitized', () => {
    assert.deepEqual(run([logfmt({ keepEmpty: true })], line).labels, {
      Jun: '', _14: '', _15_16_01: '', authentication: '', combo: '', euid: '0', failure_: '', logname: '',
      rhost: '218.188.2.4', ruser: '', sshd_pam_unix__19939__: '', tty: 'NODEVssh', uid: '0',
    });
  });

  it('counts lines by remote host over the whole sample', () => {
    const lines = loghubLines('Linux');
    assert.equal(lines.length, 2000);
    const p = compilePipeline([
      { kind: 'line_filter', op: '|=', values: ['authentication failure'] },
      logfmt({}, ['rhost', '']),
      { kind: 'label_filter', expr: { kind: 'string', name: 'rhost', op: '=~', value: '.+' } },
    ]);
    const hosts = new Map<string, number>();
    for (const l of lines) {
      const out = runCompiled(p, l);
      if (out.kept) hosts.set(out.labels.rhost!, (hosts.get(out.labels.rhost!) ?? 0) + 1);
    }
    // Independent count of the same lines with a plain regex.
    const expected = new Map<string, number>();
    for (const l of lines) {
      const m = /authentication failure.* rhost=(\S+)/.exec(l);
      if (m) expected.set(m[1]!, (expected.get(m[1]!) ?? 0) + 1);
    }
    assert.deepEqual(hosts, expected);
    assert.equal([...hosts.values()].reduce((a, b) => a + b, 0), 489);
  });
});
