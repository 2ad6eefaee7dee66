// Line filters: substring, RE2 regex (unanchored, case-insensitive flag, ReDoS-safe) and pattern filters, with
// `or` alternatives, malformed expressions and counts over the Loghub Apache sample.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LineFilterStage } from '../../../src/query/ast.ts';
import { compilePipeline, StageCompileError } from '../../../src/query/stages/pipeline.ts';
import { loghubLines, run } from './stage-harness.ts';

const filter = (op: LineFilterStage['op'], ...values: string[]): LineFilterStage => ({ kind: 'line_filter', op, values });

describe('line filters', () => {
  const cases: [string, LineFilterStage, string, boolean][] = [
    ['|= substring present', filter('|=', 'error'), 'level=error msg=x', true],
    ['|= substring absent', filter('|=', 'error'), 'level=info', false],
    ['|= is case-sensitive', filter('|=', 'error'), 'ERROR', false],
    ['|= empty string matches everything', filter('|=', ''), 'anything', true],
    ['|= or: second alternative', filter('|=', 'foo', 'bar'), 'xbarx', true],
    ['|= or: none', filter('|=', 'foo', 'bar'), 'baz', false],
    ['!= absent', filter('!=', 'timeout'), 'ok', true],
    ['!= present', filter('!=', 'timeout'), 'a timeout', false],
    ['!= or: drops a line matching any', filter('!=', 'foo', 'bar'), 'xbarx', false],
    ['!= or: keeps a line matching none', filter('!=', 'foo', 'bar'), 'baz', true],
    ['|~ unanchored', filter('|~', 'err(or)?'), 'an error here', true],
    ['|~ no match', filter('|~', 'err(or)?\\d'), 'an error here', false],
    ['|~ (?i) case-insensitive', filter('|~', '(?i)ERROR'), 'an error', true],
    ['|~ ^ anchors at line start', filter('|~', '^an'), 'an error', true],
    ['|~ ^ does not match mid-line', filter('|~', '^error'), 'an error', false],
    ['|~ docs example tsdb-ops.*io:2003', filter('|~', 'tsdb-ops.*io:2003'), 'x tsdb-ops-1.io:2003 y', true],
    ['|~ \\w+ class', filter('|~', 'error=\\w+'), 'error=timeout', true],
    ['|~ . matches a newline in line filters (Loki docs)', filter('|~', 'a.b'), 'a\nb', true],
    ['|~ literal alternation fast path', filter('|~', 'error|warn'), 'warning', true],
    ['|~ or alternatives', filter('|~', '^x', 'y$'), 'aay', true],
    ['!~ match drops', filter('!~', '\\d{3}'), 'code 500', false],
    ['!~ no match keeps', filter('!~', '\\d{3}'), 'code 50', true],
    ['|~ Unicode classes', filter('|~', '^\\p{Greek}+$'), 'αβγ', true],
    ['|> pattern with unnamed captures', filter('|>', '<_> level=error <_>'), 'ts=1 level=error msg=x', true],
    ['|> literal must be found', filter('|>', '<_> level=error <_>'), 'level=error msg', false],
    ['|> leading literal anchors the line start', filter('|>', 'GET <_>'), 'GET /x', true],
    ['|> leading literal elsewhere does not match', filter('|>', 'GET <_>'), 'POST GET /x', false],
    ['|> named captures are allowed', filter('|>', '<method> <path> HTTP'), 'GET /a HTTP/1.1', true],
    ['|> trailing literal need not end the line', filter('|>', '<_> ms'), 'took 5 ms total', true],
    ['|> empty line never matches', filter('|>', '<_>'), '', false],
    ['!> keeps non-matching lines', filter('!>', '<_> level=error <_>'), 'ts=1 level=info msg=x', true],
    ['!> or drops a line matching any', filter('!>', 'a <_>', 'b <_>'), 'b x', false],
  ];
  for (const [name, stage, line, kept] of cases) {
    it(name, () => {
      const out = run([stage], line);
      assert.equal(out.kept, kept);
      assert.equal(out.line, line);
      assert.deepEqual(out.labels, {});
    });
  }

  it('is immune to catastrophic backtracking (RE2)', () => {
    const line = 'a'.repeat(50000) + 'b';
    const start = performance.now();
    assert.equal(run([filter('|~', '(a+)+b$')], line).kept, true);
    assert.equal(run([filter('|~', '(a+)+c$')], line).kept, false);
    assert.ok(performance.now() - start < 5000, 'RE2 matching must stay linear');
  });

  const invalid: [string, LineFilterStage, string][] = [
    ['unbalanced parenthesis', filter('|~', '(a'), 'stage 1 (line_filter): invalid regular expression: error parsing regexp: missing closing ): `(a`'],
    ['lookahead is not RE2', filter('!~', '(?=x)'), 'stage 1 (line_filter): invalid regular expression: error parsing regexp: invalid or unsupported Perl syntax: `(?=`'],
    ['consecutive pattern captures', filter('|>', '<a><b>'), 'stage 1 (line_filter): invalid pattern "<a><b>": consecutive captures <a> and <b>'],
    ['empty pattern', filter('|>', ''), 'stage 1 (line_filter): invalid pattern "": empty pattern'],
  ];
  for (const [name, stage, message] of invalid) {
    it(`rejects at compile time: ${name}`, () => {
      assert.throws(() => compilePipeline([stage]), (err: unknown) => {
        assert.ok(err instanceof StageCompileError);
        assert.equal(err.message, message);
        assert.equal(err.stageIndex, 0);
        assert.equal(err.code, stage.op === '|>' ? 'invalid_pattern' : 'invalid_regex');
        return true;
      });
    });
  }

  it('counts real Apache lines (Loghub sample)', () => {
    const lines = loghubLines('Apache');
    const count = (stage: LineFilterStage): number => {
      const p = compilePipeline([stage]);
      return lines.filter((line) => p({ line, tsNs: 0n, labels: new Map() })).length;
    };
    assert.equal(lines.length, 2000);
    assert.equal(count(filter('|=', '[error]')), 595);
    assert.equal(count(filter('!=', '[error]')), 1405);
    assert.equal(count(filter('|=', 'error state')), 539);
    assert.equal(count(filter('|~', 'jk2_init\\(\\) Found child \\d+ in scoreboard slot (10|6)$')), 264);
    assert.equal(count(filter('|~', '(?i)\\[ERROR\\]')), 595);
    assert.equal(count(filter('|>', '[<_>] [error] <_>')), 595);
    assert.equal(count(filter('|=', '[error]', '[notice]')), 2000);
  });
});
