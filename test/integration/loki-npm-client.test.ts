// A Loki client someone else wrote, against a real Sightline server: @myunisoft/loki (MIT, npm) pushes through
// /loki/api/v1/push and reads back with query_range (log and metric), labels, label values and series, with and
// without a bearer key.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GrafanaApi } from '@myunisoft/loki';
import { nowNs, withServer } from './harness.ts';

test('@myunisoft/loki pushes and queries through the Loki API', async () => {
  await withServer({}, async (s) => {
    const api = new GrafanaApi({ remoteApiURL: s.url + '/' });
    const t = nowNs(-10_000);
    const at = (i: number): string => String(t + BigInt(i) * 1_000_000n);
    await api.Loki.push([
      { stream: { app: 'checkout', env: 'prod' }, values: [[at(0), 'POST /pay 200'], [at(1), 'POST /pay 502'], [at(2), 'GET /cart 200']] },
      { stream: { app: 'search', env: 'prod' }, values: [[at(3), 'GET /q 200']] },
    ]);

    // log query: the client flattens entries newest first
    const all = await api.Loki.queryRange('{env="prod"}', { start: '5m' });
    assert.deepEqual(all.logs, ['GET /q 200', 'GET /cart 200', 'POST /pay 502', 'POST /pay 200']);
    // its pattern option parses each line client-side with a Loki pattern
    const parsed = await api.Loki.queryRange('{app="checkout"} |= "POST"', { start: '5m', pattern: '<verb> <path> <status>' });
    assert.deepEqual(parsed.logs.map((o) => ({ ...o })), [{ verb: 'POST', path: '/pay', status: '502' }, { verb: 'POST', path: '/pay', status: '200' }]);
    const streams = await api.Loki.queryRangeStream('{env="prod"} != "200"', { start: '5m' });
    assert.deepEqual(streams.streams.map((x) => [x.labels, x.values.map((v) => v[1])]), [[{ app: 'checkout', env: 'prod' }, ['POST /pay 502']]]);

    // metric query
    // `step` is not in the client's option type, but it forwards every option as a query parameter
    const matrixOptions = { start: '5m', step: '300' };
    const matrix = await api.Loki.queryRangeMatrix('sum by (app) (count_over_time({env="prod"}[10m]))', matrixOptions);
    const last = Object.fromEntries(matrix.metrics.map((m) => [m.labels.app, Number(m.values.at(-1)![1])]));
    assert.deepEqual(last, { checkout: 3, search: 1 });

    assert.deepEqual((await api.Loki.labels({ start: '5m' })).sort(), ['app', 'env']);
    assert.deepEqual((await api.Loki.labelValues('app', { start: '5m' })).sort(), ['checkout', 'search']);
    const series = await api.Loki.series('{app="search"}');
    assert.deepEqual(series, [{ app: 'search', env: 'prod' }]);
  });
});

test('@myunisoft/loki with a bearer key sees its tenant, and a wrong key is refused', async () => {
  await withServer({ tenantKeys: { a: ['key-a'] } }, async (s) => {
    const api = new GrafanaApi({ remoteApiURL: s.url + '/', authentication: { type: 'bearer', token: 'key-a' } });
    await api.Loki.push([{ stream: { app: 'x' }, values: [[String(nowNs(-1000)), 'hello from a']] }]);
    assert.deepEqual((await api.Loki.queryRange('{app="x"}', { start: '5m' })).logs, ['hello from a']);
    const wrong = new GrafanaApi({ remoteApiURL: s.url + '/', authentication: { type: 'bearer', token: 'nope' } });
    await assert.rejects(wrong.Loki.queryRange('{app="x"}', { start: '5m' }), (e: Error & { statusCode?: number }) => e.statusCode === 401);
  });
});
