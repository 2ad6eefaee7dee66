// Compiles an expression's syntax tree into closures, once, at config load: evaluation is then a few direct
// calls per event with no parsing, no allocation for comparisons, and regexes already compiled by RE2
// (linear-time matching, so no pattern can make evaluation blow up).

import { RE2JS } from 're2js';
import type { PipelineEvent } from '../event.ts';
import type { Expr, Literal } from './ast.ts';
import { ExpressionError } from './expression-error.ts';
import { FUNCTIONS, type Evaluate } from './functions.ts';
import { asNumber, asText, compareValues, truthy, valuesEqual } from './value.ts';

export type Test = (e: PipelineEvent) => boolean;

const PREDICATES: ReadonlySet<string> = new Set(['exists', 'contains', 'starts_with', 'ends_with']);

export function compileValue(expr: Expr, source: string): Evaluate {
  switch (expr.kind) {
    case 'literal': {
      const v = expr.value;
      return () => v;
    }
    case 'path':
      return compilePath(expr.root, expr.name);
    case 'call':
      return FUNCTIONS.get(expr.name)!.compile(expr.args.map((a) => compileValue(a, source)));
    default:
      return compileTest(expr, source);
  }
}

/** A closure giving the expression's truth: booleans as they are, other values by `truthy`. */
export function compileTest(expr: Expr, source: string): Test {
  switch (expr.kind) {
    case 'compare':
      return compileCompare(expr.op, expr.left, expr.right, source);
    case 'match':
      return compileMatch(expr.subject, expr.pattern, expr.negated, expr.column, source);
    case 'in':
      return compileIn(expr.subject, expr.items, expr.negated, source);
    case 'and': {
      const l = compileTest(expr.left, source);
      const r = compileTest(expr.right, source);
      return (e) => l(e) && r(e);
    }
    case 'or': {
      const l = compileTest(expr.left, source);
      const r = compileTest(expr.right, source);
      return (e) => l(e) || r(e);
    }
    case 'not': {
      const t = compileTest(expr.operand, source);
      return (e) => !t(e);
    }
    default: {
      // these functions already give booleans
      if (expr.kind === 'call' && PREDICATES.has(expr.name)) return compileValue(expr, source) as Test;
      const v = compileValue(expr, source);
      return (e) => truthy(v(e));
    }
  }
}

function compilePath(root: string, name: string | undefined): Evaluate {
  switch (root) {
    case 'line':
      return (e) => e.line;
    case 'ts':
      // nanoseconds as a double: exact to about a quarter of a microsecond, plenty for comparisons
      return (e) => Number(e.ts);
    case 'tenant':
      return (e) => e.tenant;
    case 'error':
      return (e) => e.error ?? null;
    case 'error_details':
      return (e) => e.errorDetails ?? null;
  }
  const key = name!;
  // names such as "constructor" would otherwise read Object.prototype's members
  const inherited = key in Object.prototype;
  if (root === 'labels') {
    if (inherited) return (e) => (Object.hasOwn(e.labels, key) ? e.labels[key] : null);
    return (e) => e.labels[key] ?? null;
  }
  if (inherited) return (e) => (Object.hasOwn(e.fields, key) ? (e.fields[key] ?? null) : null);
  return (e) => e.fields[key] ?? null;
}

/** A string literal that compares as plain text whatever the other side is (not numeric, not true/false). */
function plainText(v: Literal): v is string {
  return typeof v === 'string' && asNumber(v) === undefined && v !== 'true' && v !== 'false';
}

function compileCompare(op: string, left: Expr, right: Expr, source: string): Test {
  const l = compileValue(left, source);
  const r = compileValue(right, source);
  if (op === '==' || op === '!=') {
    // the common `labels.x == "text"`: one strict comparison per event
    const lit = right.kind === 'literal' ? right.value : left.kind === 'literal' ? left.value : undefined;
    const other = right.kind === 'literal' ? l : r;
    if (lit !== undefined && (plainText(lit) || lit === null)) {
      return op === '==' ? (e) => other(e) === lit : (e) => other(e) !== lit;
    }
    return op === '==' ? (e) => valuesEqual(l(e), r(e)) : (e) => !valuesEqual(l(e), r(e));
  }
  switch (op) {
    case '<':
      return (e) => (compareValues(l(e), r(e)) ?? 0) < 0;
    case '<=': {
      return (e) => {
        const c = compareValues(l(e), r(e));
        return c !== undefined && c <= 0;
      };
    }
    case '>':
      return (e) => (compareValues(l(e), r(e)) ?? 0) > 0;
    default:
      return (e) => {
        const c = compareValues(l(e), r(e));
        return c !== undefined && c >= 0;
      };
  }
}

const REGEX_META = /[\\.+*?()|[\]{}^$]/;

/** Unanchored search, as `grep` does: `=~ "^/health"` anchors itself. null never matches. */
function compileMatch(subject: Expr, pattern: string, negated: boolean, column: number, source: string): Test {
  const s = compileValue(subject, source);
  const matches = textMatcher(pattern, column, source);
  return negated
    ? (e) => {
        const t = asText(s(e));
        return t === null || !matches(t);
      }
    : (e) => {
        const t = asText(s(e));
        return t !== null && matches(t);
      };
}

/** A matcher for an RE2 pattern, with substring fast paths for patterns that are plain text with optional anchors. */
export function textMatcher(pattern: string, column: number, source: string): (text: string) => boolean {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    throw new ExpressionError(`invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`, column, source);
  }
  const head = pattern.startsWith('^');
  const tail = pattern.endsWith('$') && !pattern.endsWith('\\$');
  const body = pattern.slice(head ? 1 : 0, tail ? -1 : undefined);
  if (body.length > 0 && !REGEX_META.test(body)) {
    if (head && tail) return (t) => t === body;
    if (head) return (t) => t.startsWith(body);
    if (tail) return (t) => t.endsWith(body);
    return (t) => t.includes(body);
  }
  return (t) => re.test(t);
}

function compileIn(subject: Expr, items: Literal[], negated: boolean, source: string): Test {
  const s = compileValue(subject, source);
  let test: Test;
  if (items.every(plainText)) {
    const set = new Set<unknown>(items);
    test = (e) => set.has(s(e));
  } else {
    test = (e) => {
      const v = s(e);
      for (let i = 0; i < items.length; i++) if (valuesEqual(v, items[i])) return true;
      return false;
    };
  }
  return negated ? (e) => !test(e) : test;
}
