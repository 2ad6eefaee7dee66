// Tenant isolation on every query path, API-key authentication and the exposure guard.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, lines, nowNs, push, rangeQuery, withServer } from './harness.ts';
import { startServer } from '../../src/server/sightline-server.ts';
import { DEFAULT_CONFIG } from '../../src/server/config.ts';

test('no query path shows one tenant the data of another', async () => {
  await withServer({}, async (s) => {
    const t = String(nowNs(-1000));
    assert.equal((await push(s.url, [{ stream: { app: 'shop' }, values: [[t, 'secret of tenant a']] }], { tenant: 'a' })).status, 204);
    assert.equal((await push(s.url, [{ stream: { app: 'bank' }, values: [[t, 'secret of tenant b']] }], { tenant: 'b' })).status, 204);
    assert.equal((await push(s.url, [{ stream: { app: 'dflt' }, values: [[t, 'default tenant line']] }])).status, 204);

    assert.deepEqual(lines((await getJson(s.url, rangeQuery('{}'), { tenant: 'a' })).body), ['secret of tenant a']);
    assert.deepEqual(lines((await getJson(s.url, rangeQuery('{} |= "secret"'), { tenant: 'b' })).body), ['secret of tenant b']);
    assert.deepEqual(lines((await getJson(s.url, rangeQuery('{app="shop"}'), { tenant: 'b' })).body), []);
    assert.deepEqual(lines((await getJson(s.url, rangeQuery('{}'))).body), ['default tenant line']);
    assert.deepEqual((await getJson(s.url, '/loki/api/v1/label/app/values', { tenant: 'a' })).body.data, ['shop']);
    assert.deepEqual((await getJson(s.url, '/loki/api/v1/labels', { tenant: 'nobody' })).body.data, []);
    assert.deepEqual((await getJson(s.url, '/loki/api/v1/series', { tenant: 'b' })).body.data, [{ app: 'bank' }]);
    const metric = await getJson(s.url, `/loki/api/v1/query?${new URLSearchParams({ query: 'sum(count_over_time({}[1h]))', time: String(nowNs()) })}`, { tenant: 'a' });
    assert.equal(metric.body.data.result[0].value[1], '1');
    // several tenants at once, as Loki's multi-tenant queries
    const both = await getJson(s.url, rangeQuery('{} |= "secret"'), { tenant: 'a|b' });
    assert.deepEqual(lines(both.body).sort(), ['secret of tenant a', 'secret of tenant b']);
    // ingest must name one tenant
    assert.equal((await push(s.url, [{ stream: { app: 'x' }, values: [[t, 'x']] }], { tenant: 'a|b' })).status, 403);
  });
});

test('API keys: required when configured, scoped to their tenants', async () => {
  await withServer({ tenantKeys: { team_a: ['key-a'], team_b: ['key-b'], shared: ['key-ops'], ops: ['key-ops'] } }, async (s) => {
    const t = String(nowNs(-1000));
    const stream = [{ stream: { app: 'x' }, values: [[t, 'hello']] }];
    assert.equal((await push(s.url, stream)).status, 401);
    const wrong = await push(s.url, stream, { key: 'nope' });
    assert.equal(wrong.status, 401);
    assert.match(await wrong.text(), /invalid API key/);
    assert.equal((await push(s.url, stream, { key: 'key-a' })).status, 204, 'a key with one tenant needs no X-Scope-OrgID');
    const denied = await push(s.url, stream, { key: 'key-a', tenant: 'team_b' });
    assert.equal(denied.status, 403);
    assert.match(((await denied.json()) as any).message, /may not access tenant "team_b"/);
    assert.equal((await push(s.url, stream, { key: 'key-ops' })).status, 403, 'a key with several tenants must choose one');
    assert.equal((await push(s.url, stream, { key: 'key-ops', tenant: 'ops' })).status, 204);

    assert.deepEqual(lines((await getJson(s.url, rangeQuery('{}'), { key: 'key-a' })).body), ['hello']);
    assert.deepEqual(lines((await getJson(s.url, rangeQuery('{}'), { key: 'key-b' })).body), []);
    assert.equal((await getJson(s.url, rangeQuery('{}'), { key: 'key-b', tenant: 'team_a' })).status, 403);
    assert.equal((await getJson(s.url, rangeQuery('{}'))).status, 401);
    // Basic auth with the key as password (what Promtail and Grafana send)
    const basic = await fetch(`${s.url}${rangeQuery('{}')}`, { headers: { Authorization: 'Basic ' + Buffer.from('team_a:key-a').toString('base64') } });
    assert.equal(basic.status, 200);
    // readiness and metrics stay open for probes
    assert.equal((await fetch(`${s.url}/ready`)).status, 200);
  });
});

test('binding beyond loopback is refused unless authentication is configured', async () => {
  await assert.rejects(startServer({ ...DEFAULT_CONFIG, host: '0.0.0.0', port: 0, dataDir: '/nonexistent-never-created' }), /refusing to listen on 0\.0\.0\.0 without authentication/);
});
