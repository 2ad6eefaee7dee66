// Ingest → query round trips through the real HTTP API: Loki push (plain and gzip), native NDJSON,
// log queries with filters and parsers, metric queries, label and series look-ups.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, lines, nowNs, push, rangeQuery, withServer } from './harness.ts';

function instant(query: string): string {
  return `/loki/api/v1/query?${new URLSearchParams({ query, time: String(nowNs(1000)) })}`;
}

test('Loki push then query: filters, limits, order, labels and metrics agree with what was sent', async () => {
  await withServer({}, async (s) => {
    const base = nowNs(-60_000);
    const ts = (i: number) => String(base + BigInt(i) * 1_000_000n);
    const api = Array.from({ length: 50 }, (_, i) => [ts(i), `GET /api/orders/${i} status=${i % 10 === 0 ? 500 : 200} took=${i}ms`]);
    const auth = Array.from({ length: 30 }, (_, i) => [ts(i), JSON.stringify({ level: i % 3 === 0 ? 'error' : 'info', msg: `login ${i}`, user: `u${i % 5}` })]);
    let res = await push(s.url, [{ stream: { service: 'api', level: 'info' }, values: api }]);
    assert.equal(res.status, 204);
    res = await push(s.url, [{ stream: { service: 'auth' }, values: auth }], { gzip: true });
    assert.equal(res.status, 204);
    res = await push(s.url, [{ stream: { service: 'api', level: 'error' }, values: [[ts(100), 'upstream timeout after 30s', { trace_id: 'abc123', user_id: 'u9' }]] }]);
    assert.equal(res.status, 204);

    // newest first, limited
    let r = await getJson(s.url, rangeQuery('{service="api"}', { limit: '5' }));
    assert.equal(r.status, 200);
    assert.equal(r.body.data.resultType, 'streams');
    const got = lines(r.body);
    assert.deepEqual(got, ['upstream timeout after 30s', 'GET /api/orders/49 status=200 took=49ms', 'GET /api/orders/48 status=200 took=48ms', 'GET /api/orders/47 status=200 took=47ms', 'GET /api/orders/46 status=200 took=46ms']);

    // structured metadata is returned among the entry's labels
    const withMeta = r.body.data.result.find((x: any) => x.stream.trace_id === 'abc123');
    assert.deepEqual(withMeta.stream, { level: 'error', service: 'api', trace_id: 'abc123', user_id: 'u9' });

    // forward direction
    r = await getJson(s.url, rangeQuery('{service="api", level="info"}', { limit: '2', direction: 'forward' }));
    assert.deepEqual(lines(r.body).reverse(), ['GET /api/orders/0 status=500 took=0ms', 'GET /api/orders/1 status=200 took=1ms']);

    // line filters: contains, not contains, regex, alternatives
    r = await getJson(s.url, rangeQuery('{service="api"} |= "status=500"', { limit: '100' }));
    assert.equal(lines(r.body).length, 5);
    r = await getJson(s.url, rangeQuery('{service="api", level="info"} != "status=200"', { limit: '100' }));
    assert.equal(lines(r.body).length, 5);
    r = await getJson(s.url, rangeQuery('{service=~"a.*"} |~ "orders/4[0-9] "', { limit: '100' }));
    assert.equal(lines(r.body).length, 10);
    r = await getJson(s.url, rangeQuery('{service="api"} |= "orders/7 " or "orders/8 "', { limit: '100' }));
    assert.deepEqual(lines(r.body).sort(), ['GET /api/orders/7 status=200 took=7ms', 'GET /api/orders/8 status=200 took=8ms']);

    // equality filters on structured metadata (and on stream labels) before any parser, answered by the store
    r = await getJson(s.url, rangeQuery('{} | trace_id="abc123"'));
    assert.deepEqual(lines(r.body), ['upstream timeout after 30s']);
    r = await getJson(s.url, rangeQuery('{} | trace_id="abc123", user_id="u9" |= "timeout"'));
    assert.deepEqual(lines(r.body), ['upstream timeout after 30s']);
    r = await getJson(s.url, rangeQuery('{} | trace_id="abc123" | level="info"'));
    assert.deepEqual(lines(r.body), [], 'the stream label level=error contradicts it');
    r = await getJson(s.url, rangeQuery('{} | service="auth"', { limit: '1000' }));
    assert.equal(lines(r.body).length, 30, 'a stream label satisfies the condition for the whole stream');

    // the empty selector searches every stream of the tenant
    r = await getJson(s.url, rangeQuery('{} |= "timeout"'));
    assert.deepEqual(lines(r.body), ['upstream timeout after 30s']);

    // parsers with label filters
    r = await getJson(s.url, rangeQuery('{service="auth"} | json | level="error"', { limit: '100' }));
    assert.equal(lines(r.body).length, 10);
    assert.ok(r.body.data.result.every((x: any) => x.stream.level === 'error' && x.stream.user !== undefined));
    r = await getJson(s.url, rangeQuery('{service="api", level="info"} | logfmt | status >= 500', { limit: '100' }));
    assert.equal(lines(r.body).length, 5);
    r = await getJson(s.url, rangeQuery('{service="api", level="info"} | logfmt | took > 45ms', { limit: '100' }));
    assert.equal(lines(r.body).length, 4);

    // metric queries, instant
    r = await getJson(s.url, instant('sum by (service) (count_over_time({}[10m]))'));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.data.resultType, 'vector');
    const counts = Object.fromEntries(r.body.data.result.map((x: any) => [x.metric.service, x.value[1]]));
    assert.deepEqual(counts, { api: '51', auth: '30' });
    r = await getJson(s.url, instant('count_over_time({service="api"} |= "status=500" [10m])'));
    assert.deepEqual(r.body.data.result.map((x: any) => x.value[1]), ['5']);
    r = await getJson(s.url, instant('sum(rate({service="auth"}[10m]))'));
    assert.equal(Number(r.body.data.result[0].value[1]), 30 / 600);
    r = await getJson(s.url, instant('sum by (level) (count_over_time({service="auth"} | json [10m]))'));
    const byLevel = Object.fromEntries(r.body.data.result.map((x: any) => [x.metric.level, x.value[1]]));
    assert.deepEqual(byLevel, { error: '10', info: '20' });
    r = await getJson(s.url, instant('topk(1, sum by (service) (count_over_time({}[10m])))'));
    assert.deepEqual(r.body.data.result.map((x: any) => x.metric.service), ['api']);
    r = await getJson(s.url, instant('sum(bytes_over_time({service="api", level="error"}[10m]))'));
    assert.equal(r.body.data.result[0].value[1], String(Buffer.byteLength('upstream timeout after 30s')));

    // Grafana's health check
    r = await getJson(s.url, instant('vector(1)+vector(1)'));
    assert.equal(r.body.data.resultType, 'vector');
    assert.equal(r.body.data.result[0].value[1], '2');

    // range metric query: a matrix on the step grid
    r = await getJson(s.url, rangeQuery('sum(count_over_time({service="auth"}[1m]))', { step: '60s' }));
    assert.equal(r.body.data.resultType, 'matrix');
    const total = r.body.data.result[0].values.reduce((a: number, [, v]: [number, string]) => a + Number(v), 0);
    assert.equal(total, 30, 'non-overlapping 1m windows with a 60s step count each line once');

    // label and series look-ups
    r = await getJson(s.url, '/loki/api/v1/labels');
    assert.deepEqual(r.body.data, ['level', 'service']);
    r = await getJson(s.url, '/loki/api/v1/label/service/values');
    assert.deepEqual(r.body.data, ['api', 'auth']);
    r = await getJson(s.url, `/loki/api/v1/series?${new URLSearchParams({ 'match[]': '{service="api"}' })}`);
    assert.equal(r.body.data.length, 2);
    r = await getJson(s.url, `/loki/api/v1/series?${new URLSearchParams({ 'match[]': '{service="auth"}' })}`);
    assert.deepEqual(r.body.data, [{ service: 'auth' }]);
  });
});

test('native NDJSON ingest: timestamps from the usual keys, labels from the object and the URL', async () => {
  await withServer({}, async (s) => {
    const t = new Date(Date.now() - 30_000).toISOString();
    const body = [
      JSON.stringify({ ts: t, labels: { app: 'billing' }, line: 'invoice 42 created', metadata: { trace_id: 't1' } }),
      JSON.stringify({ '@timestamp': t, labels: { app: 'billing' }, message: 'structured event', amount: 12 }),
      JSON.stringify({ labels: { app: 'billing' }, line: 'no timestamp: arrival time used' }),
    ].join('\n');
    const res = await fetch(`${s.url}/api/v1/logs?env=prod`, { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { accepted: 3, rejected: 0, errors: [] });
    const r = await getJson(s.url, rangeQuery('{app="billing", env="prod"}'));
    const got = lines(r.body);
    assert.equal(got.length, 3);
    assert.ok(got.includes('invoice 42 created'));
    assert.ok(got.includes(JSON.stringify({ '@timestamp': t, message: 'structured event', amount: 12 })));
    const entry = r.body.data.result.flatMap((x: any) => x.values.map((v: any) => [v, x.stream])).find(([v]: any) => v[1] === 'invoice 42 created');
    assert.equal(entry[0][0], String(BigInt(Date.parse(t)) * 1_000_000n));
    assert.equal(entry[1].trace_id, 't1');
  });
});
