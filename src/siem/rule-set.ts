// Loads detection rules from files or texts: native correlation rules (`rule:` + `sequence:`), Sigma detection rules,
// Sigma correlation rules and Sigma global filters, compiled against a mapping file. A rule that cannot load is kept
// out and reported with its file, line and reason; the others load (a rule set is never all-or-nothing).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/config-node.ts';
import { parseNativeRule, type NativeRule } from './correlation/native-rule.ts';
import { compileSigmaRule, type CompiledSigmaRule } from './sigma/sigma-compile.ts';
import type { SigmaCorrelationRule, SigmaFilterRule, SigmaRule } from './sigma/sigma-ast.ts';
import { EMPTY_MAPPING, type LogsourceMapping } from './sigma/logsource-mapping.ts';
import { parseSigmaFile } from './sigma/sigma-parse.ts';
import { LiteralIndex } from './sigma/literal-index.ts';
import { SigmaError } from './sigma/sigma-yaml.ts';

export interface RuleText {
  /** file path or another name for messages */
  name: string;
  text: string;
}

export interface RuleLoadFailure {
  file: string;
  line?: number;
  /** the rule's title or name when it got that far */
  rule?: string;
  reason: string;
}

export interface RuleSet {
  native: NativeRule[];
  sigma: CompiledSigmaRule[];
  correlations: SigmaCorrelationRule[];
  filters: SigmaFilterRule[];
  mapping: LogsourceMapping;
  failures: RuleLoadFailure[];
  /** rule documents seen (loaded + failed) */
  total: number;
}

const RULE_FILE = /\.ya?ml$/i;
const NATIVE = /^rule\s*:/m;
const SEQUENCE = /^(sequence|new_value|baseline)\s*:/m;

/** Reads every .yml/.yaml file under the paths (directories recursively, sorted); unreadable paths throw. */
export function readRulePaths(paths: readonly string[]): RuleText[] {
  const out: RuleText[] = [];
  const walk = (p: string, explicit: boolean) => {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      throw new ConfigError(`${p}: cannot read rules: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, p);
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (name.startsWith('.')) continue;
        walk(path.join(p, name), false);
      }
    } else if (explicit || RULE_FILE.test(p)) {
      out.push({ name: p, text: readFileSync(p, 'utf8') });
    }
  };
  for (const p of paths) walk(p, true);
  return out;
}

function failureOf(e: unknown, file: string, rule?: string): RuleLoadFailure {
  if (e instanceof SigmaError) return { file: e.file, line: e.line, rule: rule ?? e.rule, reason: e.reason };
  if (e instanceof ConfigError) {
    const prefix = `${e.file ?? file}${e.line ? ':' + e.line : ''}: `;
    return { file: e.file ?? file, line: e.line, rule, reason: e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message };
  }
  throw e;
}

export function formatFailure(f: RuleLoadFailure): string {
  return `${f.file}${f.line ? ':' + f.line : ''}: ${f.rule ? `${f.rule}: ` : ''}${f.reason}`;
}

export function loadRuleTexts(texts: readonly RuleText[], mapping: LogsourceMapping = EMPTY_MAPPING): RuleSet {
  const set: RuleSet = { native: [], sigma: [], correlations: [], filters: [], mapping, failures: [], total: 0 };
  const sigmaRules: SigmaRule[] = [];
  const nativeNames = new Map<string, string>();
  for (const t of texts) {
    if (NATIVE.test(t.text) && SEQUENCE.test(t.text)) {
      set.total++;
      try {
        const rule = parseNativeRule(t.text, t.name);
        const prev = nativeNames.get(rule.name);
        if (prev !== undefined) throw new ConfigError(`${t.name}: rule: the name "${rule.name}" is already used by ${prev}`, t.name);
        nativeNames.set(rule.name, t.name);
        if (rule.enabled) set.native.push(rule);
      } catch (e) {
        set.failures.push(failureOf(e, t.name));
      }
      continue;
    }
    const { rules, errors } = parseSigmaFile(t.text, t.name);
    set.total += rules.length + errors.length;
    for (const e of errors) set.failures.push(failureOf(e, t.name));
    sigmaRules.push(...rules);
  }
  set.filters = sigmaRules.filter((r): r is SigmaFilterRule => r.kind === 'filter');
  const loadedRefs = new Set<string>();
  const failedRefs = new Map<string, string>();
  // one automaton per target for all rules: their keyword lists are searched in one pass per record
  const literals = new LiteralIndex();
  for (const r of sigmaRules) {
    if (r.kind !== 'detection') continue;
    try {
      set.sigma.push(compileSigmaRule(r, mapping, set.filters, literals));
      if (r.id) loadedRefs.add(r.id);
      if (r.name) loadedRefs.add(r.name);
    } catch (e) {
      const f = failureOf(e, r.file, r.title);
      set.failures.push(f);
      if (r.id) failedRefs.set(r.id, f.reason);
      if (r.name) failedRefs.set(r.name, f.reason);
    }
  }
  // correlations load in dependency order: one whose references are all loaded, until none moves
  let pending = sigmaRules.filter((r): r is SigmaCorrelationRule => r.kind === 'correlation');
  for (;;) {
    const next: SigmaCorrelationRule[] = [];
    for (const c of pending) {
      const missing = c.rules.filter((ref) => !loadedRefs.has(ref));
      if (missing.length === 0) {
        set.correlations.push(c);
        if (c.id) loadedRefs.add(c.id);
        if (c.name) loadedRefs.add(c.name);
      } else next.push(c);
    }
    if (next.length === pending.length) {
      for (const c of next) {
        const ref = c.rules.find((r) => !loadedRefs.has(r))!;
        const why = failedRefs.get(ref);
        const reason = why !== undefined
          ? `references rule "${ref}", which did not load (${why})`
          : pending.some((p) => p !== c && (p.id === ref || p.name === ref))
            ? `references correlation "${ref}", which depends on this one or on a rule that did not load`
            : `references rule "${ref}", which is not among the loaded rules (by id or name)`;
        set.failures.push({ file: c.file, line: c.line, rule: c.title, reason });
      }
      break;
    }
    pending = next;
  }
  return set;
}

export function loadRulePaths(paths: readonly string[], mapping?: LogsourceMapping): RuleSet {
  return loadRuleTexts(readRulePaths(paths), mapping);
}

/** Rules loaded (native + Sigma detection + Sigma correlation). */
export function loadedCount(set: RuleSet): number {
  return set.native.length + set.sigma.length + set.correlations.length;
}
