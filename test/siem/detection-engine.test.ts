// The guide's scenario through the detection engine, event by event: the alert (HIGH, "account takeover suspected",
// every event linked), the incident a later mass download extends, and the near misses that must not fire.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { DetectionEngine } from '../../src/siem/detection-engine.ts';
import { IncidentStore } from '../../src/siem/incident-store.ts';
import { loadRulePaths } from '../../src/siem/rule-set.ts';
import type { SiemAlert } from '../../src/siem/alert.ts';
import { accepted, batchOf, download, failed, MIN, noise, privilege, SEC, T0, takeover, type Rec } from './scenario.ts';

const RULE = path.resolve(import.meta.dirname, '../../examples/detections/brute-force-then-escalation.yaml');

function engine(extra: { clockNs?: () => bigint; reorderMs?: number } = {}) {
  const alerts: SiemAlert[] = [];
  const rules = loadRulePaths([RULE]);
  assert.deepEqual(rules.failures, []);
  const incidents = new IncidentStore(undefined);
  let now = T0;
  const e = new DetectionEngine({ rules, incidents, clock: extra.clockNs ?? (() => now), reorderWindowMs: extra.reorderMs ?? 10_000, onAlert: (a) => alerts.push(a) });
  return { e, alerts, incidents, setNow: (t: bigint) => (now = t) };
}

/** Feeds records one batch each, the clock following them, then lets the reorder window pass. */
function play(recs: Rec[]) {
  const h = engine();
  for (const r of recs) {
    h.setNow(r.ts);
    h.e.onCommitted(batchOf([r]));
  }
  h.setNow(recs[recs.length - 1]!.ts + 11n * SEC);
  h.e.tick();
  return h;
}

test('the guide scenario: five failures, a success, a privilege change is one HIGH alert linking every event', () => {
  const { alerts, incidents } = play(takeover());
  assert.equal(alerts.length, 1);
  const a = alerts[0]!;
  assert.equal(a.title, 'account takeover suspected');
  assert.equal(a.severity, 'high');
  assert.equal(a.rule, 'brute_force_then_escalation');
  assert.deepEqual(a.group, { user_id: 'admin' });
  assert.equal(a.event_count, 7);
  assert.deepEqual(a.events.map((e) => e.step), ['login_failed', 'login_failed', 'login_failed', 'login_failed', 'login_failed', 'login_success', 'privilege_change']);
  assert.equal(a.first_ts, T0.toString());
  assert.equal(a.last_ts, (T0 + 10n * MIN).toString());
  assert.deepEqual(a.events[5]!.fields, { user_id: 'admin', src_ip: '198.51.100.23' });
  assert.equal(a.events[6]!.line, "add 'admin' to group 'sudo'");
  assert.deepEqual(a.entities, { user: ['admin'], ip: ['198.51.100.23'], host: ['web-1'] });
  const inc = incidents.list('default');
  assert.equal(inc.length, 1);
  assert.equal(inc[0]!.severity, 'high');
  assert.equal(inc[0]!.status, 'new');
  assert.equal(inc[0]!.events.length, 7);
  assert.deepEqual(inc[0]!.events[0], { stream: '{host="web-1", service="sshd"}', ts: T0.toString(), step: 'login_failed', alert_id: a.alert_id });
});

test('the alert waits for the reorder window, then fires at the privilege change', () => {
  const h = engine();
  for (const r of takeover()) {
    h.setNow(r.ts);
    h.e.onCommitted(batchOf([r]));
  }
  assert.equal(h.alerts.length, 0, 'the privilege change is still inside the reorder window');
  h.setNow(T0 + 10n * MIN + 9n * SEC);
  h.e.tick();
  assert.equal(h.alerts.length, 0);
  h.setNow(T0 + 10n * MIN + 10n * SEC);
  h.e.tick();
  assert.equal(h.alerts.length, 1);
});

test('a mass download afterwards extends the same incident', () => {
  const recs = [...takeover(), download('admin', T0 + 25n * MIN), download('bob', T0 + 26n * MIN)];
  const { alerts, incidents } = play(recs);
  assert.equal(alerts.length, 2);
  assert.equal(alerts[1]!.extends, alerts[0]!.alert_id);
  assert.equal(alerts[1]!.incident_id, alerts[0]!.incident_id);
  const [inc] = incidents.list('default');
  assert.equal(incidents.list('default').length, 1);
  assert.equal(inc!.events.length, 8);
  assert.equal(inc!.events[7]!.step, 'mass_download');
  assert.equal(inc!.last_seen, (T0 + 25n * MIN).toString());
  assert.equal(inc!.alerts.length, 2);
});

test('a small download does not extend it, nor one more than an hour after the last event', () => {
  const { alerts } = play([...takeover(), download('admin', T0 + 12n * MIN, 1000), download('admin', T0 + 71n * MIN)]);
  assert.equal(alerts.length, 1);
});

test('near miss: four failures only', () => {
  const recs = takeover().filter((_, i) => i !== 2);
  assert.equal(play(recs).alerts.length, 0);
});

test('near miss: the success is by another user', () => {
  const recs = takeover();
  recs[5] = accepted('bob', T0 + 6n * MIN);
  assert.equal(play(recs).alerts.length, 0);
});

test('near miss: the privilege change 31 minutes after the success', () => {
  const recs = takeover();
  recs[6] = privilege('admin', T0 + 37n * MIN);
  assert.equal(play(recs).alerts.length, 0);
  const ok = takeover();
  ok[6] = privilege('admin', T0 + 36n * MIN);
  assert.equal(play(ok).alerts.length, 1, 'exactly 30 minutes is within');
});

test('near miss: the success more than 5 minutes after the last failure', () => {
  const recs = takeover();
  recs[5] = accepted('admin', T0 + 9n * MIN + SEC);
  assert.equal(play(recs).alerts.length, 0);
});

test('near miss: five failures spread over more than 10 minutes', () => {
  const recs = [failed('admin', T0), failed('admin', T0 + 3n * MIN), failed('admin', T0 + 6n * MIN), failed('admin', T0 + 9n * MIN), failed('admin', T0 + 11n * MIN), accepted('admin', T0 + 12n * MIN), privilege('admin', T0 + 13n * MIN)];
  assert.equal(play(recs).alerts.length, 0);
});

test('more failures after the fifth move the success deadline; the window slides over old failures', () => {
  // failures at 0..4, more at 7 and 8: the success at 12 is within 5 minutes of the last failure
  const recs = [...takeover().slice(0, 5), failed('admin', T0 + 7n * MIN), failed('admin', T0 + 8n * MIN), accepted('admin', T0 + 12n * MIN), privilege('admin', T0 + 13n * MIN)];
  const { alerts } = play(recs);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]!.event_count, 9);
  // a sixth failure after the partial sequence expired completes step 1 again from the sliding window
  const again = [...takeover().slice(0, 5), failed('admin', T0 + 13n * MIN), accepted('admin', T0 + 14n * MIN), privilege('admin', T0 + 15n * MIN)];
  assert.equal(play(again).alerts.length, 0, 'window at 13m holds failures 4..13: only 2 within 10 minutes');
  const slid = [...takeover().slice(0, 5), failed('admin', T0 + 10n * MIN), accepted('admin', T0 + 11n * MIN), privilege('admin', T0 + 12n * MIN)];
  assert.equal(play(slid).alerts.length, 1, 'window at 10m holds failures 1..4 and 10: five within 10 minutes');
});

test('two users interleaved: one state machine per user', () => {
  const a = takeover('admin');
  const b = takeover('carol').map((r) => ({ ...r, ts: r.ts + 30n * SEC }));
  const recs = [...a, ...b].sort((x, y) => (x.ts < y.ts ? -1 : 1));
  const { alerts } = play(recs);
  assert.deepEqual(alerts.map((x) => x.group.user_id).sort(), ['admin', 'carol']);
});

test('reset after an alert: the same failures do not fire twice; a new full sequence does', () => {
  const recs = [...takeover(), accepted('admin', T0 + 11n * MIN), privilege('admin', T0 + 12n * MIN)];
  assert.equal(play(recs).alerts.length, 1);
  const second = takeover().map((r) => ({ ...r, ts: r.ts + 20n * MIN }));
  const h = play([...takeover(), ...second]);
  assert.equal(h.alerts.length, 2);
  assert.equal(h.incidents.list('default').length, 1, 'the repeat within the suppression window joins the open incident');
  assert.equal(h.alerts[1]!.notify, false);
});

test('events out of order within the reorder window still fire; beyond it they are late', () => {
  const recs = takeover();
  // the success and a failure arrive swapped, a few seconds apart in arrival
  const order = [0, 1, 2, 3, 5, 4, 6];
  const shifted = recs.map((r, i) => (i === 5 ? { ...r, ts: T0 + 4n * MIN + 5n * SEC } : r));
  const h = engine({ reorderMs: 60_000 });
  for (const i of order) {
    h.setNow(shifted[i]!.ts);
    h.e.onCommitted(batchOf([shifted[i]!]));
  }
  h.setNow(T0 + 12n * MIN);
  h.e.tick();
  assert.equal(h.alerts.length, 1);
  assert.equal(h.e.stats().late, 0);

  const l = engine({ reorderMs: 1000 });
  for (const i of order) {
    l.setNow(shifted[i]!.ts + 30n * SEC);
    l.e.onCommitted(batchOf([shifted[i]!]));
  }
  l.setNow(T0 + 12n * MIN);
  l.e.tick();
  assert.equal(l.alerts.length, 0, 'the success came before the fifth failure in arrival, past the window');
  assert.ok(l.e.stats().late >= 1);
});

test('records that match no selector are never evaluated', () => {
  const h = engine();
  h.e.onCommitted(batchOf([noise(T0), noise(T0 + SEC)]));
  assert.equal(h.e.metrics.recordsEvaluated, 0);
});

test('a whole scenario in one batch, shuffled, fires once', () => {
  const recs = takeover();
  const shuffled = [recs[6]!, recs[2]!, recs[0]!, recs[5]!, recs[4]!, recs[1]!, recs[3]!];
  const h = engine();
  h.setNow(T0 + 10n * MIN);
  h.e.onCommitted(batchOf(shuffled));
  h.setNow(T0 + 11n * MIN);
  h.e.tick();
  assert.equal(h.alerts.length, 1);
});
