// Sigma value modifiers (Sigma Modifiers Appendix 2.1) compiled into one predicate per `Field|mod|mod: values` item.
// Transformations rewrite the values in the order written (contains/startswith/endswith, base64, base64offset,
// utf16le/utf16be/utf16/wide, windash; expand runs first, on the raw text); type modifiers change how they are
// compared (re with i/m/s, cidr, exists, fieldref, lt/lte/gt/gte, minute…year); all/cased/neq are flags.
// Values are compared case-insensitively unless `cased`, `re` (without `i`) or an encoding that case would corrupt.

import { RE2JS } from 're2js';
import { parseTimestampNs } from '../../ingest/timestamp.ts';
import { ipInRange, parseIpPattern, type IpRange } from '../../query/stages/ip-match.ts';
import { lowerLine, lowerValue, type EventView, type FieldGetter } from '../event-view.ts';
import type { FieldItem, SigmaValue } from './sigma-ast.ts';
import type { LiteralIndex } from './literal-index.ts';
import { regexRequiredLiterals } from './regex-literals.ts';
import { compileSigmaString, compileSigmaStrings, literal, mapLiterals, parseSigmaString, plainText, wrapWildcards, type SigmaString, type StringTest } from './sigma-string.ts';

export type EventPredicate = (view: EventView) => boolean;

export class ModifierError extends Error {}

export interface ModifierContext {
  /** shared automata for case-insensitive substring lists, per target (`line`, or a field's key); optional */
  literals?: LiteralIndex;
  /** the literal index key of a field (its event names after mapping) */
  targetKey?(name: string): string;
  /** `expand` placeholders (`%Administrators%` → values), from the mapping file */
  placeholders: ReadonlyMap<string, readonly string[]>;
  /** resolves a Sigma field name to a getter (field mappings applied) */
  field(name: string): FieldGetter;
  /** where compiled items record the literals one of which their value must contain (rule-atoms.ts); optional */
  atoms?: Map<FieldItem, ItemAtoms>;
}

/**
 * A necessary condition of one item: when it matches, its target (the line, or the field `get` reads) lower-cased
 * contains at least one of `lits`. Items that cannot say so (negations, regexes, numbers, absent values) record none.
 */
export interface ItemAtoms {
  target: string;
  /** undefined: the line */
  get: FieldGetter | undefined;
  lits: string[];
}

const TRANSFORMS = new Set(['contains', 'startswith', 'endswith', 'base64', 'base64offset', 'utf16le', 'utf16be', 'utf16', 'wide', 'windash', 'expand']);
const COMPARE = new Set(['lt', 'lte', 'gt', 'gte']);
const TIME_PARTS = new Set(['minute', 'hour', 'day', 'week', 'month', 'year']);
const FLAGS = new Set(['all', 'cased', 'neq']);
const TYPES = new Set(['re', 'cidr', 'exists', 'fieldref']);
export const KNOWN_MODIFIERS: readonly string[] = [...TRANSFORMS, ...TYPES, ...COMPARE, ...TIME_PARTS, ...FLAGS, 'i', 'm', 's'];

const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];
const MAX_WINDASH_VARIANTS = 3125;

interface Val {
  s: SigmaString;
  /** bytes as characters (after a utf16 encoding): base64 encodes them as they are, not as UTF-8 */
  binary: boolean;
  /** compared case-sensitively (cased, or base64 output whose case is meaningful) */
  cased: boolean;
}

function valueText(v: SigmaValue): string | undefined {
  switch (v.kind) {
    case 'string':
    case 'number':
      return v.text;
    case 'bool':
      return v.value ? 'true' : 'false';
    case 'null':
      return undefined;
  }
}

function describe(mods: string[]): string {
  return mods.length === 0 ? 'the value' : `|${mods.join('|')}`;
}

function toUtf16(text: string, bigEndian: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += bigEndian ? String.fromCharCode(c >> 8, c & 0xff) : String.fromCharCode(c & 0xff, c >> 8);
  }
  return out;
}

function bytesOf(text: string, binary: boolean): Buffer {
  return binary ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8');
}

/**
 * The three base64 forms a value takes inside a longer encoded text, by its offset modulo 3: encode it after 0, 1 or 2
 * filler bytes, then drop the leading characters the filler shaped (0, 2, 3) and the trailing ones the unknown
 * following bytes would shape (none, 3 or 2, by the length of the last group).
 */
function base64Offsets(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift, 0x20), bytes]);
    const enc = padded.toString('base64');
    const start = [0, 2, 3][shift]!;
    const rem = (bytes.length + shift) % 3;
    const end = rem === 0 ? enc.length : rem === 1 ? enc.length - 3 : enc.length - 2;
    if (end > start) out.push(enc.slice(start, end));
  }
  return out;
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_]/.test(c);
}

/** Every spelling of a literal with each command-line dash (a dash after a non-word character, before a word one) swapped. */
function windashVariants(text: string): string[] {
  const at: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (DASHES.includes(text[i]!) && !isWordChar(text[i - 1]) && isWordChar(text[i + 1])) at.push(i);
  }
  if (at.length === 0) return [text];
  if (DASHES.length ** at.length > MAX_WINDASH_VARIANTS) throw new ModifierError(`windash: ${at.length} dashes give more than ${MAX_WINDASH_VARIANTS} variants`);
  let variants = [''];
  let prev = 0;
  for (const pos of at) {
    const chunk = text.slice(prev, pos);
    variants = variants.flatMap((v) => DASHES.map((d) => v + chunk + d));
    prev = pos + 1;
  }
  const rest = text.slice(prev);
  return variants.map((v) => v + rest);
}

function windash(s: SigmaString): SigmaString[] {
  let out: SigmaString[] = [[]];
  for (const p of s) {
    if (typeof p !== 'string') {
      out = out.map((o) => [...o, p]);
    } else {
      const vs = windashVariants(p);
      if (out.length * vs.length > MAX_WINDASH_VARIANTS) throw new ModifierError(`windash: more than ${MAX_WINDASH_VARIANTS} variants`);
      out = out.flatMap((o) => vs.map((v) => [...o, v]));
    }
  }
  return out;
}

/** `%name%` placeholders replaced by every configured value (a backslash keeps a `%` literal). */
function expandPlaceholders(raw: string, placeholders: ReadonlyMap<string, readonly string[]>): string[] {
  let results = [''];
  let i = 0;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === '\\' && raw[i + 1] === '%') {
      results = results.map((r) => r + '%');
      i += 2;
      continue;
    }
    if (c === '%') {
      const close = raw.indexOf('%', i + 1);
      if (close > i + 1) {
        const name = raw.slice(i + 1, close);
        const values = placeholders.get(name);
        if (values === undefined || values.length === 0) {
          throw new ModifierError(`placeholder %${name}% has no values (define it under placeholders: in the mapping file)`);
        }
        results = results.flatMap((r) => values.map((v) => r + v));
        i = close + 1;
        continue;
      }
    }
    results = results.map((r) => r + c);
    i++;
  }
  return results;
}

function regexFlags(mods: string[], reAt: number): number {
  let flags = 0;
  for (const m of mods.slice(reAt + 1)) {
    if (m === 'i') flags |= RE2JS.CASE_INSENSITIVE;
    else if (m === 'm') flags |= RE2JS.MULTILINE;
    else if (m === 's') flags |= RE2JS.DOTALL;
  }
  return flags;
}

function numberOf(v: SigmaValue, mods: string[]): number {
  const n = v.kind === 'number' ? v.value : v.kind === 'string' && v.text.trim() !== '' ? Number(v.text) : NaN;
  if (!Number.isFinite(n)) throw new ModifierError(`${describe(mods)} expects a number, got ${JSON.stringify(valueText(v) ?? null)}`);
  return n;
}

function fieldNumber(raw: string): number {
  const t = raw.trim();
  return t === '' ? NaN : Number(t);
}

/** Week of the year as ISO 8601 counts it (1–53). */
function isoWeek(d: Date): number {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  return Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
}

function timePart(raw: string, part: string): number {
  const ns = parseTimestampNs(raw);
  if (ns === undefined) return NaN;
  const d = new Date(Number(ns / 1_000_000n));
  switch (part) {
    case 'minute':
      return d.getUTCMinutes();
    case 'hour':
      return d.getUTCHours();
    case 'day':
      return d.getUTCDate();
    case 'week':
      return isoWeek(d);
    case 'month':
      return d.getUTCMonth() + 1;
    default:
      return d.getUTCFullYear();
  }
}

function compareTest(op: string, bound: number): (n: number) => boolean {
  switch (op) {
    case 'lt':
      return (n) => n < bound;
    case 'lte':
      return (n) => n <= bound;
    case 'gt':
      return (n) => n > bound;
    case 'gte':
      return (n) => n >= bound;
    default:
      return (n) => n === bound;
  }
}

/** Joins per-value tests as the list semantics ask (OR, or AND with `all`) and applies `neq`. */
function combine(tests: ((raw: string) => boolean)[], all: boolean): (raw: string) => boolean {
  if (tests.length === 1) return tests[0]!;
  if (all) {
    return (raw) => {
      for (let i = 0; i < tests.length; i++) if (!tests[i]!(raw)) return false;
      return true;
    };
  }
  return (raw) => {
    for (let i = 0; i < tests.length; i++) if (tests[i]!(raw)) return true;
    return false;
  };
}

/** Compiles one detection item into a predicate over events. Throws ModifierError naming the problem. */
export function compileFieldItem(item: FieldItem, ctx: ModifierContext): EventPredicate {
  const mods = item.modifiers;
  for (const m of mods) {
    if (!KNOWN_MODIFIERS.includes(m)) throw new ModifierError(`unknown value modifier "${m}" (known: ${KNOWN_MODIFIERS.join(', ')})`);
  }
  const reAt = mods.indexOf('re');
  for (let k = 0; k < mods.length; k++) {
    const m = mods[k]!;
    if ((m === 'i' || m === 'm' || m === 's') && (reAt < 0 || k < reAt)) throw new ModifierError(`modifier "${m}" is a flag of "re" and must follow it`);
    if (reAt >= 0 && k > reAt && TRANSFORMS.has(m)) throw new ModifierError(`"${m}" cannot follow "re" (the value is a regular expression)`);
  }
  const types = mods.filter((m) => TYPES.has(m));
  if (types.length > 1) throw new ModifierError(`modifiers ${types.join(' and ')} cannot be combined`);
  const type = types[0];
  const compareOps = mods.filter((m) => COMPARE.has(m));
  const timeParts = mods.filter((m) => TIME_PARTS.has(m));
  if (compareOps.length > 1 || timeParts.length > 1) throw new ModifierError(`${describe(mods)}: at most one comparison and one time part`);
  if (type !== undefined && (compareOps.length > 0 || timeParts.length > 0)) throw new ModifierError(`${type} cannot be combined with ${[...compareOps, ...timeParts].join(', ')}`);
  const all = mods.includes('all');
  const neq = mods.includes('neq');
  const cased = mods.includes('cased');
  const keyword = item.field === undefined;
  if (item.values.length === 0) throw new ModifierError('empty list of values');

  // the value a predicate looks at: the field, or for keywords the whole line
  const get: FieldGetter = keyword ? (view) => view.line : ctx.field(item.field!);

  if (type === 'exists') {
    if (keyword) throw new ModifierError('exists needs a field name');
    const v = item.values[0]!;
    if (item.values.length !== 1 || v.kind !== 'bool') throw new ModifierError('exists expects true or false');
    const want = v.value !== neq;
    return (view) => (get(view) !== undefined) === want;
  }

  let test: (raw: string) => boolean;
  if (type === 'fieldref') {
    if (keyword) throw new ModifierError('fieldref needs a field name');
    const others = item.values.map((v) => {
      const name = valueText(v);
      if (name === undefined || name === '') throw new ModifierError('fieldref expects a field name');
      return ctx.field(name);
    });
    return (view) => {
      const raw = get(view);
      if (raw === undefined) return neq;
      const r = cased ? raw : raw.toLowerCase();
      // OR over the referenced fields, or AND with `all`
      let hit = all;
      for (let i = 0; i < others.length; i++) {
        const o = others[i]!(view);
        const eq = o !== undefined && (cased ? o : o.toLowerCase()) === r;
        if (all && !eq) {
          hit = false;
          break;
        }
        if (!all && eq) {
          hit = true;
          break;
        }
      }
      return hit !== neq;
    };
  } else if (type === 'cidr') {
    if (keyword) throw new ModifierError('cidr needs a field name');
    const ranges: IpRange[] = item.values.map((v) => {
      const text = valueText(v) ?? '';
      const r = text.includes('/') ? parseIpPattern(text) : null;
      if (r === null) throw new ModifierError(`cidr: ${JSON.stringify(text)} is not a network in CIDR notation (e.g. 10.0.0.0/8, fd00::/8)`);
      return r;
    });
    test = combine(
      ranges.map((r) => (raw: string) => ipInRange(r, raw.trim())),
      all,
    );
  } else if (type === 're') {
    const flags = regexFlags(mods, reAt);
    const res = item.values.map((v) => {
      const src = valueText(v);
      if (src === undefined) throw new ModifierError('re expects a regular expression, got null');
      try {
        return RE2JS.compile(src, flags);
      } catch (e) {
        throw new ModifierError(`regular expression ${JSON.stringify(src)} is not supported by RE2: ${(e as Error).message}`);
      }
    });
    test = combine(
      res.map((re) => (raw: string) => re.test(raw)),
      all,
    );
    if (ctx.atoms !== undefined && !neq) {
      const sets = item.values.map((v) => regexRequiredLiterals(valueText(v)!));
      let lits: string[] | undefined;
      if (all) {
        // every regex matches: any one's literals are necessary; the set with the longest shortest literal
        const shortest = (xs: string[]) => (xs.length === 0 ? 0 : Math.min(...xs.map((x) => x.length)));
        const best = sets.reduce((x, y) => (shortest(y) > shortest(x) ? y : x), [] as string[]);
        lits = best.length === 0 ? undefined : best;
      } else lits = sets.some((r) => r.length === 0) ? undefined : [...new Set(sets.flat())];
      if (lits !== undefined) ctx.atoms.set(item, { target: keyword ? 'line' : (ctx.targetKey?.(item.field!) ?? `field:${item.field}`), get: keyword ? undefined : get, lits });
    }
  } else if (compareOps.length > 0 || timeParts.length > 0) {
    if (keyword) throw new ModifierError(`${[...compareOps, ...timeParts].join('|')} needs a field name`);
    const part = timeParts[0];
    test = combine(
      item.values.map((v) => {
        const cmp = compareTest(compareOps[0] ?? 'eq', numberOf(v, mods));
        return part === undefined ? (raw: string) => cmp(fieldNumber(raw)) : (raw: string) => cmp(timePart(raw, part));
      }),
      all,
    );
  } else {
    return compileStrings(item, ctx, get, keyword, all, neq, cased);
  }
  return (view) => {
    const raw = get(view);
    if (raw === undefined) return neq;
    return test(raw) !== neq;
  };
}

/** The longest run of ASCII characters of a value's literal parts, lower-cased (what the prefilter can search for). */
function longestAsciiRun(s: SigmaString): string {
  let best = '';
  for (const p of s) {
    if (typeof p !== 'string') continue;
    let start = 0;
    for (let i = 0; i <= p.length; i++) {
      if (i === p.length || p.charCodeAt(i) >= 128) {
        if (i - start > best.length) best = p.slice(start, i);
        start = i + 1;
      }
    }
  }
  return best.toLowerCase();
}

/**
 * Literals one of which a matching value contains (lower-cased; a value that contains a literal lower-cased contains
 * it lower-cased too, so this holds for cased values as well). OR of values: each value's longest literal, none if
 * a value has no literal; `all`: the longest literal of any value. Undefined: no such condition.
 */
function requiredLiterals(values: readonly SigmaString[], all: boolean): string[] | undefined {
  const runs = values.map(longestAsciiRun);
  if (all) {
    let best = '';
    for (const r of runs) if (r.length > best.length) best = r;
    return best === '' ? undefined : [best];
  }
  if (runs.length === 0 || runs.some((r) => r === '')) return undefined;
  return [...new Set(runs)];
}

/** Plain string values with their transformations: wildcard patterns, OR-ed (AND-ed with `all`), `null` = absent. */
function compileStrings(item: FieldItem, ctx: ModifierContext, get: FieldGetter, keyword: boolean, all: boolean, neq: boolean, cased: boolean): EventPredicate {
  const mods = item.modifiers;
  let vals: Val[] = [];
  let wantsAbsent = false;
  for (const v of item.values) {
    const text = valueText(v);
    if (text === undefined) {
      if (keyword) throw new ModifierError('a keyword cannot be null');
      wantsAbsent = true;
      continue;
    }
    if (v.kind === 'string') {
      const raws = mods.includes('expand') ? expandPlaceholders(text, ctx.placeholders) : [text];
      for (const r of raws) vals.push({ s: parseSigmaString(r), binary: false, cased });
    } else {
      vals.push({ s: literal(text), binary: false, cased });
    }
  }
  for (const m of mods) {
    switch (m) {
      case 'contains':
        vals = vals.map((v) => ({ ...v, s: wrapWildcards(v.s, true, true) }));
        break;
      case 'startswith':
        vals = vals.map((v) => ({ ...v, s: wrapWildcards(v.s, false, true) }));
        break;
      case 'endswith':
        vals = vals.map((v) => ({ ...v, s: wrapWildcards(v.s, true, false) }));
        break;
      case 'utf16le':
      case 'wide':
        vals = vals.map((v) => ({ ...v, s: mapLiterals(v.s, (t) => toUtf16(t, false)), binary: true }));
        break;
      case 'utf16be':
        vals = vals.map((v) => ({ ...v, s: mapLiterals(v.s, (t) => toUtf16(t, true)), binary: true }));
        break;
      case 'utf16':
        // a byte order mark, then little-endian (what Windows writes)
        vals = vals.map((v) => ({ ...v, s: ['\xff\xfe', ...mapLiterals(v.s, (t) => toUtf16(t, false))], binary: true }));
        break;
      case 'base64':
      case 'base64offset':
        vals = vals.flatMap((v) => {
          const text = plainText(v.s);
          if (text === undefined) throw new ModifierError(`${m} cannot encode a value with wildcards`);
          const bytes = bytesOf(text, v.binary);
          const encoded = m === 'base64' ? [bytes.toString('base64')] : base64Offsets(bytes);
          return encoded.map((e) => ({ s: literal(e), binary: false, cased: true }));
        });
        break;
      case 'windash':
        vals = vals.flatMap((v) => windash(v.s).map((s) => ({ ...v, s })));
        break;
      default:
        break; // flags and expand (done above)
    }
  }
  // a keyword is searched anywhere in the line
  if (keyword) vals = vals.map((v) => ({ ...v, s: wrapWildcards(v.s, true, true) }));
  const targetKey = keyword ? 'line' : (ctx.targetKey?.(item.field!) ?? `field:${item.field}`);
  if (ctx.atoms !== undefined && !neq && !wantsAbsent) {
    const lits = requiredLiterals(vals.map((v) => v.s), all);
    if (lits !== undefined) ctx.atoms.set(item, { target: targetKey, get: keyword ? undefined : get, lits });
  }
  const getLower = (view: EventView, raw: string) => (keyword ? lowerLine(view) : lowerValue(view, raw));
  if (!all) {
    // OR: one test per case handling, each over all its values at once
    const uncased = vals.filter((v) => !v.cased).map((v) => v.s);
    const casedVals = vals.filter((v) => v.cased).map((v) => v.s);
    const target = ctx.literals === undefined ? undefined : ctx.literals.target(targetKey);
    const lowerTest = uncased.length > 0 ? compileSigmaStrings(uncased, false, target) : undefined;
    const rawTest = casedVals.length > 0 ? compileSigmaStrings(casedVals, true) : undefined;
    return (view) => {
      const raw = get(view);
      if (raw === undefined) return wantsAbsent !== neq;
      const hit = (lowerTest !== undefined && lowerTest(getLower(view, raw), view.epoch)) || (rawTest !== undefined && rawTest(raw, view.epoch));
      return hit !== neq;
    };
  }
  const tests: { test: StringTest; cased: boolean }[] = vals.map((v) => ({ test: compileSigmaString(v.s, v.cased), cased: v.cased }));
  const needLower = tests.some((t) => !t.cased);
  const n = tests.length;
  return (view) => {
    const raw = get(view);
    if (raw === undefined) return wantsAbsent !== neq;
    const lower = needLower ? getLower(view, raw) : raw;
    let hit = n > 0;
    for (let i = 0; i < n; i++) {
      const t = tests[i]!;
      if (!t.test(t.cased ? raw : lower)) {
        hit = false;
        break;
      }
    }
    return hit !== neq;
  };
}
