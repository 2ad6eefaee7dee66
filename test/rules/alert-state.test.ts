// The alert state machine over a driven clock: pending → firing after `for`, keep_firing_for holding a cleared alert,
// resolve and the 15-minute retention, pending alerts that clear, labels/annotations templating, duplicate label sets
// and the group limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateAlerts, ruleState, AlertLimitError, RESOLVED_RETENTION_MS, type Alert, type Sample } from '../../src/rules/alert-state.ts';
import type { AlertingRule } from '../../src/rules/rule-file.ts';
import { parseExpr } from '../../src/query/parser.ts';
import type { MetricExpr } from '../../src/query/ast.ts';

function rule(over: Partial<AlertingRule> = {}): AlertingRule {
  const expr = 'sum by (service) (count_over_time({level="error"}[1m])) > 0';
  return { kind: 'alert', name: 'Errors', expr, ast: parseExpr(expr) as MetricExpr, forMs: 0, keepFiringForMs: 0, labels: {}, annotations: {}, line: 0, ...over };
}

const pay = (value: number): Sample => ({ labels: { service: 'payment' }, value });
const ctx = (tMs: number, limit = 0) => ({ tMs, groupLabels: {}, limit });

/** Runs evaluations at the given times with the given samples; returns "t:state" per transition. */
function drive(r: AlertingRule, steps: [number, Sample[]][], active = new Map<string, Alert>()): string[] {
  const out: string[] = [];
  for (const [t, samples] of steps) for (const tr of evaluateAlerts(r, active, samples, ctx(t))) out.push(`${t}:${tr.state}`);
  return out;
}

test('with for: 0 an alert fires at its first evaluation and resolves when its samples go', () => {
  const active = new Map<string, Alert>();
  assert.deepEqual(drive(rule(), [[0, [pay(3)]], [60, [pay(4)]], [120, []]], active), ['0:firing', '120:resolved']);
  const a = [...active.values()][0];
  assert.equal(a.state, 'inactive');
  assert.equal(a.resolvedAtMs, 120);
  assert.equal(a.firedAtMs, 0);
  assert.equal(a.value, 4, 'the value follows the latest evaluation');
});

test('with for, an alert is pending until it has been active that long, then fires', () => {
  const r = rule({ forMs: 120 });
  assert.deepEqual(drive(r, [[0, [pay(1)]], [60, [pay(1)]], [119, [pay(1)]], [120, [pay(1)]], [180, [pay(1)]]]), ['0:pending', '120:firing']);
});

test('a pending alert that clears before `for` is dropped (inactive), never resolved, and starts over', () => {
  const r = rule({ forMs: 120 });
  const active = new Map<string, Alert>();
  assert.deepEqual(drive(r, [[0, [pay(1)]], [60, []], [120, [pay(1)]], [180, [pay(1)]], [240, [pay(1)]]], active), ['0:pending', '60:inactive', '120:pending', '240:firing']);
  assert.equal([...active.values()][0].activeAtMs, 120);
});

test('keep_firing_for holds a firing alert after its condition clears, and a return resets the hold', () => {
  const r = rule({ keepFiringForMs: 100 });
  const active = new Map<string, Alert>();
  const out = drive(r, [[0, [pay(1)]], [50, []], [100, []], [140, [pay(1)]], [200, []], [299, []], [300, []]], active);
  assert.deepEqual(out, ['0:firing', '300:resolved']);
  // while held, the alert says since when
  const held = new Map<string, Alert>();
  drive(r, [[0, [pay(1)]], [50, []]], held);
  assert.equal([...held.values()][0].keepFiringSinceMs, 50);
  assert.equal(ruleState(held), 'firing');
});

test('resolved alerts are kept 15 minutes then forgotten; a new firing replaces a resolved one', () => {
  const active = new Map<string, Alert>();
  drive(rule(), [[0, [pay(1)]], [10, []]], active);
  assert.equal(active.size, 1);
  drive(rule(), [[10 + RESOLVED_RETENTION_MS, []]], active);
  assert.equal(active.size, 1, 'kept at exactly the retention');
  drive(rule(), [[11 + RESOLVED_RETENTION_MS, []]], active);
  assert.equal(active.size, 0);
  const again = new Map<string, Alert>();
  assert.deepEqual(drive(rule(), [[0, [pay(1)]], [10, []], [20, [pay(2)]]], again), ['0:firing', '10:resolved', '20:firing']);
  assert.equal([...again.values()][0].activeAtMs, 20);
});

test('alert labels are the sample labels, the templated rule labels and alertname; annotations are templated', () => {
  const r = rule({
    labels: { severity: 'warning', team: '{{ $labels.service }}-team', alertname: 'ignored' },
    annotations: { summary: '{{ $labels.service }} at {{ $value | humanizePercentage }}' },
  });
  const active = new Map<string, Alert>();
  const [t] = evaluateAlerts(r, active, [{ labels: { service: 'payment', __name__: 'x' }, value: 0.0734 }], ctx(0));
  assert.deepEqual(t.alert.labels, { alertname: 'Errors', service: 'payment', severity: 'warning', team: 'payment-team' });
  assert.deepEqual(t.alert.annotations, { summary: 'payment at 7.34%' });
  assert.equal(t.alert.fingerprint, '{alertname="Errors", service="payment", severity="warning", team="payment-team"}');
});

test('two samples that become the same alert are an error and change nothing', () => {
  const r = rule({ labels: { service: 'all' } });
  const active = new Map<string, Alert>();
  assert.throws(() => evaluateAlerts(r, active, [{ labels: { service: 'a' }, value: 1 }, { labels: { service: 'b' }, value: 1 }], ctx(0)), /same labelset after applying alert labels/);
  assert.equal(active.size, 0);
});

test('past the group limit the rule fails and its alerts are dropped, firing ones resolved', () => {
  const r = rule();
  const active = new Map<string, Alert>();
  evaluateAlerts(r, active, [pay(1)], ctx(0, 1));
  const out: { state: string }[] = [];
  assert.throws(() => evaluateAlerts(r, active, [pay(1), { labels: { service: 'auth' }, value: 1 }], ctx(10, 1), out as never), (e: unknown) => e instanceof AlertLimitError && /exceeded limit of 1 with 2 alerts/.test((e as Error).message));
  assert.deepEqual(out.map((t) => t.state), ['resolved']);
  assert.equal(active.size, 0);
});
