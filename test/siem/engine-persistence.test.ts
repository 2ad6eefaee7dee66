// Correlation state across engine restarts: a clean close (snapshot), a crash (the event log replayed), alerts replayed
// after a crash recognized as duplicates, and state dropped when the rule's logic changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DetectionEngine } from '../../src/siem/detection-engine.ts';
import { IncidentStore } from '../../src/siem/incident-store.ts';
import { loadRulePaths } from '../../src/siem/rule-set.ts';
import type { SiemAlert } from '../../src/siem/alert.ts';
import { batchOf, MIN, SEC, T0, takeover, type Rec } from './scenario.ts';

const RULE = path.resolve(import.meta.dirname, '../../examples/detections/brute-force-then-escalation.yaml');

function open(dir: string, rulePath = RULE) {
  const alerts: SiemAlert[] = [];
  let now = T0;
  const e = new DetectionEngine({
    rules: loadRulePaths([rulePath]),
    stateDir: path.join(dir, 'state'),
    incidents: new IncidentStore(path.join(dir, 'incidents')),
    clock: () => now,
    onAlert: (a) => alerts.push(a),
  });
  const feed = (recs: Rec[]) => {
    for (const r of recs) {
      now = r.ts;
      e.onCommitted(batchOf([r]));
    }
  };
  const pass = (t: bigint) => {
    now = t;
    e.tick();
  };
  return { e, alerts, feed, pass };
}

function withDir(fn: (dir: string) => Promise<void> | void) {
  return async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'siem-state-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('state survives a clean restart: the sequence completes in the next process', withDir(async (dir) => {
  const recs = takeover();
  const a = open(dir);
  a.feed(recs.slice(0, 6));
  await a.e.close();
  assert.ok(existsSync(path.join(dir, 'state', 'state.json')));
  assert.equal(readFileSync(path.join(dir, 'state', 'events.wal'), 'utf8'), '', 'the snapshot supersedes the log');

  const b = open(dir);
  b.feed(recs.slice(6));
  b.pass(T0 + 11n * MIN);
  assert.equal(b.alerts.length, 1);
  assert.equal(b.alerts[0]!.event_count, 7);
  assert.deepEqual(b.alerts[0]!.events.map((e) => e.step).slice(-2), ['login_success', 'privilege_change']);
}));

test('after a crash (no snapshot) the event log is replayed', withDir((dir) => {
  const recs = takeover();
  const a = open(dir);
  a.feed(recs.slice(0, 6));
  // no close: as if killed
  assert.ok(readFileSync(path.join(dir, 'state', 'events.wal'), 'utf8').split('\n').filter(Boolean).length >= 6);
  const b = open(dir);
  assert.equal(b.e.metrics.restoredEvents, 6);
  b.feed(recs.slice(6));
  b.pass(T0 + 11n * MIN);
  assert.equal(b.alerts.length, 1);
}));

test('an alert fired before a crash is not raised again by the replay', withDir((dir) => {
  const a = open(dir);
  a.feed(takeover());
  a.pass(T0 + 11n * MIN);
  assert.equal(a.alerts.length, 1);
  const b = open(dir);
  b.pass(T0 + 12n * MIN);
  assert.equal(b.alerts.length, 0);
  assert.equal(b.e.metrics.duplicates, 1);
  const store = new IncidentStore(path.join(dir, 'incidents'));
  assert.equal(store.list('default').length, 1);
  assert.equal(store.list('default')[0]!.alerts.length, 1);
}));

test('events waiting in the reorder buffer at shutdown are kept', withDir(async (dir) => {
  const a = open(dir);
  a.feed(takeover());
  assert.equal(a.alerts.length, 0);
  await a.e.close();
  const b = open(dir);
  b.pass(T0 + 10n * MIN + 11n * SEC);
  assert.equal(b.alerts.length, 1);
}));

test('a rule whose logic changed starts from empty state', withDir(async (dir) => {
  const recs = takeover();
  const a = open(dir);
  a.feed(recs.slice(0, 6));
  await a.e.close();
  const changed = path.join(dir, 'rule.yaml');
  writeFileSync(changed, readFileSync(RULE, 'utf8').replace('count: ">= 5"', 'count: ">= 4"'));
  const b = open(dir, changed);
  b.feed(recs.slice(6));
  b.pass(T0 + 11n * MIN);
  assert.equal(b.alerts.length, 0);
}));
