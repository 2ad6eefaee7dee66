// Replays, against a real server, the requests Grafana's Loki data source and Logs Drilldown make, in their exact
// shapes (parameter names and order, timestamp formats, `step` as `<n>ms`, the categorize-labels header), as Grafana's
// public issue threads and docs show them, and checks each reply field by field. Expected values are computed here
// from the plain dataset below, not by the engine.
//
// Shapes replayed (sources: grafana/grafana#79846 and lokxy#173 for the health check URL; grafana/grafana#77361 for
// the header; Grafana's getSupplementaryQuery test for the log volume expression; grafana/loki#14063 for
// Drilldown's ISO timestamps):
//   health check   GET /loki/api/v1/query?direction=backward&query=vector(1)%2Bvector(1)&time=4000000000
//   Explore        GET /loki/api/v1/query_range?direction=backward&end=<ns>&limit=1000&query=…&start=<ns>&step=<n>ms
//   log volume     sum by (level, detected_level) (count_over_time({…} | drop __error__[<interval>]))
//   label browser  /labels, /label/<name>/values (with and without query), /series?match[]=…, start/end in ns

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../../src/server/sightline-server.ts';
import { DEFAULT_CONFIG } from '../../src/server/config.ts';
import { push, tempDir } from './harness.ts';
import { rmSync } from 'node:fs';

const SEC = 1_000_000_000n;
/** A whole minute about ten minutes ago: every entry sits at BASE + k seconds. */
const BASE = (BigInt(Date.now() - 10 * 60_000) / 60_000n) * 60n * SEC;

interface Entry {
  s: number;
  service: string;
  level: string;
  line: string;
  meta?: Record<string, string>;
}

/** The dataset: two services, two levels, logfmt lines, some with a trace_id in structured metadata. */
const ENTRIES: Entry[] = [];
for (let i = 0; i < 40; i++) {
  const service = i % 4 === 3 ? 'payments' : 'checkout';
  const level = i % 5 === 0 ? 'error' : 'info';
  const status = level === 'error' ? 500 : 200;
  ENTRIES.push({
    s: 3 * i + 1,
    service,
    level,
    line: `level=${level} method=GET path=/api/${service} status=${status} duration=${10 + i}ms client=10.0.${i % 3}.${i}`,
    meta: i % 2 === 0 ? { trace_id: `trace-${i}` } : undefined,
  });
}
const at = (s: number): bigint => BASE + BigInt(s) * SEC;
const START = BASE; // inclusive
const END = BASE + 120n * SEC; // exclusive: entries at s ≥ 120 are left out
const inRange = ENTRIES.filter((e) => at(e.s) >= START && at(e.s) < END);

let server: RunningServer;
let dataDir: string;

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any; contentType: string | null }> {
  const res = await fetch(server.url + path, { headers });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text), contentType: res.headers.get('content-type') };
}

/** A query string as Grafana's backend writes it with Go's url.Values.Encode: keys sorted, form-encoded values. */
function qs(params: Record<string, string | string[]>): string {
  const p = new URLSearchParams();
  for (const k of Object.keys(params).sort()) {
    const v = params[k]!;
    for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  }
  return p.toString();
}

const GRAFANA_HEADERS = { 'X-Loki-Response-Encoding-Flags': 'categorize-labels', 'X-Query-Tags': 'Source=grafana' };
const ns = (t: bigint): string => String(t);
const iso = (t: bigint): string => new Date(Number(t / 1_000_000n)).toISOString();

describe('Grafana request shapes against a real server', () => {
  before(async () => {
    dataDir = tempDir();
    server = await startServer({ ...DEFAULT_CONFIG, port: 0, forward: undefined, syslog: undefined, dataDir });
    const byService = new Map<string, Entry[]>();
    for (const e of ENTRIES) byService.set(`${e.service}/${e.level}`, [...(byService.get(`${e.service}/${e.level}`) ?? []), e]);
    const streams = [...byService.values()].map((es) => ({
      stream: { job: 'grafana-replay', service_name: es[0]!.service, level: es[0]!.level },
      values: es.map((e) => (e.meta ? [String(at(e.s)), e.line, e.meta] : [String(at(e.s)), e.line])),
    }));
    const res = await push(server.url, streams);
    assert.equal(res.status, 204);
  });
  after(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('health check: the instant query vector(1)+vector(1) at time=4000000000 answers one sample of value 2', async () => {
    const r = await get('/loki/api/v1/query?direction=backward&query=vector%281%29%2Bvector%281%29&time=4000000000');
    assert.equal(r.status, 200);
    assert.match(r.contentType ?? '', /^application\/json/);
    assert.equal(r.body.status, 'success');
    assert.equal(r.body.data.resultType, 'vector');
    // Grafana's check: exactly one frame row whose value is 2
    assert.deepEqual(r.body.data.result, [{ metric: {}, value: [4000000000, '2'] }]);
    assert.equal(typeof r.body.data.stats.summary.execTime, 'number');
  });

  it('label browser: /labels, /label/<name>/values (plain and narrowed by query) and /series with match[], ns times', async () => {
    const range = { start: ns(START), end: ns(END) };
    const labels = await get(`/loki/api/v1/labels?${qs(range)}`);
    assert.deepEqual(labels.body, { status: 'success', data: ['job', 'level', 'service_name'] });

    const services = await get(`/loki/api/v1/label/service_name/values?${qs(range)}`);
    assert.deepEqual(services.body, { status: 'success', data: ['checkout', 'payments'] });

    const levels = await get(`/loki/api/v1/label/level/values?${qs({ ...range, query: '{service_name="payments"}' })}`);
    const want = [...new Set(inRange.filter((e) => e.service === 'payments').map((e) => e.level))].sort();
    assert.deepEqual(levels.body, { status: 'success', data: want });

    const series = await get(`/loki/api/v1/series?${qs({ ...range, 'match[]': ['{service_name="checkout"}', '{level="error", service_name="payments"}'] })}`);
    assert.equal(series.body.status, 'success');
    const got = series.body.data.map((s: Record<string, string>) => `${s.service_name}/${s.level}`).sort();
    const wantSeries = [...new Set(inRange.filter((e) => e.service === 'checkout' || (e.service === 'payments' && e.level === 'error')).map((e) => `${e.service}/${e.level}`))].sort();
    assert.deepEqual(got, wantSeries);
    for (const s of series.body.data) assert.equal(s.job, 'grafana-replay');

    // Grafana's POST form for long selectors
    const posted = await fetch(`${server.url}/loki/api/v1/series`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: qs({ ...range, 'match[]': '{service_name="checkout"}' }),
    });
    assert.equal(posted.status, 200);
    assert.equal(((await posted.json()) as any).data.length, 2);
  });

  it('Explore log query: step as <n>ms, direction, limit, categorize-labels; start inclusive, end exclusive', async () => {
    const params = { direction: 'backward', end: ns(END), limit: '1000', query: '{job="grafana-replay"} |= "status=500"', start: ns(START), step: '2000ms' };
    const r = await get(`/loki/api/v1/query_range?${qs(params)}`, GRAFANA_HEADERS);
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'success');
    const data = r.body.data;
    assert.equal(data.resultType, 'streams');
    assert.deepEqual(data.encodingFlags, ['categorize-labels']);
    const errors = inRange.filter((e) => e.line.includes('status=500'));
    // one stream per stream label set, entries newest first, 3-element entries
    const wantStreams = [...new Set(errors.map((e) => e.service))].sort();
    assert.deepEqual(data.result.map((s: any) => s.stream.service_name).sort(), wantStreams);
    for (const s of data.result) {
      assert.deepEqual(Object.keys(s.stream).sort(), ['job', 'level', 'service_name']);
      const want = errors.filter((e) => e.service === s.stream.service_name).sort((a, b) => b.s - a.s);
      assert.deepEqual(
        s.values,
        want.map((e) => [String(at(e.s)), e.line, e.meta ? { structuredMetadata: e.meta } : {}]),
      );
    }
    assert.equal(data.stats.summary.totalEntriesReturned, errors.length);

    // the entry exactly at `start` is in, the one exactly at `end` is out (s=0 has none; s=118 and s=121 bracket END)
    const edge = await get(`/loki/api/v1/query_range?${qs({ ...params, query: '{job="grafana-replay"}', start: ns(at(1)), end: ns(at(118)) })}`, GRAFANA_HEADERS);
    const ts = edge.body.data.result.flatMap((s: any) => s.values.map((v: any) => BigInt(v[0])));
    assert.ok(ts.includes(at(1)), 'start is inclusive');
    assert.ok(!ts.includes(at(118)), 'end is exclusive');

    // limit and direction=forward: the oldest N
    const fwd = await get(`/loki/api/v1/query_range?${qs({ ...params, query: '{job="grafana-replay"}', direction: 'forward', limit: '5' })}`, GRAFANA_HEADERS);
    const fwdTs = fwd.body.data.result.flatMap((s: any) => s.values.map((v: any) => Number((BigInt(v[0]) - BASE) / SEC))).sort((a: number, b: number) => a - b);
    assert.deepEqual(fwdTs, inRange.map((e) => e.s).sort((a, b) => a - b).slice(0, 5));
  });

  it('timestamps as ns epochs, float seconds and RFC3339Nano select the same entries', async () => {
    const query = '{job="grafana-replay", service_name="payments"}';
    const forms: [string, string][] = [
      [ns(START), ns(END)],
      [`${START / SEC}.000000000`, `${END / SEC}.0`],
      [new Date(Number(START / 1_000_000n)).toISOString().replace('.000Z', '.000000000Z'), new Date(Number(END / 1_000_000n)).toISOString().replace('Z', '000000Z')],
      [`${START / SEC}`, `${END / SEC}`], // ≤ 10 digits: seconds, as Loki reads them
    ];
    const answers: string[] = [];
    for (const [start, end] of forms) {
      const r = await get(`/loki/api/v1/query_range?${qs({ direction: 'backward', end, limit: '1000', query, start, step: '1000ms' })}`);
      assert.equal(r.status, 200, `${start} … ${end}: ${JSON.stringify(r.body)}`);
      answers.push(JSON.stringify(r.body.data.result));
    }
    assert.equal(new Set(answers).size, 1);
    assert.equal(JSON.parse(answers[0]!).reduce((n: number, s: any) => n + s.values.length, 0), inRange.filter((e) => e.service === 'payments').length);
  });

  it('log volume: sum by (level, detected_level) (count_over_time(… | drop __error__[1m])) with step in ms', async () => {
    const expr = 'sum by (level, detected_level) (count_over_time({job="grafana-replay"} | drop __error__[1m]))';
    const r = await get(`/loki/api/v1/query_range?${qs({ direction: 'backward', end: ns(END), limit: '1000', query: expr, start: ns(START), step: '60000ms' })}`, GRAFANA_HEADERS);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.data.resultType, 'matrix');
    assert.equal(r.body.data.encodingFlags, undefined);
    // points at START, START+60s, START+120s; each counts the entries in (t-60s, t]
    const want = new Map<string, [number, string][]>();
    for (const level of ['error', 'info']) {
      const points: [number, string][] = [];
      for (const k of [0, 1, 2]) {
        const t = 60 * k;
        const n = ENTRIES.filter((e) => e.level === level && e.s > t - 60 && e.s <= t).length;
        if (n > 0) points.push([Number((BASE + BigInt(t) * SEC) / SEC), String(n)]);
      }
      want.set(level, points);
    }
    const got = new Map<string, [number, string][]>(r.body.data.result.map((s: any) => [s.metric.level, s.values]));
    // detected_level (computed because the query names it) takes the stream's level label
    assert.deepEqual(r.body.data.result.map((s: any) => s.metric).sort((a: any, b: any) => a.level.localeCompare(b.level)), [{ level: 'error', detected_level: 'error' }, { level: 'info', detected_level: 'info' }]);
    assert.deepEqual(got, want);
  });

  it('index/volume and index/volume_range (Drilldown service list and volume panel)', async () => {
    const range = { start: ns(START), end: ns(END) };
    const vol = await get(`/loki/api/v1/index/volume?${qs({ ...range, query: '{service_name=~".+"}', limit: '5000', aggregateBy: 'series' })}`);
    assert.equal(vol.body.status, 'success');
    assert.equal(vol.body.data.resultType, 'vector');
    const bytesOf = (es: Entry[]) => es.reduce((n, e) => n + Buffer.byteLength(e.line), 0);
    const want = ['checkout', 'payments']
      .map((service) => ({ metric: { service_name: service }, value: [Number(END / 1_000_000n) / 1000, String(bytesOf(inRange.filter((e) => e.service === service)))] }))
      .sort((a, b) => Number(b.value[1]) - Number(a.value[1]));
    assert.deepEqual(vol.body.data.result, want);

    const byLabels = await get(`/loki/api/v1/index/volume?${qs({ ...range, query: '{job="grafana-replay"}', aggregateBy: 'labels', targetLabels: 'level,service_name' })}`);
    assert.deepEqual(byLabels.body.data.result.map((r: any) => r.metric).sort((a: any, b: any) => (Object.keys(a)[0]! < Object.keys(b)[0]! ? -1 : 1)), [{ level: '' }, { service_name: '' }]);

    const vr = await get(`/loki/api/v1/index/volume_range?${qs({ ...range, query: '{service_name="payments"}', step: '60000ms' })}`);
    assert.equal(vr.body.data.resultType, 'matrix');
    const points = vr.body.data.result[0].values as [number, string][];
    const pay = inRange.filter((e) => e.service === 'payments');
    for (const [t, v] of points) {
      const tNs = BigInt(Math.round(t)) * SEC;
      assert.equal(v, String(bytesOf(pay.filter((e) => at(e.s) > tNs - 60n * SEC && at(e.s) <= tNs))));
    }
  });

  it('index/stats: streams, chunks, entries and bytes of a selector', async () => {
    const r = await get(`/loki/api/v1/index/stats?${qs({ query: '{job="grafana-replay"}', start: ns(START), end: ns(END) })}`);
    assert.deepEqual(Object.keys(r.body).sort(), ['bytes', 'chunks', 'entries', 'streams']);
    assert.equal(r.body.streams, 4);
    assert.equal(r.body.entries, inRange.length);
    assert.equal(r.body.bytes, inRange.reduce((n, e) => n + Buffer.byteLength(e.line), 0));
  });

  it('Drilldown: detected_fields, detected_field values, detected_labels and patterns with ISO timestamps', async () => {
    const range = { start: iso(START), end: iso(END) };
    const fields = await get(`/loki/api/v1/detected_fields?${qs({ ...range, query: '{service_name="checkout"} | logfmt | drop __error__, __error_details__', limit: '1000', line_limit: '1000' })}`);
    assert.equal(fields.status, 200);
    const byName = new Map<string, any>(fields.body.fields.map((f: any) => [f.label, f]));
    assert.deepEqual(byName.get('status'), { label: 'status', type: 'int', cardinality: 2, parsers: ['logfmt'], jsonPath: [] });
    assert.deepEqual(byName.get('duration'), { label: 'duration', type: 'duration', cardinality: inRange.filter((e) => e.service === 'checkout').length, parsers: ['logfmt'], jsonPath: [] });
    assert.equal(byName.get('trace_id').parsers, null);

    const values = await get(`/loki/api/v1/detected_field/status/values?${qs({ ...range, query: '{service_name="checkout"}' })}`);
    assert.deepEqual(values.body, { values: ['200', '500'], limit: 1000 });

    const dl = await get(`/loki/api/v1/detected_labels?${qs({ ...range, query: '{job="grafana-replay"}' })}`);
    assert.deepEqual(dl.body, { detectedLabels: [{ label: 'job', cardinality: 1 }, { label: 'level', cardinality: 2 }, { label: 'service_name', cardinality: 2 }] });

    const patterns = await get(`/loki/api/v1/patterns?${qs({ ...range, query: '{service_name="payments"}', step: '60s' })}`);
    assert.equal(patterns.body.status, 'success');
    const total = patterns.body.data.reduce((n: number, p: any) => n + p.samples.reduce((m: number, [, c]: [number, number]) => m + c, 0), 0);
    assert.equal(total, inRange.filter((e) => e.service === 'payments').length);
    for (const p of patterns.body.data) {
      assert.match(p.pattern, /^level=(info|error) method=GET path=\/api\/payments status=<_> duration=<_> client=<_>$/);
      for (const [t] of p.samples) assert.equal(t % 60, 0);
    }
  });

  it('instant metric query at a ns time (Explore "instant", alert rules)', async () => {
    const time = at(100);
    const r = await get(`/loki/api/v1/query?${qs({ direction: 'backward', limit: '1000', query: 'sum by (service_name) (count_over_time({job="grafana-replay"} |= "status=500" [5m]))', time: ns(time) })}`);
    assert.equal(r.body.data.resultType, 'vector');
    const want = ['checkout', 'payments']
      .map((service) => [service, ENTRIES.filter((e) => e.service === service && e.line.includes('status=500') && at(e.s) > time - 300n * SEC && at(e.s) <= time).length] as const)
      .filter(([, n]) => n > 0);
    assert.deepEqual(
      r.body.data.result.map((s: any) => [s.metric.service_name, Number(s.value[1]), s.value[0]]).sort(),
      want.map(([service, n]) => [service, n, Number(time / SEC)]).sort(),
    );
  });

  it('errors Grafana shows: JSON with a message, 400 for a bad query, a log query sent as instant', async () => {
    const bad = await get(`/loki/api/v1/query_range?${qs({ query: '{job="grafana-replay"', start: ns(START), end: ns(END), step: '1000ms' })}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.status, 'error');
    assert.match(bad.body.message, /^parse error at line 1, col \d+: syntax error/);
    const instantLog = await get(`/loki/api/v1/query?${qs({ query: '{job="grafana-replay"}', time: ns(END) })}`);
    assert.equal(instantLog.status, 400);
    assert.match(instantLog.body.message, /log queries are not supported as an instant query type/);
  });
});
