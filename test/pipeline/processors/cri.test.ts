// The cri parser: containerd/CRI-O log lines unwrapped (time with nanoseconds, stream, message), partial (`P`) lines
// joined per stream across batches, released by time (flush) or size, and malformed lines marked CRIParserErr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, buildError, ctx, ev, NOW_MS, one, run } from './parse-harness.ts';

const T = '2016-10-06T00:17:09.669794202Z';
const T_NS = 1475713029669794202n;

test('full lines: message, timestamp to the nanosecond, stream field', () => {
  const p = build('type: cri');
  const [a, b, c] = run(p, [`${T} stdout F GET /healthz 200`, `${T} stderr F panic: boom`, `${T} stdout F`]);
  assert.deepEqual([a.line, a.ts, a.fields.stream, a.error], ['GET /healthz 200', T_NS, 'stdout', undefined]);
  assert.deepEqual([b.line, b.fields.stream], ['panic: boom', 'stderr']);
  assert.equal(c.line, '');
  const kept = one(build('type: cri\nset_timestamp: false'), `${T} stdout F x`);
  assert.equal(kept.ts, 1n);
});

test('partial lines are joined per stream, across batches, with the first fragment\'s time', () => {
  const p = build('type: cri');
  const first = run(p, [
    `${T} stdout P {"msg":"a very `,
    '2016-10-06T00:17:09.700000000Z stderr F unrelated error line',
    '2016-10-06T00:17:09.800000000Z stdout P long ',
  ]);
  assert.deepEqual(first.map((e) => e.line), ['unrelated error line']);
  const second = run(p, ['2016-10-06T00:17:09.900000000Z stdout F line"}', `${T} stdout F next`]);
  assert.deepEqual(second.map((e) => [e.line, e.ts, e.fields.stream, e.fields.partial]), [
    ['{"msg":"a very long line"}', T_NS, 'stdout', undefined],
    ['next', T_NS, 'stdout', undefined],
  ]);
});

test('streams of different containers are not mixed', () => {
  const p = build('type: cri');
  const a = (line: string) => ev(line, {}, { pod: 'a' });
  const b = (line: string) => ev(line, {}, { pod: 'b' });
  const out = run(p, [a(`${T} stdout P a1-`), b(`${T} stdout P b1-`), b(`${T} stdout F b2`), a(`${T} stdout F a2`)]);
  assert.deepEqual(out.map((e) => [e.labels.pod, e.line]), [['b', 'b1-b2'], ['a', 'a1-a2']]);
});

test('held fragments are released after the timeout, or all at once on a final flush', () => {
  const p = build('type: cri\ntimeout: 5s');
  assert.deepEqual(run(p, [`${T} stdout P waiting for the rest`], NOW_MS), []);
  assert.deepEqual(p.flush!(ctx(NOW_MS + 4_000), false), []);
  const released = p.flush!(ctx(NOW_MS + 5_000), false);
  assert.deepEqual(released.map((e) => [e.line, e.fields.partial]), [['waiting for the rest', true]]);
  run(p, [`${T} stderr P a`, `${T} stdout P b`], NOW_MS);
  assert.deepEqual(p.flush!(ctx(NOW_MS), true).map((e) => e.line).sort(), ['a', 'b']);
  assert.deepEqual(p.flush!(ctx(NOW_MS + 60_000), true), []);
});

test('max_bytes releases an over-long line as it is', () => {
  const p = build('type: cri\nmax_bytes: 10');
  const out = run(p, [`${T} stdout P 123456`, `${T} stdout P 7890ab`, `${T} stdout F cd`]);
  assert.deepEqual(out.map((e) => [e.line, e.fields.partial]), [['1234567890ab', true], ['cd', undefined]]);
});

test('malformed lines are marked and kept', async (t) => {
  const p = build('type: cri');
  const cases: [string, string][] = [
    ['plain text', 'expected `<time> <stream> <tag> <message>`, found fewer than three fields'],
    [`${T} stdin F x`, 'expected stream stdout or stderr at offset 31, got "stdin"'],
    [`${T} stdout X x`, 'expected tag P or F at offset 38, got "X"'],
    ['yesterday stdout F x', 'expected an RFC 3339 time at offset 0, got "yesterday"'],
  ];
  for (const [line, details] of cases) {
    await t.test(line, () => {
      const e = one(p, line);
      assert.equal(e.error, 'CRIParserErr');
      assert.equal(e.errorDetails, details);
      assert.equal(e.line, line);
    });
  }
});

test('config errors', () => {
  assert.match(buildError('type: cri\ntimeout: soon'), /^test\.yaml:2: timeout: expected a duration like 500ms, 30s, 5m, 12h or 7d, got "soon"/);
  assert.match(buildError('type: cri\nmax_bytes: 0'), /^test\.yaml:2: max_bytes: expected a number between 1 and Infinity, got 0/);
});
