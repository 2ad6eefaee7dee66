// Splunk HEC against a real server with raw requests shaped like Splunk's documented examples ("Format events for
// HTTP Event Collector", "Troubleshoot HTTP Event Collector"): event and raw endpoints, token auth, acks, health,
// and bad events answered with Splunk's codes while the events before them are kept.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { getJson, rangeQuery, withServer } from './harness.ts';

const KEYS = { tenantKeys: { acme: ['key-acme'], ops: ['key-ops'] } };

interface Entry {
  ts: bigint;
  line: string;
  stream: Record<string, string>;
}

function entries(body: { data: { result: { stream: Record<string, string>; values: string[][] }[] } }): Entry[] {
  const out: Entry[] = [];
  for (const s of body.data.result) for (const [ts, line] of s.values) out.push({ ts: BigInt(ts), line, stream: s.stream });
  return out.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.line < b.line ? -1 : 1));
}

async function hec(url: string, path: string, body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = { Authorization: 'Splunk key-acme' }): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url + path, { method: 'POST', headers, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('event endpoint: Splunk-documented events, concatenated and newline-separated, labels, fields, time', async () => {
  await withServer(KEYS, async (s) => {
    const t = Math.floor(Date.now() / 1000) - 60;
    // the batch example: several event objects one after another, no separator
    const batch =
      `{"time": ${t}.123, "host": "localhost", "source": "datasource", "sourcetype": "txt", "index": "main", "event": "Hello world!"}` +
      `{"time": "${t + 1}", "host": "localhost", "source": "datasource", "sourcetype": "txt", "index": "main", "event": {"message": "Something happened", "severity": "INFO"}, "fields": {"cluster": "east", "pod": 7, "tags": ["a", "b"]}}\n` +
      `  {"event": "no metadata at all"}\r\n`;
    const r = await hec(s.url, '/services/collector/event', batch);
    assert.deepEqual(r, { status: 200, body: { text: 'Success', code: 0 } });
    const q = await getJson(s.url, rangeQuery('{sourcetype=~".+"}', { direction: 'forward' }), { key: 'key-acme' });
    const got = entries(q.body);
    const byLine = new Map(got.map((e) => [e.line, e]));
    assert.deepEqual([...byLine.keys()].sort(), ['Hello world!', 'no metadata at all', '{"message":"Something happened","severity":"INFO"}']);
    assert.equal(byLine.get('Hello world!')?.ts, BigInt(t) * 1_000_000_000n + 123_000_000n);
    assert.deepEqual(byLine.get('Hello world!')?.stream, { host: 'localhost', source: 'datasource', sourcetype: 'txt', index: 'main' });
    const structured = byLine.get('{"message":"Something happened","severity":"INFO"}')!;
    assert.equal(structured.ts, BigInt(t + 1) * 1_000_000_000n);
    assert.deepEqual(structured.stream, { host: 'localhost', source: 'datasource', sourcetype: 'txt', index: 'main', cluster: 'east', pod: '7', tags: '["a","b"]' });
    // no time: arrival time; no sourcetype: Splunk's default `httpevent`
    assert.deepEqual(byLine.get('no metadata at all')?.stream, { sourcetype: 'httpevent' });
    // fields filter like any structured metadata
    const east = await getJson(s.url, rangeQuery('{index="main"} | cluster="east"'), { key: 'key-acme' });
    assert.deepEqual(entries(east.body).map((e) => e.line), ['{"message":"Something happened","severity":"INFO"}']);
  });
});

test('raw endpoint: lines with query-string metadata, gzip, /services/collector alias and query defaults for events', async () => {
  await withServer(KEYS, async (s) => {
    const raw = '2024-05-01 12:00:00 GET /index.html 200\n2024-05-01 12:00:01 GET /missing 404\r\n\n';
    let r = await hec(s.url, '/services/collector/raw?sourcetype=access_combined&source=/var/log/nginx/access.log&host=web-1&index=web', new Uint8Array(gzipSync(raw)), { Authorization: 'Splunk key-acme', 'Content-Encoding': 'gzip' });
    assert.deepEqual(r, { status: 200, body: { text: 'Success', code: 0 } });
    const q = await getJson(s.url, rangeQuery('{index="web", sourcetype="access_combined"}', { direction: 'forward' }), { key: 'key-acme' });
    assert.deepEqual(entries(q.body).map((e) => e.line), ['2024-05-01 12:00:00 GET /index.html 200', '2024-05-01 12:00:01 GET /missing 404']);
    assert.deepEqual(q.body.data.result[0].stream, { host: 'web-1', index: 'web', source: '/var/log/nginx/access.log', sourcetype: 'access_combined' });

    r = await hec(s.url, '/services/collector?index=fallback&host=h0', '{"event": "uses defaults"} {"event": "overrides", "host": "h1"}');
    assert.equal(r.status, 200);
    const d = await getJson(s.url, rangeQuery('{index="fallback"}'), { key: 'key-acme' });
    assert.deepEqual(entries(d.body).map((e) => [e.line, e.stream.host]).sort(), [['overrides', 'h1'], ['uses defaults', 'h0']]);
  });
});

test('bad events: Splunk codes and invalid-event-number; the events before the bad one are kept', async () => {
  await withServer(KEYS, async (s) => {
    const cases: [string, number, Record<string, unknown>][] = [
      ['{"event": "ok 1"} {"event": "ok 2"} {"event": "bad" "x"} {"event": "never"}', 400, { text: 'Invalid data format', code: 6, 'invalid-event-number': 2 }],
      ['{"event": "ok 3"} {"host": "h", "fields": {}}', 400, { text: 'Event field is required', code: 12, 'invalid-event-number': 1 }],
      ['{"event": ""}', 400, { text: 'Event field cannot be blank', code: 13, 'invalid-event-number': 0 }],
      ['{"event": "x", "fields": {"nested": {"a": 1}}}', 400, { text: 'Error in handling indexed fields', code: 15, 'invalid-event-number': 0 }],
      ['{"event": "x", "time": "yesterday"}', 400, { text: 'Invalid data format', code: 6, 'invalid-event-number': 0 }],
      ['{"event": "x", "index": 5}', 400, { text: 'Incorrect index', code: 7, 'invalid-event-number': 0 }],
      ['{"event": "truncated"', 400, { text: 'Invalid data format', code: 6, 'invalid-event-number': 0 }],
      ['["not", "an", "object"]', 400, { text: 'Invalid data format', code: 6, 'invalid-event-number': 0 }],
      ['   ', 400, { text: 'No data', code: 5 }],
    ];
    for (const [body, status, expected] of cases) {
      const r = await hec(s.url, '/services/collector/event', body);
      assert.equal(r.status, status, body);
      assert.equal(typeof r.body.detail, 'string', body);
      delete r.body.detail;
      assert.deepEqual(r.body, expected, body);
    }
    const r = await hec(s.url, '/services/collector/event', '{"event": "x", "time": 1}');
    assert.match(String(r.body.detail), /^timestamp 1970-01-01T00:00:01\.000Z is older than the accepted window/);
    const q = await getJson(s.url, rangeQuery('{sourcetype="httpevent"}'), { key: 'key-acme' });
    assert.deepEqual(entries(q.body).map((e) => e.line), ['ok 1', 'ok 2', 'ok 3']);
  });
});

test('auth: Splunk token = API key (tenant from the key), Splunk-shaped 401/403; health and acks', async () => {
  await withServer(KEYS, async (s) => {
    let r = await hec(s.url, '/services/collector/event', '{"event": "x"}', {});
    assert.deepEqual(r, { status: 401, body: { text: 'Token is required', code: 2, detail: 'authentication required: send Authorization: Bearer <api key>' } });
    r = await hec(s.url, '/services/collector/event', '{"event": "x"}', { Authorization: 'Splunk wrong' });
    assert.equal(r.status, 403);
    assert.equal(r.body.code, 4);
    assert.equal(r.body.text, 'Invalid token');
    r = await hec(s.url, '/services/collector/event', '{"event": "x"}', { Authorization: 'Token key-acme' });
    assert.deepEqual([r.status, r.body.code, r.body.text], [401, 3, 'Invalid authorization']);
    // the ops key writes to tenant ops only
    r = await hec(s.url, '/services/collector/event', '{"event": "for ops"}', { Authorization: 'Splunk key-ops' });
    assert.equal(r.status, 200);
    assert.deepEqual(entries((await getJson(s.url, rangeQuery('{sourcetype="httpevent"}'), { key: 'key-ops' })).body).map((e) => e.line), ['for ops']);
    assert.deepEqual((await getJson(s.url, rangeQuery('{sourcetype="httpevent"}'), { key: 'key-acme' })).body.data.result, []);

    const health = await fetch(`${s.url}/services/collector/health`);
    assert.deepEqual([health.status, await health.json()], [200, { text: 'HEC is healthy', code: 17 }]);

    // with a channel, replies carry an ackId, and acks are true at once (the reply follows the commit)
    const channel = { Authorization: 'Splunk key-acme', 'X-Splunk-Request-Channel': 'FE0ECFAD-13D5-401B-847D-77833BD77131' };
    const a = await hec(s.url, '/services/collector/event', '{"event": "acked"}', channel);
    assert.equal(a.status, 200);
    assert.equal(typeof a.body.ackId, 'number');
    const acks = await hec(s.url, '/services/collector/ack', JSON.stringify({ acks: [a.body.ackId, 1_000_000] }), channel);
    assert.deepEqual(acks, { status: 200, body: { acks: { [String(a.body.ackId)]: true, '1000000': false } } });
    const noChannel = await hec(s.url, '/services/collector/ack', '{"acks": [0]}');
    assert.deepEqual(noChannel, { status: 400, body: { text: 'Data channel is missing', code: 10 } });
  });
});
