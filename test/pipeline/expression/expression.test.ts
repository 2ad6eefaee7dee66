// The expression language: table-driven evaluation over one event, the comparison rules, the errors with their
// columns, the limits (length, nesting, size) and RE2's bounded matching on patterns that backtrack exponentially
// in other engines.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCondition, compileValueExpression, ExpressionError } from '../../../src/pipeline/expression/expression.ts';
import { tokenize } from '../../../src/pipeline/expression/lexer.ts';
import { MAX_DEPTH } from '../../../src/pipeline/expression/parser.ts';
import type { PipelineEvent } from '../../../src/pipeline/event.ts';

const event: PipelineEvent = {
  tenant: 'acme',
  ts: 1_714_564_800_000_000_000n,
  line: 'GET /health HTTP/1.1 200',
  labels: { service: 'nginx', level: 'info', 'app.kubernetes.io/name': 'web' },
  fields: { status: '200', bytes: 512, ok: true, 'http.method': 'GET', empty: '', nothing: null, ratio: '1.5e3', version: '1.10', debug: 'false' },
};

const conditions: [string, boolean][] = [
  ['labels.service == "nginx"', true],
  ["labels.service == 'nginx'", true],
  ['labels.service != "nginx"', false],
  ['labels.missing == null', true],
  ['labels.missing != "x"', true],
  ['labels["app.kubernetes.io/name"] == "web"', true],
  ['tenant == "acme"', true],
  ['error == null and error_details == null', true],
  ['ts > 1700000000000000000', true],
  // numbers against numeric strings compare as numbers
  ['fields.status == 200', true],
  ['fields.status == 200.0', true],
  ['fields.status >= 200 and fields.status < 300', true],
  ['fields.status > 99', true], // "200" > "99" as text would be false
  ['fields.ratio > 1000', true],
  ['fields.bytes == "512"', true],
  ['fields.bytes < 1e3', true],
  // two strings compare as text
  ['fields.version == "1.1"', false],
  ['fields.version == "1.10"', true],
  ['labels.service > "apache"', true],
  ['fields.ok == true', true],
  ['fields.ok == "true"', true],
  ['fields.nothing == null', true],
  ['fields.nothing < 1', false],
  ['fields.nothing >= 0', false],
  ['fields.http.method == "GET"', true],
  ['fields["http.method"] == "GET"', true],
  ['line =~ "^GET /health"', true],
  ['line =~ "health"', true],
  ['line =~ "^health"', false],
  ['line =~ "200$"', true],
  ['line =~ "^GET /health HTTP/1.1 200$"', true], // dots are metacharacters: RE2, not the text fast path
  ['line =~ "^GET /health HTTP/1.1 20$"', false],
  ['line =~ "\\d{3}$"', true],
  ['line =~ `\\s\\d+$`', true],
  ['line !~ "POST"', true],
  ['fields.missing =~ ".*"', false],
  ['fields.missing !~ "x"', true],
  ['labels.level in ["warn", "error"]', false],
  ['labels.level in ["info", "debug"]', true],
  ['labels.level not in ["info", "debug"]', false],
  ['fields.status in [200, 204]', true],
  ['fields.bytes in ["512"]', true],
  ['not labels.level == "info"', false],
  ['!(labels.level == "info")', false],
  ['labels.level == "info" && labels.service == "x" || tenant == "acme"', true],
  ['labels.level == "info" and (labels.service == "x" or tenant == "zzz")', false],
  ['lower(upper(labels.service)) == "nginx"', true],
  ['contains(line, "/health")', true],
  ['starts_with(line, "GET") and ends_with(line, "200")', true],
  ['len(labels.service) == 5 and len(fields.missing) == 0', true],
  ['to_number(fields.status) == 200 and to_number("x") == null', true],
  ['exists(fields.status) and not exists(fields.missing) and not exists(fields.nothing)', true],
  ['exists(fields.empty)', true],
  // truthiness of plain values
  ['fields.ok', true],
  ['fields.empty', false],
  ['fields.debug', false],
  ['fields.missing', false],
  ['fields.bytes', true],
  ['coalesce(fields.empty, fields.missing, "x") == "x"', true],
  // names that are members of Object.prototype read as absent, not as functions
  ['labels.constructor == null and fields.toString == null', true],
  ['-1 < 0 and -.5 < 0', true],
];

test('conditions evaluate as documented', () => {
  for (const [source, expected] of conditions) {
    assert.equal(compileCondition(source).test(event), expected, source);
  }
});

test('values: functions and literals', () => {
  const value = (s: string) => compileValueExpression(s).evaluate(event);
  assert.equal(value('concat(labels.service, "-", fields.bytes, fields.missing)'), 'nginx-512');
  assert.equal(value('upper(fields.missing)'), null);
  assert.equal(value('to_string(fields.bytes)'), '512');
  assert.equal(value('to_number(fields.ratio)'), 1500);
  assert.equal(value('"a\\tb\\u0041\\d"'), 'a\tbA\\d');
  assert.equal(value('`raw\\n`'), 'raw\\n');
  assert.equal(value('fields.status == 200'), true);
  assert.equal(value('ts'), 1.7145648e18);
  assert.equal(value('42'), 42);
  assert.equal(value('null'), null);
});

function errorOf(source: string): ExpressionError {
  try {
    compileCondition(source);
  } catch (err) {
    if (err instanceof ExpressionError) return err;
    throw err;
  }
  throw new Error(`expected ${source} to be refused`);
}

test('errors name the column and what was expected', () => {
  const cases: [string, number, RegExp][] = [
    ['labels.service ==', 18, /expected a value .*got the end of the expression/],
    ['labels.service = "x"', 16, /unexpected character "="/],
    ['service == "x"', 1, /unknown name "service" \(expected line, ts, tenant/],
    ['labels == "x"', 1, /expected labels.NAME/],
    ['labels.a.b == "x"', 1, /a label name has no dots/],
    ['line =~ 5', 9, /expected a regular expression in quotes after =~/],
    ['line =~ "(unclosed"', 6, /invalid regular expression "\(unclosed": .*missing closing \)/],
    ['line =~ "a**"', 6, /invalid regular expression/],
    ['foo(line)', 1, /unknown function "foo" \(known: lower, upper/],
    ['len(line, line)', 1, /len\(\) takes 1 argument, got 2/],
    ['contains(line)', 1, /contains\(\) takes 2 arguments, got 1/],
    ['labels.x in "a"', 13, /expected "\[" to start the list after in/],
    ['labels.x in [labels.y]', 14, /expected a literal/],
    ['(line == "a"', 13, /expected "\)" to close the "\(" at column 1/],
    ['line == "a" line', 13, /unexpected "line" \(expected an operator/],
    ['line == "unterminated', 9, /unterminated string/],
    ['12abc == 1', 1, /invalid number/],
    ['  ', 1, /empty expression/],
  ];
  for (const [source, column, message] of cases) {
    const err = errorOf(source);
    assert.equal(err.column, column, `${source}: ${err.message}`);
    assert.match(err.message, message, source);
    assert.ok(err.message.startsWith(`column ${column}: `));
  }
  assert.equal(errorOf('line =~ 5').pointer(), '  line =~ 5\n          ^');
});

test('deep nesting, long and large expressions are refused', () => {
  const ok = '('.repeat(MAX_DEPTH) + 'true' + ')'.repeat(MAX_DEPTH);
  assert.equal(compileCondition(ok).test(event), true);
  assert.match(errorOf('('.repeat(MAX_DEPTH + 1) + 'true' + ')'.repeat(MAX_DEPTH + 1)).message, /nested too deeply \(more than 32 levels\)/);
  assert.match(errorOf('not '.repeat(40) + 'true').message, /nested too deeply/);
  assert.match(errorOf('lower('.repeat(40) + 'line' + ')'.repeat(40)).message, /nested too deeply/);
  assert.match(errorOf('line == "' + 'x'.repeat(5000) + '"').message, /expression too long \(5010 characters; the limit is 4096\)/);
  assert.match(errorOf(Array.from({ length: 300 }, () => 'true').join(' or ')).message, /expression too large \(more than 512 terms\)/);
  // a long flat chain is not nesting: fine under the term limit
  assert.equal(compileCondition(Array.from({ length: 100 }, (_, i) => `labels.level == "l${i}"`).join(' or ')).test(event), false);
});

test('catastrophic-backtracking patterns run in linear time through RE2', () => {
  const evil = ['(a+)+$', '(a|aa)+$', '(a*)*b', '^(([a-z])+.)+[A-Z]([a-z])+$', '(x+x+)+y'];
  const subject = 'a'.repeat(50_000) + '!';
  for (const pattern of evil) {
    const c = compileCondition(`line =~ "${pattern}"`);
    const started = process.hrtime.bigint();
    const matched = c.test({ ...event, line: subject });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(typeof matched, 'boolean');
    // a backtracking engine takes longer than the age of the universe here; RE2 takes milliseconds
    assert.ok(ms < 2000, `${pattern} took ${ms} ms`);
  }
  // backreferences and lookarounds (which need backtracking) are not RE2: refused at load
  assert.match(errorOf('line =~ "(a)\\1"').message, /invalid regular expression/);
  assert.match(errorOf('line =~ "(?=a)"').message, /invalid regular expression/);
});

test('the lexer keeps columns and decodes strings', () => {
  const tokens = tokenize('fields["a.b"] =~ \'x\\\'y\' and -2');
  assert.deepEqual(
    tokens.map((t) => [t.kind, t.text, t.column]),
    [
      ['name', 'fields', 1],
      ['op', '[', 7],
      ['string', 'a.b', 8],
      ['op', ']', 13],
      ['op', '=~', 15],
      ['string', "x'y", 18],
      ['name', 'and', 25],
      ['number', '-2', 29],
      ['end', '', 31],
    ],
  );
});
