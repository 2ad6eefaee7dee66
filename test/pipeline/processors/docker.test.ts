// The docker parser: json-file driver lines unwrapped (log without its newline, time to the nanosecond, stream,
// attrs), lines Docker split at 16 KiB joined per stream, released by time, and malformed lines marked DockerParserErr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, ctx, NOW_MS, one, run } from './parse-harness.ts';

const entry = (log: string, stream = 'stdout', time = '2019-01-01T11:11:11.111111111Z', extra = ''): string =>
  `{"log":${JSON.stringify(log)},"stream":"${stream}"${extra},"time":"${time}"}`;

test('one entry: line, nanosecond time, stream and attrs', () => {
  const e = one(build('type: docker'), entry('GET /health 200\n', 'stdout', '2019-01-01T11:11:11.111111111Z', ',"attrs":{"tag":"web","__proto__":"x"}'));
  assert.equal(e.error, undefined);
  assert.equal(e.line, 'GET /health 200');
  assert.equal(e.ts, 1546341071111111111n);
  assert.deepEqual(e.fields, { stream: 'stdout', tag: 'web' });
  assert.equal(one(build('type: docker'), entry('windows line\r\n')).line, 'windows line');
});

test('entries without a trailing newline are joined with the next ones of the same stream', () => {
  const p = build('type: docker');
  const big = 'x'.repeat(16384);
  const out1 = run(p, [entry(big), entry('err\n', 'stderr'), entry(big, 'stdout', '2019-01-01T11:11:12Z')]);
  assert.deepEqual(out1.map((e) => e.line), ['err']);
  const out2 = run(p, [entry('tail\n', 'stdout', '2019-01-01T11:11:13Z')]);
  assert.equal(out2.length, 1);
  assert.equal(out2[0].line, big + big + 'tail');
  assert.equal(out2[0].ts, 1546341071111111111n, 'the first fragment\'s time');
  assert.equal(out2[0].fields.partial, undefined);
});

test('a fragment whose end never comes is released after the timeout', () => {
  const p = build('type: docker\ntimeout: 2s');
  assert.deepEqual(run(p, [entry('no newline')], NOW_MS), []);
  assert.deepEqual(p.flush!(ctx(NOW_MS + 1999), false), []);
  assert.deepEqual(p.flush!(ctx(NOW_MS + 2000), false).map((e) => [e.line, e.fields.partial]), [['no newline', true]]);
});

test('malformed entries are marked and kept', () => {
  const p = build('type: docker');
  const bad = one(p, '{"log":"x\\n","stream":"stdout"');
  assert.equal(bad.error, 'DockerParserErr');
  assert.equal(bad.errorDetails, "invalid JSON: expected ',' or '}' at offset 30 (end of input)");
  assert.equal(bad.line, '{"log":"x\\n","stream":"stdout"');
  const noLog = one(p, '{"message":"x"}');
  assert.equal(noLog.errorDetails, 'expected a JSON object with a string "log" member');
  const badTime = one(p, entry('ok\n', 'stdout', 'not a time'));
  assert.equal(badTime.error, 'DockerParserErr');
  assert.equal(badTime.errorDetails, 'invalid "time" "not a time"');
  assert.equal(badTime.line, 'ok');
});
