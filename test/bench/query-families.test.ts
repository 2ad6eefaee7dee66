// The query families' reference answers: the small readers they use (logfmt, pattern, quantile), and every family's
// expected answer over a hand-made corpus whose right answers are worked out by hand here, including window edges
// (left-open), "newest N" with a tie at the limit, line_format output, and the comparison of answers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CorpusManifest } from '../../src/bench/corpus.ts';
import { buildFamilies, compilePattern, familyTimes, labelKey, parseLogfmt, quantile, type LogAnswer, type SeriesAnswer } from '../../src/bench/query-families.ts';
import { computeAnswers, pickUserProbe, referenceAnswers } from '../../src/bench/query-family-reference.ts';
import { compareAnswers, logAnswerOf, seriesAnswerOf } from '../../src/bench/query-family-bench.ts';

test('logfmt: plain, quoted with escapes, bare keys; malformed lines are errors', () => {
  assert.deepEqual([...(parseLogfmt('ts=1 msg="cache \\"hit\\" now" bare duration_ms=12') ?? [])], [['ts', '1'], ['msg', 'cache "hit" now'], ['bare', ''], ['duration_ms', '12']]);
  assert.equal(parseLogfmt('a="unterminated')?.get('a'), undefined);
  assert.equal(parseLogfmt('a="unterminated'), undefined);
  assert.equal(parseLogfmt('=x'), undefined);
  assert.equal(parseLogfmt('a=1 a=2')?.get('a'), '1');
});

test('pattern: a capture runs to the first occurrence of the next literal; the last one to the end', () => {
  const nginx = compilePattern('<ip> - - [<_>] "<method> <path> <_>" <status> <_>');
  const m = nginx('94.43.87.100 - - [24/Nov/2026:18:15:06 +0000] "POST /api/v1/orders HTTP/2.0" 504 750 "-" "ua" rt=0.4');
  assert.deepEqual(m && Object.fromEntries(m), { ip: '94.43.87.100', method: 'POST', path: '/api/v1/orders', status: '504' });
  assert.equal(nginx('2026/11/24 17:46:33 [error] 33#32: upstream timed out'), undefined);
  assert.deepEqual(Object.fromEntries(compilePattern('<a>=<b>')('x=y=z') ?? []), { a: 'x', b: 'y=z' });
});

test('quantile is Prometheus\': rank φ·(n−1), linear interpolation', () => {
  assert.equal(quantile(0.5, [4, 1, 3, 2]), 2.5);
  assert.equal(quantile(0.99, Array.from({ length: 100 }, (_, i) => i + 1)), 99.01);
  assert.equal(quantile(0, [5, 7]), 5);
  assert.equal(quantile(1, [5, 7]), 7);
  assert.equal(quantile(0.9, [42]), 42);
});

// ---- a hand-made corpus -------------------------------------------------------------------------------------------

const H = 3600e6; // µs
const FIRST = 1_795_500_000_000_000; // µs
const LAST = FIRST + 5 * H;
const END = LAST + 1000; // familyTimes: T = lastTs + 1 ms (+ 1 ns)
const ns = (us: number): string => `${us}000`;
const NEEDLE = 'xylophone42quartz';

type Value = [string, string, Record<string, string>?];
const streams: { stream: Record<string, string>; values: Value[] }[] = [];
const add = (service: string, pod: string, level: string, values: [number, string, Record<string, string>?][]): void => {
  streams.push({ stream: { service, namespace: 'shop', pod, level }, values: values.map(([t, l, m]) => (m ? [ns(t), l, m] : [ns(t), l])) });
};

add('payment', 'pay-1', 'info', [
  [FIRST, '{"msg":"circuit breaker opened for provider acmepay"}'],
  [END - H, '{"msg":"card declined","decline_code":"fraudulent","duration_ms":100}'], // on the left edge of [1h]: out
  [END - H + 1, '{"msg":"charge captured","duration_ms":200}'],
  [END - 10, '{"msg":"charge captured","duration_ms":"300"}'],
  [END - 9, '{"msg":"provider timeout after 3 attempts","duration_ms":"soon"}'], // not a number: no sample
  [END - 8, `plain text ${NEEDLE} duration_ms`], // not JSON
]);
add('payment', 'pay-2', 'error', [
  [FIRST + 5, 'webhook signature verification failed'],
  [FIRST + 6, '{"msg":"boom","decline_code":"fraudulent"}'],
  [END, '{"msg":"charge failed: provider timeout","duration_ms":1000}'], // exactly at T's µs: in
]);
add('inventory', 'inv-1', 'info', [
  [FIRST + 10, 'ts=x level=info msg="slow query" duration_ms=1100'],
  [FIRST + 11, 'ts=x level=debug msg="cache hit"'],
  [FIRST + 12, 'ts=x duration_ms=1250 msg="insufficient stock"'],
  [FIRST + 13, 'ts=x duration_ms=1251'],
  [FIRST + 14, 'broken="unterminated duration_ms=1100'],
]);
// 101 more inventory lines: the two oldest share a timestamp, so "newest 100" cuts between equal times
add('inventory', 'inv-2', 'debug', Array.from({ length: 101 }, (_, i): [number, string] => [LAST - 200 + Math.max(1, i), `ts=y n=${i}`]));
add('api-gateway', 'gw-1', 'info', [
  [FIRST + 20, '1.2.3.4 - - [t] "POST /api/v1/orders HTTP/2.0" 504 10 "-" "ua" rt=5'],
  [FIRST + 21, '1.2.3.4 - - [t] "GET /wp-login.php HTTP/1.1" 504 10 "-" "ua"'],
  [FIRST + 22, '1.2.3.4 - - [t] "POST /api/v1/cart HTTP/2.0" 200 10 "-" "ua"'],
  [END - 6 * H + 1, '2026/11/24 17:46:33 [error] 33#32: *1 upstream timed out (110: Connection timed out)'],
  [END - 100, '5.6.7.8 - - [t] "GET /wp-admin/x HTTP/1.1" 404 1 "-" "ua"'],
]);
add('order', 'ord-1', 'warn', [
  [FIRST + 30, '{"msg":"order rejected","sku":"SKU-123"}', { user_id: 'u_probe' }],
  [FIRST + 31, '{"msg":"order rejected","sku":"SKU-999"}'],
]);
add('order', 'ord-1', 'info', [
  [END - H, 'edge: out of the last hour'],
  [END - H + 1, 'in the last hour, first'],
  [END - 1, 'in the last hour, timeout'],
]);
add('order', 'ord-2', 'error', [[FIRST + 40, 'boom']]);
add('auth', 'auth-1', 'info', [[FIRST + 50, '{"msg":"login","user_id":"u_probe"}', { user_id: 'u_probe' }]]);
add('notify', 'not-1', 'info', [[LAST, `sent ${NEEDLE}`]]);

function writeCorpusDir(): { dir: string; m: CorpusManifest } {
  const dir = mkdtempSync(join(tmpdir(), 'families-test-'));
  const text = JSON.stringify({ streams });
  writeFileSync(join(dir, 'body-000000.json'), text);
  const lines = streams.reduce((a, s) => a + s.values.length, 0);
  const m = {
    format: 3, lines, seed: 1, needle: NEEDLE, needleCount: 2, needleLines: [], traceProbe: { traceId: '', lines: 0, services: [] },
    firstTs: ns(FIRST), lastTs: ns(LAST), rawBytes: 0, bodyBytes: text.length, streams: streams.length, services: [],
    bodies: [{ file: 'body-000000.json', lines, bytes: text.length }], createdAt: '2026-11-25T00:00:00.000Z', generationMs: 0,
  } satisfies CorpusManifest;
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
  return { dir, m };
}

const { dir, m } = writeCorpusDir();
test.after(() => rmSync(dir, { recursive: true, force: true }));

const probe = pickUserProbe(dir, m);
const families = buildFamilies({ manifest: m, userProbe: probe });
const answers = computeAnswers(dir, m, families);
const log = (name: string): LogAnswer => answers[name] as LogAnswer;
const series = (name: string): Record<string, number> => (answers[name] as SeriesAnswer).series;

test('times: instant at lastTs + 1 ms + 1 ns, so windows never start or end on a corpus line', () => {
  const t = familyTimes(m);
  assert.equal(t.endUs, END);
  assert.equal(t.instantNs, `${END}001`);
  assert.equal(t.rangeStartNs, `${FIRST}001`);
  assert.equal(t.logStartNs, ns(FIRST - 1_000_000));
  assert.equal(probe, 'u_probe');
});

test('log families: matches counted by hand, the newest of them kept', () => {
  assert.equal(log('line_contains').count, 1);
  assert.equal(log('line_contains').oldestUs, FIRST);
  assert.equal(log('line_not_contains').count, 1); // of pay-2's three error lines only "boom" has neither word
  assert.equal(log('line_regex').count, 2); // wp-login and wp-admin
  assert.equal(log('line_or').count, 2); // circuit breaker opened, insufficient stock
  assert.equal(log('json_filter').count, 2); // the fraudulent declines; the plain-text line is a JSON error
  assert.equal(log('logfmt_filter').count, 2); // 1100 and 1250: 1251 is out, the unterminated line is an error, cache hit has none
  assert.equal(log('pattern').count, 1); // POST … 504; GET 504 and POST 200 are out, the error-log line does not match
  assert.equal(log('needle_regex_all').count, 2);
  assert.equal(log('user_all').count, 1); // the auth line holds it in its text; the order line only in metadata
  assert.equal(log('regex_matcher').count, 3); // pay-2's error lines; auth and pay-1 log at info
});

test('line_format: the answer is the new lines, filtered after formatting', () => {
  const a = log('line_format');
  assert.equal(a.count, 1);
  const out = 'ord-1 WARN {"msg":"order rejected","sku":"SKU-123"}';
  assert.equal(a.bytes, Buffer.byteLength(out));
  assert.equal(a.oldestUs, FIRST + 30);
});

test('newest 100 of 106 inventory lines: the cut falls between equal timestamps and is flagged', () => {
  const a = log('label_matcher');
  assert.equal(a.count, 100);
  assert.equal(a.matching, 106);
  assert.equal(a.oldestUs, LAST - 199);
  assert.equal(a.tieAtLimit, true);
});

test('metric families: left-open windows, rates, topk, quantile over parsed samples, ratio, absent', () => {
  assert.deepEqual(series('count_by_pod'), { [labelKey({ pod: 'ord-1' })]: 5, [labelKey({ pod: 'ord-2' })]: 1 });
  // timeouts in (T − 10 min, T]: order "…, timeout" at END − 1, payment at END − 9 and END
  assert.deepEqual(series('rate_sum_by'), { [labelKey({ service: 'order' })]: 1 / 600, [labelKey({ service: 'payment' })]: 2 / 600 });
  assert.deepEqual(series('topk'), { [labelKey({ pod: 'pay-2' })]: 3, [labelKey({ pod: 'ord-2' })]: 1 });
  // samples in (T − 1h, T]: pay-1 200 and "300" ("soon" and the text line give none); pay-2 1000
  const q = series('quantile_unwrap');
  assert.deepEqual(Object.keys(q).sort(), [labelKey({ pod: 'pay-1' }), labelKey({ pod: 'pay-2' })]);
  assert.ok(Math.abs(q[labelKey({ pod: 'pay-1' })] - 299) < 1e-9);
  assert.equal(q[labelKey({ pod: 'pay-2' })], 1000);
  // api-gateway in (T − 6h, T]: the whole day is 5 h long, so 5 lines, 1 upstream timeout
  assert.deepEqual(series('binary_ratio'), { '': 1 / 5 });
  // the payment needle line is in the last hour: not absent
  assert.deepEqual(series('absent_over_time'), {});
  assert.deepEqual(series('instant_by_level'), { [labelKey({ level: 'info' })]: 2 });
});

test('range family: each line in the one 1 h step window that holds it', () => {
  const s = series('range_by_level');
  // windows (S + (k−1)h, S + k·h] with S = FIRST + 1 ns: FIRST is in k = 0, FIRST + 30 µs in k = 1
  assert.equal(s[`${labelKey({ level: 'warn' })}@1`], 2);
  assert.equal(s[`${labelKey({ level: 'error' })}@1`], 1);
  // the last step is S + 5h = LAST + 1 ns (S + 6h is past T): END − H = S + 4h + 1 ms − 1 ns and END − H + 1 µs are in
  // k = 5; END − 1 µs = LAST + 999 µs comes after the last step and is in no window
  assert.deepEqual(Object.entries(s).filter(([k]) => k.startsWith(labelKey({ level: 'info' }))), [[`${labelKey({ level: 'info' })}@5`, 2]]);
  assert.equal(Object.keys(s).every((k) => /@[0-5]$/.test(k)), true);
});

test('answers are cached beside the corpus and recomputed when a query changes', () => {
  const first = referenceAnswers(dir, m, families, () => undefined);
  assert.equal(first.cached, false);
  const again = referenceAnswers(dir, m, families, () => undefined);
  assert.equal(again.cached, true);
  assert.deepEqual(again.answers, JSON.parse(JSON.stringify(first.answers)));
  const changed = families.map((f) => (f.name === 'topk' ? { ...f, query: f.query.replace('topk(5', 'topk(4') } : f));
  assert.equal(referenceAnswers(dir, m, changed, () => undefined).cached, false);
});

test('a Loki answer is read into the same shape and compared', () => {
  const streamsDoc = { data: { result: [{ stream: { a: '1' }, values: [[ns(FIRST + 2), 'ab'], [ns(FIRST + 1), 'c']] as [unknown, unknown][] }] } };
  const got = logAnswerOf(streamsDoc);
  assert.deepEqual(got, { kind: 'log', count: 2, oldestUs: FIRST + 1, tsDigest: ((FIRST + 2) % 1_000_003) + ((FIRST + 1) % 1_000_003), bytes: 3 });
  assert.equal(compareAnswers(got, { ...got, tieAtLimit: false }), undefined);
  assert.match(compareAnswers(got, { ...got, count: 3 }) ?? '', /2 lines, expected 3/);
  assert.match(compareAnswers(got, { ...got, bytes: 4 }) ?? '', /3 bytes of lines, expected 4/);
  assert.equal(compareAnswers({ ...got, bytes: 4 }, { ...got, tieAtLimit: true }), undefined);

  const vector = seriesAnswerOf({ data: { result: [{ metric: { pod: 'p' }, value: [1, '0.30000000000000004'] }] } });
  assert.equal(compareAnswers(vector, { kind: 'series', series: { [labelKey({ pod: 'p' })]: 0.3 } }), undefined);
  assert.match(compareAnswers(vector, { kind: 'series', series: { [labelKey({ pod: 'q' })]: 0.3 } }) ?? '', /series/);
  const matrix = seriesAnswerOf({ data: { result: [{ metric: {}, values: [[100.000001, '1'], [3700.000001, '2']] }] } }, { startS: 100, stepS: 3600 });
  assert.deepEqual(matrix.series, { '@0': 1, '@1': 2 });
});
