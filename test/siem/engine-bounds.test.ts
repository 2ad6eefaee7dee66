// Memory bounds of the engine, each with its metric: the reorder buffer's cap (oldest events go on early, in order),
// and the per-rule group cap of the new kinds (least recently updated group evicted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DetectionEngine } from '../../src/siem/detection-engine.ts';
import { formatFailure, loadRuleTexts } from '../../src/siem/rule-set.ts';
import type { SiemAlert } from '../../src/siem/alert.ts';
import { batchOf, failed, MIN, T0 } from './scenario.ts';

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

test('reorder buffer cap: past it the oldest events are released early, in time order, and counted', () => {
  const set = loadRuleTexts([{ name: 'r.yaml', text: THRESHOLD }]);
  assert.deepEqual(set.failures.map(formatFailure), []);
  const alerts: SiemAlert[] = [];
  // a one-hour reorder window would hold every event; the cap of 2 lets the oldest through
  const e = new DetectionEngine({ rules: set, clockWatermark: false, reorderWindowMs: 3_600_000, maxBuffered: 2, onAlert: (a) => alerts.push(a) });
  for (const m of [2n, 0n, 1n, 3n, 4n]) e.onCommitted(batchOf([failed('alice', T0 + m * MIN)]));
  // 0, 1, 2 went on early (the buffer held 3 after the third push, then 3 after the fifth): the third completed the step
  assert.equal(e.stats().overflowed, 3);
  assert.equal(e.stats().buffered, 2);
  assert.equal(alerts.length, 1);
  assert.deepEqual(alerts[0]!.events.map((ev) => (BigInt(ev.ts) - T0) / MIN), [0n, 1n, 2n]);
  assert.match(e.metrics.render(), /sightline_siem_reorder_overflow_total 3\n/);
});

test('group cap on new_value and baseline rules: the least recently updated group is evicted and counted', () => {
  const nv = `
rule: nv
events:
  login_failed: '{service="sshd"} |= "Failed password" | regexp "for (?P<user_id>\\\\S+) from (?P<src_ip>\\\\S+)"'
new_value:
  event: login_failed
  group_by: user_id
  fields: [src_ip]
  history: 1d
  learning: 1m
`;
  const set = loadRuleTexts([{ name: 'nv.yaml', text: nv }, { name: 'b.yaml', text: nv.replace('rule: nv', 'rule: b').replace(/new_value:[\s\S]*$/, 'baseline:\n  event: login_failed\n  group_by: user_id\n  interval: 1h\n') }]);
  assert.deepEqual(set.failures.map(formatFailure), []);
  const e = new DetectionEngine({ rules: set, clockWatermark: false, reorderWindowMs: 0, maxGroupsPerRule: 2 });
  ['u1', 'u2', 'u3', 'u4'].forEach((u, i) => e.onCommitted(batchOf([failed(u, T0 + BigInt(i) * MIN)])));
  assert.equal(e.stats().groups, 4, 'two per rule');
  assert.equal(e.stats().evicted, 4, 'two per rule');
  assert.match(e.metrics.render(), /sightline_siem_groups_evicted_total 4\n/);
});
