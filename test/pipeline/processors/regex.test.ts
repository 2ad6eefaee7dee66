// The regex parser: RE2 named groups (Go's (?P<name>…) syntax) checked against Loghub's own structured parse of
// HDFS_2k.log, pattern lists, no-match marking (RegexpParserErr), RE2 config errors and linear time on ReDoS input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, buildError, loghubLines, loghubStructuredLines, one, run } from './parse-harness.ts';

test('every HDFS line parses into the fields Loghub lists for it', () => {
  const p = build(String.raw`type: regex
pattern: '^(?P<date>\d{6}) (?P<time>\d{6}) (?P<pid>\d+) (?P<level>[A-Z]+) (?P<component>[\w.$]+): (?P<content>.*)$'`);
  const lines = loghubLines('HDFS');
  const out = run(p, lines);
  const expected = run(build('type: csv\nheader: read'), loghubStructuredLines('HDFS'));
  assert.equal(out.length, 2000);
  assert.equal(expected.length, 2000);
  for (let i = 0; i < out.length; i++) {
    const got = out[i].fields;
    const want = expected[i].fields;
    assert.equal(out[i].error, undefined, lines[i]);
    assert.deepEqual([got.date, got.time, got.pid, got.level, got.component, got.content], [want.Date, want.Time, want.Pid, want.Level, want.Component, want.Content], lines[i]);
  }
  // HDFS_2k.log line 1
  assert.deepEqual(out[0].fields, { date: '081109', time: '203615', pid: '148', level: 'INFO', component: 'dfs.DataNode$PacketResponder', content: 'PacketResponder 1 for block blk_38865049064139660 terminating' });
});

test('patterns are tried in order; groups that did not take part are left out; unnamed groups are not fields', () => {
  const p = build(String.raw`type: regex
prefix: r_
patterns:
  - '^(?P<verb>GET|POST) (?P<path>\S+)(?: (?P<proto>HTTP/[\d.]+))?$'
  - '^(?<word>\w+)(\s+)(?P<rest>.*)$'`);
  const [a, b, c] = run(p, ['GET /index.html', 'hello there world', '!!!']);
  assert.deepEqual(a.fields, { r_verb: 'GET', r_path: '/index.html' });
  assert.deepEqual(b.fields, { r_word: 'hello', r_rest: 'there world' });
  assert.equal(c.error, 'RegexpParserErr');
  assert.equal(c.errorDetails, 'none of the 2 patterns matched');
  const single = one(build("type: regex\npattern: '^(?P<n>\\d+)$'"), 'abc');
  assert.equal(single.errorDetails, 'the pattern did not match');
});

test('source field and keep_source: false', () => {
  const p = build("type: regex\nsource: path\nkeep_source: false\npattern: '^/users/(?P<user_id>\\d+)'");
  const e = one(p, { tenant: 't', ts: 1n, line: 'x', labels: {}, fields: { path: '/users/42/orders' } });
  assert.deepEqual(e.fields, { user_id: '42' });
});

test('matching is linear: a pattern that backtracks catastrophically elsewhere returns at once', () => {
  const p = build("type: regex\npattern: '^(?P<x>(a+)+)$'");
  const line = 'a'.repeat(50_000) + 'b';
  const started = performance.now();
  const e = one(p, line);
  assert.equal(e.error, 'RegexpParserErr');
  assert.ok(performance.now() - started < 5000, 'RE2 takes linear time');
});

test('RE2 syntax errors fail the config at the pattern', () => {
  assert.match(buildError("type: regex\npattern: '(?P<x>[a-'"), /^test\.yaml:2: pattern: invalid regular expression: error parsing regexp: missing closing \]/);
  assert.match(buildError("type: regex\npattern: '(?P<x>a)(?=b)'"), /^test\.yaml:2: pattern: invalid regular expression: .*(?:invalid|unsupported)/);
  assert.match(buildError("type: regex\npattern: '^\\d+$'"), /^test\.yaml:2: pattern: expected at least one named group/);
  assert.match(buildError('type: regex'), /^test\.yaml:1: pattern: is required \(expected a pattern, or `patterns` with a list\)/);
  assert.match(buildError("type: regex\npattern: '(?P<a>x)'\npatterns: ['(?P<a>y)']"), /^test\.yaml:3: patterns: expected either `pattern` or `patterns`, not both/);
  assert.match(buildError("type: regex\npatterns:\n  - '(?P<a>x)'\n  - '(?P<a>'"), /^test\.yaml:4: patterns\[1\]: invalid regular expression/);
});
