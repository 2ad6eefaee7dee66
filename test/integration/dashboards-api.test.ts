// The dashboards API against a real server: the built-in Overview per tenant, save/versions/409, restore, export
// and import round trip, validation errors naming the field, tenant isolation (headers and API keys), size bound,
// and the files on disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir, withServer } from './harness.ts';

type Json = Record<string, any>;

async function call(url: string, method: string, p: string, opts: { body?: unknown; tenant?: string; key?: string; raw?: string } = {}): Promise<{ status: number; body: Json; headers: Headers }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (opts.tenant) headers['X-Scope-OrgID'] = opts.tenant;
  if (opts.key) headers.Authorization = `Bearer ${opts.key}`;
  const res = await fetch(url + p, { method, headers, body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {}, headers: res.headers };
}

function sample(uid = 'svc'): Json {
  return {
    uid,
    title: 'Service health',
    tags: ['team-a'],
    time: { from: 'now-6h', to: 'now' },
    refresh: '30s',
    variables: [{ name: 'service', label: 'Service', query: 'service', multi: true, include_all: true }],
    panels: [
      { id: 1, title: 'Rate', type: 'timeseries', query: 'sum by (service) (rate({service=~"$service"} [$__interval]))', legend: '{{service}}', unit: 'lines/s', grid: { x: 0, y: 0, w: 12, h: 8 } },
      { id: 2, title: 'Errors', type: 'logs', query: '{service=~"${service}"} |= "error"', grid: { x: 12, y: 0, w: 12, h: 8 } },
    ],
  };
}

test('a new tenant gets the Overview; save, versions, 409 on a stale version, restore, delete', async () => {
  const dataDir = tempDir();
  await withServer({ dataDir }, async (s) => {
    const first = await call(s.url, 'GET', '/api/v1/dashboards');
    assert.equal(first.status, 200);
    assert.deepEqual(first.body.dashboards.map((d: Json) => [d.uid, d.title, d.version]), [['overview', 'Overview', 1]]);
    // no SIEM configured: the security panel is told so
    assert.equal(first.body.siem, false);
    const overview = await call(s.url, 'GET', '/api/v1/dashboards/overview');
    assert.equal(overview.body.panels.length, 10);
    assert.deepEqual(overview.body.panels.map((p: Json) => p.type).sort(), ['bars', 'logs', 'security', 'stat', 'stat', 'stat', 'table', 'table', 'timeseries', 'timeseries']);

    const created = await call(s.url, 'PUT', '/api/v1/dashboards/svc', { body: sample() });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.version, 1);
    // creating it again without a version would overwrite someone's work: refused
    const again = await call(s.url, 'PUT', '/api/v1/dashboards/svc', { body: sample() });
    assert.equal(again.status, 409);
    assert.match(again.body.message, /already exists \(version 1\): send its "version"/);

    const edited = { ...sample(), title: 'Service health v2', version: 1 };
    const v2 = await call(s.url, 'PUT', '/api/v1/dashboards/svc', { body: edited });
    assert.equal(v2.status, 200);
    assert.equal(v2.body.version, 2);
    // a second editor still on version 1 loses the race
    const stale = await call(s.url, 'PUT', '/api/v1/dashboards/svc', { body: { ...sample(), title: 'Other edit', version: 1 } });
    assert.equal(stale.status, 409);
    assert.match(stale.body.message, /version conflict: dashboard "svc" is at version 2, this edit started from version 1/);

    const versions = await call(s.url, 'GET', '/api/v1/dashboards/svc/versions');
    assert.deepEqual(versions.body.versions.map((v: Json) => [v.version, v.title]), [[2, 'Service health v2'], [1, 'Service health']]);
    const old = await call(s.url, 'GET', '/api/v1/dashboards/svc/versions/1');
    assert.equal(old.body.title, 'Service health');
    assert.equal(old.body.version, 1);
    // restore = PUT the old version's JSON as an edit of the current version
    const restored = await call(s.url, 'PUT', '/api/v1/dashboards/svc', { body: { ...old.body, version: 2 } });
    assert.equal(restored.body.version, 3);
    const now = await call(s.url, 'GET', '/api/v1/dashboards/svc');
    assert.equal(now.body.title, 'Service health');
    assert.equal(now.body.version, 3);
    assert.match(now.body.updated, /^\d{4}-\d{2}-\d{2}T/);
    assert.equal((await call(s.url, 'GET', '/api/v1/dashboards/svc/versions/9')).status, 404);

    // on disk: one file per version, no temporary files left
    const dir = path.join(dataDir, 'dashboards', 'default', 'svc');
    assert.deepEqual(readdirSync(dir).sort(), ['1.json', '2.json', '3.json']);
    assert.equal(JSON.parse(readFileSync(path.join(dir, '3.json'), 'utf8')).dashboard.title, 'Service health');

    const list = await call(s.url, 'GET', '/api/v1/dashboards');
    assert.deepEqual(list.body.dashboards.map((d: Json) => [d.uid, d.version, d.tags]), [['overview', 1, ['built-in', 'overview']], ['svc', 3, ['team-a']]]);

    assert.equal((await call(s.url, 'DELETE', '/api/v1/dashboards/svc')).status, 204);
    assert.equal((await call(s.url, 'GET', '/api/v1/dashboards/svc')).status, 404);
    assert.equal(existsSync(dir), false);
    // a deleted Overview stays deleted: it is seeded once per tenant
    assert.equal((await call(s.url, 'DELETE', '/api/v1/dashboards/overview')).status, 204);
    assert.deepEqual((await call(s.url, 'GET', '/api/v1/dashboards')).body.dashboards, []);
  });
});

test('export then import round-trips; import without a uid makes one; overwrite', async () => {
  await withServer({}, async (s) => {
    await call(s.url, 'PUT', '/api/v1/dashboards/svc', { body: sample() });
    const exported = await call(s.url, 'GET', '/api/v1/dashboards/svc?export=1');
    assert.equal(exported.headers.get('content-disposition'), 'attachment; filename="svc.json"');
    assert.equal(exported.body.version, undefined);
    assert.deepEqual(exported.body, { ...sample() });

    // into another tenant: the same dashboard, version 1
    const imported = await call(s.url, 'POST', '/api/v1/dashboards/import', { body: exported.body, tenant: 'team-b' });
    assert.equal(imported.status, 201);
    assert.deepEqual(imported.body.uid, 'svc');
    const back = await call(s.url, 'GET', '/api/v1/dashboards/svc?export=1', { tenant: 'team-b' });
    assert.deepEqual(back.body, exported.body);

    // the same uid again: conflict unless overwrite=1
    const dup = await call(s.url, 'POST', '/api/v1/dashboards/import', { body: exported.body, tenant: 'team-b' });
    assert.equal(dup.status, 409);
    const over = await call(s.url, 'POST', '/api/v1/dashboards/import?overwrite=1', { body: { ...exported.body, title: 'Imported' }, tenant: 'team-b' });
    assert.equal(over.status, 201);
    assert.equal(over.body.version, 2);

    const { uid: _uid, ...noUid } = sample();
    const fresh = await call(s.url, 'POST', '/api/v1/dashboards/import', { body: noUid });
    assert.equal(fresh.status, 201);
    assert.match(fresh.body.uid, /^[0-9a-f]{12}$/);
  });
});

test('validation errors name the field', async () => {
  await withServer({}, async (s) => {
    const cases: [Json, RegExp][] = [
      [{ ...sample(), panels: [{ ...sample().panels[0], type: 'pie' }] }, /^panels\[0\]\.type: expected one of timeseries, bars, stat, table, logs, security, got "pie"$/],
      [{ ...sample(), panels: [{ ...sample().panels[0], query: '  ' }] }, /^panels\[0\]\.query: missing: a timeseries panel needs a LogQL query$/],
      [{ ...sample(), panels: [{ ...sample().panels[0], query: 'sum(rate({service=~"$nope"}[1m]))' }] }, /^panels\[0\]\.query: uses \$nope, which is not one of the dashboard's variables$/],
      [{ ...sample(), panels: [{ ...sample().panels[0], query: 'sum(rate({service="a"}[1m])' }] }, /^panels\[0\]\.query: .*syntax error/],
      [{ ...sample(), panels: [{ ...sample().panels[1], query: 'rate({a="b"}[1m])' }] }, /^panels\[0\]\.query: a logs panel needs a log query/],
      [{ ...sample(), panels: [{ ...sample().panels[0], grid: { x: 20, y: 0, w: 8, h: 4 } }] }, /^panels\[0\]\.grid: x \+ w must be at most 24/],
      [{ ...sample(), variables: [{ name: 'service', query: 'not a label' }] }, /^variables\[0\]\.query: expected a label name/],
      [{ ...sample(), variables: [{ name: '1x', query: 'service' }] }, /^variables\[0\]\.name: expected a name/],
      [{ ...sample(), variables: [{ name: 'service', query: 'service', selector: '{service=' }] }, /^variables\[0\]\.selector: not a stream selector/],
      [{ ...sample(), variables: [{ name: 'service', query: 'service', selector: '{a="b"} |= "x"' }] }, /^variables\[0\]\.selector: expected a stream selector alone/],
      [{ ...sample(), title: '' }, /^title: required|^title: must not be empty/],
      [{ ...sample(), time: { from: 'yesterday', to: 'now' } }, /^time\.from: expected now, now-<n>/],
      [{ ...sample(), uid: 'other' }, /^uid: does not match the URL's "svc"/],
      [{ ...sample(), version: 'x' }, /^version: expected the integer version/],
    ];
    for (const [body, message] of cases) {
      const r = await call(s.url, 'PUT', '/api/v1/dashboards/svc', { body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(r.body.message, message);
    }
    const malformed = await call(s.url, 'PUT', '/api/v1/dashboards/svc', { raw: '{"title":' });
    assert.equal(malformed.status, 400);
    assert.match(malformed.body.message, /^request body: malformed JSON/);
    const badUid = await call(s.url, 'GET', '/api/v1/dashboards/a.b');
    assert.equal(badUid.status, 400);
    assert.match(badUid.body.message, /^uid: expected 1 to 64 letters/);
    // over 1 MiB: refused before parsing
    const huge = await call(s.url, 'PUT', '/api/v1/dashboards/svc', { body: { ...sample(), title: 'x'.repeat(1_100_000) } });
    assert.equal(huge.status, 413);
    // nothing was saved by any of them
    assert.equal((await call(s.url, 'GET', '/api/v1/dashboards/svc')).status, 404);
  });
});

test('tenants are isolated, by header and by API key', async () => {
  await withServer({ tenantKeys: { 'team-a': ['key-a'], 'team-b': ['key-b'] } }, async (s) => {
    assert.equal((await call(s.url, 'GET', '/api/v1/dashboards')).status, 401);
    assert.equal((await call(s.url, 'PUT', '/api/v1/dashboards/svc', { body: sample(), key: 'key-a' })).status, 201);
    assert.deepEqual((await call(s.url, 'GET', '/api/v1/dashboards', { key: 'key-a' })).body.dashboards.map((d: Json) => d.uid), ['overview', 'svc']);
    assert.deepEqual((await call(s.url, 'GET', '/api/v1/dashboards', { key: 'key-b' })).body.dashboards.map((d: Json) => d.uid), ['overview']);
    assert.equal((await call(s.url, 'GET', '/api/v1/dashboards/svc', { key: 'key-b' })).status, 404);
    const forbidden = await call(s.url, 'GET', '/api/v1/dashboards/svc', { key: 'key-b', tenant: 'team-a' });
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.body.message, /may not access tenant "team-a"/);
    assert.equal((await call(s.url, 'DELETE', '/api/v1/dashboards/svc', { key: 'key-b' })).status, 404);
    assert.equal((await call(s.url, 'GET', '/api/v1/dashboards/svc', { key: 'key-a' })).status, 200);
    // one tenant per request: a|b is for queries only
    const multi = await call(s.url, 'GET', '/api/v1/dashboards', { key: 'key-a', tenant: 'team-a|team-b' });
    assert.equal(multi.status, 403);
  });
});

test('concurrent saves of the same version: exactly one wins', async () => {
  await withServer({}, async (s) => {
    await call(s.url, 'PUT', '/api/v1/dashboards/svc', { body: sample() });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => call(s.url, 'PUT', '/api/v1/dashboards/svc', { body: { ...sample(), title: `edit ${i}`, version: 1 } })));
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409, 409, 409, 409, 409, 409, 409]);
    const versions = await call(s.url, 'GET', '/api/v1/dashboards/svc/versions');
    assert.equal(versions.body.versions.length, 2);
  });
});

test('with SIEM detection configured the list says so', async () => {
  const dir = tempDir();
  mkdirSync(path.join(dir, 'detections'));
  writeFileSync(path.join(dir, 'siem.yaml'), 'rules:\n  - detections\n');
  try {
    await withServer({ siemFile: path.join(dir, 'siem.yaml') }, async (s) => {
      const list = await call(s.url, 'GET', '/api/v1/dashboards');
      assert.equal(list.body.siem, true);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
