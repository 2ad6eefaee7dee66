// Native correlation rules: the guide's rule file, every key's accepted forms, and the errors (file:line: path: why)
// for what cannot work; a one-step sequence as a threshold rule; the per-rule memory bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parseNativeRule } from '../../../src/siem/correlation/native-rule.ts';
import { ConfigError } from '../../../src/config/config-node.ts';
import { DetectionEngine } from '../../../src/siem/detection-engine.ts';
import { formatFailure, loadRuleTexts } from '../../../src/siem/rule-set.ts';
import type { SiemAlert } from '../../../src/siem/alert.ts';
import { batchOf, failed, MIN, SEC, T0 } from '../scenario.ts';

const EXAMPLE = path.resolve(import.meta.dirname, '../../../examples/detections/brute-force-then-escalation.yaml');

test("the guide's rule, made valid YAML, loads as written", () => {
  const r = parseNativeRule(readFileSync(EXAMPLE, 'utf8'), EXAMPLE);
  assert.equal(r.name, 'brute_force_then_escalation');
  assert.equal(r.severity, 'high');
  assert.equal(r.title, 'account takeover suspected');
  assert.equal(r.description, '무차별 대입 후 권한 상승 탐지');
  assert.deepEqual(r.groupBy, ['user_id']);
  assert.deepEqual(r.steps.map((s) => [s.events, s.min, s.withinMs]), [[['login_failed'], 5, 600_000], [['login_success'], 1, 300_000], [['privilege_change'], 1, 1_800_000]]);
  assert.deepEqual(r.extend, [{ events: ['mass_download'], withinMs: 3_600_000 }]);
  assert.deepEqual(r.actions, [
    { kind: 'alert', text: 'SOC team via PagerDuty', labels: {}, annotations: {} },
    { kind: 'auto_response', name: 'disable account temporarily', method: 'POST', headers: {}, dryRun: true, approval: false, timeoutMs: 10_000 },
    { kind: 'enrich', text: 'add geo_ip, threat_intel lookup', enrichments: ['geo_ip', 'threat_intel'] },
  ]);
  assert.equal(r.events.get('login_failed')!.query.stages[1]!.kind, 'regexp');
});

const base = (seq: string, extra = '') => `rule: r\nseverity: high\nevents:\n  a: '{job="x"} |= "a"'\n  b: '{job="x"} |= "b"'\nsequence:\n${seq}${extra}`;
function err(text: string): string {
  try {
    parseNativeRule(text, 'r.yaml');
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message;
  }
  throw new Error('loaded');
}

test('counts and durations in the forms the guide and Sigma write them', () => {
  const w = (within: string, count = '">= 2"') => parseNativeRule(base(`  - event: a\n    count: ${count}\n    within: ${within}\n    group_by: u\n`), 'r.yaml').steps[0]!;
  assert.equal(w('10 minutes').withinMs, 600_000);
  assert.equal(w('10m').withinMs, 600_000);
  assert.equal(w('1h30m').withinMs, 5_400_000);
  assert.equal(w('5 min').withinMs, 300_000);
  assert.equal(w('90s').withinMs, 90_000);
  assert.equal(w('2 days').withinMs, 172_800_000);
  assert.equal(w('1m', '"> 4"').min, 5);
  assert.equal(w('1m', '7').min, 7);
  assert.match(err(base('  - event: a\n    count: ">= 2"\n    within: soon\n')), /^r\.yaml:9: sequence\[0\]\.within: expected a duration such as 10m, 30s, 1h or "10 minutes", got "soon"/);
  assert.match(err(base('  - event: a\n    count: "== 2"\n    within: 1m\n')), /sequence\[0\]\.count: expected a count such as ">= 5", "> 4" or 5/);
  assert.match(err(base('  - event: a\n    count: >= 2\n    within: 1m\n')), /r\.yaml:8: invalid YAML: .* \(quote a comparison: count: ">= 5"\)/);
});

test('what cannot work is refused with the place and the reason', () => {
  assert.match(err(base('  - event: c\n')), /sequence\[0\]\.event: event "c" is not defined under events: \(defined: a, b\)/);
  assert.match(err(base('  - event: a\n    group_by: u\n  - event: b\n    group_by: u\n    within: 1m\n')), /sequence\[1\]\.group_by: group_by belongs to the first step/);
  assert.match(err(base('  - event: a\n    group_by: u\n  - event: b\n    same: v\n    within: 1m\n')), /sequence\[1\]\.same: same: must name the first step's group_by fields \(u\)/);
  assert.match(err(base('  - event: a\n    group_by: u\n  - event: b\n')), /sequence\[1\]: within: is required after the first step/);
  assert.match(err(base('  - event: a\n    count: 3\n')), /a counted first step needs within:/);
  assert.match(err(base('  - event: a\n    window: 1m\n')), /sequence\[0\]\.window: unknown key \(expected one of event, count, within, group_by, same\)/);
  assert.match(err(base('  - event: a\n').replace('severity: high', 'severity: urgent')), /severity: expected one of informational, low, medium, high, critical \(any case\), got "urgent"/);
  assert.match(err(base('  - event: a\n').replace(`a: '{job="x"} |= "a"'`, `a: '{job="x" |= "a"'`)), /events\.a: invalid LogQL log query: /);
  assert.match(err(base('  - event: a\n', 'action:\n  - enrich: add geo_ip and whois\n')), /action\[0\]\.enrich: unknown enrichment "whois"/);
  assert.match(err(base('  - event: a\n', 'action:\n  - auto_response: {name: x, url: "ftp://h/x"}\n')), /action\[0\]\.auto_response\.url: expected an http:\/\/ or https:\/\/ URL/);
  assert.match(err(base('  - event: a\n', 'action:\n  - page: someone\n')), /unknown action "page"/);
  const tpl = loadRuleTexts([{ name: 'r.yaml', text: base('  - event: a\n', 'action:\n  - auto_response: {name: x, url: "http://h/{{user}}"}\n') }]);
  const e = new DetectionEngine({ rules: tpl, clockWatermark: false });
  assert.match(formatFailure(e.program.failures[0]!), /r\.yaml: r: action auto_response: unknown placeholder \{\{user\}\}/);
});

test('a one-step sequence is a threshold rule: it fires at the count and starts again', () => {
  const text = `rule: ssh_brute_force\nseverity: medium\nevents:\n  login_failed: '{service="sshd"} |= "Failed password" | regexp "for (invalid user )?(?P<user_id>\\\\S+) from (?P<src_ip>\\\\S+)"'\nsequence:\n  - event: login_failed\n    count: ">= 3"\n    within: 1m\n    group_by: [src_ip]\n`;
  const set = loadRuleTexts([{ name: 't.yaml', text }]);
  assert.deepEqual(set.failures, []);
  const alerts: SiemAlert[] = [];
  const e = new DetectionEngine({ rules: set, clockWatermark: false, reorderWindowMs: 0, onAlert: (a) => alerts.push(a) });
  const users = ['root', 'admin', 'oracle', 'test', 'guest', 'pi', 'ubuntu'];
  e.onCommitted(batchOf(users.map((u, i) => failed(u, T0 + BigInt(i) * 10n * SEC, '203.0.113.50'))));
  e.flush();
  assert.equal(alerts.length, 2, 'at the 3rd and the 6th');
  assert.deepEqual(alerts[0]!.group, { src_ip: '203.0.113.50' });
  assert.deepEqual(alerts[0]!.entities.user, ['root', 'admin', 'oracle']);
  assert.equal(alerts[1]!.first_ts, (T0 + 30n * SEC).toString());
});

test('groups are bounded per rule: the least recently updated is evicted and counted', () => {
  const text = `rule: many\nevents:\n  f: '{service="sshd"} |= "Failed password" | regexp "for (?P<user_id>\\\\S+) from"'\nsequence:\n  - event: f\n    count: ">= 2"\n    within: 1h\n    group_by: user_id\n`;
  const alerts: SiemAlert[] = [];
  const e = new DetectionEngine({ rules: loadRuleTexts([{ name: 'm.yaml', text }]), clockWatermark: false, reorderWindowMs: 0, maxGroupsPerRule: 3, onAlert: (a) => alerts.push(a) });
  e.onCommitted(batchOf(['u1', 'u2', 'u3', 'u4', 'u1'].map((u, i) => failed(u, T0 + BigInt(i) * MIN))));
  assert.match(e.metrics.render(), /\nsightline_siem_groups 3\n/);
  e.flush();
  assert.equal(alerts.length, 0, 'u1 was evicted before its second failure');
  assert.equal(e.stats().evicted, 2, 'u1 at u4, u2 at the second u1');
  assert.match(e.metrics.render(), /sightline_siem_groups_evicted_total 2/);
  assert.match(e.metrics.render(), /\nsightline_siem_groups 0\n/, 'idle groups are dropped once their windows are over');
});
