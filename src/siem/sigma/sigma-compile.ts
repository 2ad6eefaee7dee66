// Compiles a Sigma detection rule into one predicate over EventView: search identifiers (maps AND, lists OR, items
// through the value modifiers), the condition over them (`1 of`/`all of` expanded at compile time), and the global
// filters that name the rule (`and not filter`). Field names go through the mapping file's field mappings.

import { fieldGetter, type FieldGetter } from '../event-view.ts';
import type { ConditionNode, SearchNode, SigmaDetectionRule, SigmaFilterRule } from './sigma-ast.ts';
import { expandPattern } from './sigma-condition.ts';
import { compileFieldItem, ModifierError, type EventPredicate, type ModifierContext } from './sigma-modifiers.ts';
import { entryFor, fieldCandidates, type LogsourceEntry, type LogsourceMapping } from './logsource-mapping.ts';
import { SigmaError } from './sigma-yaml.ts';
import type { LiteralIndex } from './literal-index.ts';
import { detectionAtoms, type Clause } from './rule-atoms.ts';
import type { FieldItem } from './sigma-ast.ts';
import type { ItemAtoms } from './sigma-modifiers.ts';

export interface CompiledSigmaRule {
  rule: SigmaDetectionRule;
  /** the mapping entry of its logsource; undefined = the default label matching */
  entry: LogsourceEntry | undefined;
  matches: EventPredicate;
  /** a field getter with the rule's field mappings (correlations read group-by fields through it) */
  field(name: string): FieldGetter;
  /** clauses of literals: whenever the rule matches, one literal of each occurs in its target; undefined = none */
  atoms: Clause[] | undefined;
}

const TRUE: EventPredicate = () => true;
const FALSE: EventPredicate = () => false;

function anyOf(ps: EventPredicate[]): EventPredicate {
  if (ps.length === 0) return FALSE;
  if (ps.length === 1) return ps[0]!;
  if (ps.length === 2) {
    const [a, b] = ps as [EventPredicate, EventPredicate];
    return (v) => a(v) || b(v);
  }
  return (v) => {
    for (let i = 0; i < ps.length; i++) if (ps[i]!(v)) return true;
    return false;
  };
}

function allOf(ps: EventPredicate[]): EventPredicate {
  if (ps.length === 0) return TRUE;
  if (ps.length === 1) return ps[0]!;
  if (ps.length === 2) {
    const [a, b] = ps as [EventPredicate, EventPredicate];
    return (v) => a(v) && b(v);
  }
  return (v) => {
    for (let i = 0; i < ps.length; i++) if (!ps[i]!(v)) return false;
    return true;
  };
}

function compileSearch(node: SearchNode, name: string, ctx: ModifierContext, file: string): EventPredicate {
  if (node.kind === 'field') {
    try {
      return compileFieldItem(node, ctx);
    } catch (e) {
      if (e instanceof ModifierError) {
        const key = [node.field ?? '', ...node.modifiers].join('|');
        throw new SigmaError(`${name}: ${key || 'keywords'}: ${e.message}`, file, node.line || undefined);
      }
      throw e;
    }
  }
  const parts = node.items.map((i) => compileSearch(i, name, ctx, file));
  return node.kind === 'and' ? allOf(parts) : anyOf(parts);
}

function compileCondition(c: ConditionNode, searches: Map<string, EventPredicate>, names: string[], where: { file: string; line: number }): EventPredicate {
  switch (c.kind) {
    case 'and': {
      const a = compileCondition(c.left, searches, names, where);
      const b = compileCondition(c.right, searches, names, where);
      return (v) => a(v) && b(v);
    }
    case 'or': {
      const a = compileCondition(c.left, searches, names, where);
      const b = compileCondition(c.right, searches, names, where);
      return (v) => a(v) || b(v);
    }
    case 'not': {
      const a = compileCondition(c.expr, searches, names, where);
      return (v) => !a(v);
    }
    case 'ref':
      return searches.get(c.name)!;
    case 'of': {
      const hit = expandPattern(c.pattern, names);
      if (hit.length === 0) throw new SigmaError(`condition "${c.quantifier === 'all' ? 'all' : '1'} of ${c.pattern ?? 'them'}" matches no search identifier`, where.file, where.line || undefined);
      const ps = hit.map((n) => searches.get(n)!);
      return c.quantifier === 'all' ? allOf(ps) : anyOf(ps);
    }
  }
}

function compileDetection(
  searchNodes: Map<string, SearchNode>,
  conditions: ConditionNode[],
  ctx: ModifierContext,
  where: { file: string; line: number },
): EventPredicate {
  const searches = new Map<string, EventPredicate>();
  for (const [name, node] of searchNodes) searches.set(name, compileSearch(node, name, ctx, where.file));
  const names = [...searchNodes.keys()];
  return anyOf(conditions.map((c) => compileCondition(c, searches, names, where)));
}

/** The filters that apply to a rule: those naming its id or name. */
export function filtersFor(rule: SigmaDetectionRule, filters: readonly SigmaFilterRule[]): SigmaFilterRule[] {
  return filters.filter((f) => f.rules.some((r) => r === rule.id || (rule.name !== undefined && r === rule.name)));
}

/** Throws SigmaError (file:line: why) when a value, modifier or condition cannot be compiled. */
export function compileSigmaRule(rule: SigmaDetectionRule, mapping: LogsourceMapping, filters: readonly SigmaFilterRule[] = [], literals?: LiteralIndex): CompiledSigmaRule {
  const entry = entryFor(mapping, rule.logsource);
  const getters = new Map<string, FieldGetter>();
  const field = (name: string): FieldGetter => {
    let g = getters.get(name);
    if (g === undefined) getters.set(name, (g = fieldGetter(fieldCandidates(mapping, entry, name))));
    return g;
  };
  const items = new Map<FieldItem, ItemAtoms>();
  const ctx: ModifierContext = { placeholders: mapping.placeholders, field, literals, targetKey: (name) => `field:${fieldCandidates(mapping, entry, name).join('\u0000')}`, atoms: items };
  let matches = compileDetection(rule.searches, rule.conditions, ctx, rule);
  // filters only remove matches (`and not`), so the rule's own atoms stay necessary
  const atoms = detectionAtoms(rule.searches, rule.conditions, items);
  const applicable = filtersFor(rule, filters);
  if (applicable.length > 0) {
    const filterPs = applicable.map((f) => compileDetection(f.searches, f.conditions, ctx, f));
    const base = matches;
    const excluded = anyOf(filterPs);
    matches = (v) => base(v) && !excluded(v);
  }
  return { rule, entry, matches, field, atoms };
}
