// The multiline joiner: Java stack traces and Python tracebacks (presets), start-pattern mode, per-stream grouping,
// the timeout flush, max_lines/max_bytes caps, and config errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, buildError, ctx, ev, NOW_MS, run } from './parse-harness.ts';

const JAVA = [
  '2024-01-15 12:00:01,123 ERROR [main] com.example.App - Request failed',
  'java.lang.IllegalStateException: order 42 not found',
  '\tat com.example.OrderService.find(OrderService.java:57)',
  '\tat com.example.App.main(App.java:12)',
  'Caused by: java.sql.SQLException: connection reset',
  '\tat org.postgresql.Driver.connect(Driver.java:280)',
  '\t... 2 more',
  '2024-01-15 12:00:02,000 INFO  [main] com.example.App - Next request',
];

test('preset java: a stack trace joins its log line; the event is released when the next one starts', () => {
  const p = build('type: multiline\npreset: java');
  const out = run(p, JAVA);
  assert.equal(out.length, 1);
  assert.equal(out[0].line, JAVA.slice(0, 7).join('\n'));
  const rest = p.flush!(ctx(), true);
  assert.deepEqual(rest.map((e) => e.line), [JAVA[7]]);
});

test('start_pattern: lines that do not start a record are appended to the open one', () => {
  const p = build("type: multiline\nstart_pattern: '^\\d{4}-\\d{2}-\\d{2} '\nseparator: ' | '");
  const out = [...run(p, JAVA), ...p.flush!(ctx(), true)];
  assert.deepEqual(out.map((e) => e.line), [JAVA.slice(0, 7).join(' | '), JAVA[7]]);
});

test('preset python: a traceback with a chained exception', () => {
  const lines = [
    'ERROR:root:payment failed',
    'Traceback (most recent call last):',
    '  File "/app/pay.py", line 10, in charge',
    '    1 / 0',
    'ZeroDivisionError: division by zero',
    '',
    'During handling of the above exception, another exception occurred:',
    '',
    'Traceback (most recent call last):',
    '  File "/app/pay.py", line 12, in charge',
    'RuntimeError: charge failed',
    'INFO:root:next',
  ];
  const p = build('type: multiline\npreset: python');
  const out = [...run(p, lines), ...p.flush!(ctx(), true)];
  assert.deepEqual(out.map((e) => e.line), [lines.slice(0, 11).join('\n'), 'INFO:root:next']);
});

test('preset go: a panic with its goroutine dump', () => {
  const lines = ['panic: runtime error: index out of range [3] with length 3', '', 'goroutine 1 [running]:', 'main.main()', '\t/app/main.go:8 +0x1d', 'exit status 2', 'next line'];
  const p = build('type: multiline\npreset: go');
  const out = [...run(p, lines), ...p.flush!(ctx(), true)];
  assert.deepEqual(out.map((e) => e.line), [lines.slice(0, 6).join('\n'), 'next line']);
});

test('streams are joined separately: labels, and the stdout/stderr field', () => {
  const p = build('type: multiline\npreset: java');
  const a = (line: string) => ev(line, {}, { pod: 'a' });
  const b = (line: string) => ev(line, {}, { pod: 'b' });
  const err = (line: string) => ev(line, { stream: 'stderr' }, { pod: 'a' });
  const out = [...run(p, [a('A1'), b('B1'), a('\tat A.x(A.java:1)'), err('E1'), b('\tat B.y(B.java:2)'), err('\tat E.z(E.java:3)'), a('A2')]), ...p.flush!(ctx(), true)];
  assert.deepEqual(out.map((e) => e.line).sort(), ['A1\n\tat A.x(A.java:1)', 'A2', 'B1\n\tat B.y(B.java:2)', 'E1\n\tat E.z(E.java:3)']);
});

test('the open event is released once nothing followed for `timeout`', () => {
  const p = build('type: multiline\npreset: java\ntimeout: 2s');
  assert.deepEqual(run(p, [JAVA[0], JAVA[1]], NOW_MS), []);
  assert.deepEqual(run(p, [JAVA[2]], NOW_MS + 1500), []);
  assert.deepEqual(p.flush!(ctx(NOW_MS + 3000), false), [], 'the last line came 1.5 s ago');
  const out = p.flush!(ctx(NOW_MS + 3500), false);
  assert.deepEqual(out.map((e) => e.line), [JAVA.slice(0, 3).join('\n')]);
});

test('max_lines and max_bytes cap a joined event; the rest opens a new one', () => {
  const p = build('type: multiline\npreset: java\nmax_lines: 3');
  const out = [...run(p, JAVA.slice(0, 7)), ...p.flush!(ctx(), true)];
  assert.deepEqual(out.map((e) => e.line.split('\n').length), [3, 3, 1]);
  const q = build("type: multiline\ncontinuation_pattern: '^ '\nmax_bytes: 10");
  const out2 = [...run(q, ['12345', ' 6789', ' abcdef']), ...q.flush!(ctx(), true)];
  assert.deepEqual(out2.map((e) => e.line), ['12345\n 6789', ' abcdef']);
});

test('config errors', () => {
  assert.match(buildError('type: multiline'), /^test\.yaml:1: expected exactly one of start_pattern, continuation_pattern or preset/);
  assert.match(buildError("type: multiline\nstart_pattern: 'a'\npreset: java"), /^test\.yaml:3: preset: expected exactly one of/);
  assert.match(buildError('type: multiline\npreset: ruby'), /^test\.yaml:2: preset: expected one of java, python, go, got "ruby"/);
  assert.match(buildError("type: multiline\ncontinuation_pattern: '(?<=x)'"), /^test\.yaml:2: continuation_pattern: invalid regular expression/);
});
