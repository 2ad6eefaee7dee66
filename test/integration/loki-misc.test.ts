// format_query, detected_labels, detected_fields and the empty ruler API through the real server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, nowNs, push, withServer } from './harness.ts';

test('format_query returns the query, or 400 for a malformed one', async () => {
  await withServer({}, async (s) => {
    const ok = await getJson(s.url, `/loki/api/v1/format_query?${new URLSearchParams({ query: ' {app="x"} |= "err" ' })}`);
    assert.deepEqual(ok.body, { status: 'success', data: '{app="x"} |= "err"' });
    const metric = await getJson(s.url, `/loki/api/v1/format_query?${new URLSearchParams({ query: 'sum by (app) (rate({app="x"}[5m]))' })}`);
    assert.equal(metric.body.data, 'sum by (app) (rate({app="x"}[5m]))');
    const bad = await getJson(s.url, `/loki/api/v1/format_query?${new URLSearchParams({ query: '{app="x"' })}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.status, 'error');
  });
});

test('detected_labels and detected_fields describe a tenant\'s streams and lines', async () => {
  await withServer({}, async (s) => {
    const t = nowNs(-5000);
    const at = (i: number) => String(t + BigInt(i));
    assert.equal((await push(s.url, [
      { stream: { app: 'api', env: 'prod' }, values: [[at(0), 'level=info status=200 took=15ms', { trace_id: 'abc' }], [at(1), 'level=error status=500 took=1.5s']] },
      { stream: { app: 'web', env: 'prod' }, values: [[at(2), '{"level":"warn","size":12.5,"user":{"id":"u1"}}']] },
    ], { tenant: 'a' })).status, 204);
    assert.equal((await push(s.url, [{ stream: { team: 'secret' }, values: [[at(0), 'hidden=1']] }], { tenant: 'b' })).status, 204);

    const labels = await getJson(s.url, '/loki/api/v1/detected_labels', { tenant: 'a' });
    assert.deepEqual(labels.body, { detectedLabels: [{ label: 'app', cardinality: 2 }, { label: 'env', cardinality: 1 }] });
    const narrowed = await getJson(s.url, `/loki/api/v1/detected_labels?${new URLSearchParams({ query: '{app="api"}' })}`, { tenant: 'a' });
    assert.deepEqual(narrowed.body.detectedLabels, [{ label: 'app', cardinality: 1 }, { label: 'env', cardinality: 1 }]);
    assert.deepEqual((await getJson(s.url, '/loki/api/v1/detected_labels', { tenant: 'b' })).body.detectedLabels, [{ label: 'team', cardinality: 1 }]);

    const fields = await getJson(s.url, `/loki/api/v1/detected_fields?${new URLSearchParams({ query: '{env="prod"}' })}`, { tenant: 'a' });
    assert.equal(fields.status, 200);
    assert.equal(fields.body.limit, 1000);
    const byName = Object.fromEntries(fields.body.fields.map((f: any) => [f.label, f]));
    assert.deepEqual(Object.keys(byName).sort(), ['level', 'size', 'status', 'took', 'trace_id', 'user_id']);
    assert.deepEqual(byName.level, { label: 'level', type: 'string', cardinality: 3, parsers: ['json', 'logfmt'], jsonPath: ['level'] });
    assert.equal(byName.status.type, 'int');
    assert.equal(byName.took.type, 'duration');
    assert.equal(byName.size.type, 'float');
    assert.deepEqual(byName.trace_id.parsers, null, 'structured metadata has no parser');
    assert.deepEqual(byName.user_id.parsers, ['json']);
    // a line filter narrows the sample
    const errors = await getJson(s.url, `/loki/api/v1/detected_fields?${new URLSearchParams({ query: '{env="prod"} |= "error"' })}`, { tenant: 'a' });
    assert.deepEqual(errors.body.fields.map((f: any) => f.label).sort(), ['level', 'status', 'took']);
    const other = await getJson(s.url, `/loki/api/v1/detected_fields?${new URLSearchParams({ query: '{env="prod"}' })}`, { tenant: 'b' });
    assert.deepEqual(other.body.fields, []);
  });
});

test('the ruler API answers empty, as a Loki without rules does', async () => {
  await withServer({ tenantKeys: { a: ['key-a'] } }, async (s) => {
    const rules = await fetch(`${s.url}/loki/api/v1/rules`, { headers: { Authorization: 'Bearer key-a' } });
    assert.equal(rules.status, 200);
    assert.match(rules.headers.get('content-type') ?? '', /yaml/);
    assert.equal((await rules.text()).trim(), '{}');
    assert.deepEqual((await getJson(s.url, '/prometheus/api/v1/rules', { key: 'key-a' })).body, { status: 'success', data: { groups: [] } });
    assert.deepEqual((await getJson(s.url, '/prometheus/api/v1/alerts', { key: 'key-a' })).body, { status: 'success', data: { alerts: [] } });
    assert.equal((await getJson(s.url, '/prometheus/api/v1/rules')).status, 401);
  });
});
