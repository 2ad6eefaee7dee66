// `baseline` rules: hand-worked counts per interval against mean + k·stddev of the group's history (with min_count),
// learning, one alert per interval, empty intervals as zeros, late events, state across a restart, the example rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DetectionEngine } from '../../../src/siem/detection-engine.ts';
import { loadRulePaths, loadRuleTexts, formatFailure } from '../../../src/siem/rule-set.ts';
import type { SiemAlert } from '../../../src/siem/alert.ts';
import { batchOf, failed, T0, type Rec } from '../scenario.ts';

const HOUR = 3_600_000_000_000n;
const MIN = 60_000_000_000n;

const RULE = `
rule: failed_spike
events:
  login_failed: '{service="sshd"} |= "Failed password" | regexp "for (invalid user )?(?P<user_id>\\\\S+) from (?P<src_ip>\\\\S+)"'
baseline:
  event: login_failed
  group_by: src_ip
  interval: 1h
  history: 4
  k: 2
  min_count: 5
`;

/** `n` failures from `ip` in hour `h` after T0 (T0 is on an hour boundary), a minute apart. */
function hour(h: number, n: number, ip = '198.51.100.1'): Rec[] {
  const out: Rec[] = [];
  for (let i = 0; i < n; i++) out.push(failed('root', T0 + BigInt(h) * HOUR + BigInt(i) * MIN, ip));
  return out;
}

function engine(stateDir?: string, text = RULE) {
  const set = loadRuleTexts([{ name: 'baseline.yaml', text }]);
  assert.deepEqual(set.failures.map(formatFailure), []);
  const alerts: SiemAlert[] = [];
  const e = new DetectionEngine({ rules: set, stateDir, clockWatermark: false, reorderWindowMs: 0, onAlert: (a) => alerts.push(a) });
  const feed = (recs: Rec[]) => {
    for (const r of recs) e.onCommitted(batchOf([r]));
  };
  return { e, alerts, feed };
}

// hours 0-3: 2, 3, 2, 3 (mean 2.5, stddev 0.5: threshold max(5, 3.5) = 5);
// hour 4: 7 (fires at the 5th); history then 3, 2, 3, 7: mean 3.75, stddev 1.92, threshold 7.59 → 8;
// hour 5: 8 (fires at the 8th)
const SEQUENCE = [...hour(0, 2), ...hour(1, 3), ...hour(2, 2), ...hour(3, 3), ...hour(4, 7), ...hour(5, 8)];

function summary(alerts: SiemAlert[]): string[] {
  return alerts.map((a) => `${a.group.src_ip} h${(BigInt(a.first_ts) - T0) / HOUR} n=${a.event_count} last=+${(BigInt(a.last_ts) - T0) % HOUR / MIN}m`);
}

test('baseline: fires once per interval when the count reaches max(min_count, mean + k·stddev) of the history', () => {
  const { e, alerts, feed } = engine();
  feed(SEQUENCE);
  e.flush();
  assert.deepEqual(summary(alerts), ['198.51.100.1 h4 n=5 last=+4m', '198.51.100.1 h5 n=8 last=+7m']);
  assert.equal(alerts[0]!.events.length, 5);
  assert.equal(alerts[0]!.rule, 'failed_spike');
});

test('baseline: one short of the threshold does not fire', () => {
  const { e, alerts, feed } = engine();
  feed([...SEQUENCE.slice(0, 10), ...hour(4, 4), ...hour(5, 7)]);
  e.flush();
  // hour 4: 4 < 5; history then 3, 2, 3, 4: mean 3, stddev 0.71, threshold max(5, 4.41) = 5 → hour 5 fires at 5
  assert.deepEqual(summary(alerts), ['198.51.100.1 h5 n=5 last=+4m']);
});

test('baseline: a group alerts only after `learning` completed intervals; empty intervals count as zeros', () => {
  const { e, alerts, feed } = engine();
  // a new source bursting at once is still learning (no history)
  feed(hour(0, 40, '203.0.113.9'));
  // the same source after 4 empty hours: history 0, 0, 0, 0 (after its 40): threshold = min_count
  feed(hour(6, 5, '203.0.113.9'));
  e.flush();
  assert.deepEqual(summary(alerts), ['203.0.113.9 h6 n=5 last=+4m']);
});

test('baseline: an event older than its group\'s current interval is counted as late and ignored', () => {
  const { e, alerts, feed } = engine();
  feed([...hour(0, 1), ...hour(1, 1)]);
  feed(hour(0, 1).map((r) => ({ ...r, ts: r.ts + 30n * MIN })));
  e.flush();
  assert.equal(alerts.length, 0);
  const machine = e.program.machines[0]!.machine as unknown as { late: number };
  assert.equal(machine.late, 1);
});

test('baseline: counts and history survive a restart (same alerts as one run)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'siem-baseline-'));
  try {
    const a = engine(dir);
    a.feed(SEQUENCE.slice(0, 12)); // hours 0-3 and the first 2 of hour 4
    a.e.snapshot();
    const b = engine(dir);
    b.feed(SEQUENCE.slice(12));
    b.e.flush();
    assert.deepEqual(summary([...a.alerts, ...b.alerts]), ['198.51.100.1 h4 n=5 last=+4m', '198.51.100.1 h5 n=8 last=+7m']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('baseline: configuration errors name the file, line and key', () => {
  const bad = loadRuleTexts([{ name: 'b.yaml', text: RULE.replace('  interval: 1h\n', '') }]);
  assert.match(formatFailure(bad.failures[0]!), /^b\.yaml:\d+: .*interval: is required/);
  const k = loadRuleTexts([{ name: 'b.yaml', text: RULE.replace('k: 2', 'k: lots') }]);
  assert.match(formatFailure(k.failures[0]!), /^b\.yaml:\d+: .*k/);
});

test('the shipped example: failed logins far above a source\'s usual rate, allowed sources skipped', () => {
  const set = loadRulePaths([path.resolve(import.meta.dirname, '../../../examples/detections/failed-login-spike.yaml')]);
  assert.deepEqual(set.failures.map(formatFailure), []);
  const alerts: SiemAlert[] = [];
  const e = new DetectionEngine({ rules: set, clockWatermark: false, reorderWindowMs: 0, onAlert: (a) => alerts.push(a) });
  const recs: Rec[] = [];
  for (const ip of ['198.51.100.50', '10.20.3.4']) {
    for (let h = 0; h < 24; h++) recs.push(...hour(h, 1, ip));
    recs.push(...hour(24, 30, ip));
  }
  recs.sort((x, y) => (x.ts < y.ts ? -1 : x.ts > y.ts ? 1 : 0));
  for (const r of recs) e.onCommitted(batchOf([r]));
  e.flush();
  assert.deepEqual(alerts.map((a) => [a.group.src_ip, a.event_count]), [['198.51.100.50', 20]]);
  assert.equal(e.metrics.allowed, 54, 'every failure from 10.20.0.0/16 is allowed');
});
