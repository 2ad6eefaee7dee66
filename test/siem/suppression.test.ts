// Suppression (`suppress: {window, by}`: one alert per value tuple per window, later firings counted on it) and
// allow-lists (per native rule and global in siem.yaml; field values, CIDRs, stream selectors), with their metrics
// and their configuration errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DetectionEngine } from '../../src/siem/detection-engine.ts';
import { IncidentStore } from '../../src/siem/incident-store.ts';
import { formatFailure, loadRuleTexts } from '../../src/siem/rule-set.ts';
import { parseSiemConfig } from '../../src/siem/siem-config.ts';
import type { SiemAlert } from '../../src/siem/alert.ts';
import type { AllowList } from '../../src/siem/allow-list.ts';
import { batchOf, failed, MIN, T0, type Rec } from './scenario.ts';

const THRESHOLD = `
rule: brute_force
events:
  login_failed: '{service="sshd"} |= "Failed password" | regexp "for (invalid user )?(?P<user_id>\\\\S+) from (?P<src_ip>\\\\S+)"'
sequence:
  - event: login_failed
    count: ">= 3"
    within: 10m
    group_by: user_id
`;

function run(text: string, recs: Rec[], opts: { allow?: AllowList; incidents?: IncidentStore } = {}) {
  const set = loadRuleTexts([{ name: 'rule.yaml', text }]);
  assert.deepEqual(set.failures.map(formatFailure), []);
  const alerts: SiemAlert[] = [];
  const e = new DetectionEngine({ rules: set, clockWatermark: false, reorderWindowMs: 0, allow: opts.allow, incidents: opts.incidents, onAlert: (a) => alerts.push(a) });
  for (const r of recs) e.onCommitted(batchOf([r]));
  e.flush();
  return { e, alerts };
}

/** Three failures for `user` from `ip`, a minute apart from `at`. */
function burst(user: string, ip: string, at: bigint): Rec[] {
  return [0n, 1n, 2n].map((m) => failed(user, at + m * MIN, ip));
}

test('suppress by: one alert per source per window; later firings are counted on it', () => {
  const text = THRESHOLD + 'suppress:\n  window: 1h\n  by: [src_ip]\n';
  const recs = [...burst('alice', '198.51.100.7', T0), ...burst('bob', '198.51.100.7', T0 + 5n * MIN), ...burst('carol', '198.51.100.8', T0 + 6n * MIN), ...burst('dave', '198.51.100.7', T0 + 70n * MIN)];
  const { e, alerts } = run(text, recs);
  // alice (opens the window for .7), bob (folded into alice's), carol (.8: its own), dave (window over: new)
  assert.deepEqual(alerts.map((a) => a.group.user_id), ['alice', 'carol', 'dave']);
  const first = alerts[0]!;
  assert.equal(first.suppressed_count, 1);
  assert.equal(first.event_count, 6);
  assert.deepEqual(first.events.map((ev) => ev.line.split(' ')[3]), ['alice', 'alice', 'alice', 'bob', 'bob', 'bob']);
  assert.equal(alerts[1]!.suppressed_count, undefined);
  assert.equal(e.metrics.suppressed, 1);
  assert.match(e.metrics.render(), /sightline_siem_suppressed_total 1\n/);
});

test('suppress by: the folded firing joins the first alert\'s incident; survives a restart', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'siem-suppress-'));
  try {
    const text = THRESHOLD + 'suppress:\n  window: 1h\n  by: [src_ip]\n';
    const set = loadRuleTexts([{ name: 'rule.yaml', text }]);
    const incidents = new IncidentStore(path.join(dir, 'incidents'));
    const open = () => {
      const alerts: SiemAlert[] = [];
      const e = new DetectionEngine({ rules: set, stateDir: path.join(dir, 'state'), incidents, clockWatermark: false, reorderWindowMs: 0, onAlert: (a) => alerts.push(a) });
      return { e, alerts };
    };
    const a = open();
    for (const r of burst('alice', '198.51.100.7', T0)) a.e.onCommitted(batchOf([r]));
    a.e.snapshot(); // (no flush: it ends every window, as at the end of a hunt)
    const b = open();
    for (const r of burst('bob', '198.51.100.7', T0 + 5n * MIN)) b.e.onCommitted(batchOf([r]));
    b.e.flush();
    assert.equal(a.alerts.length, 1);
    assert.equal(b.alerts.length, 0, 'bob\'s firing is within the window of alice\'s alert, across the restart');
    incidents.flush();
    const inc = incidents.list('default', {})[0]!;
    assert.equal(inc.event_count, 6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('allow (per rule): field values, CIDRs and stream selectors keep records from being events', () => {
  const text = THRESHOLD + `allow:\n  - field: user_id\n    values: [backup]\n  - field: src_ip\n    cidr: [10.0.0.0/8, "fd00::/8"]\n  - selector: '{host="bastion-1"}'\n`;
  const bastion = burst('erin', '198.51.100.9', T0).map((r) => ({ ...r, labels: { service: 'sshd', host: 'bastion-1' } }));
  const recs = [...burst('backup', '198.51.100.7', T0), ...burst('root', '10.1.2.3', T0), ...burst('root', 'fd00::1', T0 + MIN), ...bastion, ...burst('mallory', '198.51.100.66', T0)];
  const { e, alerts } = run(text, recs);
  assert.deepEqual(alerts.map((a) => a.group.user_id), ['mallory']);
  assert.equal(e.metrics.allowed, 12);
  assert.match(e.metrics.render(), /sightline_siem_allowed_total 12\n/);
});

test('allow (global, siem.yaml): applies to native and Sigma rules; errors name the file and line', () => {
  const cfg = parseSiemConfig(`rules: [r/]\nallow:\n  - selector: '{env="staging"}'\n  - field: User\n    values: [svc_scan]\n`, '/etc/sightline/siem.yaml');
  const sigma = `title: cat shadow\nid: 00000000-0000-4000-8000-0000000000a1\nlogsource: {product: linux}\ndetection:\n  sel:\n    CommandLine|contains: /etc/shadow\n  condition: sel\n`;
  const set = loadRuleTexts([{ name: 'native.yaml', text: THRESHOLD }, { name: 'sigma.yml', text: sigma }]);
  const alerts: SiemAlert[] = [];
  const e = new DetectionEngine({ rules: set, clockWatermark: false, reorderWindowMs: 0, allow: cfg.allow, onAlert: (a) => alerts.push(a) });
  const staging = burst('alice', '198.51.100.1', T0).map((r) => ({ ...r, labels: { service: 'sshd', env: 'staging' } }));
  const cat = (user: string, at: bigint): Rec => ({ ts: at, labels: { product: 'linux', host: 'h1' }, line: 'exec', metadata: { CommandLine: 'cat /etc/shadow', User: user } });
  for (const r of [...staging, cat('svc_scan', T0), cat('root', T0 + MIN)]) e.onCommitted(batchOf([r]));
  e.flush();
  assert.deepEqual(alerts.map((a) => a.title), ['cat shadow']);
  assert.equal(alerts[0]!.events[0]!.fields?.User, 'root');
  assert.equal(e.metrics.allowed, 4);

  assert.throws(() => parseSiemConfig('rules: [r/]\nallow:\n  - field: src_ip\n    cidr: [10.0.0.0/33]\n', 'siem.yaml'), /siem\.yaml:4: .*CIDR notation.*10\.0\.0\.0\/33/);
  assert.throws(() => parseSiemConfig('rules: [r/]\nallow:\n  - field: user\n', 'siem.yaml'), /siem\.yaml:3: .*values: \(exact values\) or cidr:/);
  assert.throws(() => parseSiemConfig("rules: [r/]\nallow:\n  - selector: '{service=\"a\"} |= \"x\"'\n", 'siem.yaml'), /siem\.yaml:3: .*stream selector only/);
  const bad = loadRuleTexts([{ name: 'rule.yaml', text: THRESHOLD + 'allow:\n  - values: [x]\n' }]);
  assert.match(formatFailure(bad.failures[0]!), /^rule\.yaml:\d+: .*need field:/);
});

test('Sigma repeats on a stream fold into the first alert in either order (concurrent pushes arrive out of order)', () => {
  const sigma = `title: cat shadow\nid: 00000000-0000-4000-8000-0000000000a2\nlogsource: {product: linux}\ndetection:\n  sel:\n    CommandLine|contains: /etc/shadow\n  condition: sel\n`;
  const set = loadRuleTexts([{ name: 'sigma.yml', text: sigma }]);
  const alerts: SiemAlert[] = [];
  const e = new DetectionEngine({ rules: set, clockWatermark: false, reorderWindowMs: 0, onAlert: (a) => alerts.push(a) });
  const cat = (at: bigint): Rec => ({ ts: at, labels: { product: 'linux', host: 'h1' }, line: 'exec', metadata: { CommandLine: 'cat /etc/shadow' } });
  for (const r of [cat(T0 + 5n * MIN), cat(T0), cat(T0 + 8n * MIN), cat(T0 + 30n * MIN)]) e.onCommitted(batchOf([r]));
  e.flush();
  // the fourth is 22 minutes after the last: past the 10-minute fold, a new alert
  assert.deepEqual(alerts.map((a) => [a.event_count, (BigInt(a.first_ts) - T0) / MIN, (BigInt(a.last_ts) - T0) / MIN]), [[3, 0n, 8n], [1, 30n, 30n]]);
  assert.equal(e.metrics.suppressed, 2);
});
