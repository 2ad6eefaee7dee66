// Sigma string values: wildcards `*` (any run) and `?` (one character) with the escapes of the Sigma Rules
// Specification 2.1 ("Escape Character": `\*`, `\?`, `\\`; a backslash before anything else is itself), and their
// compilation into a matcher: equality, prefix, suffix, substring or an ordered chain of substrings; with `?`, an RE2
// regex (linear time). Case-insensitive matchers hold lower-cased literals and expect a lower-cased value.

import { RE2JS } from 're2js';
import { TargetAutomaton } from './literal-index.ts';

export type Wildcard = { wildcard: '*' | '?' };
export const ANY_RUN: Wildcard = { wildcard: '*' };
export const ANY_CHAR: Wildcard = { wildcard: '?' };

/** Literal runs and wildcards, in order; adjacent literals are merged. */
export type SigmaString = (string | Wildcard)[];

export function parseSigmaString(raw: string): SigmaString {
  const out: SigmaString = [];
  let lit = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\') {
      const n = raw[i + 1];
      if (n === '*' || n === '?' || n === '\\') {
        lit += n;
        i++;
      } else {
        lit += '\\';
      }
    } else if (c === '*' || c === '?') {
      if (lit !== '') out.push(lit);
      lit = '';
      out.push(c === '*' ? ANY_RUN : ANY_CHAR);
    } else {
      lit += c;
    }
  }
  if (lit !== '') out.push(lit);
  return out;
}

export function literal(text: string): SigmaString {
  return text === '' ? [] : [text];
}

export function hasWildcards(s: SigmaString): boolean {
  for (const p of s) if (typeof p !== 'string') return true;
  return false;
}

/** The text of a string without wildcards; undefined if it has any. */
export function plainText(s: SigmaString): string | undefined {
  let out = '';
  for (const p of s) {
    if (typeof p !== 'string') return undefined;
    out += p;
  }
  return out;
}

/** Rewrites the literal runs (encodings), keeping wildcards where they are. */
export function mapLiterals(s: SigmaString, fn: (text: string) => string): SigmaString {
  return s.map((p) => (typeof p === 'string' ? fn(p) : p));
}

/** `*` on the sides the modifier asks for, unless one is already there. */
export function wrapWildcards(s: SigmaString, start: boolean, end: boolean): SigmaString {
  const out = s.slice();
  if (start && out[0] !== ANY_RUN) out.unshift(ANY_RUN);
  if (end && out[out.length - 1] !== ANY_RUN) out.push(ANY_RUN);
  return out;
}

/** Tests a field's value (lower-cased when the matcher is case-insensitive). */
export type StringTest = (value: string) => boolean;

/** Literals merged, `**` folded, lower-cased unless case-sensitive. */
function normalize(s: SigmaString, caseSensitive: boolean): SigmaString {
  const parts: SigmaString = [];
  for (const p of s) {
    const q = typeof p === 'string' && !caseSensitive ? p.toLowerCase() : p;
    const last = parts[parts.length - 1];
    if (typeof q === 'string' && typeof last === 'string') parts[parts.length - 1] = last + q;
    else if (q === ANY_RUN && last === ANY_RUN) continue; // `**` is `*`
    else parts.push(q);
  }
  return parts;
}

/** The simple shapes most values take: one literal compared whole, as a prefix, suffix or substring. */
type Shape = { kind: 'eq' | 'prefix' | 'suffix' | 'contains'; lit: string } | undefined;

function shapeOf(parts: SigmaString): Shape {
  const lits = parts.filter((p): p is string => typeof p === 'string');
  if (parts.includes(ANY_CHAR) || lits.length > 1) return undefined;
  if (lits.length === 0) return undefined;
  const lit = lits[0]!;
  const lead = parts[0] === ANY_RUN;
  const tail = parts[parts.length - 1] === ANY_RUN;
  if (parts.length === 1) return { kind: 'eq', lit };
  if (parts.length === 2) return lead ? { kind: 'suffix', lit } : { kind: 'prefix', lit };
  return lead && tail ? { kind: 'contains', lit } : undefined;
}

/**
 * An OR over many values of the same case handling as one test: whole values in a Set, prefixes, suffixes and
 * substrings in tight loops (no call per value), anything else through its own compiled test.
 */
export function compileSigmaStrings(values: readonly SigmaString[], caseSensitive: boolean, index?: TargetAutomaton): (v: string, epoch: number) => boolean {
  const eq = new Set<string>();
  const prefix: string[] = [];
  const suffix: string[] = [];
  const contains: string[] = [];
  const other: StringTest[] = [];
  for (const v of values) {
    const parts = normalize(v, caseSensitive);
    const shape = shapeOf(parts);
    if (shape === undefined) other.push(compileSigmaString(v, caseSensitive));
    else if (shape.kind === 'eq') eq.add(shape.lit);
    else if (shape.kind === 'prefix') prefix.push(shape.lit);
    else if (shape.kind === 'suffix') suffix.push(shape.lit);
    else contains.push(shape.lit);
  }
  if (values.length === 1 && other.length === 1) {
    const only = other[0]!;
    return (v) => only(v);
  }
  // substrings the shared automaton can find in one pass over the value (case-insensitive ASCII)
  const indexed: number[] = [];
  if (index !== undefined && !caseSensitive) {
    for (let i = contains.length - 1; i >= 0; i--) {
      if (TargetAutomaton.accepts(contains[i]!)) indexed.push(index.add(contains.splice(i, 1)[0]!));
    }
  }
  const ni = indexed.length;
  const np = prefix.length;
  const ns = suffix.length;
  const nc = contains.length;
  const no = other.length;
  const hasEq = eq.size > 0;
  return (v, epoch) => {
    if (hasEq && eq.has(v)) return true;
    if (ni > 0) {
      index!.prepare(v, epoch);
      for (let i = 0; i < ni; i++) if (index!.has(indexed[i]!)) return true;
    }
    for (let i = 0; i < nc; i++) if (v.includes(contains[i]!)) return true;
    for (let i = 0; i < ns; i++) if (v.endsWith(suffix[i]!)) return true;
    for (let i = 0; i < np; i++) if (v.startsWith(prefix[i]!)) return true;
    for (let i = 0; i < no; i++) if (other[i]!(v)) return true;
    return false;
  };
}

/** Compiles a string value; `caseSensitive` false lower-cases its literals (the caller lower-cases values). */
export function compileSigmaString(s: SigmaString, caseSensitive: boolean): StringTest {
  const parts = normalize(s, caseSensitive);
  if (parts.includes(ANY_CHAR)) {
    let src = '(?s)^';
    for (const p of parts) src += p === ANY_RUN ? '.*' : p === ANY_CHAR ? '.' : RE2JS.quote(p as string);
    const re = RE2JS.compile(src + '$');
    return (v) => re.matches(v);
  }
  if (parts.length === 0) return (v) => v === '';
  if (parts.length === 1) {
    const p = parts[0]!;
    if (p === ANY_RUN) return () => true;
    const lit = p as string;
    return (v) => v === lit;
  }
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const lead = typeof first === 'string' ? first : '';
  const tail = typeof last === 'string' ? last : '';
  const middle = parts.slice(typeof first === 'string' ? 1 : 0, typeof last === 'string' ? parts.length - 1 : parts.length).filter((p): p is string => typeof p === 'string');
  if (middle.length === 0) {
    if (lead === '') return (v) => v.endsWith(tail);
    if (tail === '') return (v) => v.startsWith(lead);
    const min = lead.length + tail.length;
    return (v) => v.length >= min && v.startsWith(lead) && v.endsWith(tail);
  }
  if (middle.length === 1 && lead === '' && tail === '') {
    const m = middle[0]!;
    return (v) => v.includes(m);
  }
  return (v) => {
    if (!v.startsWith(lead) || !v.endsWith(tail)) return false;
    const end = v.length - tail.length;
    let pos = lead.length;
    if (end < pos) return false;
    for (let k = 0; k < middle.length; k++) {
      const m = middle[k]!;
      const at = v.indexOf(m, pos);
      if (at < 0 || at + m.length > end) return false;
      pos = at + m.length;
    }
    return true;
  };
}
