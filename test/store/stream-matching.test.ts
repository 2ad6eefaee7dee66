// Table-driven tests of label matchers with Loki's semantics: = and != compare strings, =~ and !~ are RE2 regexes
// anchored at both ends, and a label the stream lacks is matched as the empty string.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileMatchers, labelsMatch } from '../../src/store/stream-matching.ts';
import type { Matcher } from '../../src/query/ast.ts';
import type { Labels } from '../../src/model/record.ts';

const m = (name: string, op: Matcher['op'], value: string): Matcher => ({ name, op, value });
const STREAM: Labels = { app: 'api-gateway', env: 'prod', level: 'error', region: 'eu-west-1', path: '/v1/users' };

test('single matchers against one stream', async (t) => {
  const cases: [Matcher, boolean][] = [
    [m('app', '=', 'api-gateway'), true],
    [m('app', '=', 'api'), false],
    [m('app', '=', 'API-GATEWAY'), false],
    [m('app', '!=', 'api'), true],
    [m('app', '!=', 'api-gateway'), false],
    // regexes are anchored: a partial match is no match
    [m('app', '=~', 'api'), false],
    [m('app', '=~', 'api.*'), true],
    [m('app', '=~', '.*gateway'), true],
    [m('app', '=~', 'gate'), false],
    [m('app', '=~', '.*gate.*'), true],
    [m('app', '=~', 'api-gateway'), true],
    [m('app', '=~', 'web|api-gateway'), true],
    [m('app', '=~', 'web|api'), false], // alternation is grouped before anchoring
    [m('app', '=~', '(?i)API-Gateway'), true],
    [m('app', '=~', 'api-gatewa[xy]'), true],
    [m('region', '=~', 'eu-.+-\\d'), true],
    [m('region', '=~', 'us-.*'), false],
    [m('path', '=~', '/v1/.*'), true],
    [m('app', '!~', 'api'), true],
    [m('app', '!~', 'api.*'), false],
    [m('app', '!~', 'web|api-gateway'), false],
    [m('level', '!~', 'debug|info'), true],
    // a missing label is the empty string
    [m('team', '=', ''), true],
    [m('team', '!=', ''), false],
    [m('team', '=', 'core'), false],
    [m('team', '!=', 'core'), true],
    [m('team', '=~', '.*'), true],
    [m('team', '=~', '.+'), false],
    [m('team', '=~', ''), true],
    [m('team', '!~', '.+'), true],
    [m('team', '!~', '.*'), false],
    [m('team', '=~', 'core|'), true],
    // present labels are not empty
    [m('env', '=', ''), false],
    [m('env', '!=', ''), true],
    [m('env', '=~', '.+'), true],
  ];
  for (const [matcher, expected] of cases) {
    await t.test(`${matcher.name}${matcher.op}${JSON.stringify(matcher.value)}`, () => {
      assert.equal(labelsMatch(compileMatchers([matcher]), STREAM), expected);
    });
  }
});

test('all matchers must hold', () => {
  const yes = [m('app', '=', 'api-gateway'), m('env', '!=', 'dev'), m('level', '=~', 'warn|error'), m('region', '!~', 'us-.*')];
  assert.equal(labelsMatch(compileMatchers(yes), STREAM), true);
  for (let i = 0; i < yes.length; i++) {
    const broken = yes.map((x, j) => (j === i ? { ...x, op: (x.op === '=' ? '!=' : x.op === '!=' ? '=' : x.op === '=~' ? '!~' : '=~') as Matcher['op'] } : x));
    assert.equal(labelsMatch(compileMatchers(broken), STREAM), false, `negating matcher ${i}`);
  }
});

test('no matchers match every stream, including one without labels', () => {
  assert.equal(labelsMatch(compileMatchers([]), STREAM), true);
  assert.equal(labelsMatch(compileMatchers([]), {}), true);
});

test('a stream without labels matches only matchers satisfied by ""', () => {
  assert.equal(labelsMatch(compileMatchers([m('app', '=', '')]), {}), true);
  assert.equal(labelsMatch(compileMatchers([m('app', '=~', 'a*')]), {}), true);
  assert.equal(labelsMatch(compileMatchers([m('app', '=~', 'a+')]), {}), false);
});

test('values with regex metacharacters compare literally under = and !=', () => {
  const labels = { q: 'a.b*c', r: '(x)' };
  assert.equal(labelsMatch(compileMatchers([m('q', '=', 'a.b*c')]), labels), true);
  assert.equal(labelsMatch(compileMatchers([m('q', '=', 'aXbbc')]), labels), false);
  assert.equal(labelsMatch(compileMatchers([m('r', '=~', '\\(x\\)')]), labels), true);
  assert.equal(labelsMatch(compileMatchers([m('r', '=~', '(x)')]), labels), false);
});

test('non-ASCII values match under regexes', () => {
  const labels = { city: 'Zürich', emoji: '🚀' };
  assert.equal(labelsMatch(compileMatchers([m('city', '=~', 'Z.rich')]), labels), true);
  assert.equal(labelsMatch(compileMatchers([m('emoji', '=~', '.')]), labels), true);
});

test('compiled matchers can be reused across streams', () => {
  const compiled = compileMatchers([m('env', '=~', 'prod|staging'), m('app', '!=', 'db')]);
  const streams: [Labels, boolean][] = [
    [{ env: 'prod', app: 'api' }, true],
    [{ env: 'staging', app: 'web' }, true],
    [{ env: 'prod', app: 'db' }, false],
    [{ env: 'dev', app: 'api' }, false],
    [{ app: 'api' }, false],
    [{ env: 'production', app: 'api' }, false],
  ];
  assert.deepEqual(streams.map(([l]) => labelsMatch(compiled, l)), streams.map(([, e]) => e));
});

test('an invalid regex is refused when compiling', () => {
  for (const bad of ['(unclosed', '[a-', '*x', 'a{2,1}', '(?P<n>x']) {
    assert.throws(() => compileMatchers([m('app', '=~', bad)]), { message: /^error parsing regexp: / }, bad);
    assert.throws(() => compileMatchers([m('app', '!~', bad)]), { message: /^error parsing regexp: / }, bad);
  }
});

test('RE2 refuses backreferences and lookarounds', () => {
  for (const bad of ['(a)\\1', 'a(?=b)', '(?!x)y']) {
    assert.throws(() => compileMatchers([m('app', '=~', bad)]), { message: /^error parsing regexp: / }, bad);
  }
});
