// Detection alerts as records of the log store: the guide's scenario pushed over the Loki API raises an alert that a
// LogQL query over /loki/api/v1/query_range finds in `{stream="detections"}` (labels, structured metadata, `| json`);
// a rule over that stream never fires (the SIEM does not evaluate its own alerts); other tenants do not see it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getJson, lines, nowNs, push, rangeQuery, REPO, tempDir, withServer } from './harness.ts';

const META_RULE = `rule: alert_on_alerts
title: a detection record was evaluated by the rules
severity: low
events:
  detection: '{stream="detections"}'
sequence:
  - event: detection
    count: ">= 1"
    within: 1m
`;

function siemConfig(dir: string): string {
  mkdirSync(path.join(dir, 'detections'));
  copyFileSync(path.join(REPO, 'examples', 'detections', 'brute-force-then-escalation.yaml'), path.join(dir, 'detections', 'takeover.yaml'));
  writeFileSync(path.join(dir, 'detections', 'meta.yaml'), META_RULE);
  const file = path.join(dir, 'siem.yaml');
  writeFileSync(file, 'rules:\n  - detections\nreorder_window: 1s\n');
  return file;
}

/** Polls a LogQL query until it returns `want` lines (the alert is raised after the reorder window). */
async function queryUntil(url: string, query: string, want: number, tenant?: string): Promise<{ lines: string[]; body: any }> {
  const end = Date.now() + 15_000;
  let last: any;
  while (Date.now() < end) {
    const r = await getJson(url, rangeQuery(query, { limit: '100' }), { tenant });
    last = r;
    if (r.status === 200 && lines(r.body).length >= want) return { lines: lines(r.body), body: r.body };
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`expected ${want} line(s) for ${query}; last answer ${last?.status}: ${JSON.stringify(last?.body).slice(0, 300)}`);
}

test('an alert is a record of {stream="detections"}: found with LogQL, not re-detected, tenant-scoped', async (t) => {
  const dir = tempDir('sightline-detections-stream-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await withServer({ siemFile: siemConfig(dir) }, async (s) => {
    const t0 = nowNs(-120_000);
    const at = (sec: number) => String(t0 + BigInt(sec) * 1_000_000_000n);
    const failed = Array.from({ length: 5 }, (_, i) => [at(i * 10), `Failed password for alice from 203.0.113.7 port ${40000 + i} ssh2`]);
    const opts = { tenant: 'acme' };
    assert.equal((await push(s.url, [{ stream: { service: 'sshd' }, values: [...failed, [at(70), 'Accepted password for alice from 203.0.113.7 port 40100 ssh2']] }], opts)).status, 204);
    assert.equal((await push(s.url, [{ stream: { service: 'usermod' }, values: [[at(100), "add 'alice' to group 'sudo'"]] }], opts)).status, 204);

    // the query the docs give: the stream, then the alert object's own fields through | json
    const found = await queryUntil(s.url, '{stream="detections"} | json | severity="high"', 1, 'acme');
    assert.equal(found.lines.length, 1);
    const alert = JSON.parse(found.lines[0]!);
    assert.equal(alert.rule, 'brute_force_then_escalation');
    assert.equal(alert.title, 'account takeover suspected');
    assert.deepEqual(alert.group, { user_id: 'alice' });
    assert.equal(alert.event_count, 7);
    assert.equal(alert.events.length, 7);
    assert.match(alert.incident_id, /^inc-/);
    const stream = found.body.data.result[0].stream;
    assert.equal(stream.source, 'sightline');
    assert.equal(stream.rule, 'brute_force_then_escalation');
    assert.equal(stream.severity, 'high');
    // the timestamp is the alert's last event (the privilege change)
    assert.equal(found.body.data.result[0].values[0][0], at(100));

    // structured metadata is filterable without parsing the line
    const byUser = await queryUntil(s.url, `{source="sightline", stream="detections"} | group_user_id="alice" | alert_id="${alert.alert_id}"`, 1, 'acme');
    assert.equal(byUser.lines.length, 1);
    // and a metric query over the stream works (what a LogQL alert rule on detections would run)
    const counted = await getJson(s.url, `/loki/api/v1/query?${new URLSearchParams({ query: 'sum(count_over_time({stream="detections", severity="high"}[1h]))', time: String(nowNs()) })}`, opts);
    assert.equal(counted.status, 200);
    assert.equal(counted.body.data.result[0].value[1], '1');

    // the same alert on the detections API
    const api = await getJson(s.url, '/api/v1/detections/alerts', opts);
    assert.equal(api.body.data.alerts.length, 1);
    assert.equal(api.body.data.alerts[0].alert_id, alert.alert_id);
    // and read back from the log store (the long-term copy)
    const fromStore = await getJson(s.url, '/api/v1/detections/alerts?source=store&severity=high,critical&rule=brute_force_then_escalation', opts);
    assert.equal(fromStore.status, 200);
    assert.deepEqual(fromStore.body.data.alerts, [alert]);
    assert.deepEqual((await getJson(s.url, '/api/v1/detections/alerts?source=store&severity=low', opts)).body.data.alerts, []);
    const badSource = await getJson(s.url, '/api/v1/detections/alerts?source=disk', opts);
    assert.equal(badSource.status, 400);
    assert.match(JSON.stringify(badSource.body), /source: expected recent .* or store/);

    // no feedback loop: the meta rule over {stream="detections"} would fire on the alert record if the SIEM saw it.
    // Wait past the reorder window and a tick, with fresh traffic moving the watermark.
    await push(s.url, [{ stream: { service: 'sshd' }, values: [[String(nowNs()), 'session opened for user alice']] }], opts);
    await new Promise((res) => setTimeout(res, 2500));
    const after = await getJson(s.url, rangeQuery('{stream="detections"}', { limit: '100' }), opts);
    assert.equal(lines(after.body).length, 1, `only the takeover alert is stored: ${lines(after.body).join('\n').slice(0, 400)}`);
    const incidents = await getJson(s.url, '/api/v1/siem/incidents', opts);
    const list = incidents.body.incidents ?? incidents.body.data ?? incidents.body;
    assert.deepEqual(list.map((i: { rule: string }) => i.rule), ['brute_force_then_escalation']);

    // another tenant sees neither the record nor the alert
    const other = await getJson(s.url, rangeQuery('{stream="detections"}'), { tenant: 'other' });
    assert.equal(other.status, 200);
    assert.deepEqual(lines(other.body), []);
    assert.deepEqual((await getJson(s.url, '/api/v1/detections/alerts', { tenant: 'other' })).body.data.alerts, []);
  });
});

test('alert records carry the rule\'s tenant and survive a restart (durable through the store)', async (t) => {
  const dir = tempDir('sightline-detections-restart-');
  const dataDir = path.join(dir, 'data');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const siemFile = siemConfig(dir);
  const t0 = nowNs(-120_000);
  const at = (sec: number) => String(t0 + BigInt(sec) * 1_000_000_000n);
  await withServer({ siemFile, dataDir }, async (s) => {
    const failed = Array.from({ length: 6 }, (_, i) => [at(i * 10), `Failed password for invalid user carol from 192.0.2.44 port ${40000 + i} ssh2`]);
    await push(s.url, [{ stream: { service: 'sshd' }, values: [...failed, [at(70), 'Accepted publickey for carol from 192.0.2.44 port 40100 ssh2']] }]);
    await push(s.url, [{ stream: { service: 'usermod' }, values: [[at(90), "add 'carol' to group 'wheel'"]] }]);
    await queryUntil(s.url, '{stream="detections"}', 1);
  });
  await withServer({ siemFile, dataDir }, async (s) => {
    const r = await getJson(s.url, rangeQuery('{stream="detections", rule="brute_force_then_escalation"} | json | group_user_id="carol"'));
    assert.equal(lines(r.body).length, 1);
    assert.equal(JSON.parse(lines(r.body)[0]!).event_count, 8);
    const stored = await getJson(s.url, '/api/v1/detections/alerts?source=store&since=2h');
    assert.deepEqual(stored.body.data.alerts.map((a: { group: unknown }) => a.group), [{ user_id: 'carol' }]);
  });
});
