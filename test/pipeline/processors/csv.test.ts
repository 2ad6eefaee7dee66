// The csv parser: RFC 4180 quoting on Loghub's structured CSV files (real quoted fields with doubled quotes), header
// handling per stream, TSV, trimming, column-count strictness and malformed quoting (CSVParserErr with the offset).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, buildError, ev, loghubStructuredLines, one, run } from './parse-harness.ts';

test('header: read names the columns from the first line of each stream and drops that line', () => {
  const lines = loghubStructuredLines('OpenStack');
  const p = build('type: csv\nheader: read');
  const out = run(p, lines.slice(0, 4));
  assert.equal(out.length, 3);
  const first = out[0];
  assert.equal(first.error, undefined);
  assert.equal(first.fields.LineId, '1');
  assert.equal(first.fields.Pid, '25746');
  assert.equal(first.fields.Level, 'INFO');
  assert.equal(first.fields.Component, 'nova.osapi_compute.wsgi.server');
  // a quoted field with doubled quotes inside
  assert.equal(first.fields.Content, '10.11.10.1 "GET /v2/54fadb412c4e40cdbaed9335e4c35a9e/servers/detail HTTP/1.1" status: 200 len: 1893 time: 0.2477829');
  assert.equal(first.fields.EventTemplate, '<*> "GET <*>" status: <*> len: <*> time: <*>.<*>');
  // the rest of the file, in later batches of the same stream: every line parses into the header's 11 columns
  const rest = run(p, lines.slice(4));
  assert.equal(rest.length, lines.length - 4);
  assert.equal(rest.filter((e) => e.error !== undefined).length, 0);
  assert.ok(rest.every((e) => Object.keys(e.fields).length === 11 && ['INFO', 'WARNING', 'ERROR'].includes(String(e.fields.Level))));
  // another stream has its own header
  const other = run(p, [ev('a,b', {}, { app: 'other' }), ev('1,2', {}, { app: 'other' })]);
  assert.deepEqual(other.map((e) => e.fields), [{ a: '1', b: '2' }]);
});

test('columns, header: skip, surplus and missing values', () => {
  const p = build('type: csv\ncolumns: [date, level, msg]\nheader: skip');
  const out = run(p, ['date,level,msg', '2024-01-15,info,"hello, world"', '2024-01-15,warn', '2024-01-15,error,x,extra,']);
  assert.deepEqual(out.map((e) => e.fields), [
    { date: '2024-01-15', level: 'info', msg: 'hello, world' },
    { date: '2024-01-15', level: 'warn' },
    { date: '2024-01-15', level: 'error', msg: 'x', column4: 'extra', column5: '' },
  ]);
  const strict = build('type: csv\ncolumns: [a, b]\nstrict_columns: true');
  const e = one(strict, '1,2,3');
  assert.equal(e.error, 'CSVParserErr');
  assert.equal(e.errorDetails, '3 values, expected 2 (a, b)');
  assert.deepEqual(e.fields, {});
});

test('TSV, another quote character, trim and prefix', () => {
  assert.deepEqual(one(build('type: csv\ncolumns: [a, b, c]\ndelimiter: "\\t"'), 'x\t"y\tz"\t').fields, { a: 'x', b: 'y\tz', c: '' });
  assert.deepEqual(one(build("type: csv\ncolumns: [a, b]\nquote: \"'\"\ndelimiter: ';'"), "'it''s';2").fields, { a: "it's", b: '2' });
  assert.deepEqual(one(build('type: csv\ncolumns: [a, b]\ntrim: true\nprefix: c_'), '  1 ,  "two"  ').fields, { c_a: '1', c_b: 'two' });
});

test('malformed quoting marks the event with the offset and adds no fields', async (t) => {
  const p = build('type: csv\ncolumns: [a, b, c]');
  const cases: [string, string][] = [
    ['1,"open,3', 'unterminated quoted value at offset 2 near "\\"open,3"'],
    ['1,ab"c,3', 'quote inside an unquoted value (quote the whole value and double the quote) at offset 4 near "\\"c,3"'],
    ['1,"ab"c,3', 'expected a delimiter after the closing quote at offset 6 near "c,3"'],
  ];
  for (const [line, details] of cases) {
    await t.test(line, () => {
      const e = one(p, line);
      assert.equal(e.error, 'CSVParserErr');
      assert.equal(e.errorDetails, details);
      assert.deepEqual(e.fields, {});
      assert.equal(e.line, line);
    });
  }
});

test('config errors', () => {
  assert.match(buildError('type: csv'), /^test\.yaml:1: columns: is required \(expected a list of strings\)/);
  assert.match(buildError('type: csv\ncolumns: [a]\ndelimiter: ",,"'), /^test\.yaml:3: delimiter: expected a single character, got ",,"/);
  assert.match(buildError('type: csv\ncolumns: [a]\nquote: ","'), /^test\.yaml:3: quote: expected a quote character different from the delimiter/);
  assert.match(buildError('type: csv\ncolumns: [a]\nheader: read'), /^test\.yaml:2: columns: expected no columns with `header: read`/);
  assert.match(buildError('type: csv\ncolumns: [a]\nheader: first'), /^test\.yaml:3: header: expected one of none, skip, read, got "first"/);
});
