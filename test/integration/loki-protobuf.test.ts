// Loki push in protobuf+snappy against a real server: the winston-loki client (which sends exactly that, observed on
// the wire here) stored under its labels and tenant, its unescaped label text refused by stream, and hand-built
// bodies: structured metadata, gzip around protobuf, malformed snappy/protobuf, oversized blocks, partly bad pushes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { compressSync } from 'snappy';
import winston from 'winston';
import LokiTransport from 'winston-loki';
import { DEFAULT_LIMITS } from '../../src/ingest/limits.ts';
import { getJson, lines, rangeQuery, withServer } from './harness.ts';

const root = protobuf.parse(`
  syntax = "proto3";
  message PushRequest { repeated StreamAdapter streams = 1; }
  message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
  message EntryAdapter { Timestamp timestamp = 1; string line = 2; repeated LabelPairAdapter structuredMetadata = 3; }
  message LabelPairAdapter { string name = 1; string value = 2; }
  message Timestamp { int64 seconds = 1; int32 nanos = 2; }
`).root;
const PushRequest = root.lookupType('PushRequest');
const encode = (streams: unknown[]): Buffer => Buffer.from(PushRequest.encode(PushRequest.fromObject({ streams })).finish());
const now = () => ({ seconds: Math.floor(Date.now() / 1000) - 1, nanos: 123_456_789 });

/** Content-Types of the HTTP requests this process sends, seen through Node's http client diagnostics channel. */
function recordContentTypes(): { types: string[]; stop(): void } {
  const types: string[] = [];
  const onStart = (msg: unknown) => types.push(String((msg as { request: ClientRequest }).request.getHeader('content-type')));
  diagnostics.subscribe('http.client.request.start', onStart);
  return { types, stop: () => diagnostics.unsubscribe('http.client.request.start', onStart) };
}

/** Logs through winston-loki and waits until its final batch has been answered. */
async function logWithWinston(options: ConstructorParameters<typeof LokiTransport>[0], write: (logger: winston.Logger) => void, count: number): Promise<unknown[]> {
  const failures: unknown[] = [];
  const transport = new LokiTransport({ batching: true, interval: 3600, gracefulShutdown: false, ...options, onConnectionError: (e) => failures.push(e) });
  const logger = winston.createLogger({ level: 'debug', transports: [transport] });
  const logged = new Promise<void>((resolve) => {
    let n = 0;
    transport.on('logged', () => ++n === count && resolve());
  });
  write(logger);
  await logged;
  await transport.close();
  return failures;
}

test('winston-loki sends protobuf+snappy; its entries are stored under its labels in the tenant its Basic auth picks', async () => {
  await withServer({ tenantKeys: { acme: ['key-acme'], other: ['key-other'] } }, async (s) => {
    const wire = recordContentTypes();
    const failures = await logWithWinston(
      { host: s.url, basicAuth: 'shop:key-acme', labels: { app: 'shop', env: 'test' } },
      (logger) => {
        logger.info('order 1 paid', { labels: { component: 'billing' }, order: 1 });
        logger.warn('stock low: "widget" ×3', { labels: { component: 'inventory' } });
        logger.error('payment declined', { labels: { component: 'billing' }, order: 2 });
      },
      3,
    );
    wire.stop();
    assert.deepEqual(failures, []);
    assert.ok(wire.types.length >= 1 && wire.types.every((t) => t === 'application/x-protobuf'), `winston-loki sent ${wire.types.join(', ')}`);

    const res = await getJson(s.url, rangeQuery('{app="shop"}', { direction: 'forward' }), { key: 'key-acme' });
    assert.equal(res.status, 200);
    const byStream = Object.fromEntries(res.body.data.result.map((r: { stream: Record<string, string>; values: string[][] }) => [JSON.stringify(r.stream), r.values.map((v) => v[1]).sort()]));
    assert.deepEqual(byStream, {
      [JSON.stringify({ app: 'shop', component: 'billing', env: 'test', level: 'error' })]: ['payment declined {"order":2,"level":"error"}'],
      [JSON.stringify({ app: 'shop', component: 'billing', env: 'test', level: 'info' })]: ['order 1 paid {"order":1,"level":"info"}'],
      [JSON.stringify({ app: 'shop', component: 'inventory', env: 'test', level: 'warn' })]: ['stock low: "widget" ×3 {"level":"warn"}'],
    });
    // another tenant sees nothing of it
    assert.deepEqual((await getJson(s.url, rangeQuery('{app="shop"}'), { key: 'key-other' })).body.data.result, []);
    // a wrong password is refused
    const refused = await logWithWinston({ host: s.url, basicAuth: 'shop:nope', labels: { app: 'shop' } }, (l) => l.info('x'), 1);
    assert.equal((refused[0] as { statusCode?: number }).statusCode, 401);
  });
});

test("winston-loki's unescaped label text is refused for that stream only, naming it; the other stream is stored", async () => {
  await withServer({}, async (s) => {
    const failures = await logWithWinston(
      { host: s.url, labels: { app: 'quotes' } },
      (logger) => {
        logger.info('fine', { labels: { build: 'v1' } });
        logger.info('lost', { labels: { build: 'v2 "beta"' } });
      },
      2,
    );
    assert.equal(failures.length, 1);
    const failure = failures[0] as { statusCode: number; responseBody: string };
    assert.equal(failure.statusCode, 400);
    const message = JSON.parse(failure.responseBody).message as string;
    assert.ok(message.includes('stream streams[1] {level="info",app="quotes",build="v2 "beta""}: invalid labels at column 39: expected "," or "}" after the value of "build" but found "b" (invalid_labels)'), message);
    assert.match(message, /total ignored: 1 out of 2; accepted: 1/);
    assert.deepEqual(lines((await getJson(s.url, rangeQuery('{app="quotes"}'))).body), ['fine {"level":"info"}']);
  });
});

test('hand-built protobuf pushes: metadata, gzip, malformed bodies, size limit and partly bad batches', async () => {
  await withServer({ limits: { ...DEFAULT_LIMITS, maxBodyBytes: 1_000_000, maxLineBytes: 100 } }, async (s) => {
    const post = (body: Buffer, headers: Record<string, string> = {}) =>
      fetch(`${s.url}/loki/api/v1/push`, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf', ...headers }, body: new Uint8Array(body) });
    const message = async (res: Response) => ((await res.json()) as { message: string }).message;

    // structured metadata arrives as labels of the entry and can be filtered on
    const ts = now();
    let res = await post(compressSync(encode([
      { labels: '{app="proto", env="dev"}', entries: [
        { timestamp: ts, line: 'checkout ok', structuredMetadata: [{ name: 'trace_id', value: 'abc123' }, { name: 'user', value: 'u-7' }] },
        { timestamp: ts, line: 'checkout slow' },
      ] },
    ])));
    assert.equal(res.status, 204);
    let q = await getJson(s.url, rangeQuery('{app="proto"} | trace_id="abc123"'));
    assert.deepEqual(q.body.data.result, [{ stream: { app: 'proto', env: 'dev', trace_id: 'abc123', user: 'u-7' }, values: [[`${BigInt(ts.seconds) * 1_000_000_000n + 123_456_789n}`, 'checkout ok']] }]);
    assert.equal(lines((await getJson(s.url, rangeQuery('{app="proto"}'))).body).length, 2);

    // gzip around the snappy block, as a proxy may add
    res = await post(gzipSync(compressSync(encode([{ labels: '{app="gz"}', entries: [{ timestamp: now(), line: 'zipped twice' }] }]))), { 'Content-Encoding': 'gzip' });
    assert.equal(res.status, 204);
    assert.deepEqual(lines((await getJson(s.url, rangeQuery('{app="gz"}'))).body), ['zipped twice']);

    // a JSON body sent as protobuf, a cut protobuf message, a framed-snappy body, an oversized block
    res = await post(Buffer.from('{"streams":[]}'));
    assert.equal(res.status, 400);
    assert.equal(await message(res), 'malformed snappy block at byte 1 of the body: copy offset 29811 points before the start of the output (at 0)');
    const good = encode([{ labels: '{app="cut"}', entries: [{ timestamp: now(), line: 'never stored' }] }]);
    res = await post(compressSync(good.subarray(0, good.length - 3)));
    assert.equal(res.status, 400);
    assert.match(await message(res), /^malformed protobuf push body at byte 1 of the decompressed message \(in PushRequest\): length \d+ runs past the end/);
    res = await post(Buffer.from([0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]));
    assert.equal(await message(res), 'malformed snappy block at byte 0 of the body: body uses the snappy framing format; send a raw snappy block (as Loki clients do)');
    res = await post(compressSync(Buffer.alloc(2_000_000)));
    assert.equal(res.status, 400);
    assert.equal(await message(res), 'malformed snappy block at byte 0 of the body: declared uncompressed length 2000000 exceeds the limit of 1000000 bytes');
    assert.deepEqual((await getJson(s.url, rangeQuery('{app="cut"}'))).body.data.result, []);

    // a partly bad push: 400 naming each bad stream and entry, the good entries stored
    res = await post(compressSync(encode([
      { labels: '{app="mix"}', entries: [
        { timestamp: now(), line: 'good one' },
        { timestamp: { seconds: 1_000_000_000 }, line: 'from 2001' },
        { timestamp: now(), line: 'y'.repeat(101) },
        { line: 'no time' },
        { timestamp: now(), line: 'good two' },
      ] },
      { labels: '{app=~"mix"}', entries: [{ timestamp: now(), line: 'matcher, not labels' }] },
    ])));
    assert.equal(res.status, 400);
    const msg = await message(res);
    assert.match(msg, /stream \{app="mix"\}, entry 1: timestamp 2001-09-09T01:46:40.000Z is older than the accepted window/);
    assert.match(msg, /stream \{app="mix"\}, entry 2: line is 101 bytes, more than the limit of 100 \(line_too_long\)/);
    assert.match(msg, /stream \{app="mix"\}, entry 3: entry has no timestamp \(invalid_timestamp\)/);
    assert.ok(msg.includes('stream streams[1] {app=~"mix"}: invalid labels at column 6: expected a quoted value for label "app" but found "~"'), msg);
    assert.match(msg, /total ignored: 4 out of 6; accepted: 2/);
    q = await getJson(s.url, rangeQuery('{app="mix"}'));
    assert.deepEqual(lines(q.body).sort(), ['good one', 'good two']);

    // the push route names both accepted content types
    res = await post(Buffer.from('x'), { 'Content-Type': 'application/msgpack' });
    assert.equal(res.status, 415);
    assert.equal(await message(res), 'unsupported Content-Type "application/msgpack": send application/json or application/x-protobuf (snappy-compressed)');
  });
});
