// Bad input: each problem answered with a 4xx naming what and where, the valid part of a batch kept.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { DEFAULT_LIMITS } from '../../src/ingest/limits.ts';
import { getJson, lines, nowNs, push, rangeQuery, withServer } from './harness.ts';

test('malformed bodies, bad entries and bad queries get precise errors; good entries are kept', async () => {
  await withServer({ limits: { ...DEFAULT_LIMITS, maxLineBytes: 100 } }, async (s) => {
    const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
      fetch(`${s.url}/loki/api/v1/push`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: typeof body === 'string' ? body : new Uint8Array(body) });

    let res = await post('{"streams": [');
    assert.equal(res.status, 400);
    assert.match(await res.text(), /malformed JSON push body/);

    res = await post('{"nope": 1}');
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as any).message, /"streams" array/);

    res = await post('hello', { 'Content-Type': 'application/xml' });
    assert.equal(res.status, 415);
    assert.match(((await res.json()) as any).message, /unsupported Content-Type "application\/xml"/);

    res = await post(Buffer.from('not gzip at all'), { 'Content-Encoding': 'gzip' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /could not read gzip body/);

    res = await post('x', { 'Content-Encoding': 'zstd-ish' });
    assert.equal(res.status, 415);

    // a batch mixing good and bad entries: 400 naming each bad one; the good ones are stored
    const good = String(nowNs(-5000));
    const ancient = String(nowNs(-30 * 24 * 3600 * 1000));
    const future = String(nowNs(3600 * 1000));
    const badUtf8 = Buffer.concat([
      Buffer.from(`{"streams":[{"stream":{"app":"mix"},"values":[["${good}","good one"],["${good}","bad `),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(`"],["${ancient}","too old"],["${future}","too new"],["${good}","${'x'.repeat(150)}"],["abc","bad ts"],["${good}","good two"]]},`),
      Buffer.from(`{"stream":{"__bad":"x"},"values":[["${good}","bad labels"]]}]}`),
    ]);
    res = await post(badUtf8);
    assert.equal(res.status, 400);
    const msg = ((await res.json()) as any).message as string;
    assert.match(msg, /stream \{app="mix"\}, entry 1: line is not valid UTF-8 \(invalid_utf8\)/);
    assert.match(msg, /entry 2: timestamp .* is older than the accepted window/);
    assert.match(msg, /entry 3: timestamp .* is too far in the future/);
    assert.match(msg, /entry 4: line is 150 bytes, more than the limit of 100/);
    assert.match(msg, /entry 5: timestamp "abc" is not a Unix epoch/);
    assert.match(msg, /invalid label name "__bad"/);
    assert.match(msg, /total ignored: 6 out of 8; accepted: 2/);
    assert.deepEqual(lines((await getJson(s.url, rangeQuery('{app="mix"}'))).body).sort(), ['good one', 'good two']);

    // gzip bodies work and an over-large decompressed body is refused
    res = await post(gzipSync(JSON.stringify({ streams: [{ stream: { app: 'gz' }, values: [[good, 'zipped']] }] })), { 'Content-Encoding': 'gzip' });
    assert.equal(res.status, 204);

    // native NDJSON: bad lines named by line number, the rest kept
    res = await fetch(`${s.url}/api/v1/logs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-ndjson' },
      body: ['{"labels":{"app":"nd"},"line":"fine"}', '{broken', '{"labels":{"app":"nd"},"ts":"yesterday-ish","line":"bad time"}', '{"labels":{"app":"nd"},"line":"also fine"}'].join('\n'),
    });
    assert.equal(res.status, 400);
    const nd = (await res.json()) as any;
    assert.equal(nd.accepted, 2);
    assert.equal(nd.rejected, 2);
    assert.equal(nd.errors[0].line, 2);
    assert.match(nd.errors[0].message, /line 2: malformed JSON/);
    assert.equal(nd.errors[1].line, 3);
    assert.match(nd.errors[1].message, /"ts" value "yesterday-ish" is not an RFC 3339 time/);

    // queries: syntax errors point at the position, in Loki's JSON error shape
    let q = await getJson(s.url, rangeQuery('{app="x"} |= '));
    assert.equal(q.status, 400);
    assert.equal(q.body.status, 'error');
    assert.match(q.body.message, /parse error at line 1, col \d+/);
    q = await getJson(s.url, rangeQuery('{app="x"}', { start: 'yesterday' }));
    assert.equal(q.status, 400);
    assert.match(q.body.message, /invalid parameter "start"/);
    q = await getJson(s.url, rangeQuery('{app="x"}', { limit: '-3' }));
    assert.equal(q.status, 400);
    q = await getJson(s.url, '/loki/api/v1/query_range');
    assert.equal(q.status, 400);
    assert.match(q.body.message, /missing parameter "query"/);
    q = await getJson(s.url, '/nowhere');
    assert.equal(q.status, 404);
  });
});

test('a catastrophic-backtracking regex cannot hang the server (RE2)', async () => {
  await withServer({}, async (s) => {
    const t = String(nowNs(-1000));
    await push(s.url, [{ stream: { app: 're' }, values: [[t, 'a'.repeat(5000) + '!']] }]);
    const started = Date.now();
    const r = await getJson(s.url, rangeQuery('{app="re"} |~ "(a+)+!"'));
    assert.equal(r.status, 200);
    assert.equal(lines(r.body).length, 1);
    const r2 = await getJson(s.url, rangeQuery('{app="re"} | regexp "(?P<x>(a|aa)+)b"'));
    assert.equal(r2.status, 200);
    assert.ok(Date.now() - started < 5000, 'answered promptly');
  });
});
