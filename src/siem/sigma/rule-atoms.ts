// A Sigma rule's literal prefilter: clauses of (target, literal) atoms such that whenever the rule matches a record,
// each clause has an atom whose literal occurs in its target (the line or one field, lower-cased). Derived from the
// condition: AND keeps both sides' clauses, OR distributes (each pair of clauses, one from each side, united); NOT and
// items without literals (numbers, CIDRs, neq, regexes without a required literal) give none. A rule without clauses
// is always evaluated; with, only when the scan (rule-prefilter.ts) found an atom of every clause.

import type { FieldGetter } from '../event-view.ts';
import type { ConditionNode, SearchNode } from './sigma-ast.ts';
import { expandPattern } from './sigma-condition.ts';
import type { ItemAtoms } from './sigma-modifiers.ts';

export interface RuleAtom {
  /** literal index key of the target (`line`, `field:<names>`) */
  target: string;
  /** undefined: the line */
  get: FieldGetter | undefined;
  lit: string;
}

/** A disjunction: one of its atoms occurs. */
export type Clause = RuleAtom[];

/** A conjunction of clauses, each necessary; empty = nothing known (the rule must always be evaluated). */
type Cnf = Clause[];

/** Literals shorter than this are common enough that a clause of longer ones filters better, whatever its size. */
const GOOD_LENGTH = 4;
/** A clause grown past this many literals filters little: dropped. */
const MAX_ATOMS = 256;
/** Clauses kept per rule (the most selective). */
const MAX_CLAUSES = 16;

function minLength(a: Clause): number {
  let m = Infinity;
  for (const x of a) if (x.lit.length < m) m = x.lit.length;
  return m;
}

/** Orders clauses most selective first: longer shortest literal (up to GOOD_LENGTH), then fewer literals. */
function selectivity(a: Clause, b: Clause): number {
  const la = Math.min(minLength(a), GOOD_LENGTH);
  const lb = Math.min(minLength(b), GOOD_LENGTH);
  return la !== lb ? lb - la : a.length - b.length;
}

function subset(a: Clause, b: Clause): boolean {
  for (const x of a) if (!b.some((y) => y.target === x.target && y.lit === x.lit)) return false;
  return true;
}

/**
 * Drops clauses implied by others (a clause holding all of another's atoms is true whenever that one is), then keeps
 * the MAX_CLAUSES most selective (dropping a clause only weakens the condition, so it stays necessary).
 */
function reduce(cnf: Cnf): Cnf {
  const sorted = cnf.slice().sort((x, y) => x.length - y.length);
  const out: Cnf = [];
  for (const c of sorted) if (!out.some((k) => subset(k, c))) out.push(c);
  return out.length <= MAX_CLAUSES ? out : out.sort(selectivity).slice(0, MAX_CLAUSES);
}

/** AND: every clause of both sides is necessary. */
function and(a: Cnf, b: Cnf): Cnf {
  return reduce([...a, ...b]);
}

/** OR: (a1 ∧ a2) ∨ (b1 ∧ b2) implies every (ai ∨ bj): the pairs, reduced. */
function or(a: Cnf, b: Cnf): Cnf {
  if (a.length === 0 || b.length === 0) return [];
  const out: Cnf = [];
  for (const ca of a) {
    for (const cb of b) {
      const c = ca.slice();
      for (const x of cb) if (!c.some((y) => y.target === x.target && y.lit === x.lit)) c.push(x);
      if (c.length <= MAX_ATOMS) out.push(c);
    }
  }
  return reduce(out);
}

function searchCnf(node: SearchNode, items: ReadonlyMap<unknown, ItemAtoms>): Cnf {
  if (node.kind === 'field') {
    const a = items.get(node);
    return a === undefined ? [] : [a.lits.map((lit) => ({ target: a.target, get: a.get, lit }))];
  }
  if (node.items.length === 0) return [];
  let acc = searchCnf(node.items[0]!, items);
  for (let i = 1; i < node.items.length; i++) {
    const next = searchCnf(node.items[i]!, items);
    acc = node.kind === 'and' ? and(acc, next) : or(acc, next);
  }
  return acc;
}

function conditionCnf(c: ConditionNode, searches: ReadonlyMap<string, Cnf>, names: string[]): Cnf {
  switch (c.kind) {
    case 'and':
      return and(conditionCnf(c.left, searches, names), conditionCnf(c.right, searches, names));
    case 'or':
      return or(conditionCnf(c.left, searches, names), conditionCnf(c.right, searches, names));
    case 'not':
      return [];
    case 'ref':
      return searches.get(c.name) ?? [];
    case 'of': {
      const hit = expandPattern(c.pattern, names);
      if (hit.length === 0) return [];
      let acc = searches.get(hit[0]!) ?? [];
      for (let i = 1; i < hit.length; i++) {
        const next = searches.get(hit[i]!) ?? [];
        acc = c.quantifier === 'all' ? and(acc, next) : or(acc, next);
      }
      return acc;
    }
  }
}

/**
 * The necessary clauses of a detection (its searches and conditions), given what each compiled item recorded: when
 * the rule matches, every clause has an atom that occurs. Undefined when none is known.
 */
export function detectionAtoms(searchNodes: ReadonlyMap<string, SearchNode>, conditions: readonly ConditionNode[], items: ReadonlyMap<unknown, ItemAtoms>): Clause[] | undefined {
  const searches = new Map<string, Cnf>();
  for (const [name, node] of searchNodes) searches.set(name, searchCnf(node, items));
  const names = [...searchNodes.keys()];
  if (conditions.length === 0) return undefined;
  let acc = conditionCnf(conditions[0]!, searches, names);
  for (let i = 1; i < conditions.length; i++) acc = or(acc, conditionCnf(conditions[i]!, searches, names));
  return acc.length === 0 ? undefined : acc;
}
