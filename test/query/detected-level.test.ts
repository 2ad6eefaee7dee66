// detected_level: from a level-like label, else a JSON/logfmt level field, else a level word, else "unknown";
// values normalized to Loki's set; queries naming it get it, others are unchanged.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectLevel, markDetectLevel, normalizeLevel, usesDetectedLevel } from '../../src/query/detected-level.ts';
import { parseExpr } from '../../src/query/parser.ts';

const m = (o: Record<string, string> = {}): Map<string, string> => new Map(Object.entries(o));

describe('detectLevel', () => {
  const cases: [string, Record<string, string>, string, string][] = [
    ['stream label level', { level: 'ERROR' }, 'all good', 'error'],
    ['structured metadata severity_text', { severity_text: 'Warning' }, 'x', 'warn'],
    ['Severity label, case-sensitive name', { Severity: 'crit' }, 'x', 'critical'],
    ['a label that names no level falls through to the line', { level: 'verbose' }, 'level=debug msg=x', 'debug'],
    ['JSON field', {}, '{"ts":1,"level":"warn","msg":"disk 91% error budget"}', 'warn'],
    ['JSON severity field', {}, ' {"severity":"FATAL","msg":"x"}', 'fatal'],
    ['JSON without level: keywords', {}, '{"msg":"request failed with error"}', 'error'],
    ['logfmt field', {}, 'ts=1 level=info msg="no error here"', 'info'],
    ['logfmt quoted', {}, 'lvl="dbg" msg=x', 'debug'],
    ['keyword at the start', {}, '2026-01-01 12:00:00 [main] WARN pool exhausted', 'warn'],
    ['first keyword wins', {}, 'ERROR while logging at info', 'error'],
    ['err: prefix', {}, 'err: connection refused', 'error'],
    ['words inside identifiers do not count', {}, 'errorsCount=0 informational_flag=1 terrain', 'unknown'],
    ['nothing', {}, 'GET /index.html 200', 'unknown'],
  ];
  for (const [name, labels, line, want] of cases) it(name, () => assert.equal(detectLevel(m(labels), line), want));

  it('normalizes to Loki\'s values', () => {
    assert.deepEqual(['TRACE', 'dbg', 'notice', 'WARNING', 'eror', 'CRITICAL', 'panic', 'weird'].map(normalizeLevel), ['trace', 'debug', 'info', 'warn', 'error', 'critical', 'fatal', undefined]);
  });
});

describe('which queries compute it', () => {
  it('only those that name detected_level, on every log query inside', () => {
    assert.equal(usesDetectedLevel('{app="x"} |= "error"'), false);
    const q = 'sum by (detected_level) (count_over_time({app="x"}[1m])) / on() group_left sum(count_over_time({app="y"}[1m]))';
    assert.equal(usesDetectedLevel(q), true);
    const expr = parseExpr(q);
    markDetectLevel(expr);
    const found: unknown[] = [];
    const walk = (n: unknown): void => {
      if (n && typeof n === 'object') {
        if ((n as { kind?: string }).kind === 'log') found.push((n as { detectLevel?: boolean }).detectLevel);
        else for (const v of Object.values(n)) walk(v);
      }
    };
    walk(expr);
    assert.deepEqual(found, [true, true]);
  });
});
