// ATT&CK coverage from rule tags: techniques and sub-techniques as separate entries, their tactics (the table's,
// narrowed by the rules' own tactic tags, v19's Stealth/Defense Impairment for Defense Evasion), rules listed once,
// untagged rules counted, unknown techniques kept with a null name; and over the shipped and SigmaHQ rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { coverageOf, enabledRules, tacticOfTag, type CoverageRule } from '../../src/siem/coverage.ts';
import { loadRulePaths, loadRuleTexts } from '../../src/siem/rule-set.ts';
import { loadMapping } from '../../src/siem/sigma/logsource-mapping.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const SIGMA = path.resolve(REPO, '../shared/data/sigma/rules');

const rule = (id: string, source: 'sigma' | 'native' = 'sigma', level = 'medium'): CoverageRule => ({ id, title: `title of ${id}`, source, level, enabled: true });

test('tactic tags: both Sigma spellings, case-insensitive; other tags are not tactics', () => {
  assert.equal(tacticOfTag('attack.credential_access'), 'credential-access');
  assert.equal(tacticOfTag('attack.Credential-Access'), 'credential-access');
  assert.equal(tacticOfTag('attack.command_and_control'), 'command-and-control');
  assert.equal(tacticOfTag('attack.t1110'), undefined);
  assert.equal(tacticOfTag('attack.g0016'), undefined);
  assert.equal(tacticOfTag('cve.2021-44228'), undefined);
});

test('coverage: techniques and sub-techniques are separate entries, sorted, with names, tactics and their rules', () => {
  const c = coverageOf([
    { rule: rule('b-rule'), tags: ['attack.credential_access', 'attack.t1110.001', 'attack.T1110'] },
    { rule: rule('a-rule', 'native', 'high'), tags: ['attack.credential-access', 'attack.t1110', 'attack.privilege-escalation', 'attack.t1098'] },
    { rule: rule('no-tags'), tags: ['detection.threat-hunting'] },
    { rule: rule('tactic-only'), tags: ['attack.discovery'] },
  ]);
  assert.deepEqual(c.techniques.map((t) => [t.id, t.subtechnique, t.name, t.tactics, t.rules.map((r) => r.id)]), [
    ['T1098', null, 'Account Manipulation', ['privilege-escalation'], ['a-rule']],
    ['T1110', null, 'Brute Force', ['credential-access'], ['a-rule', 'b-rule']],
    ['T1110', 'T1110.001', 'Brute Force: Password Guessing', ['credential-access'], ['b-rule']],
  ]);
  assert.deepEqual(c.techniques[1]!.rules[0], { id: 'a-rule', title: 'title of a-rule', source: 'native', level: 'high', enabled: true });
  assert.equal(c.rules_without_tags, 2);
});

test('coverage: tactics are the table\'s narrowed by the rules\' tags; v19 successors count for Defense Evasion', () => {
  const c = coverageOf([
    // T1078 sits under four tactics; the rule says it covers it as initial access
    { rule: rule('valid-accounts'), tags: ['attack.initial_access', 'attack.t1078'] },
    // T1070 is Defense Evasion in the table; the rule tags it with v19's Stealth
    { rule: rule('clear-logs'), tags: ['attack.stealth', 'attack.t1070.004'] },
    // no tactic tag at all: every tactic of the table
    { rule: rule('sudo'), tags: ['attack.t1548.003'] },
    // not in the table: the rule's own tactics, no name
    { rule: rule('new-technique'), tags: ['attack.defense-impairment', 'attack.t1685'] },
  ]);
  const by = Object.fromEntries(c.techniques.map((t) => [t.subtechnique ?? t.id, t]));
  assert.deepEqual(by.T1078!.tactics, ['initial-access']);
  assert.deepEqual(by['T1070.004']!.tactics, ['stealth']);
  assert.deepEqual(by['T1548.003']!.tactics, ['privilege-escalation', 'defense-evasion']);
  assert.equal(by.T1685!.name, null);
  assert.deepEqual(by.T1685!.tactics, ['defense-impairment']);
  // Defense Evasion is a column because T1548.003 is placed under it; the order is ATT&CK's
  assert.deepEqual(c.tactics.map((t) => t.id), ['reconnaissance', 'resource-development', 'initial-access', 'execution', 'persistence', 'privilege-escalation', 'defense-evasion', 'stealth', 'defense-impairment', 'credential-access', 'discovery', 'lateral-movement', 'collection', 'command-and-control', 'exfiltration', 'impact']);
  assert.deepEqual(c.tactics[9], { id: 'credential-access', name: 'Credential Access' });
  const modern = coverageOf([{ rule: rule('x'), tags: ['attack.stealth', 'attack.t1070'] }]);
  assert.equal(modern.tactics.some((t) => t.id === 'defense-evasion'), false);
  assert.equal(modern.tactics.length, 15);
});

test('coverage of the shipped examples: the guide\'s rule covers T1110 and T1098; disabled rules are not listed', () => {
  const set = loadRulePaths([path.join(REPO, 'examples/detections')]);
  const c = coverageOf(enabledRules(set));
  const t1110 = c.techniques.find((t) => t.id === 'T1110' && t.subtechnique === null)!;
  assert.ok(t1110.rules.some((r) => r.id === 'brute_force_then_escalation' && r.source === 'native' && r.level === 'high'), JSON.stringify(t1110));
  assert.ok(c.techniques.find((t) => t.id === 'T1098')!.rules.some((r) => r.id === 'brute_force_then_escalation'));
  // every shipped rule (each document of a multi-rule file too) carries an ATT&CK technique tag
  assert.equal(c.rules_without_tags, 0);
  assert.deepEqual(c.techniques.map((t) => [t.subtechnique ?? t.id, t.tactics, t.rules.length]), [
    ['T1046', ['discovery'], 2],
    ['T1078', ['initial-access'], 1],
    ['T1098', ['privilege-escalation'], 1],
    ['T1110', ['credential-access'], 6],
    ['T1110.001', ['credential-access'], 1],
  ]);
  const disabled = loadRuleTexts([{ name: 'off.yaml', text: 'rule: off_rule\nenabled: false\ntags: [attack.t1005]\nevents:\n  e: \'{service="x"}\'\nsequence:\n  - event: e\n' }]);
  assert.equal(coverageOf(enabledRules(disabled)).techniques.length, 0);
});

test('coverage of the SigmaHQ linux, web and AWS rules: every technique has a tactic, names for most', { skip: !existsSync(SIGMA) && 'no ../shared/data/sigma' }, () => {
  const set = loadRulePaths([path.join(SIGMA, 'linux'), path.join(SIGMA, 'web'), path.join(SIGMA, 'cloud/aws')], loadMapping(path.join(REPO, 'examples/siem/sigma-mapping.yaml')));
  const c = coverageOf(enabledRules(set));
  assert.equal(set.sigma.length, 262);
  assert.ok(c.techniques.length > 100, `${c.techniques.length} techniques`);
  assert.deepEqual(c.techniques.filter((t) => t.tactics.length === 0).map((t) => t.subtechnique ?? t.id), []);
  const named = c.techniques.filter((t) => t.name !== null).length;
  assert.ok(named / c.techniques.length > 0.9, `${named} of ${c.techniques.length} named`);
  const covered = new Set(c.techniques.flatMap((t) => t.rules.map((r) => r.id)));
  assert.equal(covered.size + c.rules_without_tags, 262);
});
