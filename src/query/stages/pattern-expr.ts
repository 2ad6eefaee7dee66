// Loki's pattern expressions (`<ip> - <_> [<ts>] "<method> <path> <_>"`): literals and captures, shared by the
// `pattern` parser and the `|>` / `!>` line filters (Loki "Pattern" docs).
import { StageCompileError } from './pipeline-errors.ts';
import type { CompileContext } from './stage.ts';

/** A compiled pattern: `literals[i]` is the text before capture i; `names[i]` is null for `<_>`. */
export interface PatternExpr {
  /** Literal that must start the line ('' when the pattern starts with a capture). */
  head: string;
  /** For each capture: its name (null when unnamed) and the literal that ends it ('' for a trailing capture). */
  names: (string | null)[];
  tails: string[];
  source: string;
}

const NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface Node {
  literal?: string;
  capture?: string;
}

function tokenize(source: string): Node[] {
  const nodes: Node[] = [];
  let lit = '';
  let i = 0;
  while (i < source.length) {
    if (source.charCodeAt(i) === 60 /* < */) {
      const close = source.indexOf('>', i + 1);
      if (close > i) {
        const name = source.slice(i + 1, close);
        if (NAME_RE.test(name)) {
          if (lit.length > 0) nodes.push({ literal: lit });
          lit = '';
          nodes.push({ capture: name });
          i = close + 1;
          continue;
        }
      }
    }
    lit += source[i];
    i++;
  }
  if (lit.length > 0) nodes.push({ literal: lit });
  return nodes;
}

/**
 * Compiles a pattern. Invalid (as Loki): two captures with no literal between them, a repeated capture name, and, when
 * `requireNamed` is set (the parser), no named capture at all.
 */
export function compilePatternExpr(ctx: CompileContext, source: string, requireNamed: boolean): PatternExpr {
  const nodes = tokenize(source);
  const fail = (msg: string): never => {
    throw new StageCompileError(ctx, 'invalid_pattern', `invalid pattern ${JSON.stringify(source)}: ${msg}`, source);
  };
  if (nodes.length === 0) fail('empty pattern');
  const expr: PatternExpr = { head: '', names: [], tails: [], source };
  let i = 0;
  if (nodes[0]!.literal !== undefined) {
    expr.head = nodes[0]!.literal;
    i = 1;
  }
  const seen = new Set<string>();
  for (; i < nodes.length; i += 2) {
    const cap = nodes[i]!.capture;
    if (cap === undefined) fail('expected a capture');
    const next = nodes[i + 1];
    if (next !== undefined && next.literal === undefined) fail(`consecutive captures <${cap}> and <${next.capture}>`);
    const name = cap === '_' ? null : cap!;
    if (name !== null) {
      if (seen.has(name)) fail(`duplicate capture <${name}>`);
      seen.add(name);
    }
    expr.names.push(name);
    expr.tails.push(next?.literal ?? '');
  }
  if (requireNamed && seen.size === 0) fail('at least one named capture is required');
  return expr;
}

/**
 * Extracts captures into `out` (index i = capture i, null when not reached) and returns how many captures were set.
 * Anchored at the line start when the pattern starts with a literal; each capture runs to the first occurrence of the
 * following literal. When that literal is missing the capture takes the rest of the line and matching stops.
 */
export function matchPattern(expr: PatternExpr, line: string, out: (string | null)[]): number {
  const n = expr.names.length;
  for (let k = 0; k < n; k++) out[k] = null;
  if (line.length === 0) return 0;
  let pos = 0;
  if (expr.head.length > 0) {
    if (!line.startsWith(expr.head)) return 0;
    pos = expr.head.length;
  }
  for (let k = 0; k < n; k++) {
    const tail = expr.tails[k]!;
    if (tail.length === 0) {
      out[k] = line.slice(pos);
      return k + 1;
    }
    const at = line.indexOf(tail, pos);
    if (at < 0) {
      out[k] = line.slice(pos);
      return k + 1;
    }
    out[k] = line.slice(pos, at);
    pos = at + tail.length;
  }
  return n;
}

/** Line-filter test (`|>`): the leading literal prefixes the line and every later literal occurs, in order. */
export function testPattern(expr: PatternExpr, line: string): boolean {
  if (line.length === 0) return false;
  let pos = 0;
  if (expr.head.length > 0) {
    if (!line.startsWith(expr.head)) return false;
    pos = expr.head.length;
  }
  const n = expr.tails.length;
  for (let k = 0; k < n; k++) {
    const tail = expr.tails[k]!;
    if (tail.length === 0) return true;
    const at = line.indexOf(tail, pos);
    if (at < 0) return false;
    pos = at + tail.length;
  }
  return true;
}
