// Conformance of LogQL metric queries through the real HTTP API over a fixed dataset: unwrapped range aggregations
// (with conversions, post-unwrap filters, by/without), rate_counter, absent_over_time, label_replace and
// group_left/group_right. Expected values come from a small reference evaluator over the same JS data (not from the
// engine), from numbers worked out by hand in comments, or from Loki's own documentation and engine tests.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, push, withServer, type PushStream } from '../integration/harness.ts';

// Every entry lives at B + s seconds; B is a whole minute half an hour ago (inside the ingest age limits).
const B = BigInt(Math.floor((Date.now() - 30 * 60_000) / 60_000) * 60_000) * 1_000_000n;
const at = (s: number): bigint => B + BigInt(Math.round(s * 1000)) * 1_000_000n;

// ---- the dataset, as plain data the reference evaluator reads directly --------------------------------------------

/** ingress-nginx access logs (JSON), two pods. Docs example: p99 of request_time by path. */
const NGINX = [
  { s: 3, pod: 'nginx-a', path: '/api', rt: 0.25 },
  { s: 8, pod: 'nginx-b', path: '/api', rt: 0.5 },
  { s: 13, pod: 'nginx-a', path: '/login', rt: 1.5 },
  { s: 18, pod: 'nginx-b', path: '/api', rt: 2 },
  { s: 23, pod: 'nginx-a', path: '/api', rt: 0.125 },
  { s: 28, pod: 'nginx-b', path: '/login', rt: 3 },
  { s: 33, pod: 'nginx-a', path: '/api', rt: 4 },
  { s: 38, pod: 'nginx-b', path: '/health', rt: 0.001 },
  { s: 43, pod: 'nginx-a', path: '/api', rt: 1 },
  { s: 48, pod: 'nginx-b', path: '/login', rt: 0.75 },
  { s: 53, pod: 'nginx-a', path: '/api', rt: 8 },
  { s: 58, pod: 'nginx-b', path: '/api', rt: 0.5 },
];
/** Lines that must not contribute: a non-JSON line (JSONParserErr, and no request_time) and one without request_time. */
const NGINX_NOISE = [
  { s: 30, pod: 'nginx-a', line: 'upstream prematurely closed connection' },
  { s: 31, pod: 'nginx-b', line: JSON.stringify({ path: '/api', status: 499 }) },
];

/** loki-dev query logs (logfmt). Docs example: bytes processed per org_id, only `metrics.go` lines. */
const LOKI_DEV = [
  { s: 5, pod: 'querier-1', caller: 'metrics.go:81', org: '29', bytes: 1000 },
  { s: 12, pod: 'querier-2', caller: 'metrics.go:81', org: '29', bytes: 2500 },
  { s: 20, pod: 'querier-1', caller: 'engine.go:120', org: '29', bytes: 99999 },
  { s: 27, pod: 'querier-1', caller: 'metrics.go:81', org: '17', bytes: 300 },
  { s: 35, pod: 'querier-2', caller: 'metrics.go:81', org: '17', bytes: 700 },
  { s: 44, pod: 'querier-2', caller: 'metrics.go:81', org: '29', bytes: 4000 },
  { s: 51, pod: 'querier-1', caller: 'metrics.go:81', org: '42', bytes: 64 },
  { s: 75, pod: 'querier-1', caller: 'metrics.go:81', org: '29', bytes: 123 },
];

/** A counter printed by a service every 10 s; it resets between s=30 and s=40. */
const COUNTER = [
  { s: 10, requests: 10 },
  { s: 20, requests: 20 },
  { s: 30, requests: 30 },
  { s: 40, requests: 5 },
  { s: 50, requests: 15 },
];

/** A worker logging durations and sizes in human units, with values that do not convert. */
const WORKER = [
  { s: 6, took: '1.5s', size: '2KiB' }, // 1.5 s, 2048 B
  { s: 16, took: '250ms', size: '1.5kB' }, // 0.25 s, 1500 B
  { s: 26, took: '2m', size: '3 MB' }, // 120 s, 3e6 B
  { s: 36, took: 'soon', size: '1GiB' }, // not a duration, 2^30 B
  { s: 46, took: '1h1m1s', size: 'lots' }, // 3661 s, not a size
];
const WORKER_IDLE = { s: 56, line: 'msg=idle' }; // neither label: no sample, no error

/** Many samples (one every 20 ms over two minutes), so long ranges keep thousands of samples per window. */
const BULK = Array.from({ length: 6000 }, (_, i) => ({ s: (i + 1) * 0.02, shard: `s${i % 3}`, v: (i * 37) % 101 }));

function logfmtValue(v: string): string {
  return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
}

function dataset(): PushStream[] {
  const streams = new Map<string, PushStream>();
  const add = (labels: Record<string, string>, s: number, line: string): void => {
    const key = JSON.stringify(labels);
    let st = streams.get(key);
    if (!st) streams.set(key, (st = { stream: labels, values: [] }));
    st.values.push([String(at(s)), line]);
  };
  for (const e of NGINX) add({ cluster: 'ops-tools1', container: 'ingress-nginx', pod: e.pod }, e.s, JSON.stringify({ path: e.path, request_time: e.rt, status: 200 }));
  for (const e of NGINX_NOISE) add({ cluster: 'ops-tools1', container: 'ingress-nginx', pod: e.pod }, e.s, e.line);
  LOKI_DEV.forEach((e, i) => {
    const ts = new Date(Number(at(e.s) / 1_000_000n)).toISOString();
    add({ cluster: 'ops-tools1', container: 'loki-dev', pod: e.pod }, e.s, `level=info ts=${ts} caller=${e.caller} org_id=${e.org} traceID=t${i} bytes_processed=${e.bytes} latency=fast`);
  });
  for (const e of BULK) add({ app: 'bulk', shard: e.shard }, e.s, `v=${e.v}`);
  for (const e of COUNTER) add({ app: 'counter' }, e.s, `level=info requests=${e.requests}`);
  for (const e of WORKER) add({ app: 'worker', env: 'prod' }, e.s, `took=${logfmtValue(e.took)} size=${logfmtValue(e.size)}`);
  add({ app: 'worker', env: 'prod' }, WORKER_IDLE.s, WORKER_IDLE.line);
  // Loki's engine test data (pkg/logql/engine_test.go, offset(46, incValue(1))): at second t the value is t+1
  for (let t = 46; t <= 60; t++) add({ app: 'foo' }, t, `foo=${t + 1}`);
  for (const st of streams.values()) st.values.sort((a, b) => (BigInt(a[0] as string) < BigInt(b[0] as string) ? -1 : 1));
  return [...streams.values()];
}

// ---- a tiny reference evaluator ------------------------------------------------------------------------------------

/** Entries in the window (end - range, end], seconds relative to B. */
function inWindow<T extends { s: number }>(entries: T[], end: number, range: number): T[] {
  return entries.filter((e) => e.s > end - range && e.s <= end);
}

function groupValues<T>(entries: T[], key: (e: T) => string, value: (e: T) => number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const e of entries) {
    const k = key(e);
    if (!out.has(k)) out.set(k, []);
    out.get(k)!.push(value(e));
  }
  return out;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const mean = (xs: number[]): number => sum(xs) / xs.length;
/** Two-pass population variance. */
const variance = (xs: number[]): number => mean(xs.map((x) => (x - mean(xs)) ** 2));
/** Prometheus' quantile (promql/quantile.go): rank φ·(n-1) between the sorted neighbours. */
function quantile(phi: number, xs: number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  const rank = phi * (v.length - 1);
  const lo = Math.max(0, Math.floor(rank));
  const hi = Math.min(v.length - 1, lo + 1);
  const w = rank - Math.floor(rank);
  return v[lo]! * (1 - w) + v[hi]! * w;
}

function mapValues(m: Map<string, number[]>, f: (xs: number[]) => number): Record<string, number> {
  return Object.fromEntries([...m].map(([k, xs]) => [k, f(xs)]));
}

// ---- talking to the server -----------------------------------------------------------------------------------------

type Metric = Record<string, string>;

/** `{a="1", b="2"}` → `a=1,b=2` (sorted), the key results are compared by. */
function key(metric: Metric): string {
  return Object.keys(metric)
    .sort()
    .map((k) => `${k}=${metric[k]}`)
    .join(',');
}

/** Loki's sample text: Go float text, with +Inf / -Inf / NaN. */
function num(text: string): number {
  return text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
}

interface Api {
  instant(query: string, atS: number): Promise<Record<string, number>>;
  range(query: string, startS: number, endS: number, stepS: number): Promise<Record<string, Record<number, number>>>;
  fails(query: string, atS: number): Promise<string>;
}

function api(url: string): Api {
  const run = async (path: string, params: Record<string, string>): Promise<{ status: number; body: any }> =>
    getJson(url, `${path}?${new URLSearchParams(params)}`);
  return {
    async instant(query, atS) {
      const r = await run('/loki/api/v1/query', { query, time: String(at(atS)) });
      assert.equal(r.status, 200, `${query}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.data.resultType, 'vector', query);
      const out: Record<string, number> = {};
      for (const s of r.body.data.result as { metric: Metric; value: [number, string] }[]) {
        assert.equal(out[key(s.metric)], undefined, `${query}: duplicate series ${key(s.metric)}`);
        out[key(s.metric)] = num(s.value[1]);
      }
      return out;
    },
    async range(query, startS, endS, stepS) {
      const r = await run('/loki/api/v1/query_range', { query, start: String(at(startS)), end: String(at(endS)), step: `${stepS}s` });
      assert.equal(r.status, 200, `${query}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.data.resultType, 'matrix', query);
      const out: Record<string, Record<number, number>> = {};
      for (const s of r.body.data.result as { metric: Metric; values: [number, string][] }[]) {
        out[key(s.metric)] = Object.fromEntries(s.values.map(([t, v]) => [Math.round(t - Number(B / 1_000_000n) / 1000), num(v)]));
      }
      return out;
    },
    async fails(query, atS) {
      const r = await run('/loki/api/v1/query', { query, time: String(at(atS)) });
      assert.equal(r.status, 400, `${query} should fail: ${JSON.stringify(r.body)}`);
      return r.body.message as string;
    },
  };
}

/** For results whose float rounding depends on the evaluation order (Loki's incremental mean, Welford, sqrt). */
function assertClose(actual: Record<string, number>, expected: Record<string, number>, message: string): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), message);
  for (const k of Object.keys(expected)) {
    const a = actual[k]!;
    const e = expected[k]!;
    assert.ok(Math.abs(a - e) <= 1e-12 * Math.max(1, Math.abs(e)), `${message}: ${k} = ${a}, expected ${e}`);
  }
}

// ---- the cases -----------------------------------------------------------------------------------------------------

test('metric conformance over a fixed dataset', async (t) => {
  await withServer({}, async (s) => {
    const res = await push(s.url, dataset());
    assert.equal(res.status, 204, await res.text());
    const q = api(s.url);

    const nginxWindow = inWindow(NGINX, 60, 60);
    const byPath = groupValues(nginxWindow, (e) => `path=${e.path}`, (e) => e.rt);
    const NGINX_SEL = '{cluster="ops-tools1",container="ingress-nginx"} | json | __error__ = ""';

    await t.test('Loki docs: p99 of request_time by path (quantile_over_time … by (path))', async () => {
      const got = await q.instant(`quantile_over_time(0.99, ${NGINX_SEL} | unwrap request_time [1m]) by (path)`, 60);
      // by hand: /api sorted 0.125 0.25 0.5 0.5 1 2 4 8, rank 0.99·7 = 6.93 → 4 + 0.93·(8-4) ≈ 7.72;
      // /login 0.75 1.5 3, rank 1.98 → 1.5 + 0.98·1.5 ≈ 2.97; /health has one value, 0.001
      assert.deepEqual(got, mapValues(byPath, (xs) => quantile(0.99, xs)));
      assert.ok(Math.abs(got['path=/api']! - 7.72) < 1e-9 && Math.abs(got['path=/login']! - 2.97) < 1e-9);
      // φ outside [0, 1] gives ±Inf as in Prometheus; φ = 0.5 is the median
      assert.deepEqual(await q.instant(`quantile_over_time(0.5, ${NGINX_SEL} | unwrap request_time [1m]) by (path)`, 60), { 'path=/api': 0.75, 'path=/login': 1.5, 'path=/health': 0.001 });
      assert.deepEqual(await q.instant(`quantile_over_time(2, ${NGINX_SEL} | unwrap request_time [1m]) by (path)`, 60), { 'path=/api': Infinity, 'path=/login': Infinity, 'path=/health': Infinity });
    });

    await t.test('lines without the unwrapped label (the non-JSON one, the one without request_time) give no sample and no error', async () => {
      const got = await q.instant('sum(sum_over_time({container="ingress-nginx"} | json | unwrap request_time [1m]))', 60);
      // the engine adds per series, then across series: another order than this plain sum, hence "close"
      assertClose(got, { '': sum(nginxWindow.map((e) => e.rt)) }, 'sum of every request_time');
    });

    await t.test('by/without on a range aggregation group samples before the function (Loki sample extractor)', async () => {
      // avg over the union of the path's samples from both pods …
      assertClose(await q.instant(`avg_over_time(${NGINX_SEL} | unwrap request_time [1m]) by (path)`, 60), mapValues(byPath, mean), 'avg by path');
      // … which differs from the average of per-series averages (/api: pod a 2.675, pod b 1 → 1.8375 vs 2.046875)
      const avgOfAvg = await q.instant(`avg by (path) (avg_over_time(${NGINX_SEL} | unwrap request_time [1m]))`, 60);
      assertClose({ a: avgOfAvg['path=/api']! }, { a: 1.8375 }, 'avg of averages');
      assertClose({ a: mapValues(byPath, mean)['path=/api']! }, { a: 2.046875 }, 'union average, by hand');
      // without (…) keeps every other label and always drops the unwrapped one
      const byPodPath = groupValues(nginxWindow, (e) => `cluster=ops-tools1,container=ingress-nginx,path=${e.path},pod=${e.pod}`, (e) => e.rt);
      assert.deepEqual(await q.instant(`max_over_time(${NGINX_SEL} | unwrap request_time [1m]) without (status)`, 60), mapValues(byPodPath, (xs) => Math.max(...xs)));
      // no grouping: stream labels plus parsed labels, minus request_time
      const full = await q.instant(`min_over_time(${NGINX_SEL} | unwrap request_time [1m])`, 60);
      assert.deepEqual(full, Object.fromEntries(Object.entries(mapValues(byPodPath, (xs) => Math.min(...xs))).map(([k, v]) => [`${k},status=200`, v])));
      // by () is one series without labels
      assert.deepEqual(await q.instant(`max_over_time(${NGINX_SEL} | unwrap request_time [1m]) by ()`, 60), { '': 8 });
    });

    await t.test('stddev_over_time and stdvar_over_time are population statistics', async () => {
      // /login by hand: 1.5 3 0.75, mean 1.75, squared deviations 0.0625 + 1.5625 + 1 = 2.625, /3 = 0.875
      const vars = mapValues(byPath, variance);
      assertClose({ v: vars['path=/login']! }, { v: 0.875 }, 'variance by hand');
      assertClose(await q.instant(`stdvar_over_time(${NGINX_SEL} | unwrap request_time [1m]) by (path)`, 60), vars, 'stdvar');
      assertClose(await q.instant(`stddev_over_time(${NGINX_SEL} | unwrap request_time [1m]) by (path)`, 60), mapValues(byPath, (xs) => Math.sqrt(variance(xs))), 'stddev');
    });

    await t.test('first_over_time and last_over_time, instant and per step', async () => {
      const firsts = groupValues(nginxWindow, (e) => `path=${e.path}`, (e) => e.rt);
      assert.deepEqual(await q.instant(`first_over_time(${NGINX_SEL} | unwrap request_time [1m]) by (path)`, 60), mapValues(firsts, (xs) => xs[0]!));
      assert.deepEqual(await q.instant(`last_over_time(${NGINX_SEL} | unwrap request_time [1m]) by (path)`, 60), mapValues(firsts, (xs) => xs[xs.length - 1]!));
      // steps 20, 40, 60 with [20s]: windows (0,20] = 10 20, (20,40] = 30 5, (40,60] = 15
      const sel = '{app="counter"} | logfmt | unwrap requests';
      assert.deepEqual(await q.range(`first_over_time(${sel} [20s]) without (level)`, 20, 60, 20), { 'app=counter': { 20: 10, 40: 30, 60: 15 } });
      assert.deepEqual(await q.range(`last_over_time(${sel} [20s]) without (level)`, 20, 60, 20), { 'app=counter': { 20: 20, 40: 5, 60: 15 } });
    });

    await t.test('overlapping windows (range > step) and long windows agree with the reference', async () => {
      // counter, [30s] every 10 s: 10 | 10+20 | 10+20+30 | 20+30+5 | 30+5+15 | 5+15
      assert.deepEqual(await q.range('sum_over_time({app="counter"} | logfmt | unwrap requests [30s])', 10, 60, 10), {
        'app=counter,level=info': { 10: 10, 20: 30, 30: 60, 40: 55, 50: 50, 60: 20 },
      });
      // 6000 samples, 45 s windows every 5 s from 5 to 120 s, per shard: thousands of samples live at once
      const steps = Array.from({ length: 24 }, (_, i) => 5 * (i + 1));
      const expected = (f: (xs: number[]) => number): Record<string, Record<number, number>> => {
        const out: Record<string, Record<number, number>> = {};
        for (const end of steps) {
          for (const [shard, xs] of groupValues(inWindow(BULK, end, 45), (e) => `shard=${e.shard}`, (e) => e.v)) (out[shard] ??= {})[end] = f(xs);
        }
        return out;
      };
      const sel = '{app="bulk"} | logfmt | unwrap v';
      assert.deepEqual(await q.range(`sum by (shard) (sum_over_time(${sel} [45s]))`, 5, 120, 5), expected(sum));
      assert.deepEqual(await q.range(`max_over_time(${sel} [45s]) by (shard)`, 5, 120, 5), expected((xs) => Math.max(...xs)));
      assert.deepEqual(await q.range(`quantile_over_time(0.9, ${sel} [45s]) by (shard)`, 5, 120, 5), expected((xs) => quantile(0.9, xs)));
      assert.deepEqual(await q.range(`first_over_time(${sel} [45s]) by (shard)`, 5, 120, 5), expected((xs) => xs[0]!));
      assert.deepEqual(await q.range(`last_over_time(${sel} [45s]) by (shard)`, 5, 120, 5), expected((xs) => xs[xs.length - 1]!));
    });

    await t.test('Loki docs: bytes processed per org_id (sum by (org_id) (sum_over_time(… |= "metrics.go" | logfmt | unwrap …)))', async () => {
      const query = 'sum by (org_id) (sum_over_time({cluster="ops-tools1",container="loki-dev"} |= "metrics.go" | logfmt | unwrap bytes_processed [1m]))';
      const metricsLines = LOKI_DEV.filter((e) => e.caller.startsWith('metrics.go'));
      const expect60 = mapValues(groupValues(inWindow(metricsLines, 60, 60), (e) => `org_id=${e.org}`, (e) => e.bytes), sum);
      // by hand: org 29 → 1000 + 2500 + 4000 = 7500 (the engine.go line is filtered out), 17 → 1000, 42 → 64
      assert.deepEqual(expect60, { 'org_id=29': 7500, 'org_id=17': 1000, 'org_id=42': 64 });
      assert.deepEqual(await q.instant(query, 60), expect60);
      // a range query: the second step's window (60, 120] only holds the s=75 line
      assert.deepEqual(await q.range(query, 60, 120, 60), { 'org_id=29': { 60: 7500, 120: 123 }, 'org_id=17': { 60: 1000 }, 'org_id=42': { 60: 64 } });
      // offset moves the window back: at 120 with offset 1m equals the plain query at 60
      assert.deepEqual(await q.instant(query.replace('[1m]', '[1m] offset 1m'), 120), expect60);
    });

    await t.test('rate with unwrap is the sum of values per second of range', async () => {
      // by hand: (10 + 20 + 30 + 5 + 15) / 60
      assert.deepEqual(await q.instant('rate({app="counter"} | logfmt | unwrap requests [1m])', 60), { 'app=counter,level=info': 80 / 60 });
      // Loki's engine test: constant... here t+1 for t in 46..60 over (30, 60]: (47 + … + 61) / 30 = 810 / 30 = 27
      assert.deepEqual(await q.instant('rate({app="foo"} | logfmt | unwrap foo [30s])', 60), { 'app=foo': 27 });
    });

    await t.test('rate_counter: counter increase with resets, over the range, as Loki computes it', async () => {
      // Loki's own expectation (pkg/logql/engine_test.go): values 47..61 at 46..60 s, [30s] at 60 → 0.46666766666666665
      assert.deepEqual(await q.instant('rate_counter({app="foo"} | logfmt | unwrap foo [30s])', 60), { 'app=foo': 0.46666766666666665 });
      // by hand: increase = (15 - 10) + 30 (the reset adds the value before it) = 35. Loki's extrapolation sees the
      // first sample 60 (range in ms / 1000) before the start and the samples 40 s = 4e7 "units" (ns / 1000) apart:
      // 35 · (4e7 + 60) / 4e7 / 60 ≈ 0.58333
      assert.deepEqual(await q.instant('rate_counter({app="counter"} | logfmt | unwrap requests [1m])', 60), { 'app=counter,level=info': (35 * ((4e7 + 60) / 4e7)) / 60 });
      // a single sample in the window gives 0, as in Loki
      assert.deepEqual(await q.instant('rate_counter({app="counter"} | logfmt | unwrap requests [10s])', 50), { 'app=counter,level=info': 0 });
    });

    await t.test('conversions duration(), duration_seconds(), bytes() and SampleExtractionErr', async () => {
      const sel = '{app="worker"} | logfmt';
      // a value that does not convert fails the query the way Loki does (metric queries cannot contain errors)
      const message = await q.fails(`sum(sum_over_time(${sel} | unwrap duration(took) [1m]))`, 60);
      assert.match(message, /^pipeline error: 'SampleExtractionErr' for series: '\{__error__="SampleExtractionErr", __error_details__="time: invalid duration \\"soon\\"", app="worker", env="prod", size="1GiB", took="soon"\}'/);
      assert.match(message, /Use a label filter to intentionally skip this error\. \(e\.g \| __error__!="SampleExtractionErr"\)/);
      // filtered after the unwrap: 1.5 + 0.25 + 120 + 3661
      assert.deepEqual(await q.instant(`sum(sum_over_time(${sel} | unwrap duration(took) | __error__="" [1m]))`, 60), { '': 3782.75 });
      assert.deepEqual(await q.instant(`max_over_time(${sel} | unwrap duration_seconds(took) | __error__="" [1m]) without (size)`, 60), { 'app=worker,env=prod': 3661 });
      // bytes(): 2KiB = 2048, 1.5kB = 1500, 3 MB = 3e6, 1GiB = 2^30; "lots" is an error, filtered
      assert.deepEqual(await q.instant(`min_over_time(${sel} | unwrap bytes(size) | __error__="" [1m]) by (env)`, 60), { 'env=prod': 1500 });
      assert.deepEqual(await q.instant(`max_over_time(${sel} | unwrap bytes(size) | __error__="" [1m]) by (env)`, 60), { 'env=prod': 2 ** 30 });
      // post-unwrap filters run in order: `took > 1s` marks "soon" with LabelFilterErr and lets it through, then
      // __error__="" drops it and the "lots" sample; kept: 2KiB (1.5s) and 3 MB (2m) → 2048 + 3e6
      assert.deepEqual(await q.instant(`sum(sum_over_time(${sel} | unwrap bytes(size) | took > 1s | __error__="" [1m]))`, 60), { '': 3002048 });
      // a filter on the unwrapped label itself: durations ≥ 2m → 120 + 3661
      assert.deepEqual(await q.instant(`sum(sum_over_time(${sel} | unwrap duration(took) | __error__="" | took >= 2m [1m]))`, 60), { '': 3781 });
      // the msg=idle line has neither label: no sample, no error; a plain number unwrap of "1.5s" is an error
      assert.match(await q.fails(`sum(sum_over_time(${sel} | unwrap took [1m]))`, 60), /strconv\.ParseFloat: parsing \\"1\.5s\\": invalid syntax/);
    });

    await t.test('errors from parser stages also fail metric queries, unless filtered', async () => {
      const message = await q.fails('count_over_time({container="ingress-nginx"} | json [1m])', 60);
      assert.match(message, /^pipeline error: 'JSONParserErr' for series: /);
      const counts = await q.instant('sum(count_over_time({container="ingress-nginx"} | json | __error__="" [1m]))', 60);
      assert.deepEqual(counts, { '': NGINX.length + 1 });
      // the non-JSON line at 30 s lies between the windows (15, 20] and (35, 40]: not seen, no error
      assert.deepEqual(await q.range('sum(count_over_time({container="ingress-nginx"} | json [5s]))', 20, 40, 20), { '': { 20: 1, 40: 1 } });
      assert.match(await q.fails('sum(count_over_time({container="ingress-nginx"} | json [15s]))', 40), /JSONParserErr/);
    });

    await t.test('absent_over_time', async () => {
      // nothing matches: the selector's equality matchers become the labels; regex matchers are left out
      assert.deepEqual(await q.instant('absent_over_time({app="nope", env="prod", region=~"eu.*"}[1m])', 60), { 'app=nope,env=prod': 1 });
      assert.deepEqual(await q.instant('absent_over_time({app="worker"}[1m])', 60), {});
      // with a pipeline and unwrap, what counts is a sample surviving it: only 1h1m1s is above 1h
      const sel = '{app="worker"} | logfmt | unwrap duration(took) | __error__=""';
      assert.deepEqual(await q.instant(`absent_over_time(${sel} | took > 1h [1m])`, 60), {});
      assert.deepEqual(await q.instant(`absent_over_time(${sel} | took > 2h [1m])`, 60), { 'app=worker': 1 });
      // per step: counter lines at 10..50 s; [10s] windows ending at 60, 70, 80 are empty
      assert.deepEqual(await q.range('absent_over_time({app="counter"}[10s])', 10, 80, 10), { 'app=counter': { 60: 1, 70: 1, 80: 1 } });
      // Loki's engine test: absent_over_time over data answers nothing
      assert.deepEqual(await q.instant('absent_over_time(({app="foo"} |~ ".+")[5m])', 60), {});
    });

    const perOrgPod = 'sum by (org_id, pod) (count_over_time({container="loki-dev"} |= "metrics.go" | logfmt [1m]))';
    const perOrg = 'sum by (org_id) (count_over_time({container="loki-dev"} |= "metrics.go" | logfmt [1m]))';
    // by hand at 60: (29, querier-1) 1, (29, querier-2) 2, (17, querier-1) 1, (17, querier-2) 1, (42, querier-1) 1
    const countsByOrgPod = mapValues(
      groupValues(inWindow(LOKI_DEV.filter((e) => e.caller.startsWith('metrics.go')), 60, 60), (e) => `org_id=${e.org},pod=${e.pod}`, () => 1),
      sum,
    );

    await t.test('label_replace', async () => {
      assert.deepEqual(await q.instant(perOrgPod, 60), countsByOrgPod);
      assert.deepEqual(await q.instant(`label_replace(${perOrg}, "org", "org-$1", "org_id", "(.*)")`, 60), {
        'org=org-29,org_id=29': 3,
        'org=org-17,org_id=17': 2,
        'org=org-42,org_id=42': 1,
      });
      // the regex must match the whole value: "9" does not match "29", "2." does
      assert.deepEqual(await q.instant(`label_replace(${perOrg}, "hit", "yes", "org_id", "9")`, 60), { 'org_id=29': 3, 'org_id=17': 2, 'org_id=42': 1 });
      assert.deepEqual(await q.instant(`label_replace(${perOrg}, "hit", "yes", "org_id", "2.")`, 60), { 'hit=yes,org_id=29': 3, 'org_id=17': 2, 'org_id=42': 1 });
      // Go's Expand: ${d} is the named group, $dx names a group "dx" (none, so empty), $$ is a dollar
      assert.deepEqual(await q.instant(`label_replace(${perOrg}, "x", "\${d}x-$dx$$", "org_id", "(?P<d>[0-9])[0-9]")`, 60), {
        'org_id=29,x=2x-$': 3,
        'org_id=17,x=1x-$': 2,
        'org_id=42,x=4x-$': 1,
      });
      // an empty replacement removes the destination label
      assert.deepEqual(await q.instant(`label_replace(${perOrg}, "org_id", "", "org_id", "17")`, 60), { 'org_id=29': 3, '': 2, 'org_id=42': 1 });
      // the Loki engine test's case: "new" from app via f(.*)
      assert.deepEqual(await q.instant('label_replace(sum by (app) (count_over_time({app=~"foo|counter"}[1m])), "new", "$1", "app", "f(.*)")', 60), { 'app=foo,new=oo': 15, 'app=counter': 5 });
      // two series collapsing into one label set at the same step is an error, as in Prometheus
      assert.match(await q.fails(`label_replace(${perOrg}, "org_id", "same", "org_id", ".*")`, 60), /same labelset/);
    });

    await t.test('group_left / group_right many-to-one matching', async () => {
      // each pod's share of its org: 29 → 1/3 and 2/3, 17 → 1/2 each, 42 → 1
      assert.deepEqual(await q.instant(`${perOrgPod} / on (org_id) group_left ${perOrg}`, 60), {
        'org_id=29,pod=querier-1': 1 / 3,
        'org_id=29,pod=querier-2': 2 / 3,
        'org_id=17,pod=querier-1': 0.5,
        'org_id=17,pod=querier-2': 0.5,
        'org_id=42,pod=querier-1': 1,
      });
      // included labels come from the one side, and are absent where it lacks them (org 17 has no tier)
      const tiers = `label_replace(${perOrg}, "tier", "gold", "org_id", "29|42")`;
      assert.deepEqual(await q.instant(`${perOrgPod} * on (org_id) group_left (tier) ${tiers}`, 60), {
        'org_id=29,pod=querier-1,tier=gold': 3,
        'org_id=29,pod=querier-2,tier=gold': 6,
        'org_id=17,pod=querier-1': 2,
        'org_id=17,pod=querier-2': 2,
        'org_id=42,pod=querier-1,tier=gold': 1,
      });
      // group_right: the many side is on the right; the operands keep their order (org total / pod count)
      assert.deepEqual(await q.instant(`${perOrg} / on (org_id) group_right ${perOrgPod}`, 60), {
        'org_id=29,pod=querier-1': 3,
        'org_id=29,pod=querier-2': 1.5,
        'org_id=17,pod=querier-1': 2,
        'org_id=17,pod=querier-2': 2,
        'org_id=42,pod=querier-1': 1,
      });
      // ignoring() works the same way: pods matched to their org by ignoring the pod label
      assert.deepEqual(await q.instant(`${perOrgPod} - ignoring (pod) group_left ${perOrg}`, 60), {
        'org_id=29,pod=querier-1': -2,
        'org_id=29,pod=querier-2': -1,
        'org_id=17,pod=querier-1': -1,
        'org_id=17,pod=querier-2': -1,
        'org_id=42,pod=querier-1': 0,
      });
      // a filtering comparison keeps the left value: pods above half their org's count (1.5, 1, 0.5)
      assert.deepEqual(await q.instant(`${perOrgPod} > on (org_id) group_left ${perOrg} / 2`, 60), { 'org_id=29,pod=querier-2': 2, 'org_id=42,pod=querier-1': 1 });
      assert.deepEqual(await q.instant(`${perOrgPod} > bool on (org_id) group_left ${perOrg} / 2`, 60), {
        'org_id=29,pod=querier-1': 0,
        'org_id=29,pod=querier-2': 1,
        'org_id=17,pod=querier-1': 0,
        'org_id=17,pod=querier-2': 0,
        'org_id=42,pod=querier-1': 1,
      });
      // the "one" side must be unique per match group
      assert.match(await q.fails(`${perOrgPod} + on (org_id) group_left ${perOrgPod}`, 60), /many-to-many matching not allowed/);
    });
  });
});
