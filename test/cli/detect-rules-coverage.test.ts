// `sightline rules coverage --rules PATH...` run as a subprocess: the JSON reply the API and the UI share (tactics in
// ATT&CK order, techniques with names, tactics and rules, rules_without_tags), the text table, and exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const REPO = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(REPO, 'bin', 'sightline');
const RULE = path.join(REPO, 'examples/detections/brute-force-then-escalation.yaml');

function sightline(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.once('error', reject);
    p.once('close', (code) => resolve({ code, out, err }));
  });
}

const SIGMA = `title: Sudo Shell
id: 11111111-2222-4333-8444-555555555555
tags: [attack.privilege_escalation, attack.t1548.003, attack.t1548]
logsource: {product: linux, service: sudo}
detection:
  keywords: ['COMMAND=/bin/bash']
  condition: keywords
level: high
---
title: No Tags Here
id: 66666666-7777-4888-8999-000000000000
logsource: {product: linux}
detection:
  keywords: ['something odd']
  condition: keywords
`;

test('rules coverage --output json: the guide\'s rule and a Sigma file, in the API\'s shape', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-coverage-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'sudo.yml'), SIGMA);
  const r = await sightline(['rules', 'coverage', '--rules', RULE, path.join(dir, 'sudo.yml'), '--output', 'json']);
  assert.equal(r.code, 0, r.err);
  const body = JSON.parse(r.out);
  assert.equal(body.status, 'success');
  assert.deepEqual(body.data.tactics.map((x: { id: string }) => x.id), ['reconnaissance', 'resource-development', 'initial-access', 'execution', 'persistence', 'privilege-escalation', 'stealth', 'defense-impairment', 'credential-access', 'discovery', 'lateral-movement', 'collection', 'command-and-control', 'exfiltration', 'impact']);
  const sudo = { id: '11111111-2222-4333-8444-555555555555', title: 'Sudo Shell', source: 'sigma', level: 'high', enabled: true };
  const guide = { id: 'brute_force_then_escalation', title: 'account takeover suspected', source: 'native', level: 'high', enabled: true };
  assert.deepEqual(body.data.techniques, [
    { id: 'T1098', subtechnique: null, name: 'Account Manipulation', tactics: ['privilege-escalation'], rules: [guide] },
    { id: 'T1110', subtechnique: null, name: 'Brute Force', tactics: ['credential-access'], rules: [guide] },
    { id: 'T1548', subtechnique: null, name: 'Abuse Elevation Control Mechanism', tactics: ['privilege-escalation'], rules: [sudo] },
    { id: 'T1548', subtechnique: 'T1548.003', name: 'Abuse Elevation Control Mechanism: Sudo and Sudo Caching', tactics: ['privilege-escalation'], rules: [sudo] },
  ]);
  assert.equal(body.data.rules_without_tags, 1);
});

test('rules coverage: the text table by tactic; a rule that does not load exits 1; bad usage exits 2', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-coverage-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'bad.yml'), 'title: Bad\nlogsource: {product: linux}\ndetection:\n  sel: {a|nope: x}\n  condition: sel\n');
  const r = await sightline(['rules', 'coverage', '--rules', RULE, '--rules', path.join(dir, 'bad.yml')]);
  assert.equal(r.code, 1);
  assert.match(r.err, /rule not loaded: .*bad\.yml:\d+: Bad: /);
  assert.deepEqual(r.out.split('\n').filter((l) => l !== '').map((l) => l.replace(/ +/g, ' ')), [
    'Privilege Escalation (privilege-escalation)',
    ' T1098 Account Manipulation 1 rule: brute_force_then_escalation',
    'Credential Access (credential-access)',
    ' T1110 Brute Force 1 rule: brute_force_then_escalation',
    '2 techniques and sub-techniques covered by 1 rule; 0 enabled rules without an ATT&CK technique tag',
  ]);
  const usage = await sightline(['rules', 'coverage', '--rules', RULE, '--output', 'yaml']);
  assert.equal(usage.code, 2);
  assert.match(usage.err, /--output: expected json or text, got "yaml"/);
  const missing = await sightline(['rules', 'coverage', '--rules', path.join(dir, 'nope')]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /nope: cannot read rules: ENOENT/);
});
