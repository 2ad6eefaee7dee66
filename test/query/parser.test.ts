// Table-driven tests of the LogQL lexer and parser: every construct of the language, the AST it yields,
// duration and byte-size parsing, and malformed queries with the exact position and message reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type {
  Expr,
  Grouping,
  LabelFilterExpr,
  LogQuery,
  Matcher,
  MetricExpr,
  PipelineStage,
  RangeAggregation,
  RangeOp,
  VectorAggregation,
  VectorOp,
} from '../../src/query/ast.ts';
import { tokenize } from '../../src/query/lexer.ts';
import { LogQLParseError, parseBytes, parseDuration, parseExpr, parseLogQuery } from '../../src/query/parser.ts';

// ---- AST builders, so each expected tree reads close to the query ----

const m = (name: string, op: Matcher['op'], value: string): Matcher => ({ name, op, value });
const log = (selector: Matcher[], stages: PipelineStage[] = []): LogQuery => ({ kind: 'log', selector, stages });
const APP = [m('app', '=', 'api')];
const appLog = (...stages: PipelineStage[]): LogQuery => log(APP, stages);
const lf = (op: '|=' | '!=' | '|~' | '!~' | '|>' | '!>', ...values: string[]): PipelineStage => ({ kind: 'line_filter', op, values });
const filter = (expr: LabelFilterExpr): PipelineStage => ({ kind: 'label_filter', expr });
const str = (name: string, op: Matcher['op'], value: string): LabelFilterExpr => ({ kind: 'string', name, op, value });
const num = (name: string, op: '==' | '!=' | '>' | '>=' | '<' | '<=', value: number): LabelFilterExpr => ({ kind: 'number', name, op, value });
const dur = (name: string, op: '==' | '!=' | '>' | '>=' | '<' | '<=', value: number): LabelFilterExpr => ({ kind: 'duration', name, op, value });
const byt = (name: string, op: '==' | '!=' | '>' | '>=' | '<' | '<=', value: number): LabelFilterExpr => ({ kind: 'bytes', name, op, value });
const and = (left: LabelFilterExpr, right: LabelFilterExpr): LabelFilterExpr => ({ kind: 'and', left, right });
const or = (left: LabelFilterExpr, right: LabelFilterExpr): LabelFilterExpr => ({ kind: 'or', left, right });
const lit = (value: number): MetricExpr => ({ kind: 'number', value });
const by = (...labels: string[]): Grouping => ({ without: false, labels });
const without = (...labels: string[]): Grouping => ({ without: true, labels });

function range(op: RangeOp, query: LogQuery, rangeMs: number, extra: Partial<RangeAggregation> = {}): RangeAggregation {
  return { kind: 'range_aggregation', op, query, rangeMs, offsetMs: 0, ...extra };
}
function agg(op: VectorOp, inner: MetricExpr, extra: Partial<VectorAggregation> = {}): VectorAggregation {
  return { kind: 'vector_aggregation', op, inner, ...extra };
}
function bin(op: Extract<MetricExpr, { kind: 'binary' }>['op'], left: MetricExpr, right: MetricExpr, extra: Partial<Extract<MetricExpr, { kind: 'binary' }>> = {}): MetricExpr {
  return { kind: 'binary', op, left, right, bool: false, ...extra };
}
const rate5m = range('rate', appLog(), 300_000);
const count1m = range('count_over_time', appLog(), 60_000);

// ---- durations and byte sizes ----

const durations: [string, number][] = [
  ['0', 0],
  ['500ms', 500],
  ['1s', 1000],
  ['1.5s', 1500],
  ['.5s', 500],
  ['5m', 300_000],
  ['1h30m', 5_400_000],
  ['1h0m30s', 3_630_000],
  ['2d', 172_800_000],
  ['1w', 604_800_000],
  ['1y', 31_536_000_000],
  ['1d12h', 129_600_000],
  ['100us', 0.1],
  ['100µs', 0.1],
  ['100μs', 0.1],
  ['1500000ns', 1.5],
  ['-2m', -120_000],
  ['+3s', 3000],
  ['0.1h', 360_000],
  ['1m1m', 120_000],
];
for (const [input, ms] of durations) {
  test(`parseDuration(${JSON.stringify(input)}) = ${ms} ms`, () => {
    assert.equal(parseDuration(input), ms);
  });
}
for (const input of ['', '5', '1x', 'h', '1h 30m', '1.2.3s', 'ms', '-', '5mb', '1e3s']) {
  test(`parseDuration(${JSON.stringify(input)}) throws`, () => {
    assert.throws(() => parseDuration(input), { message: `invalid duration "${input}"` });
  });
}

const byteSizes: [string, number][] = [
  ['10b', 10],
  ['10B', 10],
  ['42', 42],
  ['20MB', 20_000_000],
  ['20mb', 20_000_000],
  ['1KiB', 1024],
  ['1.5KiB', 1536],
  ['1kb', 1000],
  ['1k', 1000],
  ['1ki', 1024],
  ['3GiB', 3 * 1024 ** 3],
  ['2TB', 2e12],
  ['1PiB', 1024 ** 5],
  ['1EB', 1e18],
  ['42 MB', 42_000_000],
  ['1,024', 1024],
  ['1.9b', 1],
];
for (const [input, bytes] of byteSizes) {
  test(`parseBytes(${JSON.stringify(input)}) = ${bytes}`, () => {
    assert.equal(parseBytes(input), bytes);
  });
}
for (const input of ['', 'MB', '-1MB', '1XB', '1.2.3MB', ' 1MB', '100EiB']) {
  test(`parseBytes(${JSON.stringify(input)}) throws`, () => {
    assert.throws(() => parseBytes(input), { message: `invalid bytes value "${input}"` });
  });
}

// ---- lexer ----

test('lexer: kinds, values and positions of each token', () => {
  const toks = tokenize('{app="a\\tb"} |= `c\\d` [5m] 1.5e3 20MB --strict');
  assert.deepEqual(
    toks.map((t) => [t.kind, t.text, t.pos, t.end, t.line, t.column]),
    [
      ['{', '{', 0, 1, 1, 1],
      ['IDENTIFIER', 'app', 1, 4, 1, 2],
      ['=', '=', 4, 5, 1, 5],
      ['STRING', '"a\\tb"', 5, 11, 1, 6],
      ['}', '}', 11, 12, 1, 12],
      ['|=', '|=', 13, 15, 1, 14],
      ['STRING', '`c\\d`', 16, 21, 1, 17],
      ['[', '[', 22, 23, 1, 23],
      ['DURATION', '5m', 23, 25, 1, 24],
      [']', ']', 25, 26, 1, 26],
      ['NUMBER', '1.5e3', 27, 32, 1, 28],
      ['BYTES', '20MB', 33, 37, 1, 34],
      ['FLAG', '--strict', 38, 46, 1, 39],
      ['EOF', '', 46, 46, 1, 47],
    ],
  );
  assert.equal(toks[3]!.value, 'a\tb');
  assert.equal(toks[6]!.value, 'c\\d');
  assert.equal(toks[8]!.num, 300_000);
  assert.equal(toks[10]!.num, 1500);
  assert.equal(toks[11]!.num, 20_000_000);
});

test('lexer: lines, columns in code points, UTF-8 byte offsets, comments', () => {
  const toks = tokenize('{a="é😀"} # comment |= "x"\n  |= "b"');
  assert.deepEqual(
    toks.map((t) => [t.kind, t.pos, t.byte, t.line, t.column]),
    [
      ['{', 0, 0, 1, 1],
      ['IDENTIFIER', 1, 1, 1, 2],
      ['=', 2, 2, 1, 3],
      ['STRING', 3, 3, 1, 4],
      ['}', 8, 11, 1, 8],
      ['|=', 29, 32, 2, 3],
      ['STRING', 32, 35, 2, 6],
      ['EOF', 35, 38, 2, 9],
    ],
  );
  assert.equal(toks[3]!.value, 'é😀');
});

const stringLiterals: [string, string][] = [
  ['"plain"', 'plain'],
  ['"q\\"uote"', 'q"uote'],
  ['"back\\\\slash"', 'back\\slash'],
  ['"\\a\\b\\f\\n\\r\\t\\v"', '\x07\b\f\n\r\t\v'],
  ['"\\x41\\101"', 'AA'],
  ['"\\xc3\\xa9"', 'é'],
  ['"\\u00e9\\U0001F600"', 'é😀'],
  ['"\\\\d+\\\\.\\\\w"', '\\d+\\.\\w'],
  ['`raw \\n "quotes"`', 'raw \\n "quotes"'],
  ['`multi\r\nline`', 'multi\nline'],
  ['""', ''],
];
for (const [source, value] of stringLiterals) {
  test(`lexer: string ${source} decodes`, () => {
    const [tok] = tokenize(source);
    assert.equal(tok!.kind, 'STRING');
    assert.equal(tok!.value, value);
  });
}

const numberLike: [string, string, number][] = [
  ['42', 'NUMBER', 42],
  ['0.25', 'NUMBER', 0.25],
  ['.5', 'NUMBER', 0.5],
  ['1e3', 'NUMBER', 1000],
  ['2.5E-2', 'NUMBER', 0.025],
  ['1h30m', 'DURATION', 5_400_000],
  ['250ms', 'DURATION', 250],
  ['10µs', 'DURATION', 0.01],
  ['1y', 'DURATION', 31_536_000_000],
  ['1b', 'BYTES', 1],
  ['2eb', 'BYTES', 2e18],
  ['1.5KiB', 'BYTES', 1536],
  ['20kb', 'BYTES', 20_000],
];
for (const [source, kind, value] of numberLike) {
  test(`lexer: ${source} is ${kind} ${value}`, () => {
    const [tok] = tokenize(source);
    assert.equal(tok!.kind, kind);
    assert.equal(tok!.num, value);
  });
}

// ---- log queries ----

const logQueries: [string, LogQuery][] = [
  ['{app="api"}', appLog()],
  ['{}', log([])],
  ['{ }', log([])],
  ['{a="b", c!="d", e=~"f.*", g!~"h"}', log([m('a', '=', 'b'), m('c', '!=', 'd'), m('e', '=~', 'f.*'), m('g', '!~', 'h')])],
  ['{__name__="x",_a1="y"}', log([m('__name__', '=', 'x'), m('_a1', '=', 'y')])],
  ['{app=`raw\\d`}', log([m('app', '=', 'raw\\d')])],
  ['{app="api"} |= "error"', appLog(lf('|=', 'error'))],
  ['{app="api"} != "debug"', appLog(lf('!=', 'debug'))],
  ['{app="api"} |~ "err(or)?"', appLog(lf('|~', 'err(or)?'))],
  ['{app="api"} !~ `\\d{3}`', appLog(lf('!~', '\\d{3}'))],
  ['{app="api"} |> "<_> GET <_>"', appLog(lf('|>', '<_> GET <_>'))],
  ['{app="api"} !> "<_> 200 <_>"', appLog(lf('!>', '<_> 200 <_>'))],
  ['{app="api"} |= "a" or "b" or "c"', appLog(lf('|=', 'a', 'b', 'c'))],
  ['{app="api"} != "a" or "b" |~ "x" or `y`', appLog(lf('!=', 'a', 'b'), lf('|~', 'x', 'y'))],
  ['{app="api"} |= "a" != "b" |= "c"', appLog(lf('|=', 'a'), lf('!=', 'b'), lf('|=', 'c'))],
  // Loki "Matching IP addresses": ip() in line filters, |= and != only
  ['{job_name="myapp"} |= ip("192.168.4.5/16")', log([m('job_name', '=', 'myapp')], [{ kind: 'line_filter', op: '|=', values: ['192.168.4.5/16'], ip: true }])],
  ['{job_name="myapp"} != ip("192.168.4.5-192.168.4.20")', log([m('job_name', '=', 'myapp')], [{ kind: 'line_filter', op: '!=', values: ['192.168.4.5-192.168.4.20'], ip: true }])],
  ['{app="api"} |= ip("::1") or ip("10.0.0.0/8") |= "x"', appLog({ kind: 'line_filter', op: '|=', values: ['::1', '10.0.0.0/8'], ip: true }, lf('|=', 'x'))],
  ['{app="api"} | json', appLog({ kind: 'json', params: [] })],
  [
    '{app="api"} | json a="x.y[0]", b, c=`headers["User-Agent"]`',
    appLog({ kind: 'json', params: [{ label: 'a', path: 'x.y[0]' }, { label: 'b', path: 'b' }, { label: 'c', path: 'headers["User-Agent"]' }] }),
  ],
  ['{app="api"} | logfmt', appLog({ kind: 'logfmt', strict: false, keepEmpty: false, params: [] })],
  [
    '{app="api"} | logfmt --strict --keep-empty a, b="c"',
    appLog({ kind: 'logfmt', strict: true, keepEmpty: true, params: [{ label: 'a', key: 'a' }, { label: 'b', key: 'c' }] }),
  ],
  ['{app="api"} | logfmt --keep-empty', appLog({ kind: 'logfmt', strict: false, keepEmpty: true, params: [] })],
  ['{app="api"} | regexp "(?P<method>\\\\w+) (?P<path>\\\\S+)"', appLog({ kind: 'regexp', pattern: '(?P<method>\\w+) (?P<path>\\S+)' })],
  ['{app="api"} | regexp `(?<status>\\d+)`', appLog({ kind: 'regexp', pattern: '(?<status>\\d+)' })],
  ['{app="api"} | pattern "<ip> - - <_> \\"<method> <uri> <_>\\""', appLog({ kind: 'pattern', pattern: '<ip> - - <_> "<method> <uri> <_>"' })],
  ['{app="api"} | pattern `<a> <b c> <_>`', appLog({ kind: 'pattern', pattern: '<a> <b c> <_>' })],
  ['{app="api"} | pattern "<a>-<b>"', appLog({ kind: 'pattern', pattern: '<a>-<b>' })],
  ['{app="api"} | unpack', appLog({ kind: 'unpack' })],
  ['{app="api"} | line_format "{{.level}}: {{.msg}}"', appLog({ kind: 'line_format', template: '{{.level}}: {{.msg}}' })],
  [
    '{app="api"} | label_format a=b, c="{{.d}}", e=`{{ .f | ToUpper }}`',
    appLog({ kind: 'label_format', items: [{ dst: 'a', src: 'b' }, { dst: 'c', template: '{{.d}}' }, { dst: 'e', template: '{{ .f | ToUpper }}' }] }),
  ],
  [
    '{app="api"} | drop a, b="x", c!="y", d=~"z.*", e!~"w"',
    appLog({
      kind: 'drop',
      items: [
        { name: 'a' },
        { name: 'b', matcher: m('b', '=', 'x') },
        { name: 'c', matcher: m('c', '!=', 'y') },
        { name: 'd', matcher: m('d', '=~', 'z.*') },
        { name: 'e', matcher: m('e', '!~', 'w') },
      ],
    }),
  ],
  ['{app="api"} | keep a, b', appLog({ kind: 'keep', items: [{ name: 'a' }, { name: 'b' }] })],
  ['{app="api"} | keep level="error"', appLog({ kind: 'keep', items: [{ name: 'level', matcher: m('level', '=', 'error') }] })],
  ['{app="api"} | decolorize', appLog({ kind: 'decolorize' })],
  ['{app="api"} | __error__=""', appLog(filter(str('__error__', '=', '')))],
  ['{app="api"} | json | __error__ != "JSONParserErr"', appLog({ kind: 'json', params: [] }, filter(str('__error__', '!=', 'JSONParserErr')))],
  [
    '{container="query-frontend",namespace="loki-dev"} |= "metrics.go" | logfmt | duration > 10s and throughput_mb < 500',
    log([m('container', '=', 'query-frontend'), m('namespace', '=', 'loki-dev')], [
      lf('|=', 'metrics.go'),
      { kind: 'logfmt', strict: false, keepEmpty: false, params: [] },
      filter(and(dur('duration', '>', 10), num('throughput_mb', '<', 500))),
    ]),
  ],
  [
    '{app="api"} |= "x" | json | level="error" |= "y" | line_format "{{.msg}}" | decolorize',
    appLog(lf('|=', 'x'), { kind: 'json', params: [] }, filter(str('level', '=', 'error')), lf('|=', 'y'), { kind: 'line_format', template: '{{.msg}}' }, { kind: 'decolorize' }),
  ],
  // a stage keyword followed by a comparison is a label of that name
  ['{app="api"} | json="x" | pattern != "y"', appLog(filter(str('json', '=', 'x')), filter(str('pattern', '!=', 'y')))],
  ['({app="api"} |= "x")', appLog(lf('|=', 'x'))],
  ['# leading comment\n{app="api"} # trailing\n|= "x" # more', appLog(lf('|=', 'x'))],
  ['{app="api"}\n\t|= "a"\r\n\t| json', appLog(lf('|=', 'a'), { kind: 'json', params: [] })],
  ['{app="api"} |= "#not a comment"', appLog(lf('|=', '#not a comment'))],
];
for (const [query, expected] of logQueries) {
  test(`log query: ${query}`, () => {
    assert.deepEqual(parseExpr(query), expected);
    assert.deepEqual(parseLogQuery(query), expected);
  });
}

// ---- label filters (each after `{app="api"} | `) ----

const labelFilters: [string, LabelFilterExpr][] = [
  ['level="error"', str('level', '=', 'error')],
  ['level!="debug"', str('level', '!=', 'debug')],
  ['path=~"/api/.*"', str('path', '=~', '/api/.*')],
  ['path!~"/health"', str('path', '!~', '/health')],
  ['status == 200', num('status', '==', 200)],
  ['status = 200', num('status', '==', 200)],
  ['status != 200', num('status', '!=', 200)],
  ['status > 399', num('status', '>', 399)],
  ['status >= 400', num('status', '>=', 400)],
  ['status < 500', num('status', '<', 500)],
  ['status <= 499', num('status', '<=', 499)],
  ['ratio > 0.5', num('ratio', '>', 0.5)],
  ['delta > -1.5', num('delta', '>', -1.5)],
  ['big < 1e6', num('big', '<', 1e6)],
  ['latency > 250ms', dur('latency', '>', 0.25)],
  ['latency >= 1m30s', dur('latency', '>=', 90)],
  ['latency == 2h', dur('latency', '==', 7200)],
  ['latency = 1s', dur('latency', '==', 1)],
  ['latency < 100us', dur('latency', '<', 0.0001)],
  ['size > 20MB', byt('size', '>', 20_000_000)],
  ['size <= 1.5KiB', byt('size', '<=', 1536)],
  ['size == 20kb', byt('size', '==', 20_000)],
  ['size != 10b', byt('size', '!=', 10)],
  ['addr = ip("192.168.0.0/16")', { kind: 'ip', name: 'addr', op: '=', pattern: '192.168.0.0/16' }],
  ['addr != ip("10.0.0.1-10.0.0.9")', { kind: 'ip', name: 'addr', op: '!=', pattern: '10.0.0.1-10.0.0.9' }],
  ['a="1" and b="2"', and(str('a', '=', '1'), str('b', '=', '2'))],
  ['a="1", b="2"', and(str('a', '=', '1'), str('b', '=', '2'))],
  ['a="1" b="2"', and(str('a', '=', '1'), str('b', '=', '2'))],
  ['a="1" or b="2"', or(str('a', '=', '1'), str('b', '=', '2'))],
  ['a="1" or b="2" and c="3"', or(str('a', '=', '1'), and(str('b', '=', '2'), str('c', '=', '3')))],
  ['a="1" and b="2" or c="3"', or(and(str('a', '=', '1'), str('b', '=', '2')), str('c', '=', '3'))],
  ['(a="1" or b="2") and c="3"', and(or(str('a', '=', '1'), str('b', '=', '2')), str('c', '=', '3'))],
  ['a="1" or b="2" or c="3"', or(or(str('a', '=', '1'), str('b', '=', '2')), str('c', '=', '3'))],
  ['a="1", b="2" or c="3", d="4"', or(and(str('a', '=', '1'), str('b', '=', '2')), and(str('c', '=', '3'), str('d', '=', '4')))],
  ['((a > 1))', num('a', '>', 1)],
  ['a > 1 (b < 2 or c < 3)', and(num('a', '>', 1), or(num('b', '<', 2), num('c', '<', 3)))],
  [
    'duration >= 20ms or size == 20kb and method!~"2.."',
    or(dur('duration', '>=', 0.02), and(byt('size', '==', 20_000), str('method', '!~', '2..'))),
  ],
  ['or="x" and and="y"', and(str('or', '=', 'x'), str('and', '=', 'y'))],
];
for (const [text, expr] of labelFilters) {
  test(`label filter: ${text}`, () => {
    assert.deepEqual(parseExpr(`{app="api"} | ${text}`), appLog(filter(expr)));
  });
}

test('label filter: another pipe is a second stage', () => {
  assert.deepEqual(parseExpr('{app="api"} | a > 1 | b < 2'), appLog(filter(num('a', '>', 1)), filter(num('b', '<', 2))));
});

// ---- metric queries ----

const metricQueries: [string, Expr][] = [
  ['count_over_time({app="api"}[1m])', count1m],
  ['rate({app="api"}[5m])', rate5m],
  ['bytes_over_time({app="api"}[1h])', range('bytes_over_time', appLog(), 3_600_000)],
  ['bytes_rate({app="api"}[30s])', range('bytes_rate', appLog(), 30_000)],
  ['absent_over_time({app="api"}[1d])', range('absent_over_time', appLog(), 86_400_000)],
  ['count_over_time({app="api"} |= "err" [5m])', range('count_over_time', appLog(lf('|=', 'err')), 300_000)],
  ['count_over_time({app="api"}[5m] |= "err")', range('count_over_time', appLog(lf('|=', 'err')), 300_000)],
  ['count_over_time(({app="api"} |= "err")[5m])', range('count_over_time', appLog(lf('|=', 'err')), 300_000)],
  ['count_over_time(({app="api"} |= "err" [5m]))', range('count_over_time', appLog(lf('|=', 'err')), 300_000)],
  ['count_over_time({app="api"}[5m] offset 1h)', range('count_over_time', appLog(), 300_000, { offsetMs: 3_600_000 })],
  ['count_over_time({app="api"} | json [1h30m] offset 2d)', range('count_over_time', appLog({ kind: 'json', params: [] }), 5_400_000, { offsetMs: 172_800_000 })],
  ['count_over_time(({app="api"})[5m] offset 10m)', range('count_over_time', appLog(), 300_000, { offsetMs: 600_000 })],
  ['rate({app="api"} | unwrap bytes_sent [1m])', range('rate', appLog(), 60_000, { unwrap: { label: 'bytes_sent', postFilters: [] } })],
  ['sum_over_time({app="api"} | logfmt | unwrap n [1m])', range('sum_over_time', appLog({ kind: 'logfmt', strict: false, keepEmpty: false, params: [] }), 60_000, { unwrap: { label: 'n', postFilters: [] } })],
  ['avg_over_time({app="api"} | unwrap duration(latency) [1m])', range('avg_over_time', appLog(), 60_000, { unwrap: { label: 'latency', conversion: 'duration', postFilters: [] } })],
  ['max_over_time({app="api"} | unwrap duration_seconds(latency) [1m])', range('max_over_time', appLog(), 60_000, { unwrap: { label: 'latency', conversion: 'duration_seconds', postFilters: [] } })],
  ['min_over_time({app="api"} | unwrap bytes(size) [1m])', range('min_over_time', appLog(), 60_000, { unwrap: { label: 'size', conversion: 'bytes', postFilters: [] } })],
  ['min_over_time({app="api"} | unwrap bytes [1m])', range('min_over_time', appLog(), 60_000, { unwrap: { label: 'bytes', postFilters: [] } })],
  ['stddev_over_time({app="api"} | unwrap x [1m])', range('stddev_over_time', appLog(), 60_000, { unwrap: { label: 'x', postFilters: [] } })],
  ['stdvar_over_time({app="api"} | unwrap x [1m])', range('stdvar_over_time', appLog(), 60_000, { unwrap: { label: 'x', postFilters: [] } })],
  ['first_over_time({app="api"} | unwrap x [1m])', range('first_over_time', appLog(), 60_000, { unwrap: { label: 'x', postFilters: [] } })],
  ['last_over_time({app="api"} | unwrap x [1m])', range('last_over_time', appLog(), 60_000, { unwrap: { label: 'x', postFilters: [] } })],
  ['absent_over_time({app="api"} | unwrap x [1m])', range('absent_over_time', appLog(), 60_000, { unwrap: { label: 'x', postFilters: [] } })],
  ['rate_counter({app="api"} | unwrap total [5m])', range('rate_counter', appLog(), 300_000, { unwrap: { label: 'total', postFilters: [] } })],
  ['sum_over_time({app="api"}[1m] | unwrap x)', range('sum_over_time', appLog(), 60_000, { unwrap: { label: 'x', postFilters: [] } })],
  ['sum_over_time(({app="api"} | unwrap x)[1m])', range('sum_over_time', appLog(), 60_000, { unwrap: { label: 'x', postFilters: [] } })],
  [
    'quantile_over_time(0.99, {app="api"} | json | unwrap duration(latency) | __error__="" [1m]) by (path)',
    range('quantile_over_time', appLog({ kind: 'json', params: [] }), 60_000, {
      unwrap: { label: 'latency', conversion: 'duration', postFilters: [str('__error__', '=', '')] },
      param: 0.99,
      grouping: by('path'),
    }),
  ],
  [
    'sum_over_time({app="api"} | unwrap n | n > 0 and n < 100 | __error__="" [5m] offset 5m)',
    range('sum_over_time', appLog(), 300_000, {
      offsetMs: 300_000,
      unwrap: { label: 'n', postFilters: [and(num('n', '>', 0), num('n', '<', 100)), str('__error__', '=', '')] },
    }),
  ],
  ['avg_over_time({app="api"} | unwrap x [1m]) without (pod, instance)', range('avg_over_time', appLog(), 60_000, { unwrap: { label: 'x', postFilters: [] }, grouping: without('pod', 'instance') })],
  ['max_over_time({app="api"} | unwrap x [1m]) by ()', range('max_over_time', appLog(), 60_000, { unwrap: { label: 'x', postFilters: [] }, grouping: by() })],
  ['count_over_time({app="api"}[5m] offset 1h |= "x")', range('count_over_time', appLog(lf('|=', 'x')), 300_000, { offsetMs: 3_600_000 })],
  ['count_over_time({app="api"} | a > 1 b < 2 [1m])', range('count_over_time', appLog(filter(and(num('a', '>', 1), num('b', '<', 2)))), 60_000)],
  [
    'sum_over_time({app="api"} | unwrap n | (n > 1 or n < -1), __error__="" [1m])',
    range('sum_over_time', appLog(), 60_000, { unwrap: { label: 'n', postFilters: [and(or(num('n', '>', 1), num('n', '<', -1)), str('__error__', '=', ''))] } }),
  ],
  // a label filter on a label named unwrap is not an unwrap
  ['count_over_time({app="api"} | unwrap > 1 [1m])', range('count_over_time', appLog(filter(num('unwrap', '>', 1))), 60_000)],

  ['sum(rate({app="api"}[5m]))', agg('sum', rate5m)],
  ['sum by (level) (rate({app="api"}[5m]))', agg('sum', rate5m, { grouping: by('level') })],
  ['sum(rate({app="api"}[5m])) by (level, pod)', agg('sum', rate5m, { grouping: by('level', 'pod') })],
  ['avg without (pod) (rate({app="api"}[5m]))', agg('avg', rate5m, { grouping: without('pod') })],
  ['min(rate({app="api"}[5m])) without ()', agg('min', rate5m, { grouping: without() })],
  ['max(rate({app="api"}[5m]))', agg('max', rate5m)],
  ['count(rate({app="api"}[5m]))', agg('count', rate5m)],
  ['stddev(rate({app="api"}[5m]))', agg('stddev', rate5m)],
  ['stdvar(rate({app="api"}[5m]))', agg('stdvar', rate5m)],
  ['topk(5, rate({app="api"}[5m]))', agg('topk', rate5m, { param: 5 })],
  ['topk by (pod) (5, rate({app="api"}[5m]))', agg('topk', rate5m, { param: 5, grouping: by('pod') })],
  ['bottomk(3, rate({app="api"}[5m])) by (pod)', agg('bottomk', rate5m, { param: 3, grouping: by('pod') })],
  ['sort(rate({app="api"}[5m]))', agg('sort', rate5m)],
  ['sort_desc(sum by (x) (rate({app="api"}[5m])))', agg('sort_desc', agg('sum', rate5m, { grouping: by('x') }))],
  ['sum(sum by (a) (rate({app="api"}[5m])))', agg('sum', agg('sum', rate5m, { grouping: by('a') }))],
  ['sum(vector(1))', agg('sum', { kind: 'vector', value: 1 })],

  ['1 + 2 # trailing comment', bin('+', lit(1), lit(2))],
  ['1', lit(1)],
  ['-2.5', lit(-2.5)],
  ['+3', lit(3)],
  ['1e3', lit(1000)],
  ['vector(1)', { kind: 'vector', value: 1 }],
  ['vector(-0.5)', { kind: 'vector', value: -0.5 }],
  ['(1)', lit(1)],
  ['1 + 2', bin('+', lit(1), lit(2))],
  ['1 - -2', bin('-', lit(1), lit(-2))],
  ['1 + 2 * 3', bin('+', lit(1), bin('*', lit(2), lit(3)))],
  ['(1 + 2) * 3', bin('*', bin('+', lit(1), lit(2)), lit(3))],
  ['1 - 2 - 3', bin('-', bin('-', lit(1), lit(2)), lit(3))],
  ['8 / 4 / 2', bin('/', bin('/', lit(8), lit(4)), lit(2))],
  ['7 % 4 * 2', bin('*', bin('%', lit(7), lit(4)), lit(2))],
  ['2 ^ 3 ^ 2', bin('^', lit(2), bin('^', lit(3), lit(2)))],
  ['2 * 3 ^ 2', bin('*', lit(2), bin('^', lit(3), lit(2)))],
  ['1 + 2 > 2', bin('>', bin('+', lit(1), lit(2)), lit(2))],
  ['1 > bool 2', bin('>', lit(1), lit(2), { bool: true })],
  ['1 == bool 1 and 2 >= 1', bin('and', bin('==', lit(1), lit(1), { bool: true }), bin('>=', lit(2), lit(1)))],
  ['1 or 2 and 3', bin('or', lit(1), bin('and', lit(2), lit(3)))],
  ['1 or 2 unless 3', bin('or', lit(1), bin('unless', lit(2), lit(3)))],
  ['1 and 2 unless 3', bin('unless', bin('and', lit(1), lit(2)), lit(3))],
  ['1 < 2 or 3 <= 4', bin('or', bin('<', lit(1), lit(2)), bin('<=', lit(3), lit(4)))],
  ['1 != 2', bin('!=', lit(1), lit(2))],
  ['sum(rate({app="api"}[5m])) / 60', bin('/', agg('sum', rate5m), lit(60))],
  ['rate({app="api"}[5m]) > 10', bin('>', rate5m, lit(10))],
  ['rate({app="api"}[5m]) > bool 10', bin('>', rate5m, lit(10), { bool: true })],
  [
    'sum by (x) (rate({app="api"}[5m])) / on (x) group_left (y) count_over_time({app="api"}[1m])',
    bin('/', agg('sum', rate5m, { grouping: by('x') }), count1m, { matching: { on: true, labels: ['x'], group: { side: 'left', include: ['y'] } } }),
  ],
  ['rate({app="api"}[5m]) * ignoring (pod) group_right count_over_time({app="api"}[1m])', bin('*', rate5m, count1m, { matching: { on: false, labels: ['pod'], group: { side: 'right', include: [] } } })],
  ['rate({app="api"}[5m]) + on () count_over_time({app="api"}[1m])', bin('+', rate5m, count1m, { matching: { on: true, labels: [] } })],
  ['rate({app="api"}[5m]) and on (pod) count_over_time({app="api"}[1m])', bin('and', rate5m, count1m, { matching: { on: true, labels: ['pod'] } })],
  ['rate({app="api"}[5m]) == bool ignoring (x) count_over_time({app="api"}[1m])', bin('==', rate5m, count1m, { bool: true, matching: { on: false, labels: ['x'] } })],
  ['sum(rate({app="api"}[5m])) or vector(0)', bin('or', agg('sum', rate5m), { kind: 'vector', value: 0 })],
  [
    'sum(count_over_time({app="api"} |= "error" [5m])) / sum(count_over_time({app="api"}[5m])) * 100',
    bin('*', bin('/', agg('sum', range('count_over_time', appLog(lf('|=', 'error')), 300_000)), agg('sum', range('count_over_time', appLog(), 300_000))), lit(100)),
  ],
  [
    'label_replace(rate({app="api"}[5m]), "svc", "$1", "app", "(.*)-api")',
    { kind: 'label_replace', inner: rate5m, dst: 'svc', replacement: '$1', src: 'app', regex: '(.*)-api' },
  ],
  [
    'sum by (level) (\n  rate({app="api"} # the stream\n    | json [5m])\n)',
    agg('sum', range('rate', appLog({ kind: 'json', params: [] }), 300_000), { grouping: by('level') }),
  ],
  [
    'topk(10, sum by (path) (quantile_over_time(0.5, {app="api"} | logfmt --strict | unwrap duration(took) [5m]) by (path)))',
    agg(
      'topk',
      agg('sum', range('quantile_over_time', appLog({ kind: 'logfmt', strict: true, keepEmpty: false, params: [] }), 300_000, { unwrap: { label: 'took', conversion: 'duration', postFilters: [] }, param: 0.5, grouping: by('path') }), { grouping: by('path') }),
      { param: 10 },
    ),
  ],
];
for (const [query, expected] of metricQueries) {
  test(`metric query: ${query.replaceAll('\n', '\\n')}`, () => {
    assert.deepEqual(parseExpr(query), expected);
  });
}

// ---- malformed queries: exact message, position, line, column and expectation ----

interface ExpectedError {
  message: string;
  position: number;
  expected?: string;
}
const malformed: [string, ExpectedError][] = [
  ['{app="a"} |= bar', { message: 'parse error at line 1, col 14: syntax error: unexpected IDENTIFIER, expecting STRING', position: 13, expected: 'STRING' }],
  ['', { message: 'parse error at line 1, col 1: syntax error: unexpected end of input, expecting {, (, NUMBER or function name', position: 0 }],
  ['# only a comment', { message: 'parse error at line 1, col 17: syntax error: unexpected end of input, expecting {, (, NUMBER or function name', position: 16 }],
  ['   ', { message: 'parse error at line 1, col 4: syntax error: unexpected end of input, expecting {, (, NUMBER or function name', position: 3 }],
  ['{app="a"', { message: 'parse error at line 1, col 9: syntax error: unexpected end of input, expecting , or }', position: 8, expected: ', or }' }],
  ['{app="a",}', { message: 'parse error at line 1, col 10: syntax error: unexpected }, expecting IDENTIFIER', position: 9 }],
  ['{app}', { message: 'parse error at line 1, col 5: syntax error: unexpected }, expecting =, !=, =~ or !~', position: 4, expected: '=, !=, =~ or !~' }],
  ['{app=5}', { message: 'parse error at line 1, col 6: syntax error: unexpected NUMBER, expecting STRING', position: 5 }],
  ['{app=="a"}', { message: 'parse error at line 1, col 5: syntax error: unexpected ==, expecting =, !=, =~ or !~', position: 4 }],
  ['{"app"="a"}', { message: 'parse error at line 1, col 2: syntax error: unexpected STRING, expecting IDENTIFIER or }', position: 1 }],
  ['{app="a" b="c"}', { message: 'parse error at line 1, col 10: syntax error: unexpected IDENTIFIER, expecting , or }', position: 9 }],
  ['{app="a}', { message: 'parse error at line 1, col 6: syntax error: literal not terminated', position: 5, expected: 'closing "' }],
  ['{app="a\nb"}', { message: 'parse error at line 1, col 6: syntax error: literal not terminated', position: 5 }],
  ['{app=`a}', { message: 'parse error at line 1, col 6: syntax error: literal not terminated', position: 5, expected: 'closing `' }],
  ['{app="a\\qb"}', { message: 'parse error at line 1, col 8: syntax error: invalid char escape', position: 7 }],
  ['{app="\\x4"}', { message: 'parse error at line 1, col 7: syntax error: invalid char escape', position: 6 }],
  ['{app="\\400"}', { message: 'parse error at line 1, col 7: syntax error: invalid char escape', position: 6 }],
  ['{app="\\uD800"}', { message: 'parse error at line 1, col 7: syntax error: invalid char escape', position: 6 }],
  ['{app="a"} @ 1', { message: 'parse error at line 1, col 11: syntax error: unexpected character "@"', position: 10 }],
  ['{app="a"} ! "x"', { message: 'parse error at line 1, col 11: syntax error: unexpected character "!"', position: 10 }],
  ['{app="a"} foo', { message: 'parse error at line 1, col 11: syntax error: unexpected IDENTIFIER, expecting |, line filter or end of input', position: 10 }],
  ['{app="a"} |', { message: 'parse error at line 1, col 12: syntax error: unexpected end of input, expecting parser, formatter or label filter', position: 11 }],
  ['{app="a"} | "x"', { message: 'parse error at line 1, col 13: syntax error: unexpected STRING, expecting parser, formatter or label filter', position: 12 }],
  ['{app="a"} |= "x" or', { message: 'parse error at line 1, col 1: syntax error: unexpected log query in binary operation or, expecting metric expression', position: 0 }],
  ['{app="a"} |= "x" or 1', { message: 'parse error at line 1, col 1: syntax error: unexpected log query in binary operation or, expecting metric expression', position: 0 }],
  ['vector(-)', { message: 'parse error at line 1, col 9: syntax error: unexpected ), expecting NUMBER', position: 8 }],
  ['{app="a"} |~ ip("1.2.3.4")', { message: 'parse error at line 1, col 14: syntax error: ip() line filters allow only |= and !=, not |~', position: 13 }],
  ['{app="a"} |= ip("1.2.3")', { message: 'parse error at line 1, col 17: invalid ip pattern "1.2.3": expected an address, a range a-b or a CIDR prefix', position: 16 }],
  ['{app="a"} |= ip("10.0.0.9-10.0.0.1")', { message: 'parse error at line 1, col 17: invalid ip pattern "10.0.0.9-10.0.0.1": expected an address, a range a-b or a CIDR prefix', position: 16 }],
  ['{app="a"} |= ip("10.0.0.0/33")', { message: 'parse error at line 1, col 17: invalid ip pattern "10.0.0.0/33": expected an address, a range a-b or a CIDR prefix', position: 16 }],
  ['{app="a"} |= ip("1.2.3.4"', { message: 'parse error at line 1, col 26: syntax error: unexpected end of input, expecting )', position: 25 }],
  ['{app="a"} |= ip("1.2.3.4") or "x"', { message: 'parse error at line 1, col 31: syntax error: a line filter cannot mix strings and ip() alternatives', position: 30 }],
  ['{app="a"} |= "x" or ip("1.2.3.4")', { message: 'parse error at line 1, col 21: syntax error: a line filter cannot mix strings and ip() alternatives', position: 20 }],
  ['{app="a"} |~ "(a"', { message: 'parse error at line 1, col 14: error parsing regexp: missing closing ): `(a`', position: 13, expected: 'a valid regular expression' }],
  ['{app=~"*"}', { message: 'parse error at line 1, col 7: error parsing regexp: missing argument to repetition operator: `*`', position: 6 }],
  ['{app="a"} | logfmt --fast', { message: 'parse error at line 1, col 20: syntax error: unknown logfmt flag --fast, expecting --strict or --keep-empty', position: 19 }],
  ['{app="a"} | json a=b', { message: 'parse error at line 1, col 20: syntax error: unexpected IDENTIFIER, expecting STRING', position: 19 }],
  ['{app="a"} | json a,', { message: 'parse error at line 1, col 20: syntax error: unexpected end of input, expecting IDENTIFIER', position: 19 }],
  ['{app="a"} | regexp "(\\\\d+)"', { message: 'parse error at line 1, col 20: at least one named capture must be supplied, e.g. (?P<name>...)', position: 19 }],
  ['{app="a"} | pattern "<_> foo <_>"', { message: 'parse error at line 1, col 21: invalid pattern: at least one named capture is required', position: 20 }],
  ['{app="a"} | pattern "<a><b> c"', { message: 'parse error at line 1, col 21: invalid pattern: consecutive captures <a><b> must be separated by a literal', position: 20 }],
  ['{app="a"} | pattern ""', { message: 'parse error at line 1, col 21: invalid pattern: at least one named capture is required', position: 20 }],
  ['{app="a"} | regexp', { message: 'parse error at line 1, col 19: syntax error: unexpected end of input, expecting STRING', position: 18 }],
  ['{app="a"} | line_format', { message: 'parse error at line 1, col 24: syntax error: unexpected end of input, expecting STRING', position: 23 }],
  ['{app="a"} | label_format a', { message: 'parse error at line 1, col 27: syntax error: unexpected end of input, expecting =', position: 26 }],
  ['{app="a"} | label_format a=1', { message: 'parse error at line 1, col 28: syntax error: unexpected NUMBER, expecting IDENTIFIER or STRING', position: 27 }],
  ['{app="a"} | label_format a=b, a="x"', { message: 'parse error at line 1, col 31: syntax error: multiple label name "a" not allowed in a single label_format stage', position: 30 }],
  ['{app="a"} | drop', { message: 'parse error at line 1, col 17: syntax error: unexpected end of input, expecting IDENTIFIER', position: 16 }],
  ['{app="a"} | keep a=1', { message: 'parse error at line 1, col 20: syntax error: unexpected NUMBER, expecting STRING', position: 19 }],
  ['{app="a"} | status', { message: 'parse error at line 1, col 19: syntax error: unexpected end of input, expecting =, !=, =~, !~, ==, >, >=, < or <=', position: 18 }],
  ['{app="a"} | status > "x"', { message: 'parse error at line 1, col 22: syntax error: unexpected STRING, expecting NUMBER, DURATION or BYTES', position: 21 }],
  ['{app="a"} | status = foo', { message: 'parse error at line 1, col 22: syntax error: unexpected IDENTIFIER, expecting STRING, NUMBER, DURATION, BYTES or ip', position: 21 }],
  ['{app="a"} | path =~ 5', { message: 'parse error at line 1, col 21: syntax error: unexpected NUMBER, expecting STRING', position: 20 }],
  ['{app="a"} | a=1 and', { message: 'parse error at line 1, col 20: syntax error: unexpected end of input, expecting IDENTIFIER or (', position: 19 }],
  ['{app="a"} | (a=1 or b=2', { message: 'parse error at line 1, col 24: syntax error: unexpected end of input, expecting and, or or )', position: 23 }],
  ['{app="a"} | a > 5x', { message: 'parse error at line 1, col 17: syntax error: invalid duration or bytes value "5x"', position: 16 }],
  ['{app="a"} | unwrap x', { message: 'parse error at line 1, col 13: syntax error: unexpected UNWRAP outside a range aggregation', position: 12 }],
  ['{app="a"}\n  |= "x"\n  | json\n  | foo', { message: 'parse error at line 4, col 8: syntax error: unexpected end of input, expecting =, !=, =~, !~, ==, >, >=, < or <=', position: 35 }],
  ['{app="a"}\n|= 42', { message: 'parse error at line 2, col 4: syntax error: unexpected NUMBER, expecting STRING', position: 13 }],

  ['count_over_time({app="a"})', { message: 'parse error at line 1, col 26: syntax error: unexpected ), expecting [', position: 25 }],
  ['count_over_time({app="a"}[5])', { message: 'parse error at line 1, col 27: syntax error: unexpected NUMBER, expecting DURATION', position: 26 }],
  ['count_over_time({app="a"}[5m)', { message: 'parse error at line 1, col 29: syntax error: unexpected ), expecting ]', position: 28 }],
  ['count_over_time({app="a"}[5m] offset)', { message: 'parse error at line 1, col 37: syntax error: unexpected ), expecting DURATION', position: 36 }],
  ['count_over_time({app="a"}[5m]', { message: 'parse error at line 1, col 30: syntax error: unexpected end of input, expecting )', position: 29 }],
  ['rate {app="a"}[5m]', { message: 'parse error at line 1, col 6: syntax error: unexpected {, expecting (', position: 5 }],
  ['sum_over_time({app="a"}[1m])', { message: 'parse error at line 1, col 1: invalid aggregation sum_over_time without unwrap', position: 0, expected: '| unwrap' }],
  ['rate_counter({app="a"}[1m])', { message: 'parse error at line 1, col 1: invalid aggregation rate_counter without unwrap', position: 0 }],
  ['count_over_time({app="a"} | unwrap x [1m])', { message: 'parse error at line 1, col 1: invalid aggregation count_over_time with unwrap', position: 0 }],
  ['bytes_rate({app="a"} | unwrap x [1m])', { message: 'parse error at line 1, col 1: invalid aggregation bytes_rate with unwrap', position: 0 }],
  ['count_over_time({app="a"}[1m]) by (x)', { message: 'parse error at line 1, col 32: grouping not allowed for count_over_time aggregation', position: 31 }],
  ['sum_over_time({app="a"} | unwrap x [1m]) by (x)', { message: 'parse error at line 1, col 42: grouping not allowed for sum_over_time aggregation', position: 41 }],
  ['quantile_over_time({app="a"} | unwrap x [1m])', { message: 'parse error at line 1, col 20: syntax error: unexpected {, expecting NUMBER', position: 19 }],
  ['avg_over_time({app="a"} | unwrap [1m])', { message: 'parse error at line 1, col 34: syntax error: unexpected [, expecting IDENTIFIER', position: 33 }],
  ['avg_over_time({app="a"} | unwrap duration(x [1m])', { message: 'parse error at line 1, col 45: syntax error: unexpected [, expecting )', position: 44 }],
  ['avg_over_time({app="a"} | unwrap x |= "y" [1m])', { message: 'parse error at line 1, col 36: syntax error: unexpected |=, expecting [', position: 35 }],
  ['avg_over_time({app="a"} | unwrap x | json [1m])', { message: 'parse error at line 1, col 43: syntax error: unexpected [, expecting =, !=, =~, !~, ==, >, >=, < or <=', position: 42 }],

  ['sum({app="a"})', { message: 'parse error at line 1, col 5: syntax error: unexpected log query in sum, expecting metric expression', position: 4, expected: 'metric expression' }],
  ['sum(rate({app="a"}[5m])', { message: 'parse error at line 1, col 24: syntax error: unexpected end of input, expecting binary operator or )', position: 23 }],
  ['sum by (x) (rate({app="a"}[5m])) by (y)', { message: 'parse error at line 1, col 34: syntax error: unexpected BY, grouping of sum is already given before its parentheses', position: 33 }],
  ['sum by x (rate({app="a"}[5m]))', { message: 'parse error at line 1, col 8: syntax error: unexpected IDENTIFIER, expecting (', position: 7 }],
  ['sum by (x,) (rate({app="a"}[5m]))', { message: 'parse error at line 1, col 11: syntax error: unexpected ), expecting IDENTIFIER', position: 10 }],
  ['sum by (x y) (rate({app="a"}[5m]))', { message: 'parse error at line 1, col 11: syntax error: unexpected IDENTIFIER, expecting , or )', position: 10 }],
  ['sum(5, rate({app="a"}[5m]))', { message: 'parse error at line 1, col 5: syntax error: unsupported parameter for operation sum', position: 4 }],
  ['topk(rate({app="a"}[5m]))', { message: 'parse error at line 1, col 6: syntax error: unexpected IDENTIFIER, expecting NUMBER', position: 5 }],
  ['topk(1.5, rate({app="a"}[5m]))', { message: 'parse error at line 1, col 6: syntax error: invalid parameter for topk: 1.5, expecting a positive integer', position: 5 }],
  ['bottomk(0, rate({app="a"}[5m]))', { message: 'parse error at line 1, col 9: syntax error: invalid parameter for bottomk: 0, expecting a positive integer', position: 8 }],
  ['sum rate({app="a"}[5m])', { message: 'parse error at line 1, col 5: syntax error: unexpected IDENTIFIER, expecting (, by or without', position: 4 }],
  ['count_values("x", rate({app="a"}[5m]))', { message: 'parse error at line 1, col 1: syntax error: count_values is not supported', position: 0 }],
  ['foo(1)', { message: 'parse error at line 1, col 1: syntax error: unexpected IDENTIFIER, expecting {, (, NUMBER or function name', position: 0 }],
  ['vector()', { message: 'parse error at line 1, col 8: syntax error: unexpected ), expecting NUMBER', position: 7 }],
  ['vector("1")', { message: 'parse error at line 1, col 8: syntax error: unexpected STRING, expecting NUMBER', position: 7 }],
  ['1 +', { message: 'parse error at line 1, col 4: syntax error: unexpected end of input, expecting {, (, NUMBER or function name', position: 3 }],
  ['1 + * 2', { message: 'parse error at line 1, col 5: syntax error: unexpected *, expecting {, (, NUMBER or function name', position: 4 }],
  ['(1 + 2', { message: 'parse error at line 1, col 7: syntax error: unexpected end of input, expecting binary operator or )', position: 6 }],
  ['1 2', { message: 'parse error at line 1, col 3: syntax error: unexpected NUMBER, expecting binary operator or end of input', position: 2 }],
  ['-rate({app="a"}[5m])', { message: 'parse error at line 1, col 2: syntax error: unexpected IDENTIFIER, expecting NUMBER', position: 1 }],
  ['{app="a"} > 1', { message: 'parse error at line 1, col 1: syntax error: unexpected log query in binary operation >, expecting metric expression', position: 0 }],
  ['1 + {app="a"}', { message: 'parse error at line 1, col 5: syntax error: unexpected log query in binary operation +, expecting metric expression', position: 4 }],
  ['1 + bool 2', { message: 'parse error at line 1, col 5: syntax error: bool modifier can only be used on comparison operators', position: 4 }],
  ['rate({app="a"}[5m]) and on (x) group_left rate({app="a"}[5m])', { message: 'parse error at line 1, col 32: syntax error: no grouping allowed for "and" operation', position: 31 }],
  ['rate({app="a"}[5m]) / on x rate({app="a"}[5m])', { message: 'parse error at line 1, col 26: syntax error: unexpected IDENTIFIER, expecting (', position: 25 }],
  ['sum(rate({app="a"}[5m])) by (x) by (y)', { message: 'parse error at line 1, col 33: syntax error: unexpected BY, expecting binary operator or end of input', position: 32 }],
  ['label_replace(rate({app="a"}[5m]), "1bad", "$1", "app", "(.*)")', { message: 'parse error at line 1, col 36: syntax error: invalid destination label name in label_replace(): "1bad"', position: 35 }],
  ['label_replace(rate({app="a"}[5m]), "dst", "$1", "app", "(.*")', { message: 'parse error at line 1, col 56: error parsing regexp: missing closing ): `(.*`', position: 55 }],
  ['label_replace(rate({app="a"}[5m]), "dst", "$1", "app")', { message: 'parse error at line 1, col 54: syntax error: unexpected ), expecting ,', position: 53 }],
  ['sum(rate({app="é"}[5m])) x', { message: 'parse error at line 1, col 26: syntax error: unexpected IDENTIFIER, expecting binary operator or end of input', position: 25 }],
];
for (const [query, want] of malformed) {
  test(`malformed: ${query.replaceAll('\n', '\\n')}`, () => {
    let caught: unknown;
    try {
      parseExpr(query);
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof LogQLParseError, `expected a LogQLParseError, got ${String(caught)}`);
    assert.equal(caught.message, want.message);
    assert.equal(caught.position, want.position);
    const [, line, column] = /^parse error at line (\d+), col (\d+):/.exec(want.message)!;
    assert.equal(caught.line, Number(line));
    assert.equal(caught.column, Number(column));
    if (want.expected !== undefined) assert.equal(caught.expected, want.expected);
    assert.equal(caught.name, 'LogQLParseError');
    assert.ok(caught instanceof Error);
  });
}

test('parseLogQuery refuses a metric query, pointing at its first token', () => {
  assert.throws(() => parseLogQuery('  sum(rate({app="a"}[5m]))'), (err: unknown) => {
    assert.ok(err instanceof LogQLParseError);
    assert.equal(err.message, 'parse error at line 1, col 3: syntax error: unexpected metric query, expecting log query');
    assert.equal(err.position, 2);
    assert.equal(err.expected, 'log query');
    return true;
  });
});

test('parseLogQuery passes on syntax errors of a log query', () => {
  assert.throws(() => parseLogQuery('{app="a"} |= 1'), { message: 'parse error at line 1, col 14: syntax error: unexpected NUMBER, expecting STRING' });
});

test('error detail and code are exposed for the HTTP layer', () => {
  try {
    parseExpr('{app="a"} |= bar');
    assert.fail('should throw');
  } catch (err) {
    assert.ok(err instanceof LogQLParseError);
    assert.equal(err.detail, 'syntax error: unexpected IDENTIFIER, expecting STRING');
    assert.equal(err.code, 'logql_parse_error');
  }
});
