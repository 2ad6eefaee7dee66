// Label filter expressions: string matchers (anchored RE2, missing = ""), number / duration / bytes comparisons
// with Loki's LabelFilterErr semantics, IP matching, and and/or evaluation; then filters over OpenStack requests.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CompareOp, LabelFilterExpr, LabelFilterStage, MatchOp } from '../../../src/query/ast.ts';
import { compilePipeline, StageCompileError } from '../../../src/query/stages/pipeline.ts';
import { loghubLines, run, runCompiled } from './stage-harness.ts';

const lf = (expr: LabelFilterExpr): LabelFilterStage => ({ kind: 'label_filter', expr });
const str = (name: string, op: MatchOp, value: string): LabelFilterExpr => ({ kind: 'string', name, op, value });
const num = (name: string, op: CompareOp, value: number): LabelFilterExpr => ({ kind: 'number', name, op, value });
const dur = (name: string, op: CompareOp, value: number): LabelFilterExpr => ({ kind: 'duration', name, op, value });
const bytes = (name: string, op: CompareOp, value: number): LabelFilterExpr => ({ kind: 'bytes', name, op, value });
const ip = (name: string, op: '=' | '!=', pattern: string): LabelFilterExpr => ({ kind: 'ip', name, op, pattern });
const and = (left: LabelFilterExpr, right: LabelFilterExpr): LabelFilterExpr => ({ kind: 'and', left, right });
const or = (left: LabelFilterExpr, right: LabelFilterExpr): LabelFilterExpr => ({ kind: 'or', left, right });

const keeps = (expr: LabelFilterExpr, labels: Record<string, string>): boolean => run([lf(expr)], 'line', labels).kept;

describe('string label filters', () => {
  const cases: [string, LabelFilterExpr, Record<string, string>, boolean][] = [
    ['= equal', str('method', '=', 'GET'), { method: 'GET' }, true],
    ['= different', str('method', '=', 'GET'), { method: 'POST' }, false],
    ['!= different', str('method', '!=', 'GET'), { method: 'POST' }, true],
    ['=~ is fully anchored', str('method', '=~', 'GE'), { method: 'GET' }, false],
    ['=~ alternation', str('method', '=~', 'GET|POST'), { method: 'POST' }, true],
    ['=~ regex', str('status', '=~', '5..'), { status: '503' }, true],
    ['!~ docs example', str('method', '!~', '2..'), { method: '200' }, false],
    ['=~ (?i)', str('level', '=~', '(?i)error'), { level: 'ERROR' }, true],
    ['missing label equals ""', str('x', '=', ''), {}, true],
    ['missing label is != "a"', str('x', '!=', 'a'), {}, true],
    ['missing label matches =~ ".*"', str('x', '=~', '.*'), {}, true],
    ['missing label does not match =~ ".+"', str('x', '=~', '.+'), {}, false],
    ['. does not match a newline in label regexes (docs)', str('msg', '=~', '.*b'), { msg: 'a\nb' }, false],
    ['(?s) lets . match a newline (docs)', str('msg', '=~', '(?s).*b'), { msg: 'a\nb' }, true],
    ['[\\S\\s] matches a newline (docs)', str('msg', '=~', '[\\S\\s]*b'), { msg: 'a\nb' }, true],
    ['__error__="" keeps rows without error', str('__error__', '=', ''), { app: 'x' }, true],
    ['__error__="" drops errored rows', str('__error__', '=', ''), { __error__: 'JSONParserErr' }, false],
  ];
  for (const [name, expr, labels, kept] of cases) {
    it(name, () => assert.equal(keeps(expr, labels), kept));
  }

  it('rejects an invalid regex at compile time', () => {
    assert.throws(() => compilePipeline([lf(str('a', '=~', '[z-a]'))]), (err: unknown) =>
      err instanceof StageCompileError && err.code === 'invalid_regex' &&
      err.message === 'stage 1 (label_filter): invalid regular expression: error parsing regexp: invalid character class range: `z-a`');
  });
});

describe('typed label filters', () => {
  const cases: [string, LabelFilterExpr, string | undefined, boolean][] = [
    ['number >=', num('status', '>=', 400), '500', true],
    ['number < false', num('status', '<', 400), '500', false],
    ['number == with float text', num('v', '==', 250), '250.0', true],
    ['number != ', num('v', '!=', 250), '251', true],
    ['number exponent', num('v', '>', 999), '1e3', true],
    ['number hex float', num('v', '==', 0.25), '0x1p-2', true],
    ['number +Inf', num('v', '>', 1e308), '+Inf', true],
    ['number NaN compares false', num('v', '==', 0), 'NaN', false],
    ['duration docs 300ms', dur('d', '>', 0.2), '300ms', true],
    ['duration 1m30s == 90s', dur('d', '==', 90), '1m30s', true],
    ['duration 1.5h', dur('d', '==', 5400), '1.5h', true],
    ['duration 2h45m', dur('d', '==', 9900), '2h45m', true],
    ['duration micro sign', dur('d', '==', 0.000005), '5µs', true],
    ['duration us', dur('d', '==', 0.000005), '5us', true],
    ['duration ns', dur('d', '<', 0.000001), '999ns', true],
    ['duration negative', dur('d', '<', 0), '-1s', true],
    ['duration 0 without unit', dur('d', '==', 0), '0', true],
    ['duration 0.10ms (docs)', dur('d', '==', 0.0001), '0.10ms', true],
    ['bytes 20MB (docs)', bytes('b', '==', 20e6), '20MB', true],
    ['bytes KiB', bytes('b', '==', 1024), '1KiB', true],
    ['bytes 1.5KiB (docs)', bytes('b', '==', 1536), '1.5KiB', true],
    ['bytes lower-case and spaced', bytes('b', '==', 1500), '1.5 kb', true],
    ['bytes plain number', bytes('b', '==', 42), '42', true],
    ['bytes B suffix', bytes('b', '==', 20), '20B', true],
    ['bytes comma separators', bytes('b', '==', 1000), '1,000', true],
    ['bytes compare', bytes('b', '>', 20e6), '21MB', true],
  ];
  for (const [name, expr, value, kept] of cases) {
    it(name, () => {
      const out = run([lf(expr)], 'line', value === undefined ? {} : { [('name' in expr ? expr.name : '')]: value });
      assert.equal(out.kept, kept);
      assert.equal(out.labels.__error__, undefined);
    });
  }

  const errors: [string, LabelFilterExpr, Record<string, string>, string][] = [
    ['number from text', num('status', '>=', 400), { status: 'abc' }, 'strconv.ParseFloat: parsing "abc": invalid syntax'],
    ['number out of range', num('v', '>', 1), { v: '1e400' }, 'strconv.ParseFloat: parsing "1e400": value out of range'],
    ['number with a unit', num('v', '>', 1), { v: '10ms' }, 'strconv.ParseFloat: parsing "10ms": invalid syntax'],
    ['number hex without exponent', num('v', '>', 1), { v: '0x10' }, 'strconv.ParseFloat: parsing "0x10": invalid syntax'],
    ['duration without unit', dur('d', '>', 1), { d: '10' }, 'time: missing unit in duration "10"'],
    ['duration unknown unit', dur('d', '>', 1), { d: '5d' }, 'time: unknown unit "d" in duration "5d"'],
    ['duration garbage', dur('d', '>', 1), { d: 'abc' }, 'time: invalid duration "abc"'],
    ['duration overflow', dur('d', '>', 1), { d: '9999999999h' }, 'time: invalid duration "9999999999h"'],
    ['bytes unknown unit', bytes('b', '>', 1), { b: '10XB' }, 'unhandled size name: xb'],
    ['bytes no number', bytes('b', '>', 1), { b: 'MB' }, 'strconv.ParseFloat: parsing "": invalid syntax'],
  ];
  errors.push(['number from an empty value', num('status', '>=', 400), { status: '' }, 'strconv.ParseFloat: parsing "": invalid syntax']);
  errors.push(['duration from an empty value', dur('d', '>', 1), { d: '' }, 'time: invalid duration ""']);
  for (const [name, expr, labels, details] of errors) {
    it(`keeps the row and sets LabelFilterErr: ${name}`, () => {
      assert.deepEqual(run([lf(expr)], 'line', labels), {
        kept: true, line: 'line', labels: { ...labels, __error__: 'LabelFilterErr', __error_details__: details },
      });
    });
  }

  // grafana/loki#6766: a typed comparison on a label the row lacks drops the row, whatever the operator
  // (`subqueries!=0` does not return `msg=hello`); string matchers still read a missing label as ""
  const missing: [string, LabelFilterExpr][] = [
    ['number >', num('duration_ms', '>', 1000)], ['number !=', num('subqueries', '!=', 0)], ['number ==', num('n', '==', 0)],
    ['duration <', dur('took', '<', 1)], ['duration !=', dur('took', '!=', 1)], ['bytes >=', bytes('size', '>=', 0)], ['bytes !=', bytes('size', '!=', 1)],
  ];
  for (const [name, expr] of missing) {
    it(`drops a row without the label: ${name}`, () => {
      assert.deepEqual(run([lf(expr)], 'line', { app: 'x' }), { kept: false, line: 'line', labels: { app: 'x' } });
      // also when an earlier stage failed: the filter still runs (grafana/loki#12378)
      assert.equal(run([lf(expr)], 'line', { __error__: 'JSONParserErr' }).kept, false);
    });
  }
  it('or with a missing typed label falls back to the other side', () => {
    assert.equal(keeps(or(num('duration_ms', '>', 1000), str('level', '=', 'error')), { level: 'error' }), true);
    assert.equal(keeps(or(num('duration_ms', '>', 1000), str('level', '=', 'error')), { level: 'info' }), false);
  });
  it('a converting filter never reads __error__', () => {
    assert.equal(run([lf(num('__error__', '>', 0))], 'l', { __error__: 'JSONParserErr' }).kept, false);
  });
  it('an errored row with a convertible value is compared, keeping its error', () => {
    const labels = { __error__: 'JSONParserErr', __error_details__: 'bad', status: '500' };
    assert.deepEqual(run([lf(num('status', '>=', 400))], 'line', labels), { kept: true, line: 'line', labels });
    assert.equal(run([lf(num('status', '<', 400))], 'line', labels).kept, false);
  });

  it('lets an already errored row through typed filters and keeps the first error', () => {
    const labels = { __error__: 'JSONParserErr', __error_details__: 'bad', status: 'x' };
    assert.deepEqual(run([lf(num('status', '>', 1e9))], 'line', labels), { kept: true, line: 'line', labels });
    assert.deepEqual(run([lf(dur('status', '>', 1e9))], 'line', labels).labels, labels);
    assert.deepEqual(run([lf(ip('status', '=', '10.0.0.1'))], 'line', labels).labels, labels);
  });

  it('only a string filter removes errored rows (docs)', () => {
    const stages = [lf(num('status', '>=', 400)), lf(str('__error__', '=', ''))];
    assert.equal(run(stages, 'l', { status: 'oops' }).kept, false);
    assert.equal(run(stages, 'l', { status: '404' }).kept, true);
    assert.equal(run(stages, 'l', { status: '200' }).kept, false);
  });
});

describe('ip label filters', () => {
  const cases: [string, LabelFilterExpr, string | undefined, boolean][] = [
    ['single address', ip('addr', '=', '192.168.4.2'), '192.168.4.2', true],
    ['single address, other value', ip('addr', '=', '192.168.4.2'), '192.168.4.3', false],
    ['CIDR with host bits set (docs)', ip('addr', '=', '192.168.4.5/16'), '192.168.200.1', true],
    ['CIDR outside', ip('addr', '=', '192.168.4.0/24'), '192.168.5.1', false],
    ['/0 matches every IPv4', ip('addr', '=', '0.0.0.0/0'), '8.8.8.8', true],
    ['/32', ip('addr', '=', '10.0.0.1/32'), '10.0.0.1', true],
    ['range (docs)', ip('addr', '=', '192.168.4.5-192.168.4.20'), '192.168.4.20', true],
    ['range below start', ip('addr', '=', '192.168.4.5-192.168.4.20'), '192.168.4.4', false],
    ['!= range (docs)', ip('addr', '!=', '192.168.4.5-192.168.4.20'), '192.168.4.21', true],
    ['IPv6 single', ip('addr', '=', '::1'), '0:0:0:0:0:0:0:1', true],
    ['IPv6 range (docs)', ip('addr', '=', '2001:db8::1-2001:db8::8'), '2001:db8::5', true],
    ['IPv6 CIDR (docs)', ip('addr', '=', '2001:db8::/32'), '2001:db8:ffff::1', true],
    ['IPv6 CIDR outside', ip('addr', '=', '2001:db8::/32'), '2001:db9::1', false],
    ['IPv6 with embedded IPv4', ip('addr', '=', '::ffff:0:0/96'), '::ffff:192.0.2.1', true],
    ['IPv4 pattern never matches IPv6', ip('addr', '=', '0.0.0.0/0'), '::1', false],
    ['not an address: = is false', ip('addr', '=', '10.0.0.0/8'), 'hello', false],
    ['not an address: != is true', ip('addr', '!=', '10.0.0.0/8'), 'hello', true],
    ['leading zeros are not an address', ip('addr', '=', '10.0.0.0/8'), '010.0.0.1', false],
    ['missing label: = is false', ip('addr', '=', '10.0.0.0/8'), undefined, false],
    ['missing label: != is false', ip('addr', '!=', '10.0.0.0/8'), undefined, false],
  ];
  for (const [name, expr, value, kept] of cases) {
    it(name, () => assert.equal(keeps(expr, value === undefined ? {} : { addr: value }), kept));
  }

  for (const bad of ['10.0.0.256', '10.0.0.0/33', '10.0.0.9-10.0.0.1', '10.0.0.1-::1', '1:2:3', 'abc']) {
    it(`rejects pattern ${JSON.stringify(bad)} at compile time`, () => {
      assert.throws(() => compilePipeline([lf(ip('a', '=', bad))]), (err: unknown) =>
        err instanceof StageCompileError && err.code === 'invalid_ip_pattern' &&
        err.message === `stage 1 (label_filter): invalid ip pattern ${JSON.stringify(bad)}: expected an address, a range a-b or a CIDR prefix`);
    });
  }
});

describe('and / or', () => {
  const base = { method: 'GET', status: '500', size: '30KB' };
  const cases: [string, LabelFilterExpr, boolean][] = [
    ['and both true', and(str('method', '=', 'GET'), num('status', '>=', 500)), true],
    ['and one false', and(str('method', '=', 'POST'), num('status', '>=', 500)), false],
    ['or one true', or(str('method', '=', 'POST'), num('status', '>=', 500)), true],
    ['or both false', or(str('method', '=', 'POST'), num('status', '<', 500)), false],
    // docs: `duration >= 20ms or method="GET" and size <= 20KB` groups left to right
    ['left-to-right grouping', and(or(str('method', '=', 'POST'), str('method', '=', 'GET')), bytes('size', '<=', 20000)), false],
    ['explicit parenthesis', or(str('method', '=', 'GET'), and(str('method', '=', 'POST'), bytes('size', '<=', 20000))), true],
  ];
  for (const [name, expr, kept] of cases) {
    it(name, () => assert.equal(keeps(expr, base), kept));
  }

  it('or stops at a true left side; and evaluates both sides', () => {
    assert.deepEqual(run([lf(or(str('method', '=', 'GET'), num('bad', '>', 1)))], 'l', { method: 'GET', bad: 'x' }).labels, { bad: 'x', method: 'GET' });
    assert.deepEqual(run([lf(and(str('method', '=', 'GET'), num('bad', '>', 1)))], 'l', { method: 'GET', bad: 'x' }), {
      kept: true, line: 'l', labels: { __error__: 'LabelFilterErr', __error_details__: 'strconv.ParseFloat: parsing "x": invalid syntax', bad: 'x', method: 'GET' },
    });
  });
});

describe('label filters over OpenStack API requests (Loghub)', () => {
  const lines = loghubLines('OpenStack');
  const request = { kind: 'pattern', pattern: '<_> [<_>] <client> "<method> <path> <_>" status: <status> len: <len> time: <latency>' } as const;
  const count = (...exprs: LabelFilterExpr[]): number => {
    const p = compilePipeline([request, ...exprs.map(lf)]);
    return lines.filter((line) => runCompiled(p, line).kept).length;
  };

  it('ip CIDR filter keeps the 809 requests from 10.11.10.0/24', () => {
    assert.equal(count(ip('client', '=', '10.11.10.0/24')), 809);
    assert.equal(count(ip('client', '=', '10.11.10.1')), 806);
    assert.equal(count(ip('client', '=', '10.11.10.2-10.11.10.9')), 3);
  });

  it('numeric status filters', () => {
    assert.equal(count(ip('client', '=', '10.11.10.0/24'), num('status', '>=', 300)), 21);
    assert.equal(count(ip('client', '=', '10.11.10.0/24'), or(num('status', '==', 202), num('status', '==', 204))), 43);
    assert.equal(count(ip('client', '=', '10.11.10.0/24'), and(str('method', '=', 'POST'), num('status', '<', 300))), 43); // 64 POSTs: 22×200, 21×202, 21×404
    assert.equal(count(ip('client', '=', '10.11.10.0/24'), str('method', '=~', 'DELETE|POST')), 86);
  });

  it('bytes and duration filters after label_format adds units', () => {
    const p = compilePipeline([
      request,
      lf(ip('client', '=', '10.11.10.0/24')),
      { kind: 'label_format', items: [{ dst: 'latency', template: '{{ .latency }}s' }, { dst: 'len', template: '{{ .len }}B' }] },
    ]);
    const rows = lines.map((line) => runCompiled(p, line)).filter((o) => o.kept);
    assert.equal(rows.length, 809);
    const slow = compilePipeline([lf(dur('latency', '>', 0.5))]);
    const big = compilePipeline([lf(bytes('len', '>=', 2000))]);
    assert.equal(rows.filter((o) => runCompiled(slow, o.line, o.labels).kept).length, 12);
    assert.equal(rows.filter((o) => runCompiled(big, o.line, o.labels).kept).length, 2);
    assert.equal(rows.filter((o) => runCompiled(slow, o.line, o.labels).labels.__error__ !== undefined).length, 0);
  });

  it('numeric filters drop the lines that are not requests (no status label), without errors', () => {
    const p = compilePipeline([request, lf(num('status', '>=', 300))]);
    const out = lines.map((line) => runCompiled(p, line)).filter((o) => o.kept);
    assert.equal(out.filter((o) => o.labels.__error__ !== undefined).length, 0);
    assert.equal(out.length, 41);
  });
});
