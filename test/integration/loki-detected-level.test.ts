// detected_level through the real server: Grafana's log-volume query splits by it, Explore's level filter keeps
// only that level, the label comes back as structured metadata, and queries that do not name it are unchanged.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, nowNs, push, rangeQuery, withServer } from './harness.ts';

test('detected_level is computed for queries that name it', async () => {
  await withServer({}, async (s) => {
    const t = nowNs(-30_000);
    const at = (i: number): string => String(t + BigInt(i) * 1_000_000n);
    assert.equal((await push(s.url, [
      { stream: { app: 'shop' }, values: [
        [at(0), 'level=error msg="payment declined"'],
        [at(1), '{"level":"WARN","msg":"slow"}'],
        [at(2), '2026-01-01 [main] INFO started'],
        [at(3), 'GET /health 200'],
        [at(4), 'plain line', { severity_text: 'ERROR' }],
      ] },
      { stream: { app: 'db', level: 'debug' }, values: [[at(5), 'error text but the label says debug']] },
    ])).status, 204);

    // Grafana's log volume shape (always a drop stage, step in ms)
    const volume = await getJson(s.url, rangeQuery('sum by (level, detected_level) (count_over_time({app=~"shop|db"} | drop __error__[1m]))', { step: '60000ms' }));
    assert.equal(volume.status, 200);
    const byLevel = Object.fromEntries(volume.body.data.result.map((r: any) => [`${r.metric.level ?? ''}/${r.metric.detected_level}`, r.values.reduce((n: number, v: [number, string]) => Math.max(n, Number(v[1])), 0)]));
    assert.deepEqual(byLevel, { '/error': 2, '/warn': 1, '/info': 1, '/unknown': 1, 'debug/debug': 1 });

    // without stages too (the count cannot be pushed down to the store then)
    const instant = await getJson(s.url, `/loki/api/v1/query?${new URLSearchParams({ query: 'sum by (detected_level) (count_over_time({app="shop"}[5m]))', time: String(nowNs()) })}`);
    const counts = Object.fromEntries(instant.body.data.result.map((r: any) => [r.metric.detected_level, r.value[1]]));
    assert.deepEqual(counts, { error: '2', warn: '1', info: '1', unknown: '1' });

    // Explore's level filter
    const errors = await getJson(s.url, rangeQuery('{app=~"shop|db"} | detected_level="error"'));
    const lines = errors.body.data.result.flatMap((r: any) => r.values.map((v: [string, string]) => v[1])).sort();
    assert.deepEqual(lines, ['level=error msg="payment declined"', 'plain line']);
    assert.ok(errors.body.data.result.every((r: any) => r.stream.detected_level === 'error'));

    // categorized: it is structured metadata
    const res = await fetch(s.url + rangeQuery('{app="shop"} | detected_level="warn"'), { headers: { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' } });
    const body = (await res.json()) as any;
    assert.deepEqual(body.data.result[0].stream, { app: 'shop' });
    assert.deepEqual(body.data.result[0].values[0][2], { structuredMetadata: { detected_level: 'warn' } });

    // a query that does not name it is answered as before
    const plain = await getJson(s.url, rangeQuery('{app="shop"} |= "slow"'));
    assert.deepEqual(plain.body.data.result[0].stream, { app: 'shop' });
  });
});
