// `| json` (flattening and JSON expressions) and `| unpack`: exact labels for the Loki docs examples, value
// rendering, key sanitizing, `_extracted` duplicates, malformed documents, and a round trip of real OpenStack fields.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonParserStage } from '../../../src/query/ast.ts';
import { compilePipeline, StageCompileError } from '../../../src/query/stages/pipeline.ts';
import { loghubStructured, run, runCompiled } from './stage-harness.ts';

const json = (...params: [string, string][]): JsonParserStage => ({
  kind: 'json',
  params: params.map(([label, path]) => ({ label, path })),
});

const DOCS_DOCUMENT = `{
  "protocol": "HTTP/2.0",
  "servers": ["129.0.1.1","10.2.1.3"],
  "request": {
    "time": "6.032",
    "method": "GET",
    "host": "foo.grafana.net",
    "size": "55",
    "headers": {
      "Accept": "*/*",
      "User-Agent": "curl/7.68.0"
    }
  },
  "response": {
    "status": 401,
    "size": "228",
    "latency_seconds": "6.031"
  }
}`;

describe('json parser without parameters', () => {
  const cases: [string, string, Record<string, string>, Record<string, string>][] = [
    ['Loki docs document: nested keys joined with _, arrays skipped', DOCS_DOCUMENT, {}, {
      protocol: 'HTTP/2.0',
      request_headers_Accept: '*/*',
      request_headers_User_Agent: 'curl/7.68.0',
      request_host: 'foo.grafana.net',
      request_method: 'GET',
      request_size: '55',
      request_time: '6.032',
      response_latency_seconds: '6.031',
      response_size: '228',
      response_status: '401',
    }],
    ['docs: dotted key sanitized', '{ "a.b": {"c": "d"}, "e": "f" }', {}, { a_b_c: 'd', e: 'f' }],
    ['brief: {"a":{"b":1}}', '{"a":{"b":1}}', {}, { a_b: '1' }],
    ['numbers keep their text, booleans and null', '{"i":42,"f":1.50,"e":-1e3,"big":12345678901234567890,"t":true,"n":false,"z":null}', {}, {
      big: '12345678901234567890', e: '-1e3', f: '1.50', i: '42', n: 'false', t: 'true', z: '',
    }],
    ['string escapes are decoded', String.raw`{"s":"tab\there \"q\" \\ \/ \u00e9 \ud83d\ude00 \n"}`, {}, { s: 'tab\there "q" \\ / é 😀 \n' }],
    ['raw control characters inside strings are tolerated', '{"s":"a\tb"}', {}, { s: 'a\tb' }],
    ['arrays anywhere are skipped, with objects inside them', '{"a":[{"b":1},[2]],"c":{"d":[]},"e":"x"}', {}, { e: 'x' }],
    ['empty object and empty nested object', '{"a":{}}', {}, {}],
    ['key sanitizing', '{"User-Agent":"u","1st":"a","x":{"2nd":"b"}," spaced key ":"c","é":"d",":c":"e"}', {}, {
      User_Agent: 'u', _: 'd', _1st: 'a', _c: 'e', spaced_key: 'c', x_2nd: 'b',
    }],
    ['a stream label of the same name gets _extracted', '{"level":"error","app":"x"}', { level: 'info' }, {
      app: 'x', level: 'info', level_extracted: 'error',
    }],
    ['the first of repeated keys wins (docs)', '{"a":1,"a":2,"a_b":"x","a":{"b":"y"}}', {}, { a: '1', a_b: 'x' }],
    ['keys named like pipeline error labels are ignored', '{"__error__":"fake","ok":"1"}', {}, { ok: '1' }],
    ['whitespace around the document', ' \t{"a" : "b"}\n', {}, { a: 'b' }],
  ];
  for (const [name, line, stream, labels] of cases) {
    it(name, () => {
      assert.deepEqual(run([json()], line, stream), { kept: true, line, labels });
    });
  }

  const malformed: [string, string, string][] = [
    ['plain text (docs drop example)', 'INFO GET / loki.net 200', 'JSON syntax error at offset 0: expected a JSON object, found "I"'],
    ['empty line', '', 'JSON syntax error at offset 0: expected a JSON object, found end of input'],
    ['top-level array', '[1,2]', 'JSON syntax error at offset 0: expected a JSON object, found "["'],
    ['top-level string', '"x"', 'JSON syntax error at offset 0: expected a JSON object, found "\\""'],
    ['truncated object', '{"a":"b"', 'JSON syntax error at offset 8: expected \',\' or \'}\', found end of input'],
    ['unterminated string', '{"a":"b', 'JSON syntax error at offset 7: expected closing \'"\' of string, found end of input'],
    ['missing value', '{"a": }', 'JSON syntax error at offset 6: expected a JSON value, found "}"'],
    ['unquoted key', '{a:1}', 'JSON syntax error at offset 1: expected a string object key, found "a"'],
    ['trailing comma', '{"a":1,}', 'JSON syntax error at offset 7: expected a string object key, found "}"'],
    ['trailing text', '{"a":1} tail', 'JSON syntax error at offset 8: expected end of input, found "t"'],
    ['bad literal', '{"a":tru}', 'JSON syntax error at offset 5: expected "true", found "t"'],
    ['bad number', '{"a":01}', 'JSON syntax error at offset 6: expected \',\' or \'}\', found "1"'],
    ['bad escape', String.raw`{"a":"\x"}`, 'JSON syntax error at offset 6: expected a valid escape sequence, found "\\\\"'],
    ['bad unicode escape', String.raw`{"a":"\u12"}`, 'JSON syntax error at offset 6: expected four hex digits after \\u, found "\\\\"'],
    ['nesting deeper than 512 levels', '{"a":'.repeat(600) + '1' + '}'.repeat(600), 'JSON nesting deeper than 512 levels at offset 2560'],
  ];
  for (const [name, line, details] of malformed) {
    it(`keeps the row and sets JSONParserErr on malformed input: ${name}`, () => {
      assert.deepEqual(run([json()], line, { app: 'api' }), {
        kept: true,
        line,
        labels: { __error__: 'JSONParserErr', __error_details__: details, app: 'api' },
      });
    });
  }

  it('adds no partial labels from a document that turns out invalid', () => {
    assert.deepEqual(run([json()], '{"a":"1","b":').labels, {
      __error__: 'JSONParserErr',
      __error_details__: 'JSON syntax error at offset 13: expected a JSON value, found end of input',
    });
  });

  it('decides _extracted per row: labels created on an earlier row do not count as stream labels', () => {
    const p = compilePipeline([json()]);
    assert.deepEqual(runCompiled(p, '{"level":"warn"}').labels, { level: 'warn' });
    assert.deepEqual(runCompiled(p, '{"level":"warn"}', { level: 'info' }).labels, { level: 'info', level_extracted: 'warn' });
    assert.deepEqual(runCompiled(p, '{"level":"debug"}').labels, { level: 'debug' });
  });
});

describe('json parser with parameters', () => {
  const cases: [string, JsonParserStage, string, Record<string, string>, Record<string, string>][] = [
    ['docs: array index and bracketed key', json(['first_server', 'servers[0]'], ['ua', 'request.headers["User-Agent"]']), DOCS_DOCUMENT, {}, {
      first_server: '129.0.1.1', ua: 'curl/7.68.0',
    }],
    ['docs: arrays and objects are extracted as their JSON text', json(['server_list', 'servers'], ['headers', 'request.headers']), '{"servers":["129.0.1.1","10.2.1.3"],"request":{"headers":{"Accept": "*/*", "User-Agent": "curl/7.68.0"}}}', {}, {
      headers: '{"Accept": "*/*", "User-Agent": "curl/7.68.0"}',
      server_list: '["129.0.1.1","10.2.1.3"]',
    }],
    ['docs: `| json servers` uses the label as the expression', json(['servers', '']), '{"servers":["a"]}', {}, { servers: '["a"]' }],
    ['numbers, booleans, null, nested index', json(['n', 'a.n'], ['b', 'a.b'], ['z', 'a.z'], ['deep', 'a.list[1]["k"]']), '{"a":{"n":2.50,"b":true,"z":null,"list":[{"k":"no"},{"k":"yes"}]}}', {}, {
      b: 'true', deep: 'yes', n: '2.50', z: '',
    }],
    ['missing paths and out-of-range indexes give empty values', json(['m', 'nope.x'], ['i', 'list[5]'], ['t', 's.x']), '{"list":[1],"s":"str"}', {}, {
      i: '', m: '', t: '',
    }],
    ['escaped quote inside a bracketed key', json(['q', '["a\\"b"]']), '{"a\\"b":"v"}', {}, { q: 'v' }],
    ['top-level array with an index path', json(['x', '[1]']), '[10,20]', {}, { x: '20' }],
    ['first of repeated keys wins', json(['a', 'a']), '{"a":1,"a":2}', {}, { a: '1' }],
    ['stream label collision gets _extracted', json(['app', 'app']), '{"app":"x"}', { app: 'stream' }, { app: 'stream', app_extracted: 'x' }],
  ];
  for (const [name, stage, line, stream, labels] of cases) {
    it(name, () => {
      assert.deepEqual(run([stage], line, stream), { kept: true, line, labels });
    });
  }

  it('sets JSONParserErr on an invalid line and extracts nothing', () => {
    assert.deepEqual(run([json(['a', 'a'])], '{"a":1', {}).labels, {
      __error__: 'JSONParserErr',
      __error_details__: 'JSON syntax error at offset 6: expected \',\' or \'}\', found end of input',
    });
  });

  const invalid: [string, JsonParserStage, string][] = [
    ['empty segment', json(['a', 'a..b']), 'stage 1 (json): invalid JSON expression "a..b": unexpected "." at offset 2'],
    ['unclosed bracket', json(['a', 'a[']), 'stage 1 (json): invalid JSON expression "a[": expected an array index or a quoted key at offset 2'],
    ['unquoted bracket key', json(['a', '[x]']), 'stage 1 (json): invalid JSON expression "[x]": expected an array index or a quoted key at offset 1'],
    ['leading dot', json(['a', '.a']), 'stage 1 (json): invalid JSON expression ".a": expression starts with "."'],
    ['trailing dot', json(['a', 'a.']), 'stage 1 (json): invalid JSON expression "a.": expression ends with "."'],
    ['invalid label name', json(['1a', 'a']), 'stage 1 (json): invalid label name "1a"'],
    ['reserved label name', json(['__error__', 'a']), 'stage 1 (json): label name "__error__" is reserved for pipeline errors'],
    ['label extracted twice', json(['a', 'x'], ['a', 'y']), 'stage 1 (json): label "a" extracted twice'],
  ];
  for (const [name, stage, message] of invalid) {
    it(`rejects at compile time: ${name}`, () => {
      assert.throws(() => compilePipeline([stage]), (err: unknown) => err instanceof StageCompileError && err.message === message);
    });
  }
});

describe('unpack parser', () => {
  const cases: [string, string, Record<string, string>, string, Record<string, string>][] = [
    ['docs example: _entry becomes the line', '{"container":"myapp","pod":"pod-3223f","_entry":"original log message"}', {}, 'original log message', {
      container: 'myapp', pod: 'pod-3223f',
    }],
    ['non-string members are ignored', '{"a":"x","n":5,"o":{"k":"v"},"l":["y"],"b":true,"_entry":"line"}', {}, 'line', { a: 'x' }],
    ['without _entry the line stays', '{"a":"x"}', {}, '{"a":"x"}', { a: 'x' }],
    ['escaped _entry', String.raw`{"_entry":"level=info msg=\"hi\"\n"}`, {}, 'level=info msg="hi"\n', {}],
    ['stream label collision', '{"job":"packed","_entry":"x"}', { job: 'stream' }, 'x', { job: 'stream', job_extracted: 'packed' }],
  ];
  for (const [name, line, stream, outLine, labels] of cases) {
    it(name, () => {
      assert.deepEqual(run([{ kind: 'unpack' }], line, stream), { kept: true, line: outLine, labels: { ...stream, ...labels } });
    });
  }

  it('keeps the line and sets JSONParserErr when the line is not a JSON object', () => {
    assert.deepEqual(run([{ kind: 'unpack' }], 'plain text'), {
      kept: true,
      line: 'plain text',
      labels: { __error__: 'JSONParserErr', __error_details__: 'JSON syntax error at offset 0: expected a JSON object, found "p"' },
    });
  });

  it('chains with json on the unpacked line', () => {
    assert.deepEqual(run([{ kind: 'unpack' }, json()], '{"pod":"p1","_entry":"{\\"status\\":500}"}'), {
      kept: true, line: '{"status":500}', labels: { pod: 'p1', status: '500' },
    });
  });
});

describe('json parser on real OpenStack records (Loghub)', () => {
  it('recovers every field of 2000 records serialized as JSON', () => {
    const records = loghubStructured('OpenStack');
    assert.equal(records.length, 2000);
    const p = compilePipeline([json()]);
    for (const r of records) {
      const doc = { log: { file: r.Logrecord, level: r.Level }, pid: Number(r.Pid), component: r.Component, msg: r.Content, tags: [r.EventId] };
      const out = runCompiled(p, JSON.stringify(doc));
      assert.deepEqual(out.labels, { component: r.Component, log_file: r.Logrecord, log_level: r.Level, msg: r.Content, pid: r.Pid });
    }
  });

  it('extracts with expressions from the same records', () => {
    const records = loghubStructured('OpenStack').slice(0, 200);
    const p = compilePipeline([json(['req', 'ctx.addr'], ['event', 'ctx.events[0]'])]);
    for (const r of records) {
      const out = runCompiled(p, JSON.stringify({ ctx: { addr: r.ADDR, events: [r.EventId, 'x'] } }));
      assert.deepEqual(out.labels, { event: r.EventId, req: r.ADDR });
    }
  });
});
