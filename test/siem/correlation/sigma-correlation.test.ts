// Sigma correlation rules (Correlation Rules Specification 2.1) on the same engine: the specification's own example
// (failed logins followed by a successful login, a chain of two correlations with rules named), event_count with a
// lower bound (sliding) and with a range (decided when the window closes), value_count, temporal, temporal_ordered,
// aliases and generate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DetectionEngine } from '../../../src/siem/detection-engine.ts';
import { formatFailure, loadRuleTexts } from '../../../src/siem/rule-set.ts';
import { parseMapping } from '../../../src/siem/sigma/logsource-mapping.ts';
import type { SiemAlert } from '../../../src/siem/alert.ts';
import { batchOf, MIN, SEC, T0, type Rec } from '../scenario.ts';

const SSHD_MAPPING = parseMapping(
  `logsources:\n  - logsource: {product: linux, service: sshd}\n    query: '{service="sshd"} | regexp "(?:for|user) (?:invalid user )?(?P<User>[^ ]+) from (?P<SourceIp>[^ ]+)"'\n`,
  'mapping.yaml',
);

const BASE = `
title: Failed SSH login
id: 53ba33fd-3a50-4468-a5ef-c583635cfa92
name: failed_login
author: tester
logsource: {product: linux, service: sshd}
detection:
  selection: ['Failed password']
  condition: selection
---
title: Successful SSH login
id: 4d0a2c83-c62c-4ed4-b475-c7e23a9269b8
name: successful_login
author: tester
logsource: {product: linux, service: sshd}
detection:
  selection: ['Accepted password']
  condition: selection
`;

/** The specification's example, on Linux sshd instead of Windows event 4625/4624. */
const SPEC_EXAMPLE = `title: Correlation - Multiple Failed Logins Followed by Successful Login
id: b180ead8-d58f-40b2-ae54-c8940995b9b6
status: experimental
description: Detects multiple failed logins by a single user followed by a successful login of that user
author: Florian Roth (Nextron Systems)
date: 2023-06-16
tags: [attack.credential-access, attack.t1110]
correlation:
    type: temporal_ordered
    rules:
        - multiple_failed_login
        - successful_login
    group-by:
        - User
    timespan: 10m
falsepositives:
    - Unlikely
level: high
---
title: Multiple failed logons
id: a8418a5a-5fc4-46b5-b23b-6c73beb19d41
description: Detects multiple failed logins within a certain amount of time
name: multiple_failed_login
correlation:
    type: event_count
    rules:
        - failed_login
    group-by:
        - User
    timespan: 10m
    condition:
        gte: 10
---${BASE}`;

const sshd = { service: 'sshd' };
const fail = (user: string, at: bigint, ip = '10.9.9.9'): Rec => ({ ts: at, labels: sshd, line: `Failed password for ${user} from ${ip} port 22 ssh2` });
const ok = (user: string, at: bigint): Rec => ({ ts: at, labels: sshd, line: `Accepted password for ${user} from 10.9.9.9 port 22 ssh2` });

function run(texts: string[], recs: Rec[]): SiemAlert[] {
  const set = loadRuleTexts(texts.map((text, i) => ({ name: `r${i}.yml`, text })), SSHD_MAPPING);
  assert.deepEqual(set.failures.map(formatFailure), []);
  const alerts: SiemAlert[] = [];
  const e = new DetectionEngine({ rules: set, clockWatermark: false, reorderWindowMs: 0, onAlert: (a) => alerts.push(a) });
  for (const r of recs) e.onCommitted(batchOf([r]));
  e.flush();
  return alerts;
}

test("the specification's example: 10 failed logins then a success by that user within 10m is one alert", () => {
  const recs = [...Array.from({ length: 10 }, (_, i) => fail('alice', T0 + BigInt(i) * 30n * SEC)), ok('alice', T0 + 6n * MIN)];
  const alerts = run([SPEC_EXAMPLE], recs);
  assert.equal(alerts.length, 1, 'only the outermost correlation alerts (generate is false)');
  const a = alerts[0]!;
  assert.equal(a.title, 'Correlation - Multiple Failed Logins Followed by Successful Login');
  assert.equal(a.id, 'b180ead8-d58f-40b2-ae54-c8940995b9b6');
  assert.equal(a.author, 'Florian Roth (Nextron Systems)');
  assert.equal(a.severity, 'high');
  assert.equal(a.kind, 'sigma_correlation');
  assert.deepEqual(a.group, { User: 'alice' });
  assert.equal(a.events.length, 11, 'the ten failures (through the inner correlation) and the success');
  assert.equal(a.events[10]!.step, 'successful_login');
  assert.equal(a.events[0]!.step, 'failed_login');
});

test('spec example near misses: nine failures; a success by someone else; a success before the failures', () => {
  const nine = [...Array.from({ length: 9 }, (_, i) => fail('alice', T0 + BigInt(i) * 30n * SEC)), ok('alice', T0 + 6n * MIN)];
  assert.equal(run([SPEC_EXAMPLE], nine).length, 0);
  const other = [...Array.from({ length: 10 }, (_, i) => fail('alice', T0 + BigInt(i) * 30n * SEC)), ok('bob', T0 + 6n * MIN)];
  assert.equal(run([SPEC_EXAMPLE], other).length, 0);
  const before = [ok('alice', T0), ...Array.from({ length: 10 }, (_, i) => fail('alice', T0 + SEC + BigInt(i) * 30n * SEC))];
  assert.equal(run([SPEC_EXAMPLE], before).length, 0);
  const late = [...Array.from({ length: 10 }, (_, i) => fail('alice', T0 + BigInt(i) * 30n * SEC)), ok('alice', T0 + 16n * MIN)];
  assert.equal(run([SPEC_EXAMPLE], late).length, 0, 'the success comes more than 10m after the tenth failure');
});

const corr = (body: string) => `title: c\nid: 11111111-1111-4111-8111-111111111111\nauthor: tester\nlevel: medium\ncorrelation:\n${body}`;

test('event_count with a lower bound fires on the event that reaches it (sliding window)', () => {
  const rule = corr('  type: event_count\n  rules: [failed_login]\n  group-by: [SourceIp]\n  timespan: 5m\n  condition: {gt: 2}\n');
  const a = run([BASE, rule], [fail('a', T0, '1.1.1.1'), fail('b', T0 + MIN, '1.1.1.1'), fail('c', T0 + 6n * MIN, '1.1.1.1'), fail('d', T0 + 7n * MIN, '1.1.1.1'), fail('e', T0 + 8n * MIN, '1.1.1.1')]);
  assert.equal(a.length, 1);
  assert.equal(a[0]!.first_ts, (T0 + 6n * MIN).toString(), 'the first two fell out of the 5-minute window');
  assert.equal(a[0]!.event_count, 3);
});

test('event_count with a range is decided when the window closes', () => {
  const rule = corr('  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 10m\n  condition: {gt: 2, lte: 4}\n');
  const three = [0n, 1n, 2n].map((m) => fail('alice', T0 + m * MIN));
  const a = run([BASE, rule], three);
  assert.equal(a.length, 1);
  assert.equal(a[0]!.event_count, 3);
  const six = [0n, 1n, 2n, 3n, 4n, 5n].map((m) => fail('alice', T0 + m * MIN));
  assert.equal(run([BASE, rule], six).length, 0, 'more than 4');
  const split = [fail('alice', T0), fail('alice', T0 + MIN), fail('alice', T0 + 11n * MIN), fail('alice', T0 + 12n * MIN)];
  assert.equal(run([BASE, rule], split).length, 0, 'two windows of two');
});

test('value_count: distinct users failing from one source within the timespan', () => {
  const rule = corr('  type: value_count\n  rules: [failed_login]\n  group-by: [SourceIp]\n  timespan: 5m\n  condition: {field: User, gte: 3}\n');
  const spray = [fail('alice', T0, '6.6.6.6'), fail('alice', T0 + SEC, '6.6.6.6'), fail('bob', T0 + 2n * SEC, '6.6.6.6'), fail('carol', T0 + 3n * SEC, '6.6.6.6')];
  const a = run([BASE, rule], spray);
  assert.equal(a.length, 1);
  assert.deepEqual(a[0]!.group, { SourceIp: '6.6.6.6' });
  assert.equal(a[0]!.event_count, 3, 'three distinct users');
  const same = [fail('alice', T0, '6.6.6.6'), fail('alice', T0 + SEC, '6.6.6.6'), fail('bob', T0 + 2n * SEC, '6.6.6.6'), fail('bob', T0 + 3n * SEC, '6.6.6.6')];
  assert.equal(run([BASE, rule], same).length, 0);
  const slow = [fail('alice', T0, '6.6.6.6'), fail('bob', T0 + 3n * MIN, '6.6.6.6'), fail('carol', T0 + 6n * MIN, '6.6.6.6')];
  assert.equal(run([BASE, rule], slow).length, 0, 'alice fell out of the window');
});

const RECON = ['id', 'uname', 'whoami'].map((cmd, i) => `title: recon ${cmd}\nid: 2222222${i}-2222-4222-8222-222222222222\nname: recon_${cmd}\nauthor: tester\nlogsource: {product: test}\ndetection:\n  selection:\n    CommandLine|startswith: '${cmd}'\n  condition: selection\n`);
const cmd = (c: string, at: bigint, host = 'h1'): Rec => ({ ts: at, labels: { job: 'edr' }, line: c, metadata: { CommandLine: c, host } });

test('temporal: all rules within the timespan, any order, per group', () => {
  const rule = corr('  type: temporal\n  rules: [recon_id, recon_uname, recon_whoami]\n  group-by: [host]\n  timespan: 5m\n');
  assert.equal(run([...RECON, rule], [cmd('whoami', T0), cmd('id -a', T0 + MIN), cmd('uname -a', T0 + 2n * MIN)]).length, 1);
  assert.equal(run([...RECON, rule], [cmd('whoami', T0), cmd('id -a', T0 + MIN), cmd('uname -a', T0 + 6n * MIN)]).length, 0, 'whoami is too old');
  assert.equal(run([...RECON, rule], [cmd('whoami', T0, 'h1'), cmd('id -a', T0 + MIN, 'h2'), cmd('uname -a', T0 + 2n * MIN, 'h1')]).length, 0, 'two hosts');
  const twoOf = corr('  type: temporal\n  rules: [recon_id, recon_uname, recon_whoami]\n  group-by: [host]\n  timespan: 5m\n  condition: {gte: 2}\n');
  assert.equal(run([...RECON, twoOf], [cmd('whoami', T0), cmd('id -a', T0 + MIN)]).length, 1);
});

test('temporal_ordered: in the listed order within the timespan', () => {
  const rule = corr('  type: temporal_ordered\n  rules: [recon_id, recon_uname, recon_whoami]\n  group-by: [host]\n  timespan: 5m\n');
  const a = run([...RECON, rule], [cmd('id', T0), cmd('uname', T0 + MIN), cmd('whoami', T0 + 2n * MIN)]);
  assert.equal(a.length, 1);
  assert.deepEqual(a[0]!.events.map((e) => e.line), ['id', 'uname', 'whoami']);
  assert.equal(run([...RECON, rule], [cmd('whoami', T0), cmd('uname', T0 + MIN), cmd('id', T0 + 2n * MIN)]).length, 0);
  // a later start leaves more room: id at 0 and 4m, uname 5m, whoami 8m fires from the second id
  assert.equal(run([...RECON, rule], [cmd('id', T0), cmd('id', T0 + 4n * MIN), cmd('uname', T0 + 5n * MIN), cmd('whoami', T0 + 8n * MIN)]).length, 1);
});

test('aliases: a field under different names in different rules', () => {
  const rules = [
    'title: internal error\nid: 33333333-0000-4000-8000-000000000001\nname: internal_error\nauthor: t\nlogsource: {product: test}\ndetection:\n  selection:\n    status: 500\n  condition: selection\n',
    'title: new connection\nid: 33333333-0000-4000-8000-000000000002\nname: new_network_connection\nauthor: t\nlogsource: {product: test}\ndetection:\n  selection:\n    event: connection\n  condition: selection\n',
    corr('  type: temporal\n  rules: [internal_error, new_network_connection]\n  group-by: [internal_ip, remote_ip]\n  timespan: 10s\n  aliases:\n    internal_ip:\n      internal_error: destination.ip\n      new_network_connection: source.ip\n    remote_ip:\n      internal_error: source.ip\n      new_network_connection: destination.ip\n'),
  ];
  const err = (src: string, dst: string, at: bigint): Rec => ({ ts: at, labels: { job: 'x' }, line: 'e', metadata: { status: '500', 'source.ip': src, 'destination.ip': dst } });
  const conn = (src: string, dst: string, at: bigint): Rec => ({ ts: at, labels: { job: 'x' }, line: 'c', metadata: { event: 'connection', 'source.ip': src, 'destination.ip': dst } });
  const a = run(rules, [err('8.8.8.8', '10.0.0.5', T0), conn('10.0.0.5', '8.8.8.8', T0 + 3n * SEC)]);
  assert.equal(a.length, 1);
  assert.deepEqual(a[0]!.group, { internal_ip: '10.0.0.5', remote_ip: '8.8.8.8' });
  assert.equal(run(rules, [err('8.8.8.8', '10.0.0.5', T0), conn('8.8.8.8', '10.0.0.5', T0 + 3n * SEC)]).length, 0, 'same names, not the aliased ones');
});

test('generate: true lets the referenced rules alert on their own too', () => {
  const rule = corr('  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 5m\n  condition: {gte: 2}\n  generate: true\n');
  const a = run([BASE, rule], [fail('alice', T0), fail('alice', T0 + SEC)]);
  assert.deepEqual(a.map((x) => x.title).sort(), ['Failed SSH login', 'c']);
});

test('correlations that cannot load say why', () => {
  const bad = loadRuleTexts([{ name: 'x.yml', text: corr('  type: temporal\n  rules: [nope, also_nope]\n  group-by: [a]\n  timespan: 5m\n') }]);
  assert.match(formatFailure(bad.failures[0]!), /^x\.yml:1: c: references rule "nope", which is not among the loaded rules/);
  const span = loadRuleTexts([{ name: 'y.yml', text: corr('  type: event_count\n  rules: [a]\n  timespan: 5 minutes\n  condition: {gte: 1}\n') }]);
  assert.match(span.failures[0]!.reason, /correlation\.timespan: expected a number and one of s, m, h, d/);
});
