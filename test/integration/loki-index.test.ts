// /loki/api/v1/index/stats, /index/volume and /index/volume_range through the real server, per tenant.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, nowNs, push, withServer } from './harness.ts';

const bytesOf = (lines: string[]): number => lines.reduce((n, l) => n + Buffer.byteLength(l), 0);

async function seed(url: string, base: bigint): Promise<void> {
  const at = (i: number) => String(base + BigInt(i) * 1_000_000_000n);
  assert.equal((await push(url, [
    { stream: { app: 'shop', env: 'prod' }, values: [[at(0), 'GET /cart 200'], [at(1), 'GET /pay 500 ✓'], [at(2), 'POST /order']] },
    { stream: { app: 'shop', env: 'dev' }, values: [[at(3), 'debug line']] },
    { stream: { app: 'bank' }, values: [[at(4), 'transfer ok'], [at(5), 'transfer failed']] },
  ], { tenant: 'a' })).status, 204);
  assert.equal((await push(url, [{ stream: { app: 'shop', env: 'prod' }, values: [0, 1, 2, 3, 4].map((i) => [at(i), `b-line-${i}`]) }], { tenant: 'b' })).status, 204);
}

function q(path: string, params: Record<string, string>, base: bigint): string {
  return `${path}?${new URLSearchParams({ start: String(base - 60_000_000_000n), end: String(base + 60_000_000_000n), ...params })}`;
}

test('index/stats counts streams, entries and bytes of a selector, per tenant', async () => {
  await withServer({}, async (s) => {
    const base = nowNs(-120_000);
    await seed(s.url, base);
    const a = await getJson(s.url, q('/loki/api/v1/index/stats', { query: '{app="shop"}' }, base), { tenant: 'a' });
    assert.equal(a.status, 200);
    assert.deepEqual(Object.keys(a.body).sort(), ['bytes', 'chunks', 'entries', 'streams']);
    assert.equal(a.body.streams, 2);
    assert.equal(a.body.entries, 4);
    assert.equal(a.body.bytes, bytesOf(['GET /cart 200', 'GET /pay 500 ✓', 'POST /order', 'debug line']));
    assert.ok(a.body.chunks >= 2, 'at least one chunk per stream');
    // pipeline stages are ignored: the index answers for the matchers
    const filtered = await getJson(s.url, q('/loki/api/v1/index/stats', { query: '{app="shop"} |= "nothing"' }, base), { tenant: 'a' });
    assert.equal(filtered.body.entries, 4);

    const b = await getJson(s.url, q('/loki/api/v1/index/stats', { query: '{app="shop"}' }, base), { tenant: 'b' });
    assert.deepEqual({ streams: b.body.streams, entries: b.body.entries, bytes: b.body.bytes }, { streams: 1, entries: 5, bytes: 5 * 'b-line-0'.length });
    const none = await getJson(s.url, q('/loki/api/v1/index/stats', { query: '{app="bank"}' }, base), { tenant: 'b' });
    assert.deepEqual(none.body, { streams: 0, chunks: 0, entries: 0, bytes: 0 });
    const both = await getJson(s.url, q('/loki/api/v1/index/stats', { query: '{app=~".+"}' }, base), { tenant: 'a|b' });
    assert.equal(both.body.streams, 4);
    assert.equal(both.body.entries, 11);
    // the time range bounds the count: start inclusive, end exclusive
    const narrow = await getJson(s.url, `/loki/api/v1/index/stats?${new URLSearchParams({ query: '{app="shop"}', start: String(base), end: String(base + 2_000_000_000n) })}`, { tenant: 'a' });
    assert.equal(narrow.body.entries, 2);

    const missing = await getJson(s.url, '/loki/api/v1/index/stats', { tenant: 'a' });
    assert.equal(missing.status, 400);
    assert.match(missing.body.message, /missing parameter "query"/);
    const bad = await getJson(s.url, q('/loki/api/v1/index/stats', { query: '{app=' }, base), { tenant: 'a' });
    assert.equal(bad.status, 400);
  });
});

test('index/volume groups bytes by the matched labels, targetLabels or label names', async () => {
  await withServer({}, async (s) => {
    const base = nowNs(-120_000);
    await seed(s.url, base);
    const prod = bytesOf(['GET /cart 200', 'GET /pay 500 ✓', 'POST /order']);
    const dev = bytesOf(['debug line']);
    const bank = bytesOf(['transfer ok', 'transfer failed']);

    const v = await getJson(s.url, q('/loki/api/v1/index/volume', { query: '{app="shop", env=~".+"}' }, base), { tenant: 'a' });
    assert.equal(v.status, 200);
    assert.equal(v.body.status, 'success');
    assert.equal(v.body.data.resultType, 'vector');
    assert.deepEqual(v.body.data.result.map((r: any) => [r.metric, r.value[1]]), [
      [{ app: 'shop', env: 'prod' }, String(prod)],
      [{ app: 'shop', env: 'dev' }, String(dev)],
    ]);
    assert.equal(typeof v.body.data.result[0].value[0], 'number');

    const byApp = await getJson(s.url, q('/loki/api/v1/index/volume', { query: '{env=~".+"}', targetLabels: 'app' }, base), { tenant: 'a' });
    assert.deepEqual(byApp.body.data.result.map((r: any) => [r.metric, r.value[1]]), [[{ app: 'shop' }, String(prod + dev)]]);

    const labels = await getJson(s.url, q('/loki/api/v1/index/volume', { query: '{app=~".+"}', targetLabels: 'app,env', aggregateBy: 'labels' }, base), { tenant: 'a' });
    assert.deepEqual(labels.body.data.result.map((r: any) => [r.metric, r.value[1]]), [
      [{ app: '' }, String(prod + dev + bank)],
      [{ env: '' }, String(prod + dev)],
    ]);

    const limited = await getJson(s.url, q('/loki/api/v1/index/volume', { query: '{app=~".+"}', targetLabels: 'app', limit: '1' }, base), { tenant: 'a' });
    assert.deepEqual(limited.body.data.result.map((r: any) => r.metric), [{ app: 'shop' }]);

    const otherTenant = await getJson(s.url, q('/loki/api/v1/index/volume', { query: '{app=~".+"}' }, base), { tenant: 'b' });
    assert.deepEqual(otherTenant.body.data.result.map((r: any) => r.metric), [{ app: 'shop' }]);
    assert.equal(otherTenant.body.data.result[0].value[1], String(5 * 'b-line-0'.length));

    const badAgg = await getJson(s.url, q('/loki/api/v1/index/volume', { query: '{app="shop"}', aggregateBy: 'pods' }, base), { tenant: 'a' });
    assert.equal(badAgg.status, 400);
  });
});

test('index/volume_range answers a matrix whose points sum to the volume', async () => {
  await withServer({}, async (s) => {
    const base = nowNs(-120_000);
    await seed(s.url, base);
    const start = base - 10_000_000_000n;
    const end = base + 10_000_000_000n;
    const r = await getJson(s.url, `/loki/api/v1/index/volume_range?${new URLSearchParams({ query: '{app="shop"}', start: String(start), end: String(end), step: '2s' })}`, { tenant: 'a' });
    assert.equal(r.status, 200);
    assert.equal(r.body.data.resultType, 'matrix');
    assert.equal(r.body.data.result.length, 1);
    const series = r.body.data.result[0];
    assert.deepEqual(series.metric, { app: 'shop' });
    const total = series.values.reduce((n: number, [, v]: [number, string]) => n + Number(v), 0);
    assert.equal(total, bytesOf(['GET /cart 200', 'GET /pay 500 ✓', 'POST /order', 'debug line']));
    const startSeconds = Number(start / 1_000_000n) / 1000;
    for (const [t] of series.values) assert.equal((t - startSeconds) % 2, 0, `point ${t} lies on the step grid`);
    // entries at base+0s and base+1s fall in (base-2s+… , base] and (base, base+2s]: two points
    assert.equal(series.values.filter(([t]: [number]) => t <= startSeconds + 12).length, 2);
  });
});
