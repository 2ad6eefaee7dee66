// The endpoints Grafana's Logs Drilldown reads besides queries: /detected_field/<name>/values and /patterns, on a real
// server with pushed data.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, nowNs, push, withServer } from './harness.ts';

test('detected_field/<name>/values: distinct values of a parsed field or structured metadata, sorted, with the limit', async () => {
  await withServer({}, async (s) => {
    const t = nowNs(-60_000);
    const values: (string | Record<string, string>)[][] = [];
    for (let i = 0; i < 30; i++) values.push([String(t + BigInt(i)), `method=${i % 3 === 0 ? 'GET' : i % 3 === 1 ? 'POST' : 'PUT'} status=${200 + (i % 4)}`, { region: `r${i % 2}` }]);
    values.push([String(t + 100n), JSON.stringify({ method: 'DELETE', nested: { status: 503 } })]);
    assert.equal((await push(s.url, [{ stream: { app: 'df' }, values }])).status, 204);
    const range = { start: String(t - 1_000_000_000n), end: String(t + 1_000_000_000n) };
    const get = (name: string, extra: Record<string, string> = {}) =>
      getJson(s.url, `/loki/api/v1/detected_field/${name}/values?${new URLSearchParams({ query: '{app="df"}', ...range, ...extra })}`);

    assert.deepEqual((await get('method')).body, { values: ['DELETE', 'GET', 'POST', 'PUT'], limit: 1000 });
    assert.deepEqual((await get('status')).body, { values: ['200', '201', '202', '203'], limit: 1000 });
    assert.deepEqual((await get('nested_status')).body, { values: ['503'], limit: 1000 });
    assert.deepEqual((await get('region')).body, { values: ['r0', 'r1'], limit: 1000 });
    assert.deepEqual((await get('nothing')).body, { values: [], limit: 1000 });
    assert.deepEqual((await get('method', { limit: '2' })).body, { values: ['DELETE', 'GET'], limit: 2 });
    // line filters of the query narrow the sample
    assert.deepEqual((await getJson(s.url, `/loki/api/v1/detected_field/method/values?${new URLSearchParams({ query: '{app="df"} |= "POST"', ...range })}`)).body.values, ['POST']);
    // errors name the parameter
    const bad = await getJson(s.url, `/loki/api/v1/detected_field/method/values?${new URLSearchParams(range)}`);
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /missing parameter "query"/);
  });
});

test('patterns: templates with <_> for variable parts, counts bucketed by step, most frequent first', async () => {
  await withServer({}, async (s) => {
    const base = (nowNs(-600_000) / 10_000_000_000n) * 10_000_000_000n; // a 10 s boundary ten minutes ago
    const lines: [bigint, string][] = [];
    for (let i = 0; i < 12; i++) lines.push([base + BigInt(i) * 2_000_000_000n, `caller=grpc_logging.go:66 level=info method=/cortex.Ingester/Push duration=${100 + i}ms msg=gRPC`]);
    for (let i = 0; i < 3; i++) lines.push([base + 25_000_000_000n + BigInt(i), `caller=grpc_logging.go:66 level=error method=/cortex.Ingester/Push duration=${i}s msg=gRPC err="connection refused to object store"`]);
    assert.equal((await push(s.url, [{ stream: { app: 'loki' }, values: lines.map(([ts, l]) => [String(ts), l]) }])).status, 204);
    const params = { query: '{app="loki"}', start: String(base), end: String(base + 60_000_000_000n), step: '10s' };
    const res = await getJson(s.url, `/loki/api/v1/patterns?${new URLSearchParams(params)}`);
    assert.equal(res.status, 200);
    const b = Number(base / 1_000_000_000n);
    assert.deepEqual(res.body, {
      status: 'success',
      data: [
        { pattern: 'caller=grpc_logging.go:66 level=info method=/cortex.Ingester/Push duration=<_> msg=gRPC', samples: [[b, 5], [b + 10, 5], [b + 20, 2]], level: 'info' },
        { pattern: 'caller=grpc_logging.go:66 level=error method=/cortex.Ingester/Push duration=<_> msg=gRPC err="connection refused to object store"', samples: [[b + 20, 3]], level: 'error' },
      ],
    });
    // each pattern, used as a pattern filter, selects exactly the lines it counted
    for (const p of res.body.data) {
      const q = await getJson(s.url, `/loki/api/v1/query_range?${new URLSearchParams({ query: `{app="loki"} |> ${JSON.stringify(p.pattern)}`, start: params.start, end: params.end, limit: '1000' })}`);
      const n = q.body.data.result.reduce((k: number, r: any) => k + r.values.length, 0);
      assert.equal(n, p.samples.reduce((k: number, sample: number[]) => k + sample[1]!, 0), p.pattern);
    }
    // a line filter in the query narrows the mined lines; an empty result is an empty list
    const filtered = await getJson(s.url, `/loki/api/v1/patterns?${new URLSearchParams({ ...params, query: '{app="loki"} |= "refused"' })}`);
    assert.equal(filtered.body.data.length, 1);
    const none = await getJson(s.url, `/loki/api/v1/patterns?${new URLSearchParams({ ...params, query: '{app="nothing"}' })}`);
    assert.deepEqual(none.body, { status: 'success', data: [] });
    const bad = await getJson(s.url, `/loki/api/v1/patterns?${new URLSearchParams({ ...params, step: '-1s' })}`);
    assert.equal(bad.status, 400);
  });
});
