// Loki's documentation as a conformance suite: the worked examples of the LogQL pages (log queries, parsers,
// formatting, drop/keep, template functions, IP matching, query examples, metric queries), each turned into
// input lines → query → the output the docs give, run through the real engine over the embedded store.
//
// Pages: grafana/loki docs/sources/query/{log_queries/_index.md, template_functions.md, ip.md, query_examples.md,
// metric_queries.md, _index.md}. Where the docs are wrong or ambiguous, the case says so (`docsSay`) and asserts what
// Sightline does; docs/logql.md "Where Loki's documentation is ambiguous" explains each choice.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { QueryEngine } from '../../src/query/engine.ts';
import type { IngestBatch, Labels } from '../../src/model/record.ts';

/** 2020-10-23T20:32:18.094668233Z, the time of the docs' query_examples lines. */
const T0 = 1603485138094668233n;
const SEC = 1_000_000_000n;

interface Input {
  line: string;
  labels: Labels;
  meta?: Record<string, string>;
  /** offset from T0 in ns (default: the entry's index, so entries keep their order) */
  at?: bigint;
}

type Want =
  /** log query: entries in time order as [labels, line] */
  | { entries: [Labels, string][] }
  /** instant metric query: samples as [labels, value], in the engine's order */
  | { vector: [Labels, number][] }
  /** the query is refused */
  | { error: RegExp };

interface DocCase {
  name: string;
  /** page and section of the docs */
  source: string;
  input: Input[];
  query: string;
  want: Want;
  /** when the docs give another answer: what they say, and why we differ (see docs/logql.md) */
  docsSay?: string;
  /** instant queries: evaluation time offset from T0 */
  time?: bigint;
}

const cases: DocCase[] = [];
const add = (c: DocCase): void => void cases.push(c);
const on = (labels: Labels, ...lines: string[]): Input[] => lines.map((line) => ({ line, labels }));

// ---- log_queries: parsers ------------------------------------------------------------------------------------------

const REQUEST_DOC = '{"protocol": "HTTP/2.0", "servers": ["129.0.1.1","10.2.1.3"], "request": {"time": "6.032", "method": "GET", "host": "foo.grafana.net", "size": "55", "headers": {"Accept": "*/*", "User-Agent": "curl/7.68.0"}}, "response": {"status": 401, "size": "228", "latency_seconds": "6.031"}}';
const J = { job: 'json' };
add({
  name: 'json without parameters: nested keys flattened with _, arrays skipped',
  source: 'log_queries#json',
  input: on(J, REQUEST_DOC),
  query: '{job="json"} | json',
  want: {
    entries: [[{
      job: 'json', protocol: 'HTTP/2.0', request_time: '6.032', request_method: 'GET', request_host: 'foo.grafana.net', request_size: '55',
      request_headers_Accept: '*/*', request_headers_User_Agent: 'curl/7.68.0', response_status: '401', response_size: '228', response_latency_seconds: '6.031',
    }, REQUEST_DOC]],
  },
});
add({
  name: 'json with parameters: array and field access',
  source: 'log_queries#json',
  input: on(J, REQUEST_DOC),
  query: '{job="json"} | json first_server="servers[0]", ua="request.headers[\\"User-Agent\\"]"',
  want: { entries: [[{ job: 'json', first_server: '129.0.1.1', ua: 'curl/7.68.0' }, REQUEST_DOC]] },
});
add({
  name: 'json with parameters: an array or object is extracted as its JSON text',
  source: 'log_queries#json',
  input: on(J, REQUEST_DOC),
  query: '{job="json"} | json server_list="servers", headers="request.headers"',
  want: { entries: [[{ job: 'json', server_list: '["129.0.1.1","10.2.1.3"]', headers: '{"Accept": "*/*", "User-Agent": "curl/7.68.0"}' }, REQUEST_DOC]] },
});
add({
  name: 'json <label> is json <label>="<label>"',
  source: 'log_queries#json',
  input: on(J, REQUEST_DOC),
  query: '{job="json"} | json servers',
  want: { entries: [[{ job: 'json', servers: '["129.0.1.1","10.2.1.3"]' }, REQUEST_DOC]] },
});
add({
  name: 'extracted keys are sanitized: { "a.b": {"c": "d"}, "e": "f" } → a_b_c, e',
  source: 'log_queries#parser-expression',
  input: on(J, '{ "a.b": {"c": "d"}, "e": "f" }'),
  query: '{job="json"} | json',
  want: { entries: [[{ job: 'json', a_b_c: 'd', e: 'f' }, '{ "a.b": {"c": "d"}, "e": "f" }']] },
  docsSay: 'the docs write the document with unquoted keys ({c: "d"}), which is not JSON; the example is run with the keys quoted',
});
add({
  name: 'an extracted key that exists as a stream label gets the _extracted suffix',
  source: 'log_queries#parser-expression',
  input: on({ job: 'json', level: 'info' }, '{"level": "error", "msg": "x"}'),
  query: '{job="json"} | json',
  want: { entries: [[{ job: 'json', level: 'info', level_extracted: 'error', msg: 'x' }, '{"level": "error", "msg": "x"}']] },
});
add({
  name: 'a key that appears twice keeps its first value',
  source: 'log_queries#parser-expression',
  input: on({ job: 'logfmt' }, 'a=1 a=2'),
  query: '{job="logfmt"} | logfmt',
  want: { entries: [[{ job: 'logfmt', a: '1' }, 'a=1 a=2']] },
});

const LOGFMT_LINE = 'at=info method=GET path=/ host=grafana.net fwd="124.133.124.161" service=8ms status=200';
const L = { job: 'logfmt' };
add({
  name: 'logfmt without parameters',
  source: 'log_queries#logfmt',
  input: on(L, LOGFMT_LINE),
  query: '{job="logfmt"} | logfmt',
  want: { entries: [[{ job: 'logfmt', at: 'info', method: 'GET', path: '/', host: 'grafana.net', fwd: '124.133.124.161', service: '8ms', status: '200' }, LOGFMT_LINE]] },
});
add({
  name: 'logfmt with parameters: host, fwd_ip="fwd"',
  source: 'log_queries#logfmt',
  input: on(L, LOGFMT_LINE),
  query: '{job="logfmt"} | logfmt host, fwd_ip="fwd"',
  want: { entries: [[{ job: 'logfmt', host: 'grafana.net', fwd_ip: '124.133.124.161' }, LOGFMT_LINE]] },
});
add({
  name: 'logfmt (not strict) skips the invalid pairs =value, foo=bar=buzz, fo"o=bar',
  source: 'log_queries#logfmt',
  input: on(L, 'key=value =value foo=bar=buzz fo"o=bar other="value in double quotes"'),
  query: '{job="logfmt"} | logfmt',
  want: { entries: [[{ job: 'logfmt', key: 'value', other: 'value in double quotes' }, 'key=value =value foo=bar=buzz fo"o=bar other="value in double quotes"']] },
});
add({
  name: 'logfmt --strict stops at the first invalid pair with an error',
  source: 'log_queries#logfmt',
  input: on(L, 'key=value foo=bar=buzz later=x'),
  query: '{job="logfmt"} | logfmt --strict | drop __error_details__',
  want: { entries: [[{ job: 'logfmt', key: 'value', __error__: 'LogfmtParserErr' }, 'key=value foo=bar=buzz later=x']] },
  docsSay: 'the docs say strict parsing "returns early with an error" without saying whether pairs before the bad one are kept; they are',
});
add({
  name: 'logfmt --keep-empty keeps a standalone key',
  source: 'log_queries#logfmt',
  input: on(L, 'standalone key=value'),
  query: '{job="logfmt"} | logfmt --keep-empty',
  want: { entries: [[{ job: 'logfmt', standalone: '', key: 'value' }, 'standalone key=value']] },
});
add({
  name: 'logfmt without --keep-empty drops it, unless it is asked for by name',
  source: 'log_queries#logfmt',
  input: on(L, 'standalone key=value'),
  query: '{job="logfmt"} | logfmt standalone, key',
  want: { entries: [[{ job: 'logfmt', standalone: '', key: 'value' }, 'standalone key=value']] },
});

const NGINX_LINE = '0.191.12.2 - - [10/Jun/2021:09:14:29 +0000] "GET /api/plugins/versioncheck HTTP/1.1" 200 2 "-" "Go-http-client/2.0" "13.76.247.102, 34.120.177.193" "TLSv1.2" "US" ""';
add({
  name: 'pattern parser on an NGINX line',
  source: 'log_queries#pattern',
  input: on({ job: 'nginx' }, NGINX_LINE),
  query: '{job="nginx"} | pattern `<ip> - - <_> "<method> <uri> <_>" <status> <size> <_> "<agent>" <_>`',
  want: { entries: [[{ job: 'nginx', ip: '0.191.12.2', method: 'GET', uri: '/api/plugins/versioncheck', status: '200', size: '2', agent: 'Go-http-client/2.0' }, NGINX_LINE]] },
});
const PUSH_LINE = 'level=debug ts=2021-06-10T09:24:13.472094048Z caller=logging.go:66 traceID=0568b66ad2d9294c msg="POST /loki/api/v1/push (204) 16.652862ms"';
add({
  name: 'pattern starting with <_> is not anchored at the line start',
  source: 'log_queries#pattern',
  input: on({ job: 'loki' }, PUSH_LINE),
  query: '{job="loki"} | pattern `<_> msg="<method> <path> (<status>) <latency>"`',
  want: { entries: [[{ job: 'loki', method: 'POST', path: '/loki/api/v1/push', status: '204', latency: '16.652862ms' }, PUSH_LINE]] },
});
add({
  name: 'a pattern without a named capture is invalid',
  source: 'log_queries#pattern',
  input: [],
  query: '{job="loki"} | pattern `<_> msg=<_>`',
  want: { error: /at least one named capture is required/ },
});
add({
  name: 'a pattern with two captures not separated by whitespace is invalid',
  source: 'log_queries#pattern',
  input: [],
  query: '{job="loki"} | pattern `<a><b>`',
  want: { error: /consecutive captures <a><b> must be separated/ },
});
add({
  name: 'regexp parser with named sub-matches',
  source: 'log_queries#regular-expression',
  input: on({ job: 'api' }, 'POST /api/prom/api/v1/query_range (200) 1.5s'),
  query: '{job="api"} | regexp "(?P<method>\\\\w+) (?P<path>[\\\\w|/]+) \\\\((?P<status>\\\\d+?)\\\\) (?P<duration>.*)"',
  want: { entries: [[{ job: 'api', method: 'POST', path: '/api/prom/api/v1/query_range', status: '200', duration: '1.5s' }, 'POST /api/prom/api/v1/query_range (200) 1.5s']] },
});
add({
  name: 'a regexp without a named sub-match is refused',
  source: 'log_queries#regular-expression',
  input: [],
  query: '{job="api"} | regexp "(\\\\w+)"',
  want: { error: /at least one named capture must be supplied/ },
});
add({
  name: 'unpack: embedded labels, _entry becomes the line',
  source: 'log_queries#unpack',
  input: on({ job: 'packed' }, '{"container": "myapp", "pod": "pod-3223f", "_entry": "original log message"}'),
  query: '{job="packed"} | unpack',
  want: { entries: [[{ job: 'packed', container: 'myapp', pod: 'pod-3223f' }, 'original log message']] },
});

// ---- log_queries: line filters, label filters ----------------------------------------------------------------------

const MYSQL = { job: 'mysql' };
add({
  name: 'chained line filters: |= "error" != "timeout"',
  source: 'log_queries#line-filter-expression',
  input: on(MYSQL, 'error: disk full', 'error: timeout waiting', 'info: ok'),
  query: '{job="mysql"} |= "error" != "timeout"',
  want: { entries: [[MYSQL, 'error: disk full']] },
});
add({
  name: 'line filter regex: |~ `error=\\w+`, unanchored',
  source: 'log_queries#line-filter-expression',
  input: on({ name: 'cassandra' }, 'status error=Timeout more', 'error= nothing'),
  query: '{name="cassandra"} |~  `error=\\w+`',
  want: { entries: [[{ name: 'cassandra' }, 'status error=Timeout more']] },
});
add({
  name: 'line filter regex: (?i) makes it case-insensitive',
  source: 'log_queries#line-filter-expression',
  input: on(MYSQL, 'ERROR one', 'Error two', 'fine'),
  query: '{job="mysql"} |~ "(?i)error"',
  want: { entries: [[MYSQL, 'ERROR one'], [MYSQL, 'Error two']] },
});
add({
  name: 'line filter regex: . matches a newline in line filters',
  source: 'log_queries#line-filter-expression',
  input: on(MYSQL, 'panic: boom\n  at main.go:12'),
  query: '{job="mysql"} |~ "boom.+main"',
  want: { entries: [[MYSQL, 'panic: boom\n  at main.go:12']] },
});
add({
  name: 'stream selector regexes are anchored and . does not match a newline',
  source: 'log_queries#log-stream-selector',
  input: [{ line: 'x', labels: { name: 'my\nmysql-backup' } }, { line: 'y', labels: { name: 'mysql-backup' } }],
  query: '{name=~".*mysql.*"}',
  want: { entries: [[{ name: 'mysql-backup' }, 'y']] },
});
add({
  name: 'stream selector regexes: (?s) lets . match a newline',
  source: 'log_queries#log-stream-selector',
  input: [{ line: 'x', labels: { name: 'my\nmysql-backup' } }, { line: 'y', labels: { name: 'other' } }],
  query: '{name=~"(?s).*mysql.*"}',
  want: { entries: [[{ name: 'my\nmysql-backup' }, 'x']] },
});
add({
  name: 'line filters before and after a parser give the same lines',
  source: 'log_queries#line-filter-expression',
  input: on(MYSQL, '{"err": "error: bad", "message": "error seen"}', '{"err": "fine", "message": "fine"}'),
  query: '{job="mysql"} | json | line_format "{{.message}}" |= "error"',
  want: { entries: [[{ job: 'mysql', err: 'error: bad', message: 'error seen' }, 'error seen']] },
});

const LF = { job: 'lf' };
add({
  name: 'label filters: duration and bytes comparisons (logfmt | duration > 1m and bytes_consumed > 20MB)',
  source: 'log_queries#label-filter-expression',
  input: on(LF, 'duration=2m bytes_consumed=30MB', 'duration=30s bytes_consumed=30MB', 'duration=5m bytes_consumed=1MB'),
  query: '{job="lf"} | logfmt | duration > 1m and bytes_consumed > 20MB',
  want: { entries: [[{ job: 'lf', duration: '2m', bytes_consumed: '30MB' }, 'duration=2m bytes_consumed=30MB']] },
});
const PREC = on(LF, 'duration=30ms method=POST size=30KB', 'duration=10ms method=GET size=10KB', 'duration=10ms method=GET size=30KB');
add({
  name: 'and binds tighter than or: `a or b and c` is `a or (b and c)`',
  source: 'log_queries#label-filter-expression',
  input: PREC,
  query: '{job="lf"} | logfmt | duration >= 20ms or method="GET" and size <= 20KB',
  want: { entries: [[{ job: 'lf', duration: '30ms', method: 'POST', size: '30KB' }, 'duration=30ms method=POST size=30KB'], [{ job: 'lf', duration: '10ms', method: 'GET', size: '10KB' }, 'duration=10ms method=GET size=10KB']] },
  docsSay: 'the docs say predicates are evaluated left to right, so this would equal ((duration >= 20ms or method="GET") and size <= 20KB) and drop the first line; Loki\'s engine (and grafana/loki#23902) evaluates and first',
});
add({
  name: 'parentheses force the other grouping',
  source: 'log_queries#label-filter-expression',
  input: PREC,
  query: '{job="lf"} | logfmt | ((duration >= 20ms or method="GET") and size <= 20KB)',
  want: { entries: [[{ job: 'lf', duration: '10ms', method: 'GET', size: '10KB' }, 'duration=10ms method=GET size=10KB']] },
});
add({
  name: 'and written as a comma, a space or another pipe',
  source: 'log_queries#label-filter-expression',
  input: on(LF, 'duration=30ms size=20KB method=200', 'duration=30ms size=20KB method=GET', 'duration=1ms size=1KB method=GET'),
  query: '{job="lf"} | logfmt | duration >= 20ms or size == 20KB , method!~"2.."',
  want: { entries: [[{ job: 'lf', duration: '30ms', size: '20KB', method: '200' }, 'duration=30ms size=20KB method=200'], [{ job: 'lf', duration: '30ms', size: '20KB', method: 'GET' }, 'duration=30ms size=20KB method=GET']] },
  docsSay: 'the docs list `a or b , c`, `a or b c` and `a or b | c` as equal to `a or b and c`; with and binding tighter, the comma and space forms are `a or (b and c)` while `| c` is a second stage, `(a or b) and c`',
});
add({
  name: '... while another pipe is a second stage',
  source: 'log_queries#label-filter-expression',
  input: on(LF, 'duration=30ms size=20KB method=200', 'duration=30ms size=20KB method=GET', 'duration=1ms size=1KB method=GET'),
  query: '{job="lf"} | logfmt | duration >= 20ms or size == 20KB | method!~"2.."',
  want: { entries: [[{ job: 'lf', duration: '30ms', size: '20KB', method: 'GET' }, 'duration=30ms size=20KB method=GET']] },
});
add({
  name: 'a value that does not convert keeps the line with __error__; only a string filter removes it',
  source: 'log_queries#label-filter-expression',
  input: on(LF, 'status=abc', 'status=500', 'status=200'),
  query: '{job="lf"} | logfmt | status >= 400 | __error__="" or status="abc"',
  want: { entries: [[{ job: 'lf', status: 'abc', __error__: 'LabelFilterErr', __error_details__: 'strconv.ParseFloat: parsing "abc": invalid syntax' }, 'status=abc'], [{ job: 'lf', status: '500' }, 'status=500']] },
});

// ---- log_queries: formatting, drop, keep -------------------------------------------------------------------------

const FE = { container: 'frontend' };
add({
  name: 'line_format with labels',
  source: 'log_queries#line-format-expression',
  input: on(FE, 'query="sum(rate(x[1m]))" duration=1.2s status=200'),
  query: '{container="frontend"} | logfmt | line_format "{{.query}} {{.duration}}"',
  want: { entries: [[{ container: 'frontend', query: 'sum(rate(x[1m]))', duration: '1.2s', status: '200' }, 'sum(rate(x[1m])) 1.2s']] },
});
add({
  name: 'line_format with math: {{div .duration 1000}}',
  source: 'log_queries#line-format-expression',
  input: on(FE, 'ip=1.1.1.1 status=200 duration=3000'),
  query: '{container="frontend"} | logfmt | line_format "{{.ip}} {{.status}} {{div .duration 1000}}"',
  want: { entries: [[{ container: 'frontend', ip: '1.1.1.1', status: '200', duration: '3000' }, '1.1.1.1 200 3']] },
});
add({
  name: 'label_format dst=src renames (src is dropped)',
  source: 'log_queries#labels-format-expression',
  input: on(FE, 'status=200 query=up'),
  query: '{container="frontend"} | logfmt | label_format code=status',
  want: { entries: [[{ container: 'frontend', code: '200', query: 'up' }, 'status=200 query=up']] },
});
add({
  name: 'label_format dst="{{.src}}" keeps src',
  source: 'log_queries#labels-format-expression',
  input: on(FE, 'status=200 query=up'),
  query: '{container="frontend"} | logfmt | label_format summary="{{.status}} {{.query}}", code="{{.status}}"',
  want: { entries: [[{ container: 'frontend', code: '200', query: 'up', status: '200', summary: '200 up' }, 'status=200 query=up']] },
});
add({
  name: 'label_format may not set a label twice in one stage',
  source: 'log_queries#labels-format-expression',
  input: [],
  query: '{container="frontend"} | label_format foo=bar,foo="new"',
  want: { error: /multiple label name "foo" not allowed in a single label_format stage/ },
});
add({
  name: '... but two stages may',
  source: 'log_queries#labels-format-expression',
  input: on(FE, 'bar=old'),
  query: '{container="frontend"} | logfmt | label_format foo=bar | label_format foo="new"',
  want: { entries: [[{ container: 'frontend', foo: 'new' }, 'bar=old']] },
});

const VL = { job: 'varlogs' };
const DROP_LINE = '{"level": "info", "method": "GET", "path": "/", "host": "grafana.net", "status": "200"}';
add({
  name: 'drop level, method="GET"',
  source: 'log_queries#drop-labels-expression',
  input: on(VL, DROP_LINE),
  query: '{job="varlogs"}|json|drop level, method="GET"',
  want: { entries: [[{ job: 'varlogs', host: 'grafana.net', path: '/', status: '200' }, DROP_LINE]] },
  docsSay: 'the docs show {host="grafana.net", path="/", status="200"}, leaving out the stream label job="varlogs" that drop does not name',
});
add({
  name: 'drop __error__ clears the error (and its details)',
  source: 'log_queries#drop-labels-expression',
  input: on(VL, 'INFO GET / loki.net 200'),
  query: '{job="varlogs"}|json|drop __error__',
  want: { entries: [[VL, 'INFO GET / loki.net 200']] },
  docsSay: 'the docs show {} (without the stream label job); __error_details__ goes with __error__',
});
const DROP2 = [
  '{"app": "some-api-service", "level": "info", "method": "GET", "path": "/", "host": "grafana.net", "status": "200"}',
  '{"app": "other-service", "level": "info", "method": "GET", "path": "/", "host": "grafana.net", "status": "200"}',
];
add({
  name: 'drop with a regex matcher and several names',
  source: 'log_queries#drop-labels-expression',
  input: on(VL, ...DROP2),
  query: '{job="varlogs"}|json|drop level, path, app=~"some-api.*"',
  want: {
    entries: [
      [{ host: 'grafana.net', job: 'varlogs', method: 'GET', status: '200' }, DROP2[0]!],
      [{ app: 'other-service', host: 'grafana.net', job: 'varlogs', method: 'GET', status: '200' }, DROP2[1]!],
    ],
  },
});
const KEEP1 = [
  '{"level": "info", "method": "GET", "path": "/", "host": "grafana.net", "status": "200"}',
  '{"level": "info", "method": "POST", "path": "/", "host": "grafana.net", "status": "200"}',
];
add({
  name: 'keep level, method="GET"',
  source: 'log_queries#keep-labels-expression',
  input: on(VL, ...KEEP1),
  query: '{job="varlogs"}|json|keep level, method="GET"',
  want: { entries: [[{ level: 'info', method: 'GET' }, KEEP1[0]!], [{ level: 'info' }, KEEP1[1]!]] },
});
add({
  name: 'keep level, tenant, app=~"some-api.*"',
  source: 'log_queries#keep-labels-expression',
  input: on(VL, ...DROP2),
  query: '{job="varlogs"}|json|keep level, tenant, app=~"some-api.*"',
  want: { entries: [[{ app: 'some-api-service', level: 'info' }, DROP2[0]!], [{ level: 'info' }, DROP2[1]!]] },
});
add({
  name: 'keep never drops __error__ and __error_details__',
  source: 'log_queries#keep-labels-expression',
  input: on(VL, 'not json'),
  query: '{job="varlogs"} | json | keep level',
  want: { entries: [[{ __error__: 'JSONParserErr', __error_details__: 'JSON syntax error at offset 0: expected a JSON object, found "n"' }, 'not json']] },
});
add({
  name: 'decolorize strips ANSI sequences',
  source: 'query_examples#log-line-formatting-examples',
  input: on({ job: 'example' }, '[2022-11-04 22:17:57.811] \x1b[0;32mhttp\x1b[0m: GET /_health (0 ms) 204'),
  query: '{job="example"} | decolorize',
  want: { entries: [[{ job: 'example' }, '[2022-11-04 22:17:57.811] http: GET /_health (0 ms) 204']] },
});
add({
  name: "decolorize on the docs' literal input, whose first sequence lacks its `m`",
  source: 'query_examples#log-line-formatting-examples',
  input: on({ job: 'example' }, '[2022-11-04 22:17:57.811] \x1b[0;32http\x1b[0m: GET /_health (0 ms) 204'),
  query: '{job="example"} | decolorize',
  want: { entries: [[{ job: 'example' }, '[2022-11-04 22:17:57.811] ttp: GET /_health (0 ms) 204']] },
  docsSay: 'the docs print "http:"; in `\\033[0;32http` the CSI sequence ends at its first final byte, the `h` (ECMA-48), so the `h` goes with it',
});

// ---- template functions --------------------------------------------------------------------------------------------

const TPL = { job: 'tpl' };
/** `line_format` of one template over one line whose stream labels are `labels`. */
function tpl(name: string, template: string, want: string, labels: Labels = {}, line = 'original line', docsSay?: string): void {
  add({ name: `template: ${name}`, source: 'template_functions', input: [{ line, labels: { ...TPL, ...labels } }], query: `{job="tpl"} | line_format \`${template}\``, want: { entries: [[{ ...TPL, ...labels }, want]] }, docsSay });
}
tpl('pipeline of functions', '{{ .path | replace " " "_" | trunc 5 | upper }}', 'A_LON', { path: 'a long path' });
tpl('and of contains', '{{ if and (contains "he" "hello") (contains "llo" "hello") }} yes {{end}}', ' yes ');
tpl('else if chain', '{{ if contains .err "ErrTimeout" }} timeout {{else if contains "he" "hello"}} yes {{else}} no {{end}}', ' timeout ', { err: 'Timeout' },
  'original line', 'the example reads as "err contains ErrTimeout" but contains takes (substring, string): it tests whether "ErrTimeout" contains .err');
tpl('.label_name', '{{ .path }}', '/api/v1', { path: '/api/v1' });
tpl('__line__ | lower', '{{ __line__ | lower }}', 'mixed case line', {}, 'Mixed CASE Line');
tpl('__timestamp__ | date', '{{ __timestamp__ | date "2006-01-02T15:04:05.00Z-07:00" }}', '2020-10-23T20:32:18.09Z+00:00');
tpl('__timestamp__ | unixEpoch', '{{ __timestamp__ | unixEpoch }}', '1603485138');
tpl('toDate', '{{ toDate "2006-01-02" "2021-11-02" }}', '2021-11-02 00:00:00 +0000 UTC');
tpl('toDateInZone | unixEpoch', '{{ .foo | toDateInZone "2006-01-02T15:04:05.999999999Z" "UTC" | unixEpoch }}', '1635811200', { foo: '2021-11-02T00:00:00Z' });
tpl('unixEpochMillis', '{{ .foo | toDateInZone "2006-01-02T15:04:05.999999999Z" "UTC" | unixEpochMillis }}', '1635811200123', { foo: '2021-11-02T00:00:00.123Z' });
tpl('unixEpochNanos', '{{ .foo | toDateInZone "2006-01-02T15:04:05.999999999Z" "UTC" | unixEpochNanos }}', '1635811200123456789', { foo: '2021-11-02T00:00:00.123456789Z' });
tpl('duration', '{{ .foo | duration }}', '90', { foo: '1m30s' });
tpl('duration_seconds', '{{ duration_seconds .foo }}', '0.25', { foo: '250ms' });
tpl('bytes', '{{ .foo | bytes }}', '2048', { foo: '2KiB' });
tpl('b64enc', '{{ .foo | b64enc }}', 'aGVsbG8gd29ybGQ=', { foo: 'hello world' });
tpl('b64dec', '{{ b64dec .foo }}', 'hello world', { foo: 'aGVsbG8gd29ybGQ=' });
tpl('default with an empty value', '{{ default "-" "" }}', '-');
tpl('default with a value', '{{ default "-" "foo" }}', 'foo');
tpl('fromJson', '{{fromJson "{\\"foo\\": 55}"}}', 'map[foo:55]');
tpl('range over fromJson', '{{ range $q := fromJson .queries }} {{ $q.query }} {{ end }}', ' up  down ', { queries: '[{"query":"up"},{"query":"down"}]' });
tpl('lower', '{{ lower  "HELLO"}}', 'hello');
tpl('indent', '{{ indent 4 .query }}', '    a\n    b', { query: 'a\nb' });
tpl('nindent', '{{ nindent 4 .query }}', '\n    a\n    b', { query: 'a\nb' });
tpl('repeat', '{{ repeat 3 "hello" }}', 'hellohellohello');
tpl('printf %s', '{{ printf "The IP address was %s" .remote_addr }}', 'The IP address was 129.168.1.1', { remote_addr: '129.168.1.1' });
tpl('printf widths', '{{ printf "%-40.40s" .request_uri}} {{printf "%-5.5s" .request_method}}', '/a/509965767/alternative-to-my-mtg.html  GET  ', { request_uri: '/a/509965767/alternative-to-my-mtg.html', request_method: 'GET' });
tpl('replace', '{{ replace "hello" "world" "hello world" }}', 'world world');
tpl('replace piped', '{{ .cluster | replace "-cluster" "" }}', 'ops', { cluster: 'ops-cluster' });
tpl('substr 0 5', '{{ substr 0 5 "hello world"}}', 'hello');
tpl('substr 6 11', '{{ substr 6 11 "hello world"}}', 'world');
tpl('title', '{{ title "hello world"}}', 'Hello World');
tpl('trim', '{{ trim "   hello    " }}', 'hello');
tpl('trimAll', '{{ trimAll "$" "$5.00" }}', '5.00');
tpl('trimPrefix', '{{ trimPrefix "-" "-hello" }}', 'hello');
tpl('trimSuffix', '{{ trimSuffix "-" "hello-" }}', 'hello');
tpl('trunc 5', '{{ trunc 5 "hello world"}}', 'hello');
tpl('trunc -5', '{{ trunc -5 "hello world"}}', 'world');
tpl('upper', '{{ upper  "hello"}}', 'HELLO');
tpl('urlencode', '{{ .request_url | urlencode }}', 'a%2Fb+c%3Fd%3D1', { request_url: 'a/b c?d=1' });
tpl('urldecode', '{{ urldecode  .request_url}}', 'a/b c?d=1', { request_url: 'a%2Fb+c%3Fd%3D1' });
tpl('contains', '{{ if contains "he" "hello" }} yes {{end}}', ' yes ');
tpl('contains with a label', '{{ if contains "ErrTimeout" .err }} timeout {{end}}', ' timeout ', { err: 'rpc ErrTimeout' });
tpl('eq', '{{ if eq "hello" "hello" }} yes {{end}}', ' yes ');
tpl('hasPrefix', '{{ if hasPrefix "he" "hello" }} yes {{end}}', ' yes ');
tpl('hasSuffix as the docs call it', '{{ if hasSuffix .err "Timeout" }} timeout {{end}}', '', { err: 'ErrTimeout' }, 'original line',
  'the docs call hasSuffix .err "Timeout" although the signature is hasSuffix(suffix, src): as written it tests whether "Timeout" ends with .err');
tpl('hasSuffix by its signature', '{{ if hasSuffix "Timeout" .err }} timeout {{end}}', ' timeout ', { err: 'ErrTimeout' });
tpl('add', '{{ add 3 2 5 }}', '10');
tpl('addf', '{{ addf 3.5 2 5 }}', '10.5');
tpl('ceil', '{{ ceil 123.001 }}', '124', {}, 'original line', 'the docs print 124.0; a float64 prints as 124 in Go templates');
tpl('div', '{{ div 10 2}}', '5');
tpl('divf', '{{ divf 10 2 4}}', '1.25');
tpl('float64', '{{ "3.5" | float64 }}', '3.5');
tpl('floor', '{{ floor 123.9999 }}', '123', {}, 'original line', 'the docs print 123.0; a float64 prints as 123');
tpl('int', '{{ "3" | int }}', '3');
tpl('max', '{{ max 1 2 3 }}', '3');
tpl('maxf', '{{ maxf 1 2.5 3 }}', '3');
tpl('min', '{{ min 1 2 3 }}', '1');
tpl('minf', '{{ minf 1 2.5 3 }}', '1', {}, 'original line', 'the docs print 1.5, which is not the smallest of 1, 2.5 and 3');
tpl('mul', '{{ mul 5 2 3}}', '30');
tpl('mulf', '{{ mulf 5.5 2 2.5 }}', '27.5');
tpl('mod', '{{ mod 10 3}}', '1');
tpl('round', '{{ round 123.555555 3 }}', '123.556');
tpl('round with roundOn', '{{ round 123.88571428571 5 .2 }}', '123.88572');
tpl('round with the default roundOn', '{{ round 123.88571428571 5 }}', '123.88571');
tpl('sub', '{{ sub 5 2 }}', '3');
tpl('subf', '{{ subf  5.5 2 1.5 }}', '2');
tpl('count', '{{ count "a|b" "abab" }}', '4');
tpl('count o', '{{ count "o" "foo" }}', '2');
tpl('count XYZ in __line__', '{{ __line__ | count "XYZ"}}', '3', {}, 'XYZ and XYZ and XYZ');
tpl('regexReplaceAll', '{{ regexReplaceAll "(a*)bc" .some_label "${1}a" }}', 'aaaza', { some_label: 'aabcza' });
tpl('regexReplaceAllLiteral', '{{ regexReplaceAllLiteral "(ts=)" .timestamp "timestamp=" }}', 'timestamp=123', { timestamp: 'ts=123' });
tpl('alignLeft cuts', '{{ alignLeft 5 "hello world"}}', 'hello');
tpl('alignLeft pads', '{{ alignLeft 5 "hi"}}', 'hi   ');
tpl('alignRight cuts', '{{ alignRight 5 "hello world"}}', 'world');
tpl('alignRight pads', '{{ alignRight 5 "hi"}}', '   hi');
add({
  name: 'template: the docs\' or example has a stray parenthesis and does not parse',
  source: 'template_functions#template-pipeline-syntax',
  input: [],
  query: '{job="tpl"} | line_format `{{ if or (contains "he" "hello") (contains("llo" "hello") }} yes {{end}}`',
  want: { error: /template/ },
  docsSay: '`contains("llo" "hello")` is a Go template syntax error (unclosed/misplaced parenthesis); without the typo the example prints " yes "',
});
tpl('or, typo fixed', '{{ if or (contains "he" "hello") (contains "llo" "hello") }} yes {{end}}', ' yes ');
add({
  name: 'unixToTime and date on a JSON field',
  source: 'template_functions#unixtotime',
  input: on({ job: 'tpl' }, '{"from": "1679577215","to":"1679587215","message":"some message"}'),
  query: '{job="tpl"} | json | line_format `from="{{date "2006-01-02" (unixToTime .from)}}"`',
  want: { entries: [[{ job: 'tpl', from: '1679577215', to: '1679587215', message: 'some message' }, 'from="2023-03-23"']] },
});
add({
  name: 'default for a missing JSON field',
  source: 'template_functions#default',
  input: on({ job: 'access_log' }, '{"http_request_headers_x_forwarded_for": "10.0.0.1"}', '{"status": "200"}'),
  query: '{job="access_log"} | json | line_format `{{.http_request_headers_x_forwarded_for | default "-"}}`',
  want: { entries: [[{ job: 'access_log', http_request_headers_x_forwarded_for: '10.0.0.1' }, '10.0.0.1'], [{ job: 'access_log', status: '200' }, '-']] },
});
const day = 86_400;
add({
  name: 'label_format with unixEpoch now and toDate, then a numeric filter (querier jobs created over a day ago)',
  source: 'template_functions#unixepoch',
  input: [
    { line: 'old', labels: { job: 'loki/querier', createDate: new Date(Date.now() - 3 * day * 1000).toISOString().slice(0, 10) } },
    { line: 'new', labels: { job: 'loki/querier', createDate: new Date().toISOString().slice(0, 10) } },
  ],
  query: '{job="loki/querier"} | label_format nowEpoch=`{{(unixEpoch now)}}`,createDateEpoch=`{{unixEpoch (toDate "2006-01-02" .createDate)}}` | label_format dateTimeDiff=`{{sub .nowEpoch .createDateEpoch}}` | dateTimeDiff > 86400 | keep job',
  want: { entries: [[{ job: 'loki/querier' }, 'old']] },
});
add({
  name: 'date of now',
  source: 'template_functions#date',
  input: on(TPL, 'x'),
  query: '{job="tpl"} | line_format `{{ date "2006-01-02" now }}`',
  want: { entries: [[TPL, new Date().toISOString().slice(0, 10)]] },
});

// ---- IP matching ---------------------------------------------------------------------------------------------------

const IP_LINES = [
  '3.180.71.3 - - [17/May/2015:08:05:32 +0000] "GET /downloads/product_1 HTTP/1.1" 304 0 "-" "Debian APT-HTTP/1.3 (0.8.16~exp12ubuntu10.21)"',
  '80.91.33.133 - - [17/May/2015:08:05:14 +0000] "GET /downloads/product_1 HTTP/1.1" 304 0 "-" "Debian APT-HTTP/1.3 (0.8.16~exp12ubuntu10.16)"',
  '46.4.66.76 - - [17/May/2015:08:05:45 +0000] "GET /downloads/product_1 HTTP/1.1" 404 318 "-" "Debian APT-HTTP/1.3 (1.0.1ubuntu2)"',
  '93.180.71.3 - - [17/May/2015:08:05:26 +0000] "GET /downloads/product_1 HTTP/1.1" 404 324 "-" "Debian APT-HTTP/1.3 (0.8.16~exp12ubuntu10.21)"',
];
const APP = { job_name: 'myapp' };
add({
  name: 'a substring filter for 3.180.71.3 also matches 93.180.71.3',
  source: 'ip',
  input: on(APP, ...IP_LINES),
  query: '{job_name="myapp"} |= "3.180.71.3"',
  want: { entries: [[APP, IP_LINES[0]!], [APP, IP_LINES[3]!]] },
});
add({
  name: 'ip("3.180.71.3") does not',
  source: 'ip',
  input: on(APP, ...IP_LINES),
  query: '{job_name="myapp"} |= ip("3.180.71.3")',
  want: { entries: [[APP, IP_LINES[0]!]] },
});
add({
  name: 'line filter with a CIDR: |= ip("192.168.4.5/16")',
  source: 'ip',
  input: on(APP, 'from 192.168.77.1 ok', 'from 192.169.0.1 ok'),
  query: '{job_name="myapp"} |= ip("192.168.4.5/16")',
  want: { entries: [[APP, 'from 192.168.77.1 ok']] },
});
add({
  name: 'line filter: lines without an address in a range: != ip("192.168.4.5-192.168.4.20")',
  source: 'ip',
  input: on(APP, 'from 192.168.4.5 ok', 'from 192.168.4.21 ok', 'no address'),
  query: '{job_name="myapp"} != ip("192.168.4.5-192.168.4.20")',
  want: { entries: [[APP, 'from 192.168.4.21 ok'], [APP, 'no address']] },
});
add({
  name: 'label filter: remote_addr = ip("2001:db8::1-2001:db8::8") | level = "error"',
  source: 'ip',
  input: on(APP, 'remote_addr=2001:db8::5 level=error', 'remote_addr=2001:db8::9 level=error', 'remote_addr=2001:db8::2 level=info'),
  query: '{job_name="myapp"} | logfmt | remote_addr = ip("2001:db8::1-2001:db8::8") | level = "error"',
  want: { entries: [[{ ...APP, remote_addr: '2001:db8::5', level: 'error' }, 'remote_addr=2001:db8::5 level=error']] },
});
add({
  name: 'label filters chained: a subnet except one address',
  source: 'ip',
  input: on(APP, 'addr=192.168.4.2', 'addr=192.168.9.9', 'addr=10.0.0.1'),
  query: '{job_name="myapp"} | logfmt | addr = ip("192.168.4.5/16") | addr != ip("192.168.4.2")',
  want: { entries: [[{ ...APP, addr: '192.168.9.9' }, 'addr=192.168.9.9']] },
});
add({
  name: 'label filters with or: either subnet',
  source: 'ip',
  input: on(APP, 'addr=192.168.4.7', 'addr=10.10.15.200', 'addr=10.10.16.1'),
  query: '{job_name="myapp"} | logfmt | addr = ip("192.168.4.0/24") or addr = ip("10.10.15.0/24")',
  want: { entries: [[{ ...APP, addr: '192.168.4.7' }, 'addr=192.168.4.7'], [{ ...APP, addr: '10.10.15.200' }, 'addr=10.10.15.200']] },
});

// ---- query_examples ------------------------------------------------------------------------------------------------

const SECURE = { job: 'security' };
const SECURE_LINES = [
  'Oct 22 10:30:01 host sshd[1234]: Invalid user admin from 10.0.0.5 port 4242',
  'Oct 22 10:31:07 host sshd[1240]: Accepted publickey for deploy from 10.0.0.9 port 51000 ssh2',
  'Oct 22 10:32:11 host sshd[1250]: pam_unix(sshd:session): session opened for user deploy by (uid=0)',
];
add({
  name: 'security: user and IP of failed logins (a repeated group captures its last repetition, trailing space included)',
  source: 'query_examples#examples-that-aid-in-security-evaluation',
  input: on(SECURE, ...SECURE_LINES),
  query: '{job="security"} |~ "Invalid user.*" | regexp "(^(?P<user>\\\\S+ {1,2}){8})" | regexp "(^(?P<ip>\\\\S+ {1,2}){10})" | line_format "IP = {{.ip}}\\tUSER = {{.user}}"',
  want: { entries: [[{ job: 'security', user: 'admin ', ip: '10.0.0.5 ' }, 'IP = 10.0.0.5 \tUSER = admin ']] },
});
add({
  name: 'security: successful logins',
  source: 'query_examples#examples-that-aid-in-security-evaluation',
  input: on(SECURE, ...SECURE_LINES),
  query: '{job="security"} != "grafana_com" |= "session opened" != "sudo: " |regexp "(^(?P<user>\\\\S+ {1,2}){11})" | line_format "USER = {{.user}}"',
  want: { entries: [[{ job: 'security', user: 'deploy ' }, 'USER = deploy ']] },
});
const QF = { job: 'loki-ops/query-frontend' };
const QF_LINE = 'level=debug ts=2020-10-02T10:10:42.092268913Z caller=logging.go:66 traceID=a9d4d8a928d8db1 msg="POST /api/prom/api/v1/query_range (200) 1.5s"';
add({
  name: 'multiple parsers: logfmt, line_format msg, regexp',
  source: 'query_examples#examples-that-use-multiple-parsers',
  input: on(QF, QF_LINE),
  query: '{job="loki-ops/query-frontend"} | logfmt | line_format "{{.msg}}" | regexp "(?P<method>\\\\w+) (?P<path>[\\\\w|/]+) \\\\((?P<status>\\\\d+?)\\\\) (?P<duration>.*)"',
  want: {
    entries: [[
      { job: 'loki-ops/query-frontend', level: 'debug', ts: '2020-10-02T10:10:42.092268913Z', caller: 'logging.go:66', traceID: 'a9d4d8a928d8db1', msg: 'POST /api/prom/api/v1/query_range (200) 1.5s', method: 'POST', path: '/api/prom/api/v1/query_range', status: '200', duration: '1.5s' },
      'POST /api/prom/api/v1/query_range (200) 1.5s',
    ]],
  },
});
const QUERIER = { cluster: 'ops-tools1', name: 'querier', namespace: 'loki-dev' };
const QUERIER_LINES = [
  'level=info ts=2020-10-23T20:32:18.094668233Z caller=metrics.go:81 org_id=29 traceID=1980d41501b57b68 latency=fast query="{cluster=\\"ops-tools1\\", job=\\"loki-ops/query-frontend\\"} |= \\"query_range\\"" query_type=filter range_type=range length=15m0s step=7s duration=650.22401ms status=200 throughput_mb=1.529717 total_bytes_mb=0.994659',
  'level=info ts=2020-10-23T20:32:18.068866235Z caller=metrics.go:81 org_id=29 traceID=1980d41501b57b68 latency=fast query="{cluster=\\"ops-tools1\\", job=\\"loki-ops/query-frontend\\"} |= \\"query_range\\"" query_type=filter range_type=range length=15m0s step=7s duration=624.008132ms status=200 throughput_mb=0.693449 total_bytes_mb=0.432718',
];
const padded = (s: string): string => s.padEnd(100, ' ');
const Q = '{cluster="ops-tools1", job="loki-ops/query-frontend"} |= "query_range"';
add({
  name: 'tabular line formatting with Replace and printf "%-100.100s"',
  source: 'query_examples#log-line-formatting-examples',
  input: [{ line: QUERIER_LINES[0]!, labels: QUERIER, at: 2n }, { line: QUERIER_LINES[1]!, labels: QUERIER, at: 1n }],
  query: '{cluster="ops-tools1", name="querier", namespace="loki-dev"} |= "metrics.go" != "loki-canary" | logfmt | query != "" | label_format query="{{ Replace .query \\"\\\\n\\" \\"\\" -1 }}" | line_format "{{ .ts}}\\t{{.duration}}\\ttraceID = {{.traceID}}\\t{{ printf \\"%-100.100s\\" .query }} " | keep cluster',
  want: {
    entries: [
      [{ cluster: 'ops-tools1' }, `2020-10-23T20:32:18.068866235Z\t624.008132ms\ttraceID = 1980d41501b57b68\t${padded(Q)} `],
      [{ cluster: 'ops-tools1' }, `2020-10-23T20:32:18.094668233Z\t650.22401ms\ttraceID = 1980d41501b57b68\t${padded(Q)} `],
    ],
  },
  docsSay: 'the docs print the query without the padding to 100 characters and the trailing space the template asks for, and with four stray spaces before "traceID" on the first line',
});
const NGINX_JSON = '{"msec": "1733828027.704", "request_id": "7a98025445386b1feef1402bb13362e5", "remote_addr": "52.167.144.255", "request_uri": "/a/1080936380/alternative-to-refaid-refugee-aid-app.html", "status": "200", "request_method": "GET", "http_host": "nl.appfelstrudel.com"}';
add({
  name: 'json | line_format with an emoji',
  source: 'query/_index#format-expressions',
  input: on({ job: 'nginx' }, NGINX_JSON),
  query: '{job="nginx"} | json | line_format "➡️ {{.request_method}} {{.request_uri}} with HTTP status: {{.status}} " | keep job',
  want: { entries: [[{ job: 'nginx' }, '➡️ GET /a/1080936380/alternative-to-refaid-refugee-aid-app.html with HTTP status: 200 ']] },
  docsSay: 'the docs print the URI of another request (/a/1413644634/alternative-to-balaji-quotes-hindi.html) than the one in their input line',
});

// ---- metric queries ------------------------------------------------------------------------------------------------

add({
  name: 'sum(count_over_time(…)) returns nothing for no lines; or vector(0) returns 0',
  source: 'metric_queries#functions',
  input: on({ namespace: 'other' }, 'x'),
  query: 'sum(count_over_time({namespace="traefik"}[5m])) or vector(0)',
  time: 10n * SEC,
  want: { vector: [[{}, 0]] },
});
add({
  name: 'count_over_time counts the entries of each stream in the range',
  source: 'metric_queries#log-range-aggregations',
  input: [
    { line: 'a', labels: { job: 'mysql', host: 'h1' }, at: 1n * SEC },
    { line: 'b', labels: { job: 'mysql', host: 'h1' }, at: 2n * SEC },
    { line: 'c', labels: { job: 'mysql', host: 'h2' }, at: 3n * SEC },
    { line: 'd', labels: { job: 'mysql', host: 'h2' }, at: 400n * SEC }, // outside [5m] at t = 10s
  ],
  query: 'count_over_time({job="mysql"}[5m])',
  time: 10n * SEC,
  want: { vector: [[{ job: 'mysql', host: 'h1' }, 2], [{ job: 'mysql', host: 'h2' }, 1]] },
});
add({
  name: 'per-host rate of non-timeout errors slower than 10s',
  source: 'metric_queries#log-range-aggregations',
  input: [
    { line: '{"msg":"error x","duration":"12s"}', labels: { job: 'mysql', host: 'h1' }, at: 1n * SEC },
    { line: '{"msg":"error y","duration":"30s"}', labels: { job: 'mysql', host: 'h1' }, at: 2n * SEC },
    { line: '{"msg":"error timeout","duration":"60s"}', labels: { job: 'mysql', host: 'h1' }, at: 3n * SEC },
    { line: '{"msg":"error z","duration":"1s"}', labels: { job: 'mysql', host: 'h2' }, at: 4n * SEC },
    { line: '{"msg":"error w","duration":"11s"}', labels: { job: 'mysql', host: 'h2' }, at: 5n * SEC },
  ],
  query: 'sum by (host) (rate({job="mysql"} |= "error" != "timeout" | json | duration > 10s [1m]))',
  time: 10n * SEC,
  want: { vector: [[{ host: 'h1' }, 2 / 60], [{ host: 'h2' }, 1 / 60]] },
});
add({
  name: 'absent_over_time: 1 when nothing matched, labelled by the selector\'s equality matchers',
  source: 'metric_queries#log-range-aggregations',
  input: on({ job: 'other' }, 'x'),
  query: 'absent_over_time({job="mysql", host=~"h.*"}[1m])',
  time: 10n * SEC,
  want: { vector: [[{ job: 'mysql' }, 1]] },
});
add({
  name: 'absent_over_time: nothing when a line matched',
  source: 'metric_queries#log-range-aggregations',
  input: [{ line: 'x', labels: { job: 'mysql' }, at: 5n * SEC }],
  query: 'absent_over_time({job="mysql"}[1m])',
  time: 10n * SEC,
  want: { vector: [] },
});
add({
  name: 'offset must follow the range, not the aggregation',
  source: 'metric_queries#offset-modifier',
  input: [],
  query: 'count_over_time({job="mysql"}[5m]) offset 5m',
  want: { error: /syntax error/ },
});
add({
  name: 'offset shifts the window back',
  source: 'metric_queries#offset-modifier',
  input: [{ line: 'old', labels: { job: 'mysql' }, at: 100n * SEC }, { line: 'new', labels: { job: 'mysql' }, at: 500n * SEC }],
  query: 'count_over_time({job="mysql"}[5m] offset 5m)',
  time: 600n * SEC,
  want: { vector: [[{ job: 'mysql' }, 1]] },
});

// ---- the runner ----------------------------------------------------------------------------------------------------

function batchOf(tenant: string, input: Input[]): IngestBatch {
  const streams = new Map<string, IngestBatch['streams'][number]>();
  input.forEach((e, i) => {
    const key = JSON.stringify(Object.entries(e.labels).sort());
    let s = streams.get(key);
    if (!s) streams.set(key, (s = { labels: e.labels, ts: [], lines: [], metadata: [] }));
    s.ts.push(T0 + (e.at ?? BigInt(i)));
    s.lines.push(e.line);
    s.metadata.push(e.meta);
  });
  return { tenant, streams: [...streams.values()], entries: input.length, bytes: input.reduce((n, e) => n + e.line.length, 0) };
}

const sorted = (l: Labels): Labels => Object.fromEntries(Object.entries(l).sort(([a], [b]) => (a < b ? -1 : 1)));

describe("Loki's documentation examples, run through the engine", () => {
  let dir: string;
  let store: DuckDbStore;
  let engine: QueryEngine;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sightline-docs-'));
    store = await DuckDbStore.open({ dataDir: dir });
    engine = new QueryEngine(store);
    for (let i = 0; i < cases.length; i++) if (cases[i]!.input.length > 0) await store.append(batchOf(`case-${i}`, cases[i]!.input));
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  cases.forEach((c, i) => {
    it(`${c.source}: ${c.name}`, async () => {
      const tenants = [`case-${i}`];
      const want = c.want;
      if ('error' in want) {
        await assert.rejects(engine.run({ query: c.query, tenants, startNs: T0, endNs: T0 + SEC, stepNs: SEC, instant: false, limit: 1000, direction: 'forward' }), want.error);
        return;
      }
      if ('vector' in want) {
        const t = T0 + (c.time ?? 0n);
        const { result } = await engine.run({ query: c.query, tenants, startNs: t, endNs: t, stepNs: SEC, instant: true, limit: 1000, direction: 'backward' });
        assert.equal(result.resultType, 'vector');
        if (result.resultType !== 'vector') return;
        const got = result.samples.map((s) => [sorted(s.labels), s.value]).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
        const exp = want.vector.map(([l, v]) => [sorted(l), v]).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
        assert.equal(got.length, exp.length, JSON.stringify(got));
        for (let k = 0; k < exp.length; k++) {
          assert.deepEqual(got[k]![0], exp[k]![0]);
          assert.ok(Math.abs((got[k]![1] as number) - (exp[k]![1] as number)) < 1e-12, `${got[k]![1]} ≠ ${exp[k]![1]}`);
        }
        return;
      }
      const { result } = await engine.run({ query: c.query, tenants, startNs: T0 - 3600n * SEC, endNs: T0 + 3600n * SEC, stepNs: SEC, instant: false, limit: 1000, direction: 'forward' });
      assert.equal(result.resultType, 'streams');
      if (result.resultType !== 'streams') return;
      const entries = result.streams
        .flatMap((s) => s.values.map((v) => ({ ts: BigInt(v[0]), labels: sorted(s.labels), line: v[1] })))
        .sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
      assert.deepEqual(entries.map((e) => [e.labels, e.line]), want.entries.map(([l, line]) => [sorted(l), line]));
    });
  });

  it('every case that departs from the docs says what the docs say', () => {
    const departures = cases.filter((c) => c.docsSay !== undefined);
    assert.ok(departures.length >= 10);
    for (const c of departures) assert.ok(c.docsSay!.length > 20, c.name);
  });
});
