// The query bar's LogQL tokenizer: every character covered, and labels, stages, functions, strings and
// durations told apart the way the highlighter colours them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize, type TokenType } from '../../web/src/logql/tokens.ts';

function types(src: string): [TokenType, string][] {
  return tokenize(src)
    .filter((t) => t.type !== 'whitespace')
    .map((t) => [t.type, t.text]);
}

test('tokens cover the input exactly, in order', () => {
  for (const src of ['{app="a"} |= "x" | json | status >= 500', 'sum by (level) (rate({a=~"b.*"}[5m]))', '{a="unterminated', '§ weird ✓ input', '']) {
    const toks = tokenize(src);
    assert.equal(toks.map((t) => t.text).join(''), src);
    for (let i = 1; i < toks.length; i++) assert.equal(toks[i].from, toks[i - 1].to);
  }
});

test('a log query: selector labels, line filters, stages, field filters', () => {
  assert.deepEqual(types('{app="shop", level=~"err|warn"} |= "timeout" != `debug` | json | status >= 500 and method="GET"'), [
    ['brace', '{'],
    ['label', 'app'],
    ['operator', '='],
    ['string', '"shop"'],
    ['comma', ','],
    ['label', 'level'],
    ['operator', '=~'],
    ['string', '"err|warn"'],
    ['brace', '}'],
    ['pipe', '|='],
    ['string', '"timeout"'],
    ['pipe', '!='],
    ['string', '`debug`'],
    ['pipe', '|'],
    ['stage', 'json'],
    ['pipe', '|'],
    ['label', 'status'],
    ['operator', '>='],
    ['number', '500'],
    ['keyword', 'and'],
    ['label', 'method'],
    ['operator', '='],
    ['string', '"GET"'],
  ]);
});

test('a metric query: functions, grouping labels, durations', () => {
  assert.deepEqual(types('sum by (level, app) (count_over_time({a="b"} | logfmt | unwrap took [1h30m])) > 2.5'), [
    ['function', 'sum'],
    ['keyword', 'by'],
    ['paren', '('],
    ['label', 'level'],
    ['comma', ','],
    ['label', 'app'],
    ['paren', ')'],
    ['paren', '('],
    ['function', 'count_over_time'],
    ['paren', '('],
    ['brace', '{'],
    ['label', 'a'],
    ['operator', '='],
    ['string', '"b"'],
    ['brace', '}'],
    ['pipe', '|'],
    ['stage', 'logfmt'],
    ['pipe', '|'],
    ['stage', 'unwrap'],
    ['label', 'took'],
    ['bracket', '['],
    ['duration', '1h30m'],
    ['bracket', ']'],
    ['paren', ')'],
    ['paren', ')'],
    ['operator', '>'],
    ['number', '2.5'],
  ]);
});

test('strings: escapes, unterminated, raw', () => {
  const toks = tokenize('{a="x\\"y"} |~ "open');
  const strings = toks.filter((t) => t.type === 'string');
  assert.equal(strings[0].text, '"x\\"y"');
  assert.equal(strings[0].unterminated, undefined);
  assert.equal(strings[1].text, '"open');
  assert.equal(strings[1].unterminated, true);
});

test('sizes and pipeline functions, comments, invalid characters', () => {
  assert.deepEqual(types('{a="b"} | size > 10KiB | addr = ip("10.0.0.0/8") # note'), [
    ['brace', '{'],
    ['label', 'a'],
    ['operator', '='],
    ['string', '"b"'],
    ['brace', '}'],
    ['pipe', '|'],
    ['label', 'size'],
    ['operator', '>'],
    ['number', '10KiB'],
    ['pipe', '|'],
    ['label', 'addr'],
    ['operator', '='],
    ['function', 'ip'],
    ['paren', '('],
    ['string', '"10.0.0.0/8"'],
    ['paren', ')'],
    ['comment', '# note'],
  ]);
  assert.deepEqual(types('{a="b"} @'), [
    ['brace', '{'],
    ['label', 'a'],
    ['operator', '='],
    ['string', '"b"'],
    ['brace', '}'],
    ['invalid', '@'],
  ]);
});
