// Compiles small Sigma rules from YAML text and evaluates them against crafted events (line, labels, metadata).

import assert from 'node:assert/strict';
import { newEventView, resetView, type EventView } from '../../../src/siem/event-view.ts';
import { loadRuleTexts, formatFailure } from '../../../src/siem/rule-set.ts';
import { EMPTY_MAPPING, parseMapping, type LogsourceMapping } from '../../../src/siem/sigma/logsource-mapping.ts';
import type { CompiledSigmaRule } from '../../../src/siem/sigma/sigma-compile.ts';

export interface Ev {
  line?: string;
  labels?: Record<string, string>;
  fields?: Record<string, string>;
  parsed?: Record<string, string>;
}

/** A rule from a detection body (indented YAML under `detection:`), compiled; throws with the load failure. */
export function rule(detection: string, opts: { mapping?: LogsourceMapping | string; logsource?: string } = {}): CompiledSigmaRule {
  const text = `title: test rule\nid: 00000000-0000-4000-8000-000000000001\nauthor: tester\nlogsource:\n  ${opts.logsource ?? 'product: test'}\ndetection:\n${detection}`;
  const mapping = typeof opts.mapping === 'string' ? parseMapping(opts.mapping, 'mapping.yaml') : (opts.mapping ?? EMPTY_MAPPING);
  const set = loadRuleTexts([{ name: 'rule.yml', text }], mapping);
  if (set.failures.length > 0) throw new Error(set.failures.map(formatFailure).join('\n'));
  assert.equal(set.sigma.length, 1);
  return set.sigma[0]!;
}

/** The load failure of a rule that must not compile. */
export function failure(detection: string, opts: { mapping?: string } = {}): string {
  try {
    rule(detection, { mapping: opts.mapping });
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the rule loaded');
}

export function view(ev: Ev): EventView {
  const v = newEventView();
  resetView(v, 1n, ev.line ?? '', ev.labels ?? {}, ev.fields);
  if (ev.parsed) v.parsed = new Map(Object.entries(ev.parsed));
  return v;
}

export function matches(r: CompiledSigmaRule, ev: Ev): boolean {
  return r.matches(view(ev));
}
