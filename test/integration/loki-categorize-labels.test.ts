// `X-Loki-Response-Encoding-Flags: categorize-labels` on a real server: with it, log results keep only stream labels
// per stream and each entry carries `{structuredMetadata?, parsed?}` (or `{}`), and `data.encodingFlags` says so;
// without it, today's merged labels. Query, query_range and the WebSocket tail; metric queries are unaffected.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { nowNs, push, withServer } from './harness.ts';

const FLAG = { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' };

async function query(url: string, q: string, t: bigint, headers: Record<string, string> = {}, extra: Record<string, string> = {}): Promise<any> {
  const p = new URLSearchParams({ query: q, start: String(t - 1_000_000_000n), end: String(t + 1_000_000_000n), limit: '100', direction: 'forward', ...extra });
  const res = await fetch(`${url}/loki/api/v1/query_range?${p}`, { headers });
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}

async function seed(url: string, t: bigint): Promise<void> {
  const res = await push(url, [
    {
      stream: { app: 'shop', level: 'info' },
      values: [
        [String(t), 'status=200 took=12ms', { trace_id: 't-1', user: 'ann' }],
        [String(t + 1n), 'status=500 took=80ms', { trace_id: 't-2' }],
        [String(t + 2n), 'status=204 took=3ms'],
      ],
    },
  ]);
  assert.equal(res.status, 204);
}

test('without the header: metadata and parsed labels merge into stream labels, one stream per label set, 2-element entries', async () => {
  await withServer({}, async (s) => {
    const t = nowNs(-60_000);
    await seed(s.url, t);
    const body = await query(s.url, '{app="shop"} | logfmt', t);
    assert.equal(body.data.encodingFlags, undefined);
    assert.deepEqual(
      body.data.result.map((r: any) => r.stream),
      [
        { app: 'shop', level: 'info', status: '200', took: '12ms', trace_id: 't-1', user: 'ann' },
        { app: 'shop', level: 'info', status: '500', took: '80ms', trace_id: 't-2' },
        { app: 'shop', level: 'info', status: '204', took: '3ms' },
      ],
    );
    for (const r of body.data.result) for (const v of r.values) assert.equal(v.length, 2);
  });
});

test('with the header: one stream of stream labels, entries carry structuredMetadata and parsed apart, {} when neither', async () => {
  await withServer({}, async (s) => {
    const t = nowNs(-60_000);
    await seed(s.url, t);

    // no pipeline: metadata only
    let body = await query(s.url, '{app="shop"}', t, FLAG);
    assert.deepEqual(body.data.encodingFlags, ['categorize-labels']);
    assert.deepEqual(body.data.result, [
      {
        stream: { app: 'shop', level: 'info' },
        values: [
          [String(t), 'status=200 took=12ms', { structuredMetadata: { trace_id: 't-1', user: 'ann' } }],
          [String(t + 1n), 'status=500 took=80ms', { structuredMetadata: { trace_id: 't-2' } }],
          [String(t + 2n), 'status=204 took=3ms', {}],
        ],
      },
    ]);

    // a parser: parsed labels; a stream-label clash becomes <name>_extracted, itself parsed
    body = await query(s.url, '{app="shop"} | logfmt | label_format level_upper=`{{ ToUpper .level }}`', t, FLAG);
    assert.deepEqual(body.data.result, [
      {
        stream: { app: 'shop', level: 'info' },
        values: [
          [String(t), 'status=200 took=12ms', { structuredMetadata: { trace_id: 't-1', user: 'ann' }, parsed: { level_upper: 'INFO', status: '200', took: '12ms' } }],
          [String(t + 1n), 'status=500 took=80ms', { structuredMetadata: { trace_id: 't-2' }, parsed: { level_upper: 'INFO', status: '500', took: '80ms' } }],
          [String(t + 2n), 'status=204 took=3ms', { parsed: { level_upper: 'INFO', status: '204', took: '3ms' } }],
        ],
      },
    ]);

    // a stage that rewrites a stream label keeps it a stream label (new stream), dropping one removes it, a failed
    // parser's __error__ labels are parsed labels
    body = await query(s.url, '{app="shop"} | json | label_format level="warn" | drop user', t, FLAG);
    assert.equal(body.data.result.length, 1);
    assert.deepEqual(body.data.result[0].stream, { app: 'shop', level: 'warn' });
    const first = body.data.result[0].values[0];
    assert.deepEqual(first[2].structuredMetadata, { trace_id: 't-1' });
    assert.equal(first[2].parsed.__error__, 'JSONParserErr');
    assert.ok(first[2].parsed.__error_details__.length > 0);

    // the flag among others, and case: Loki's header value is a comma-separated list
    body = await query(s.url, '{app="shop"} |= "status=500"', t, { 'X-Loki-Response-Encoding-Flags': 'something-else, categorize-labels' });
    assert.deepEqual(body.data.encodingFlags, ['categorize-labels']);
    assert.deepEqual(body.data.result[0].values, [[String(t + 1n), 'status=500 took=80ms', { structuredMetadata: { trace_id: 't-2' } }]]);

    // an unknown flag alone changes nothing
    body = await query(s.url, '{app="shop"} |= "status=500"', t, { 'X-Loki-Response-Encoding-Flags': 'something-else' });
    assert.equal(body.data.encodingFlags, undefined);
    assert.deepEqual(body.data.result[0].values, [[String(t + 1n), 'status=500 took=80ms']]);
  });
});

test('with the header, the limit and direction still apply across the stream; metric queries are not flagged', async () => {
  await withServer({}, async (s) => {
    const t = nowNs(-60_000);
    await seed(s.url, t);
    const body = await query(s.url, '{app="shop"}', t, FLAG, { limit: '2', direction: 'backward' });
    assert.deepEqual(body.data.result[0].values.map((v: any) => v[0]), [String(t + 2n), String(t + 1n)]);
    assert.equal(body.data.stats.summary.totalEntriesReturned, 2);

    const metric = await query(s.url, 'count_over_time({app="shop"}[1m])', t, FLAG, { step: '1s' });
    assert.equal(metric.data.resultType, 'matrix');
    assert.equal(metric.data.encodingFlags, undefined);
  });
});

test('tail honours the header of its upgrade request', async () => {
  await withServer({}, async (s) => {
    const t = nowNs(-10_000);
    await seed(s.url, t);
    const frame = await new Promise<any>((resolve, reject) => {
      const ws = new WebSocket(`${s.url.replace(/^http/, 'ws')}/loki/api/v1/tail?${new URLSearchParams({ query: '{app="shop"} | logfmt | status="500"', start: String(t - 1_000_000_000n) })}`, { headers: FLAG });
      ws.once('message', (data) => {
        resolve(JSON.parse(String(data)));
        ws.close();
      });
      ws.once('error', reject);
    });
    assert.deepEqual(frame.streams, [
      { stream: { app: 'shop', level: 'info' }, values: [[String(t + 1n), 'status=500 took=80ms', { structuredMetadata: { trace_id: 't-2' }, parsed: { status: '500', took: '80ms' } }]] },
    ]);
    assert.equal(frame.dropped_entries, null);
  });
});
