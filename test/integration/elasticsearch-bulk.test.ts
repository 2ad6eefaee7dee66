// Elasticsearch `_bulk` against a real server with the official @elastic/elasticsearch client: helpers.bulk and
// client.bulk with per-item results, bad documents dropped while good ones are stored and queryable through LogQL
// (index label, structured metadata), ApiKey/Basic auth choosing the tenant, the probe endpoints and ES-shaped errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client, errors } from '@elastic/elasticsearch';
import { DEFAULT_LIMITS } from '../../src/ingest/limits.ts';
import { getJson, lines, rangeQuery, withServer } from './harness.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const KEYS = { tenantKeys: { acme: ['key-acme'], ops: ['key-ops'] } };

function apacheLines(count: number): string[] {
  return readFileSync(`${HERE}../../../shared/data/loghub/Apache/Apache_2k.log`, 'utf8').split('\n').filter(Boolean).slice(0, count);
}

test('helpers.bulk: good documents stored and queryable with their index label and metadata, bad ones dropped', async () => {
  await withServer({ ...KEYS, limits: { ...DEFAULT_LIMITS, maxLineBytes: 2000 } }, async (s) => {
    const client = new Client({ node: s.url, auth: { apiKey: 'key-acme' } });
    const info = await client.info();
    assert.equal(info.version.number, '8.11.0');
    assert.equal(info.tagline, 'You Know, for Search');

    const apache = apacheLines(120);
    const t0 = Date.now() - 60_000;
    const docs: Record<string, unknown>[] = apache.map((line, i) => ({
      '@timestamp': new Date(t0 + i * 100).toISOString(),
      message: line,
      log: { level: line.includes('[error]') ? 'error' : 'notice', file: { path: '/var/log/apache2/error.log' } },
      host: { name: `web-${i % 3}` },
    }));
    docs.splice(10, 0, { '@timestamp': 'the day before yesterday', message: 'bad time' });
    docs.splice(20, 0, { '@timestamp': '2001-01-01T00:00:00Z', message: 'too old' });
    docs.splice(30, 0, { message: 'x'.repeat(2001) });

    const drops: { status: number; error: { type: string; reason: string } | null; document: unknown; operation: unknown }[] = [];
    const stats = await client.helpers.bulk({
      datasource: docs,
      onDocument: () => ({ create: { _index: 'apache-errors' } }),
      onDrop: (d) => drops.push(d as (typeof drops)[number]),
      flushBytes: 4000, // several requests
      concurrency: 2,
    });
    assert.equal(stats.total, 123);
    assert.equal(stats.successful, 120);
    assert.equal(stats.failed, 3);
    assert.equal(stats.retry, 0);
    const dropped = drops.map((d) => [d.status, d.error?.type, (d.document as { message: string }).message.slice(0, 10)]).sort();
    assert.deepEqual(dropped, [
      [400, 'illegal_argument_exception', 'too old'],
      [400, 'illegal_argument_exception', 'xxxxxxxxxx'],
      [400, 'mapper_parsing_exception', 'bad time'],
    ]);
    assert.deepEqual(drops.find((d) => d.status === 400 && d.error?.type === 'mapper_parsing_exception')?.operation, { create: { _index: 'apache-errors' } });

    // every good line is there, in the index label's stream, with @timestamp as its time
    const q = await getJson(s.url, rangeQuery('{index="apache-errors"}', { limit: '1000', direction: 'forward' }), { key: 'key-acme' });
    assert.equal(q.status, 200);
    assert.deepEqual(lines(q.body).sort(), [...apache].sort());
    const first = q.body.data.result.flatMap((r: { values: string[][] }) => r.values).sort((a: string[], b: string[]) => (BigInt(a[0]) < BigInt(b[0]) ? -1 : 1))[0];
    assert.deepEqual(first, [String(BigInt(t0) * 1_000_000n), apache[0]]);
    // nested fields are structured metadata, filterable in LogQL
    const errorsOnly = await getJson(s.url, rangeQuery('{index="apache-errors"} | log_level="error" | host_name="web-1"', { limit: '1000' }), { key: 'key-acme' });
    const expected = apache.filter((l, i) => l.includes('[error]') && i % 3 === 1);
    assert.ok(expected.length > 5);
    assert.deepEqual(lines(errorsOnly.body).sort(), expected.sort());
    assert.deepEqual(errorsOnly.body.data.result[0].stream, { index: 'apache-errors', host_name: 'web-1', log_file_path: '/var/log/apache2/error.log', log_level: 'error' });
    // another tenant sees none of it
    assert.deepEqual((await getJson(s.url, rangeQuery('{index="apache-errors"}'), { key: 'key-ops' })).body.data.result, []);
  });
});

test('client.bulk: /<index>/_bulk, per-item results in order, delete/update refused, gzip bodies, ApiKey id:key and Basic auth', async () => {
  await withServer(KEYS, async (s) => {
    const client = new Client({ node: s.url, auth: { apiKey: { id: 'filebeat', api_key: 'key-ops' } }, compression: true });
    const r = await client.bulk({
      index: 'fallback',
      operations: [
        { index: { _id: 'x1' } }, { message: 'to the URL index', '@timestamp': Date.now() - 1000 },
        { create: { _index: 'explicit' } }, { event: { action: 'login' }, user: { name: 'ann', roles: ['admin', 'dev'] } },
        { delete: { _id: 'x1' } },
        { update: { _id: 'x1' } }, { doc: { message: 'changed' } },
        { index: { _index: 'Bad-Index' } }, { message: 'refused' },
        { create: {} }, { message: 'also to the URL index' },
      ],
    });
    assert.equal(r.errors, true);
    assert.deepEqual(r.items.map((item) => Object.entries(item).map(([action, v]) => [action, v.status, v._index])[0]), [
      ['index', 201, 'fallback'],
      ['create', 201, 'explicit'],
      ['delete', 400, 'fallback'],
      ['update', 400, 'fallback'],
      ['index', 400, 'Bad-Index'],
      ['create', 201, 'fallback'],
    ]);
    assert.deepEqual(r.items[0].index, { _index: 'fallback', _id: 'x1', _version: 1, result: 'created', _shards: { total: 1, successful: 1, failed: 0 }, _seq_no: 0, _primary_term: 1, status: 201 });
    assert.match(r.items[1].create!._id!, /^[A-Za-z0-9_-]{20}$/);
    assert.notEqual(r.items[1].create!._id, r.items[5].create!._id);
    assert.deepEqual(r.items[2].delete!.error, { type: 'illegal_argument_exception', reason: 'Sightline stores logs append-only: [delete] is not supported; use [index] or [create]' });
    assert.deepEqual(r.items[4].index!.error, { type: 'invalid_index_name_exception', reason: 'Invalid index name [Bad-Index], must be lowercase' });

    const q = (query: string) => getJson(s.url, rangeQuery(query, { direction: 'forward' }), { key: 'key-ops' });
    assert.deepEqual(lines((await q('{index="fallback"}')).body).sort(), ['also to the URL index', 'to the URL index']);
    const explicit = (await q('{index="explicit"}')).body.data.result;
    assert.equal(explicit.length, 1);
    assert.deepEqual(explicit[0].stream, { index: 'explicit', event_action: 'login', user_name: 'ann', user_roles: '["admin","dev"]' });
    assert.deepEqual(JSON.parse(explicit[0].values[0][1]), { event: { action: 'login' }, user: { name: 'ann', roles: ['admin', 'dev'] } });

    // Basic auth with the key as password works the same
    const basic = new Client({ node: s.url, auth: { username: 'elastic', password: 'key-acme' } });
    const r2 = await basic.bulk({ operations: [{ index: { _index: 'basic' } }, { message: 'via basic auth' }] });
    assert.equal(r2.errors, false);
    assert.deepEqual(lines((await getJson(s.url, rangeQuery('{index="basic"}'), { key: 'key-acme' })).body), ['via basic auth']);
  });
});

test('probe endpoints answer harmlessly; errors come in Elasticsearch shape with the product header', async () => {
  await withServer(KEYS, async (s) => {
    const client = new Client({ node: s.url, auth: { apiKey: 'key-acme' } });
    assert.equal((await client.license.get()).license.status, 'active');
    assert.equal((await client.cluster.health()).status, 'green');
    assert.equal((await client.indices.putIndexTemplate({ name: 'logs', index_patterns: ['logs-*'], template: { settings: { number_of_shards: 1 } } })).acknowledged, true);
    assert.equal(await client.indices.existsIndexTemplate({ name: 'logs' }), true);
    assert.equal((await client.indices.getIndexTemplate({ name: 'logs' })).index_templates[0].name, 'logs');
    assert.equal((await client.indices.putTemplate({ name: 'legacy', index_patterns: ['legacy-*'] })).acknowledged, true);
    assert.ok('legacy' in (await client.indices.getTemplate({ name: 'legacy' })));
    const nodes = await client.nodes.info({ metric: 'http' });
    assert.equal(Object.values(nodes.nodes)[0].http?.publish_address, new URL(s.url).host);

    const head = await fetch(s.url + '/', { method: 'HEAD', headers: { Authorization: 'ApiKey key-acme' } });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('x-elastic-product'), 'Elasticsearch');
    assert.equal(await head.text(), '');

    // no credentials: 401 as Elasticsearch shapes it, which the client surfaces as a ResponseError
    const anonymous = new Client({ node: s.url });
    await assert.rejects(anonymous.info(), (e: unknown) => {
      assert.ok(e instanceof errors.ResponseError);
      assert.equal(e.statusCode, 401);
      assert.deepEqual(e.body, {
        error: { root_cause: [{ type: 'security_exception', reason: 'authentication required: send Authorization: Bearer <api key>' }], type: 'security_exception', reason: 'authentication required: send Authorization: Bearer <api key>' },
        status: 401,
      });
      return true;
    });

    const post = (body: string, contentType = 'application/x-ndjson') =>
      fetch(`${s.url}/_bulk`, { method: 'POST', headers: { Authorization: 'ApiKey key-acme', 'Content-Type': contentType }, body });
    let res = await post('{"index":{"_index":"ok"}}\n{"message":"fine"}\nnot json\n{"message":"x"}\n');
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-elastic-product'), 'Elasticsearch');
    const body = (await res.json()) as { error: { type: string; reason: string }; status: number };
    assert.equal(body.status, 400);
    assert.equal(body.error.type, 'illegal_argument_exception');
    assert.match(body.error.reason, /^Malformed action\/metadata line \[3\]: /);
    // nothing of a rejected request is stored, not even its good first item
    assert.deepEqual((await getJson(s.url, rangeQuery('{index="ok"}'), { key: 'key-acme' })).body.data.result, []);

    res = await post('');
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { reason: string } }).error.reason, 'Validation Failed: 1: no requests added;');
    res = await post('{"index":{"_index":"ok"}}\n{}\n', 'text/plain');
    assert.equal(res.status, 406);
    assert.equal(((await res.json()) as { error: { type: string } }).error.type, 'media_type_header_exception');
  });
});
