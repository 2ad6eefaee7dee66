// threat_intel lists from URLs, served by a local HTTP server on 127.0.0.1 whose feed changes between fetches: the
// new indicator matches after the reload and the removed one stops; conditional GETs answered 304; a failed fetch
// (HTTP 500, refused contents, oversized body) keeps the previous list and is reported without the API key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ConfigNode } from '../../../src/config/config-node.ts';
import type { FieldValue, PipelineEvent } from '../../../src/pipeline/event.ts';
import { threatIntelProcessor, type ThreatIntelProcessor } from '../../../src/pipeline/processors/threat-intel.ts';
import { threatIntelFeedMetrics } from '../../../src/pipeline/processors/threat-intel-feeds/url-feed.ts';

interface Feed {
  status: number;
  body: string;
  requests: http.IncomingHttpHeaders[];
}

async function serve(feeds: Record<string, Feed>): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const feed = feeds[(req.url ?? '').split('?')[0]!];
    if (feed === undefined) {
      res.writeHead(404).end();
      return;
    }
    feed.requests.push(req.headers);
    if (feed.status !== 200) {
      res.writeHead(feed.status, { 'Content-Type': 'text/plain' }).end('feed unavailable');
      return;
    }
    const etag = `"${createHash('sha256').update(feed.body).digest('hex').slice(0, 16)}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { ETag: etag }).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain', ETag: etag }).end(feed.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

function ev(ip: string): PipelineEvent {
  const fields: Record<string, FieldValue> = { ip };
  return { tenant: 't', ts: 0n, line: '', labels: {}, fields };
}

function build(yaml: string): ThreatIntelProcessor {
  return threatIntelProcessor.build(ConfigNode.parse(`type: threat_intel\n${yaml}`, 'test.yaml'), { configDir: '/' }) as ThreatIntelProcessor;
}

test('a URL list is fetched at start, re-fetched every reload_interval (304 when unchanged), and kept when a fetch fails', async (t) => {
  const feed: Feed = { status: 200, body: '# test feed\n198.51.100.1\n', requests: [] };
  const bundle = {
    type: 'bundle',
    id: 'bundle--00000000-0000-4000-8000-0000000000ff',
    objects: [{ type: 'indicator', spec_version: '2.1', id: 'indicator--00000000-0000-4000-8000-000000000001', created: '2025-01-01T00:00:00Z', modified: '2025-01-01T00:00:00Z', name: 'stix over http', pattern: "[ipv4-addr:value = '192.0.2.9']", pattern_type: 'stix', valid_from: '2025-01-01T00:00:00Z' }],
  };
  const stix: Feed = { status: 200, body: JSON.stringify(bundle), requests: [] };
  const srv = await serve({ '/iocs.txt': feed, '/bundle.json': stix });
  t.after(() => srv.close());
  process.env.SIGHTLINE_TEST_TI_KEY = 'k-7f3a9c-secret';
  const p = build(
    `lists:\n  - { name: feed, url: "${srv.url}/iocs.txt?key=abc", headers: {X-Client: sightline-test}, headers_env: {X-Api-Key: SIGHTLINE_TEST_TI_KEY} }\n` +
      `  - { name: cert, url: "${srv.url}/bundle.json" }\nfields: [ip]\nreload_interval: 1m\n`,
  );
  t.after(() => p.close?.());
  const warnings: string[] = [];
  const base = Date.UTC(2025, 5, 1);
  const at = async (sec: number, ip: string): Promise<string> => {
    const ctx = { nowMs: base + sec * 1000, warn: (m: string) => warnings.push(m) };
    p.process([], ctx); // starts a fetch when one is due
    await p.idle();
    const e = p.process([ev(ip)], ctx)[0]!;
    return e.fields['threat.matched'] === true ? `${e.fields['threat.list']} ${e.fields['threat.indicator']}` : 'none';
  };

  // fetched at start, with the configured headers
  assert.equal(await at(0, '198.51.100.1'), 'feed 198.51.100.1');
  assert.equal(await at(0, '192.0.2.9'), 'cert 192.0.2.9');
  assert.equal(feed.requests.length, 1);
  assert.equal(feed.requests[0]!['x-api-key'], 'k-7f3a9c-secret');
  assert.equal(feed.requests[0]!['x-client'], 'sightline-test');

  // the feed changes: nothing is fetched before the interval, then the new list replaces the old one
  feed.body = '198.51.100.2\n';
  assert.equal(await at(30, '198.51.100.2'), 'none');
  assert.equal(feed.requests.length, 1);
  assert.equal(await at(60, '198.51.100.2'), 'feed 198.51.100.2');
  assert.equal(await at(60, '198.51.100.1'), 'none');
  assert.equal(feed.requests.length, 2);
  assert.match(String(feed.requests[1]!['if-none-match']), /^"[0-9a-f]{16}"$/);

  // unchanged: a conditional GET answered 304, the list stays
  assert.equal(await at(120, '198.51.100.2'), 'feed 198.51.100.2');
  assert.equal(feed.requests.length, 3);
  assert.match(threatIntelFeedMetrics.render(), /sightline_threat_intel_feed_fetches_total\{list="feed",result="not_modified"\} 1\n/);

  // the server fails: the previous list is kept, the failure reported (without the key or the query string)
  feed.status = 500;
  assert.equal(await at(180, '198.51.100.2'), 'feed 198.51.100.2');
  const failure = warnings.find((w) => w.includes('failed'));
  assert.equal(failure, `threat_intel: list feed: fetching ${srv.url}/iocs.txt?… failed, keeping the previous list: HTTP 500 Internal Server Error`);
  assert.ok(!warnings.join('\n').includes('k-7f3a9c-secret'));
  assert.match(threatIntelFeedMetrics.render(), /sightline_threat_intel_feed_fetches_total\{list="feed",result="failed"\} 1\n/);

  // contents that do not parse are refused the same way; a failed list is retried sooner (30s, not the interval)
  feed.status = 200;
  feed.body = '198.51.100.3\nnot-an-indicator!\n';
  assert.equal(await at(210, '198.51.100.3'), 'none');
  assert.equal(await at(210, '198.51.100.2'), 'feed 198.51.100.2');
  assert.match(warnings.at(-1)!, /list feed: fetching .* failed, keeping the previous list: the contents were refused: .*iocs\.txt\?…:2: not an IP address/);

  // fixed: the next fetch loads it
  feed.body = '198.51.100.3\n';
  assert.equal(await at(240, '198.51.100.3'), 'feed 198.51.100.3');
  assert.equal(await at(240, '198.51.100.2'), 'none');
});

test('URL lists: a body over max_bytes is refused; an unreachable feed leaves the list empty and says so', async (t) => {
  const big: Feed = { status: 200, body: Array.from({ length: 100 }, (_, i) => `198.51.100.${i}`).join('\n'), requests: [] };
  const srv = await serve({ '/big.txt': big });
  t.after(() => srv.close());
  const p = build(`lists:\n  - { name: big, url: "${srv.url}/big.txt", max_bytes: 100 }\n  - { name: down, url: "http://127.0.0.1:1/x.txt", timeout: 2s }\nfields: [ip]\n`);
  t.after(() => p.close?.());
  await p.idle();
  const warnings: string[] = [];
  const out = p.process([ev('198.51.100.1')], { nowMs: 0, warn: (m) => warnings.push(m) });
  assert.equal(out[0]!.fields['threat.matched'], undefined);
  assert.match(warnings.join('\n'), /list big: fetching .*\/big\.txt failed, the list stays empty until a fetch succeeds: the body (is \d+ bytes, more than|exceeds) max_bytes \(100\)/);
  assert.match(warnings.join('\n'), /list down: fetching http:\/\/127\.0\.0\.1:1\/x\.txt failed, the list stays empty until a fetch succeeds: fetch failed/);
});

test('a URL list with cache_file starts from its last good body after a restart, even with the feed down', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sightline-ti-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cache = path.join(dir, 'feed.json');
  const feed: Feed = { status: 200, body: '198.51.100.7\n', requests: [] };
  const srv = await serve({ '/iocs.txt': feed });
  t.after(() => srv.close());
  const list = (url: string) => `lists:\n  - { name: feed, url: "${url}", cache_file: ${cache}, timeout: 2s }\nfields: [ip]\n`;
  const matched = (p: ThreatIntelProcessor, warnings: string[]) => p.process([ev('198.51.100.7')], { nowMs: 0, warn: (m) => warnings.push(m) })[0]!.fields['threat.matched'] === true;

  // first start: fetched, matched, and kept on disk with its validator
  const first = build(list(`${srv.url}/iocs.txt?key=abc`));
  await first.idle();
  assert.equal(matched(first, []), true);
  first.close?.();
  const saved = JSON.parse(readFileSync(cache, 'utf8'));
  assert.equal(saved.body, '198.51.100.7\n');
  assert.match(saved.etag, /^"[0-9a-f]{16}"$/);
  assert.doesNotMatch(readFileSync(cache, 'utf8'), /key=abc/, 'the URL (and its key) is stored only as a hash');

  // restart with the feed down: the cached list matches from the first event, and the failure is still reported
  feed.status = 503;
  const down = build(list(`${srv.url}/iocs.txt?key=abc`));
  t.after(() => down.close?.());
  const warnings: string[] = [];
  assert.equal(matched(down, warnings), true);
  await down.idle();
  matched(down, warnings);
  assert.match(warnings.join('\n'), /list feed: fetching .* failed, keeping the previous list: HTTP 503/);

  // restart with the feed up: a conditional request from the cached validator, answered 304
  feed.status = 200;
  feed.requests.length = 0;
  const up = build(list(`${srv.url}/iocs.txt?key=abc`));
  t.after(() => up.close?.());
  await up.idle();
  assert.equal(feed.requests[0]?.['if-none-match'], saved.etag);
  assert.equal(matched(up, []), true);

  // the same cache file under another URL is not trusted
  const other = build(list('http://127.0.0.1:1/elsewhere.txt'));
  t.after(() => other.close?.());
  const otherWarnings: string[] = [];
  assert.equal(matched(other, otherWarnings), false);
  assert.match(otherWarnings.join('\n'), /cache .*feed\.json holds another URL's list or no body, ignored/);
});

test('URL list config errors name the key', () => {
  delete process.env.SIGHTLINE_TEST_TI_MISSING;
  assert.throws(() => build('lists:\n  - { url: "ftp://x.example/a" }\nfields: [ip]\n'), /test\.yaml:3: lists\[0\]\.url: expected an http:\/\/ or https:\/\/ URL, got "ftp:\/\/x\.example\/a"/);
  assert.throws(() => build('lists:\n  - { url: "http://127.0.0.1:1/a", headers_env: {Authorization: SIGHTLINE_TEST_TI_MISSING} }\nfields: [ip]\n'), /lists\[0\]\.headers_env\.Authorization: environment variable SIGHTLINE_TEST_TI_MISSING is not set/);
  assert.throws(() => build('lists:\n  - { url: "http://127.0.0.1:1/a", file: x.txt }\nfields: [ip]\n'), /lists\[0\]: expected either file: or url:/);
  assert.throws(() => build('lists:\n  - { file: /etc/hostname, max_bytes: 10 }\nfields: [ip]\n'), /lists\[0\]\.max_bytes: max_bytes applies to url: lists only/);
  assert.throws(() => build('lists:\n  - { file: /etc/hostname, cache_file: c.json }\nfields: [ip]\n'), /lists\[0\]\.cache_file: cache_file applies to url: lists only/);
  assert.throws(() => build('lists:\n  - { name: a, url: "http://127.0.0.1:1/a", cache_file: /tmp/c.json }\n  - { name: b, url: "http://127.0.0.1:1/b", cache_file: /tmp/c.json }\nfields: [ip]\n'), /lists\[1\]\.cache_file: cache file \/tmp\/c\.json is already another list's/);
});

test('a redirect to another origin is followed without the list\'s own headers (an API key never leaves its host)', async (t) => {
  const target: Feed = { status: 200, body: '203.0.113.77\n', requests: [] };
  const other = await serve({ '/moved.txt': target });
  t.after(() => other.close());
  const origin = http.createServer((req, res) => {
    if (req.url === '/same') res.writeHead(302, { Location: '/final' }).end();
    else if (req.url === '/final') res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`198.51.100.9\n# key ${req.headers['x-api-key'] ?? 'none'}\n`);
    else res.writeHead(301, { Location: `${other.url}/moved.txt` }).end();
  });
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => origin.close(() => r())));
  const base = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  const p = build(
    `lists:\n  - { name: away, url: "${base}/elsewhere", headers: {X-Api-Key: k-secret-1} }\n` +
      `  - { name: home, url: "${base}/same", headers: {X-Api-Key: k-secret-2} }\nfields: [ip]\n`,
  );
  t.after(() => p.close?.());
  const ctx = { nowMs: Date.UTC(2025, 5, 1), warn: () => {} };
  p.process([], ctx);
  await p.idle();
  const [away, home] = p.process([ev('203.0.113.77'), ev('198.51.100.9')], ctx);
  assert.equal(away!.fields['threat.list'], 'away', 'the list behind the cross-origin redirect is loaded');
  assert.equal(home!.fields['threat.list'], 'home', 'the list behind the same-origin redirect is loaded');
  assert.equal(target.requests.length, 1);
  assert.equal(target.requests[0]!['x-api-key'], undefined, 'the key was not sent to the other origin');
});
