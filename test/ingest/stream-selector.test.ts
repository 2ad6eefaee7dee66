// Table-driven tests of the strict label-set parser used by protobuf pushes: accepted spellings (spacing, escapes,
// raw strings, trailing comma) and rejected ones, each with its 1-based column and message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStreamSelector } from '../../src/ingest/stream-selector.ts';

test('valid label sets', () => {
  const cases: [string, Record<string, string>][] = [
    ['{}', {}],
    [' { } ', {}],
    ['{app="api"}', { app: 'api' }],
    ['{app="api", env="prod"}', { app: 'api', env: 'prod' }],
    ['{level="info",app="cap",env="test",component="x"}', { level: 'info', app: 'cap', env: 'test', component: 'x' }],
    ['{ app = "api" ,\n env="prod", }', { app: 'api', env: 'prod' }],
    ['{_a1="", B_2="x"}', { _a1: '', B_2: 'x' }],
    ['{msg="say \\"hi\\"\\n\\ttab\\\\"}', { msg: 'say "hi"\n\ttab\\' }],
    ['{u="\\u00e9\\U0001F600", x="\\x41\\101"}', { u: 'é😀', x: 'AA' }],
    ['{bytes="\\xc3\\xa9"}', { bytes: 'é' }],
    ['{raw=`C:\\path\\n"quoted"`}', { raw: 'C:\\path\\n"quoted"' }],
    ['{city="zürich", jp="東京"}', { city: 'zürich', jp: '東京' }],
  ];
  for (const [text, labels] of cases) {
    assert.deepEqual(parseStreamSelector(text), { ok: true, labels }, text);
  }
});

test('invalid label sets name the column and what was expected', () => {
  const cases: [string, number, string][] = [
    ['', 1, 'expected "{" but found end of text'],
    ['app="api"', 1, 'expected "{" but found "a"'],
    ['{app="api"', 11, 'expected "," or "}" after the value of "app" but found end of text'],
    ['{app="api" env="prod"}', 12, 'expected "," or "}" after the value of "app" but found "e"'],
    ['{app="api"} extra', 13, 'unexpected "e" after "}"'],
    ['{1app="x"}', 2, 'expected a label name or "}" but found "1"'],
    ['{app-name="x"}', 5, 'expected "=" after label name "app" but found "-"'],
    ['{app!="x"}', 5, 'expected "=" after label name "app" but found "!" (push labels are name="value" pairs, not matchers)'],
    ['{app=~"x"}', 6, 'expected a quoted value for label "app" but found "~" (push labels are name="value" pairs, not matchers)'],
    ['{app=api}', 6, 'expected a double-quoted value for label "app" but found "a"'],
    ["{app='api'}", 6, 'expected a double-quoted value for label "app" but found "\'"'],
    ['{app="api}', 6, 'unterminated string for label "app"'],
    ['{app="a"b"}', 9, 'expected "," or "}" after the value of "app" but found "b"'],
    ['{app="a\nb"}', 8, 'newline inside the quoted value of "app"'],
    ['{app="\\q"}', 7, 'unknown escape sequence "\\q" in the value of "app"'],
    ['{app="\\x4"}', 7, 'invalid \\x escape in the value of "app"'],
    ['{app="\\400"}', 7, 'invalid octal escape in the value of "app"'],
    ['{app="\\ud800"}', 7, 'invalid \\u escape in the value of "app"'],
    ['{app="\\xff"}', 11, 'byte escapes in the value of "app" are not valid UTF-8'],
    ['{app=`raw}', 6, 'unterminated raw string for label "app"'],
    ['{app="a", app="b"}', 11, 'duplicate label name "app"'],
    ['{app="a",,}', 10, 'expected a label name or "}" but found ","'],
  ];
  for (const [text, column, message] of cases) {
    assert.deepEqual(parseStreamSelector(text), { ok: false, column, message }, text);
  }
});
