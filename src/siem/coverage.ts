// MITRE ATT&CK coverage of a rule set: every technique and sub-technique the enabled rules' tags name (`attack.t1110`,
// `attack.t1110.001`), the tactics they sit under, and the rules covering each, in the shape of
// GET /api/v1/detections/coverage and `sightline rules coverage` (docs/detection.md "ATT&CK coverage").

import { ATTACK_TACTICS, ATTACK_TECHNIQUES, TACTIC_SUCCESSORS, type AttackTactic } from './attack-techniques.ts';
import type { RuleLoadFailure, RuleSet } from './rule-set.ts';

export interface CoverageRule {
  id: string;
  title: string;
  source: 'sigma' | 'native';
  level: string;
  enabled: true;
}

export interface CoverageTechnique {
  /** the technique (`T1110`), also for a sub-technique's entry */
  id: string;
  /** `T1110.001` for a sub-technique's entry, null for the technique itself */
  subtechnique: string | null;
  name: string | null;
  tactics: string[];
  rules: CoverageRule[];
}

export interface Coverage {
  tactics: AttackTactic[];
  techniques: CoverageTechnique[];
  /** enabled rules whose tags name no ATT&CK technique */
  rules_without_tags: number;
}

const TECHNIQUE_TAG = /^attack\.(t\d{4})(?:\.(\d{3}))?$/i;
const TACTIC_IDS = new Map(ATTACK_TACTICS.map((t) => [t.id, t.id]));

interface TaggedRule {
  rule: CoverageRule;
  tags: readonly string[];
}

/** The rules of a set that run, with their tags: native rules, Sigma detection rules and Sigma correlations. */
export function enabledRules(set: RuleSet, notRunning: readonly RuleLoadFailure[] = []): TaggedRule[] {
  // rules that loaded but cannot run (the engine's program failures) are named by file + title or name
  const broken = new Set(notRunning.map((f) => `${f.file}\u0000${f.rule ?? ''}`));
  const out: TaggedRule[] = [];
  const add = (file: string, names: (string | undefined)[], rule: CoverageRule, tags: readonly string[]) => {
    if (names.some((n) => n !== undefined && broken.has(`${file}\u0000${n}`))) return;
    out.push({ rule, tags });
  };
  for (const r of set.native) add(r.file, [r.name, r.title], { id: r.name, title: r.title, source: 'native', level: r.severity, enabled: true }, r.tags);
  for (const s of set.sigma) {
    const r = s.rule;
    add(r.file, [r.title, r.id, r.name], { id: r.id ?? r.title, title: r.title, source: 'sigma', level: r.level ?? 'medium', enabled: true }, r.tags);
  }
  for (const c of set.correlations) add(c.file, [c.title, c.id, c.name], { id: c.id ?? c.title, title: c.title, source: 'sigma', level: c.level ?? 'medium', enabled: true }, c.tags);
  return out;
}

/** `attack.credential_access` / `attack.credential-access` → `credential-access`; undefined for other tags. */
export function tacticOfTag(tag: string): string | undefined {
  const t = tag.toLowerCase();
  if (!t.startsWith('attack.')) return undefined;
  return TACTIC_IDS.get(t.slice(7).replace(/_/g, '-'));
}

export function coverageOf(rules: readonly TaggedRule[]): Coverage {
  const byKey = new Map<string, { tech: CoverageTechnique; ruleTactics: Set<string> }>();
  let untagged = 0;
  for (const { rule, tags } of rules) {
    const tactics = new Set<string>();
    const techniques: { id: string; sub: string | null }[] = [];
    for (const tag of tags) {
      const m = TECHNIQUE_TAG.exec(tag);
      if (m !== null) {
        const id = m[1]!.toUpperCase();
        techniques.push({ id, sub: m[2] !== undefined ? `${id}.${m[2]}` : null });
        continue;
      }
      const tactic = tacticOfTag(tag);
      if (tactic !== undefined) tactics.add(tactic);
    }
    if (techniques.length === 0) {
      untagged++;
      continue;
    }
    for (const { id, sub } of techniques) {
      const key = sub ?? id;
      let entry = byKey.get(key);
      if (entry === undefined) {
        entry = { tech: { id, subtechnique: sub, name: ATTACK_TECHNIQUES[key]?.[0] ?? null, tactics: [], rules: [] }, ruleTactics: new Set() };
        byKey.set(key, entry);
      }
      // a rule tagged twice for one technique (t1110 and T1110) is listed once
      if (!entry.tech.rules.some((r) => r.id === rule.id && r.source === rule.source)) entry.tech.rules.push(rule);
      for (const t of tactics) entry.ruleTactics.add(t);
    }
  }
  const used = new Set<string>();
  const techniques: CoverageTechnique[] = [];
  for (const [key, { tech, ruleTactics }] of byKey) {
    tech.tactics = tacticsFor(key, ruleTactics);
    for (const t of tech.tactics) used.add(t);
    tech.rules.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    techniques.push(tech);
  }
  techniques.sort((a, b) => (a.id !== b.id ? (a.id < b.id ? -1 : 1) : a.subtechnique === null ? -1 : b.subtechnique === null ? 1 : a.subtechnique < b.subtechnique ? -1 : 1));
  // Defense Evasion (split by ATT&CK v19) is a column only when some technique is placed under it
  const tactics = ATTACK_TACTICS.filter((t) => t.id !== 'defense-evasion' || used.has(t.id)).map((t) => ({ ...t }));
  return { tactics, techniques, rules_without_tags: untagged };
}

/**
 * Where a technique sits: ATT&CK places a technique under several tactics, a rule's tactic tags say in which sense
 * it covers it. So: the known tactics the covering rules also name (a successor tactic counts for the one it
 * replaced); else every known tactic; for a technique not in the table, the rules' tactics as they are.
 */
function tacticsFor(key: string, ruleTactics: ReadonlySet<string>): string[] {
  const known = ATTACK_TECHNIQUES[key]?.[1] ?? ATTACK_TECHNIQUES[key.slice(0, 5)]?.[1];
  const order = (list: Iterable<string>) => ATTACK_TACTICS.map((t) => t.id).filter((id) => new Set(list).has(id));
  if (known === undefined) return order(ruleTactics);
  const picked = new Set<string>();
  for (const k of known) {
    if (ruleTactics.has(k)) picked.add(k);
    for (const s of TACTIC_SUCCESSORS[k] ?? []) if (ruleTactics.has(s)) picked.add(s);
  }
  return order(picked.size > 0 ? picked : known);
}
