// Threat intel from a URL feed through a real server: the pipeline's threat_intel processor reads a STIX 2.1 bundle
// served on 127.0.0.1, tags pushed records (with the indicator's confidence), a SIEM rule uses the tag as its event,
// and an indicator added to the feed fires after the reload; the alerts land in {stream="detections"}.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getJson, lines, nowNs, push, rangeQuery, tempDir, withServer } from './harness.ts';

const RULE = `rule: confident_ioc
title: traffic from a confidently listed address
severity: critical
events:
  hit: '{service="nginx"} | threat_matched="true" | threat_confidence >= 80'
sequence:
  - event: hit
    count: ">= 2"
    within: 10m
    group_by: threat_value
`;

function indicator(n: number, ip: string, confidence: number): Record<string, unknown> {
  return {
    type: 'indicator', spec_version: '2.1', id: `indicator--00000000-0000-4000-8000-00000000000${n}`, created: '2025-01-01T00:00:00Z',
    modified: '2025-01-01T00:00:00Z', name: `listed ${ip}`, labels: ['c2'], confidence, pattern: `[ipv4-addr:value = '${ip}']`,
    pattern_type: 'stix', valid_from: '2025-01-01T00:00:00Z',
  };
}

async function until<T>(what: string, f: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + 15_000;
  while (Date.now() < end) {
    const v = await f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('a STIX feed over HTTP tags records; a rule on the tag fires; an indicator added to the feed fires after the reload', async (t) => {
  const dir = tempDir('sightline-siem-ti-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  let objects = [indicator(1, '198.51.100.7', 85), indicator(2, '192.0.2.9', 50)];
  const feed = http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ type: 'bundle', id: 'bundle--1', objects })));
  await new Promise<void>((r) => feed.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => feed.close(() => r())));
  const feedUrl = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/bundle.json`;

  writeFileSync(
    path.join(dir, 'pipelines.yaml'),
    `pipelines:\n  web:\n    processors:\n      - type: regex\n        pattern: 'client=(?P<client_ip>\\S+)'\n` +
      `      - type: threat_intel\n        lists:\n          - {name: cert, url: "${feedUrl}"}\n        fields: [client_ip]\n        reload_interval: 1s\n`,
  );
  mkdirSync(path.join(dir, 'rules'));
  writeFileSync(path.join(dir, 'rules', 'ioc.yaml'), RULE);
  writeFileSync(path.join(dir, 'siem.yaml'), 'rules: [rules]\nreorder_window: 1s\n');

  await withServer({ pipelinesFile: path.join(dir, 'pipelines.yaml'), siemFile: path.join(dir, 'siem.yaml') }, async (s) => {
    const loaded = async (n: number) => {
      const m = await getJson(s.url, '/metrics');
      return new RegExp(`sightline_threat_intel_feed_fetches_total\\{list="cert",result="loaded"\\} ${n}\\n`).test(String(m.body)) ? true : undefined;
    };
    await until('the first fetch', () => loaded(1));
    const t0 = nowNs(-60_000);
    const at = (sec: number) => String(t0 + BigInt(sec) * 1_000_000_000n);
    const hits = (ip: string, from: number) => [0, 1].map((i) => [at(from + i), `GET /login 401 client=${ip}`]);
    assert.equal((await push(s.url, [{ stream: { service: 'nginx' }, values: [...hits('198.51.100.7', 0), ...hits('192.0.2.9', 0), [at(3), 'GET / 200 client=203.0.113.5']] }])).status, 204);

    // the records carry the tag, the STIX confidence included
    const tags = async () => {
      const r = await getJson(s.url, rangeQuery('{service="nginx"}'));
      const out: Record<string, string> = {};
      for (const st of r.body.data.result) out[st.stream.client_ip] = st.stream['threat.matched'] === 'true' ? `${st.stream['threat.name']} ${st.stream['threat.confidence']} ${st.stream['threat.stix_id']}` : 'none';
      return out;
    };
    assert.deepEqual(await tags(), {
      '198.51.100.7': 'listed 198.51.100.7 85 indicator--00000000-0000-4000-8000-000000000001',
      '192.0.2.9': 'listed 192.0.2.9 50 indicator--00000000-0000-4000-8000-000000000002',
      '203.0.113.5': 'none',
    });
    const alerts1 = await until('the first alert', async () => {
      const r = await getJson(s.url, rangeQuery('{stream="detections", rule="confident_ioc"}'));
      return lines(r.body).length >= 1 ? lines(r.body) : undefined;
    });
    assert.deepEqual(JSON.parse(alerts1[0]!).group, { threat_value: '198.51.100.7' });

    // the feed adds 203.0.113.5: after the next fetch (started by traffic once the interval passed) it matches
    objects = [...objects, indicator(3, '203.0.113.5', 90)];
    await new Promise((r) => setTimeout(r, 1100));
    await push(s.url, [{ stream: { service: 'nginx' }, values: [[at(10), 'GET / 200 client=192.0.2.200']] }]);
    await until('the second fetch', () => loaded(2));
    await push(s.url, [{ stream: { service: 'nginx' }, values: hits('203.0.113.5', 20) }]);
    const alerts2 = await until('the second alert', async () => {
      const r = await getJson(s.url, rangeQuery('{stream="detections", rule="confident_ioc"} | json'));
      return lines(r.body).length >= 2 ? lines(r.body) : undefined;
    });
    assert.deepEqual(alerts2.map((l) => JSON.parse(l).group.threat_value).sort(), ['198.51.100.7', '203.0.113.5']);
    // the 192.0.2.9 hits (confidence 50) raised nothing: two alerts in all
    assert.equal(alerts2.length, 2);
  });
});
