// The json parser: fields from a JSON object (flattened with `_` down to max_depth, arrays as JSON text, types kept),
// source/prefix/keep_source, and malformed input marked JSONParserErr with the offset while the event is kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, buildError, ev, one, run } from './parse-harness.ts';

test('a JSON app log becomes typed fields, nested keys joined with _', () => {
  const p = build('type: json');
  const line = '{"ts":"2024-01-15T12:00:00.123Z","level":"error","msg":"payment failed","duration_ms":87.5,"retry":false,"user":null,"http":{"method":"POST","status":502,"headers":{"x-id":"abc"}},"tags":["a","b"],"empty":{}}';
  const e = one(p, line);
  assert.equal(e.error, undefined);
  assert.equal(e.line, line, 'the line is kept by default');
  assert.deepEqual(e.fields, {
    ts: '2024-01-15T12:00:00.123Z',
    level: 'error',
    msg: 'payment failed',
    duration_ms: 87.5,
    retry: false,
    user: null,
    http_method: 'POST',
    http_status: 502,
    'http_headers_x-id': 'abc',
    tags: '["a","b"]',
  });
});

test('separator, max_depth, flatten: false and prefix', () => {
  const line = '{"a":{"b":{"c":1}},"d":2}';
  assert.deepEqual(one(build('type: json\nseparator: "."'), line).fields, { 'a.b.c': 1, d: 2 });
  assert.deepEqual(one(build('type: json\nmax_depth: 2'), line).fields, { a_b: '{"c":1}', d: 2 });
  assert.deepEqual(one(build('type: json\nflatten: false'), line).fields, { a: '{"b":{"c":1}}', d: 2 });
  assert.deepEqual(one(build('type: json\nprefix: app_'), line).fields, { app_a_b_c: 1, app_d: 2 });
});

test('source field and keep_source: false', () => {
  const p = build('type: json\nsource: payload\nkeep_source: false');
  const e = one(p, ev('outer line', { payload: '{"k":"v","n":1}', other: 'x' }));
  assert.deepEqual(e.fields, { other: 'x', k: 'v', n: 1 });
  assert.equal(e.line, 'outer line');
  // an event without the source field is left alone, without an error
  const untouched = one(p, ev('no payload here'));
  assert.equal(untouched.error, undefined);
  assert.deepEqual(untouched.fields, {});
  // the line as source, dropped after parsing
  const dropped = one(build('type: json\nkeep_source: false'), '{"a":1}');
  assert.equal(dropped.line, '');
  assert.deepEqual(dropped.fields, { a: 1 });
});

test('a parsed field overwrites one of the same name; __proto__ is never set', () => {
  const e = one(build('type: json'), ev('{"service":"new","__proto__":{"polluted":true}}', { service: 'old' }));
  assert.equal(e.fields.service, 'new');
  assert.equal(Object.getPrototypeOf(e.fields), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('malformed JSON marks the event with the offset, keeps it and adds no fields', async (t) => {
  const p = build('type: json');
  const cases: [string, RegExp][] = [
    ['{"a":1,', /expected a quoted property name at offset 7 \(end of input\)/],
    ['{"a":1 "b":2}', /expected ',' or '}' at offset 7 near "\\"b\\":2}"/],
    ['{"a":tru}', /expected "true" at offset 8/],
    ['{"a":"unterminated}', /expected a closing quote at offset 19/],
    ['{"a":"bad \\x escape"}', /expected a valid escape .* at offset 11 near "x escape/],
    ['{"a":1}}', /expected the end of the input at offset 7/],
    ['{a:1}', /expected a quoted property name at offset 1/],
    ['[1,2,3]', /expected a JSON object at offset 0/],
    ['"just a string"', /expected a JSON object at offset 0/],
    ['plain text line', /expected a JSON object at offset 0 near "plain text line"/],
    ['   ', /expected a JSON object at offset 3 \(end of input\)/],
  ];
  for (const [line, details] of cases) {
    await t.test(line, () => {
      const e = one(p, ev(line, { keep: 1 }));
      assert.equal(e.error, 'JSONParserErr');
      assert.match(e.errorDetails ?? '', details);
      assert.equal(e.line, line);
      assert.deepEqual(e.fields, { keep: 1 });
    });
  }
});

test('a batch keeps good and bad events in order; the first error on an event wins', () => {
  const out = run(build('type: json'), ['{"n":1}', 'oops', '{"n":3}']);
  assert.deepEqual(out.map((e) => [e.fields.n, e.error]), [[1, undefined], [undefined, 'JSONParserErr'], [3, undefined]]);
  const already = ev('oops');
  already.error = 'GrokParserErr';
  already.errorDetails = 'earlier';
  const e = one(build('type: json'), already);
  assert.equal(e.error, 'GrokParserErr');
  assert.equal(e.errorDetails, 'earlier');
});

test('config errors name the file, line and key', () => {
  assert.match(buildError('type: json\nmax_depth: 0'), /^test\.yaml:2: max_depth: expected a number between 1 and 100, got 0/);
  assert.match(buildError('type: json\nflaten: true'), /^test\.yaml:2: flaten: unknown key \(expected one of type, name, if, source, prefix, keep_source, flatten, separator, max_depth\)/);
  assert.match(buildError('type: json\nsource: ""'), /test\.yaml:2: source: expected a field name/);
});

test('into an event without fields, the parsed object is taken as it is; otherwise members are copied', () => {
  const json = build('type: json');
  const [flat, withMeta, nested] = run(json, ['{"b":1,"a":"x","10":true,"n":null}', ev('{"a":"y","c":2}', { trace: 't', a: 'old' }), '{"o":{"p":1},"__proto__":{"x":1},"q":[1]}']);
  assert.deepEqual(Object.entries(flat.fields), [['10', true], ['b', 1], ['a', 'x'], ['n', null]]);
  flat.fields.added = 'later'; // the fields are the event's own to change
  assert.equal(flat.fields.added, 'later');
  assert.deepEqual(Object.entries(withMeta.fields), [['trace', 't'], ['a', 'y'], ['c', 2]]);
  assert.deepEqual(Object.entries(nested.fields), [['o_p', 1], ['q', '[1]']]);
  assert.equal(Object.getPrototypeOf(nested.fields), Object.prototype);
  assert.deepEqual(Object.entries(one(build("type: json\nprefix: 'j_'"), '{"a":1}').fields), [['j_a', 1]]);
});
