// `new_value` rules: hand-worked sequences (learning period, known values, values forgotten after `history`, a new
// group, the per-group value cap), state across a restart, and the shipped example rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DetectionEngine } from '../../../src/siem/detection-engine.ts';
import { loadRulePaths, loadRuleTexts, formatFailure } from '../../../src/siem/rule-set.ts';
import type { SiemAlert } from '../../../src/siem/alert.ts';
import { batchOf, T0, type Rec } from '../scenario.ts';

const DAY = 86_400_000_000_000n;
const HOUR = 3_600_000_000_000n;

const RULE = `
rule: new_country
title: login from a new country
events:
  login: '{service="sshd"} |= "Accepted " | regexp "Accepted \\\\S+ for (?P<user_id>\\\\S+) from (?P<src_ip>\\\\S+)"'
new_value:
  event: login
  group_by: user_id
  fields: [geo.country]
  history: 30d
  learning: 1d
  max_values: 3
`;

function login(user: string, country: string, at: bigint): Rec {
  return { ts: at, labels: { service: 'sshd', host: 'bastion-1' }, line: `Accepted publickey for ${user} from 203.0.113.7 port 22 ssh2`, metadata: { 'geo.country': country } };
}

function engine(stateDir?: string, text = RULE) {
  const set = loadRuleTexts([{ name: 'new-country.yaml', text }]);
  assert.deepEqual(set.failures.map(formatFailure), []);
  const alerts: SiemAlert[] = [];
  const e = new DetectionEngine({ rules: set, stateDir, clockWatermark: false, reorderWindowMs: 0, onAlert: (a) => alerts.push(a) });
  const feed = (recs: Rec[]) => {
    for (const r of recs) e.onCommitted(batchOf([r]));
  };
  return { e, alerts, feed };
}

const SEQUENCE: Rec[] = [
  login('alice', 'DE', T0), // learning: recorded, no alert
  login('alice', 'FR', T0 + 2n * HOUR), // learning
  login('alice', 'DE', T0 + 2n * DAY), // known
  login('alice', 'US', T0 + 2n * DAY + HOUR), // new → alert 1
  login('alice', 'US', T0 + 2n * DAY + 2n * HOUR), // known now
  login('bob', 'DE', T0 + 3n * DAY), // a new group: its value is new → alert 2
  login('alice', 'FR', T0 + 40n * DAY), // FR last seen 40 days ago, past history → alert 3
];

function summary(alerts: SiemAlert[]): string[] {
  return alerts.map((a) => `${a.group.user_id}/${a.group['geo.country']}@${(BigInt(a.first_ts) - T0) / HOUR}h`);
}

test('new_value: alerts on values new to the group after the learning period, not on known ones', () => {
  const { e, alerts, feed } = engine();
  feed(SEQUENCE);
  e.flush();
  assert.deepEqual(summary(alerts), ['alice/US@49h', 'bob/DE@72h', 'alice/FR@960h']);
  const first = alerts[0]!;
  assert.equal(first.rule, 'new_country');
  assert.equal(first.event_count, 1);
  assert.equal(first.events[0]!.line, 'Accepted publickey for alice from 203.0.113.7 port 22 ssh2');
  assert.equal(first.events[0]!.fields?.['geo.country'], 'US');
});

test('new_value: a group keeps at most max_values values; the least recently seen is forgotten and is new again', () => {
  const { e, alerts, feed } = engine();
  const t = T0 + 2n * DAY;
  feed([login('carol', 'DE', T0), login('carol', 'FR', t), login('carol', 'US', t + HOUR), login('carol', 'JP', t + 2n * HOUR), login('carol', 'FR', t + 3n * HOUR), login('carol', 'DE', t + 4n * HOUR)]);
  e.flush();
  // DE (seen at T0) was dropped when JP made a fourth value: it alerts again; FR was still held
  assert.deepEqual(summary(alerts), ['carol/FR@48h', 'carol/US@49h', 'carol/JP@50h', 'carol/DE@52h']);
  assert.equal(e.stats().valuesEvicted, 2, 'DE when JP came, US when DE came back');
  assert.match(e.metrics.render(), /sightline_siem_new_values_evicted_total 2\n/);
});

test('new_value: records without the value field are ignored and counted as ungrouped', () => {
  const { e, alerts, feed } = engine();
  feed([{ ts: T0 + 2n * DAY, labels: { service: 'sshd' }, line: 'Accepted publickey for dave from 203.0.113.9 port 22 ssh2' }]);
  e.flush();
  assert.equal(alerts.length, 0);
  assert.equal(e.stats().ungrouped, 1);
});

test('new_value: values and the learning start survive a restart (same alerts as one run)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'siem-newvalue-'));
  try {
    const a = engine(dir);
    // (no flush before the snapshot: it ends every window, as at the end of a hunt)
    a.feed(SEQUENCE.slice(0, 2));
    a.e.snapshot();
    assert.equal(a.alerts.length, 0);
    const b = engine(dir);
    // DE, seen before the restart, is known after it
    b.feed(SEQUENCE.slice(2));
    b.e.flush();
    assert.deepEqual(summary(b.alerts), ['alice/US@49h', 'bob/DE@72h', 'alice/FR@960h']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('new_value: configuration errors name the file, line and key', () => {
  const bad = loadRuleTexts([{ name: 'nv.yaml', text: RULE.replace('  history: 30d\n', '') }]);
  assert.match(formatFailure(bad.failures[0]!), /^nv\.yaml:\d+: .*history: is required/);
  const both = loadRuleTexts([{ name: 'nv.yaml', text: RULE + 'sequence:\n  - event: login\n' }]);
  assert.match(formatFailure(both.failures[0]!), /give one of sequence, new_value/);
});

test('the shipped example: first login of a user from a new country (geo.country from the geoip processor)', () => {
  const set = loadRulePaths([path.resolve(import.meta.dirname, '../../../examples/detections/new-country-login.yaml')]);
  assert.deepEqual(set.failures.map(formatFailure), []);
  const alerts: SiemAlert[] = [];
  const e = new DetectionEngine({ rules: set, clockWatermark: false, reorderWindowMs: 0, onAlert: (a) => alerts.push(a) });
  const recs = [login('erin', 'DE', T0), login('erin', 'DE', T0 + 8n * DAY), login('erin', 'BR', T0 + 9n * DAY), login('backup', 'CN', T0 + 9n * DAY)];
  for (const r of recs) e.onCommitted(batchOf([r]));
  e.flush();
  assert.deepEqual(alerts.map((a) => [a.title, a.group]), [['first login of a user from a new country', { user_id: 'erin', 'geo.country': 'BR' }]]);
  assert.equal(e.metrics.allowed, 1, 'the backup account is allowed');
});
