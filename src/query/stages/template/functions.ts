// The functions available to line_format / label_format templates: Go's template builtins, the sprig functions Loki
// ships (string, math, date) and Loki's own (__line__, __timestamp__, regexReplaceAll, duration, bytes, ...).
// Each declares its Go parameter types so that calls are checked the way text/template checks them.
import { createHash } from 'node:crypto';
import { RE2JS } from 're2js';
import type { StageRow } from '../stage.ts';
import { parseGoFloat, parseGoIntBase0 } from '../go-number.ts';
import { durationSeconds, parseGoDuration } from '../go-duration.ts';
import { parseByteSize } from '../byte-size.ts';
import { goSprint, goSprintf, goSprintln } from './go-fmt.ts';
import { formatGoTime, isKnownZone, parseGoTime, ZERO_TIME } from './go-time.ts';
import {
  fromJsonValue,
  goTypeName,
  isJsonArray,
  isJsonObject,
  isLabelMap,
  isTime,
  isTrue,
  TemplateExecError,
  utcTime,
  type TimeValue,
  type TValue,
} from './values.ts';

export type ParamKind = 'string' | 'int' | 'float' | 'bool' | 'time' | 'any';

export interface TemplateFunc {
  params: ParamKind[];
  variadic?: ParamKind;
  /** `and` / `or`: arguments are evaluated lazily by the evaluator, which handles these itself. */
  lazy?: boolean;
  call: (args: TValue[], row: StageRow) => TValue;
}

const fail = (msg: string): never => {
  throw new TemplateExecError(msg);
};

// ---- conversions (spf13/cast as used by sprig) ----

function trimZeroDecimal(s: string): string {
  let foundZero = false;
  for (let i = s.length; i > 0; i--) {
    const c = s[i - 1];
    if (c === '.') return foundZero ? s.slice(0, i - 1) : s;
    if (c === '0') foundZero = true;
    else return s;
  }
  return s;
}

const wrap64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/** cast.ToInt64: numbers truncate, strings parse with base prefixes (`0x1f`, `010` octal), anything else is 0. */
export function toInt64(v: TValue): bigint {
  switch (typeof v) {
    case 'bigint': return v;
    case 'number': return Number.isFinite(v) ? wrap64(BigInt(Math.trunc(v))) : -9223372036854775808n;
    case 'boolean': return v ? 1n : 0n;
    case 'string': return parseGoIntBase0(trimZeroDecimal(v)) ?? 0n;
  }
  return 0n;
}

/** cast.ToFloat64: strings parse as Go floats, failures are 0. */
export function toFloat64(v: TValue): number {
  switch (typeof v) {
    case 'bigint': return Number(v);
    case 'number': return v;
    case 'boolean': return v ? 1 : 0;
    case 'string': {
      const r = parseGoFloat(v);
      return r.ok ? r.value : 0;
    }
  }
  return 0;
}

/** Exact decimal arithmetic for addf/subf/mulf (sprig computes them with a decimal library: 0.1 + 0.2 = 0.3). */
function decimalOf(f: number): { int: bigint; scale: number } {
  if (!Number.isFinite(f)) return { int: 0n, scale: -1 };
  const s = String(f);
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(s);
  if (!m) return { int: 0n, scale: -1 };
  let digits = m[2]! + (m[3] ?? '');
  let scale = (m[3] ?? '').length - Number(m[4] ?? 0);
  if (scale < 0) {
    digits += '0'.repeat(-scale);
    scale = 0;
  }
  return { int: BigInt((m[1] ?? '') + digits), scale };
}

function decimalOp(values: number[], op: 'add' | 'sub' | 'mul'): number {
  if (values.some((v) => !Number.isFinite(v))) {
    return values.slice(1).reduce((a, b) => (op === 'add' ? a + b : op === 'sub' ? a - b : a * b), values[0]!);
  }
  let acc = decimalOf(values[0]!);
  for (const v of values.slice(1)) {
    const d = decimalOf(v);
    if (op === 'mul') acc = { int: acc.int * d.int, scale: acc.scale + d.scale };
    else {
      const scale = Math.max(acc.scale, d.scale);
      const a = acc.int * 10n ** BigInt(scale - acc.scale);
      const b = d.int * 10n ** BigInt(scale - d.scale);
      acc = { int: op === 'add' ? a + b : a - b, scale };
    }
  }
  const neg = acc.int < 0n;
  let digits = (neg ? -acc.int : acc.int).toString();
  if (acc.scale > 0) {
    digits = digits.padStart(acc.scale + 1, '0');
    digits = digits.slice(0, digits.length - acc.scale) + '.' + digits.slice(digits.length - acc.scale);
  }
  return Number((neg ? '-' : '') + digits);
}

// ---- strings ----

function goTitle(s: string): string {
  let out = '';
  let prevSep = true;
  for (const ch of s) {
    const letterOrDigit = /[\p{L}\p{N}_]/u.test(ch);
    out += prevSep && letterOrDigit ? ch.toUpperCase() : ch;
    const ascii = ch.length === 1 && ch.charCodeAt(0) < 0x80;
    prevSep = ascii ? !/[A-Za-z0-9_]/.test(ch) : /\s/u.test(ch);
  }
  return out;
}

function goTrimCutset(s: string, cutset: string, left: boolean, right: boolean): string {
  const set = new Set(Array.from(cutset));
  const chars = Array.from(s);
  let a = 0;
  let b = chars.length;
  if (left) while (a < b && set.has(chars[a]!)) a++;
  if (right) while (b > a && set.has(chars[b - 1]!)) b--;
  return chars.slice(a, b).join('');
}

function goReplace(s: string, old: string, repl: string, n: number): string {
  if (n === 0) return s;
  if (old.length === 0) {
    const chars = Array.from(s);
    let out = '';
    let count = 0;
    for (let k = 0; k <= chars.length; k++) {
      if (n < 0 || count < n) {
        out += repl;
        count++;
      }
      if (k < chars.length) out += chars[k];
    }
    return out;
  }
  if (n < 0) return s.split(old).join(repl);
  let out = '';
  let pos = 0;
  for (let count = 0; count < n; count++) {
    const at = s.indexOf(old, pos);
    if (at < 0) break;
    out += s.slice(pos, at) + repl;
    pos = at + old.length;
  }
  return out + s.slice(pos);
}

const sliceBounds = (s: string, a: number, b: number): string => {
  if (a < 0 || b > s.length || a > b) fail(`runtime error: slice bounds out of range [${a}:${b}] with length ${s.length}`);
  return s.slice(a, b);
};

function repeatChecked(s: string, count: bigint): string {
  if (count < 0n) fail('strings: negative Repeat count');
  if (BigInt(s.length) * count > 1n << 24n) fail('strings: Repeat output length overflow');
  return s.repeat(Number(count));
}

function indent(spaces: bigint, s: string): string {
  const pad = repeatChecked(' ', spaces);
  return pad + s.replaceAll('\n', '\n' + pad);
}

function align(count: bigint, s: string, left: boolean): string {
  const runes = Array.from(s);
  const c = Number(count);
  if (c < 0 || c === runes.length) return s;
  const padLen = c - runes.length;
  if (padLen > 0) return left ? s + ' '.repeat(padLen) : ' '.repeat(padLen) + s;
  return left ? runes.slice(0, c).join('') : runes.slice(runes.length - c).join('');
}

/** base64.StdEncoding.DecodeString; sprig's b64dec returns the error text instead of failing. */
function b64dec(s: string): string {
  const clean = s.replace(/[\r\n]/g, '');
  for (let k = 0; k < clean.length; k++) {
    const c = clean[k]!;
    if (/[A-Za-z0-9+/]/.test(c)) continue;
    if (c === '=') {
      const rest = clean.slice(k);
      const valid = (clean.length % 4 === 0) && (rest === '=' || rest === '==') && k % 4 >= 2;
      if (valid) break;
      return `illegal base64 data at input byte ${k}`;
    }
    return `illegal base64 data at input byte ${k}`;
  }
  if (clean.length % 4 !== 0) return `illegal base64 data at input byte ${clean.length - (clean.length % 4)}`;
  return Buffer.from(clean, 'base64').toString('utf8');
}

/** url.QueryEscape: unreserved characters kept, space as `+`, everything else %XX per UTF-8 byte. */
function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (b === 0x20) out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** url.QueryUnescape: `+` is a space; a malformed %-escape is an error. */
function queryUnescape(s: string): string {
  const bytes: number[] = [];
  for (let k = 0; k < s.length; k++) {
    const c = s[k]!;
    if (c === '%') {
      const h = s.slice(k + 1, k + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) {
        const bad = s.slice(k, Math.min(k + 3, s.length));
        fail(`invalid URL escape ${JSON.stringify(bad)}`);
      }
      bytes.push(Number.parseInt(h, 16));
      k += 2;
    } else if (c === '+') bytes.push(0x20);
    else for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

// ---- regular expressions (RE2) ----

const regexCache = new Map<string, RE2JS | string>();

/** Compiles (and caches) a regex used by a template function; a syntax error is an execution error. */
export function templateRegex(source: string): RE2JS {
  let re = regexCache.get(source);
  if (re === undefined) {
    try {
      re = RE2JS.compile(source);
    } catch (err) {
      re = (err as Error).message;
    }
    if (regexCache.size >= 256) regexCache.clear();
    regexCache.set(source, re);
  }
  if (typeof re === 'string') return fail(re);
  return re;
}

/** Go's Regexp.Expand template: `$1`, `${1}`, `$name`, `${name}`, `$$`. */
function expand(repl: string, m: ReturnType<RE2JS['matcher']>, groups: Record<string, number>, groupCount: number): string {
  let out = '';
  let i = 0;
  while (i < repl.length) {
    const d = repl.indexOf('$', i);
    if (d < 0) {
      out += repl.slice(i);
      break;
    }
    out += repl.slice(i, d);
    i = d + 1;
    if (repl[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string | null = null;
    if (repl[i] === '{') {
      const close = repl.indexOf('}', i + 1);
      const inner = close > 0 ? repl.slice(i + 1, close) : '';
      if (close > 0 && /^[A-Za-z0-9_]+$/.test(inner)) {
        name = inner;
        i = close + 1;
      }
    } else {
      const mm = /^[A-Za-z0-9_]+/.exec(repl.slice(i));
      if (mm) {
        name = mm[0];
        i += name.length;
      }
    }
    if (name === null) {
      out += '$';
      continue;
    }
    let idx = -1;
    if (/^\d+$/.test(name)) idx = Number(name);
    else if (groups[name] !== undefined) idx = groups[name]!;
    if (idx >= 0 && idx <= groupCount) out += m.group(idx) ?? '';
  }
  return out;
}

/** Regexp.ReplaceAllString / ReplaceAllLiteralString, with Go's rules for empty matches. */
export function regexReplaceAll(re: RE2JS, src: string, repl: string, literal: boolean): string {
  const m = re.matcher(src);
  const groups = re.namedGroups();
  const groupCount = re.groupCount();
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    if (!m.find(searchPos)) break;
    const a0 = m.start();
    const a1 = m.end();
    out += src.slice(lastMatchEnd, a0);
    // No replacement for an empty match right after the previous match.
    if (a1 > lastMatchEnd || a0 === 0) out += literal ? repl : expand(repl, m, groups, groupCount);
    lastMatchEnd = a1;
    const width = searchPos < src.length ? String.fromCodePoint(src.codePointAt(searchPos)!).length : 0;
    if (searchPos + width > a1) searchPos += width;
    else if (searchPos + 1 > a1) searchPos++;
    else searchPos = a1;
  }
  return out + src.slice(lastMatchEnd);
}

/** len(Regexp.FindAllStringIndex(s, -1)). */
export function countMatches(re: RE2JS, src: string): number {
  const m = re.matcher(src);
  let count = 0;
  let pos = 0;
  let prevEnd = -1;
  while (pos <= src.length) {
    if (!m.find(pos)) break;
    const a0 = m.start();
    const a1 = m.end();
    if (!(a1 === a0 && a0 === prevEnd)) count++;
    prevEnd = a1;
    if (a1 > pos) pos = a1;
    else pos += pos < src.length ? String.fromCodePoint(src.codePointAt(pos)!).length : 1;
  }
  return count;
}

// ---- comparisons (text/template builtins) ----

type Basic = 'int' | 'float' | 'string' | 'bool' | 'nil' | 'other';

function basicKind(v: TValue): Basic {
  switch (typeof v) {
    case 'bigint': return 'int';
    case 'number': return 'float';
    case 'string': return 'string';
    case 'boolean': return 'bool';
  }
  return v === null ? 'nil' : 'other';
}

function eq(a: TValue, b: TValue): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'other' || kb === 'other') {
    if (isTime(a) && isTime(b)) return a.ns === b.ns;
    return fail('non-comparable types');
  }
  if (ka === 'nil' || kb === 'nil') return ka === kb;
  if (ka !== kb) return fail('incompatible types for comparison');
  return a === b;
}

function lt(a: TValue, b: TValue): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'bool' || ka === 'nil' || ka === 'other' || kb === 'bool' || kb === 'nil' || kb === 'other') {
    return fail('invalid type for comparison');
  }
  if (ka !== kb) return fail('incompatible types for comparison');
  return (a as string | number | bigint) < (b as string | number | bigint);
}

function goLen(v: TValue): bigint {
  if (typeof v === 'string') return BigInt(Buffer.byteLength(v, 'utf8'));
  if (v !== null && isLabelMap(v)) return BigInt(v.size);
  if (v !== null && isJsonArray(v)) return BigInt(v.length);
  if (v !== null && isJsonObject(v)) return BigInt(v.entries.size);
  return fail(`len of type ${goTypeName(v)}`);
}

// ---- time ----

function timeArg(v: TValue): TimeValue {
  if (isTime(v)) return v;
  if (typeof v === 'bigint') return utcTime(v * 1000000000n);
  return utcTime(BigInt(Date.now()) * 1000000n);
}

function unixToTime(epoch: string): TimeValue {
  if (!/^-?\d+$/.test(epoch)) return fail(`unable to parse time '${epoch}': invalid syntax`);
  const i = BigInt(epoch);
  switch (epoch.length) {
    case 5: return utcTime(i * 86400n * 1000000000n);
    case 10: return utcTime(i * 1000000000n);
    case 13: return utcTime(i * 1000000n);
    case 16: return utcTime(i * 1000n);
    case 19: return utcTime(i);
    default: return fail(`unable to parse time '${epoch}': unsupported precision`);
  }
}

const floorDiv = (a: bigint, b: bigint): bigint => (a >= 0n ? a / b : -((-a + b - 1n) / b));

// ---- the table ----

const S: ParamKind = 'string';
const I: ParamKind = 'int';
const A: ParamKind = 'any';

const str = (f: (s: string) => string): TemplateFunc => ({ params: [S], call: (a) => f(a[0] as string) });
const str2 = (f: (a: string, b: string) => TValue): TemplateFunc => ({ params: [S, S], call: (a) => f(a[0] as string, a[1] as string) });

export const TEMPLATE_FUNCTIONS: ReadonlyMap<string, TemplateFunc> = new Map<string, TemplateFunc>([
  // Loki's log line accessors
  ['__line__', { params: [], call: (_a, row) => row.line }],
  ['__timestamp__', { params: [], call: (_a, row) => utcTime(row.tsNs) }],

  // text/template builtins
  ['and', { params: [A], variadic: A, lazy: true, call: () => null }],
  ['or', { params: [A], variadic: A, lazy: true, call: () => null }],
  ['not', { params: [A], call: (a) => !isTrue(a[0]!) }],
  ['len', { params: [A], call: (a) => goLen(a[0]!) }],
  ['index', {
    params: [A], variadic: A, call: (a) => {
      let v: TValue = a[0]!;
      for (const k of a.slice(1)) {
        if (v !== null && isLabelMap(v)) {
          if (typeof k !== 'string') return fail(`value has type ${goTypeName(k)}; should be string`);
          v = v.get(k) ?? '';
        } else if (v !== null && isJsonObject(v)) {
          if (typeof k !== 'string') return fail(`value has type ${goTypeName(k)}; should be string`);
          v = v.entries.get(k) ?? null;
        } else if (v !== null && isJsonArray(v) && typeof k === 'bigint') {
          if (k < 0n || k >= BigInt(v.length)) return fail(`index out of range: ${k}`);
          v = v[Number(k)]!;
        } else if (typeof v === 'string' && typeof k === 'bigint') {
          const bytes = Buffer.from(v, 'utf8');
          if (k < 0n || k >= BigInt(bytes.length)) return fail(`index out of range: ${k}`);
          v = BigInt(bytes[Number(k)]!);
        } else return fail(`can't index item of type ${goTypeName(v)}`);
      }
      return v;
    },
  }],
  ['eq', {
    params: [A], variadic: A, call: (a) => {
      if (a.length < 2) return fail('missing argument for comparison');
      for (const b of a.slice(1)) if (eq(a[0]!, b)) return true;
      return false;
    },
  }],
  ['ne', { params: [A, A], call: (a) => !eq(a[0]!, a[1]!) }],
  ['lt', { params: [A, A], call: (a) => lt(a[0]!, a[1]!) }],
  ['le', { params: [A, A], call: (a) => lt(a[0]!, a[1]!) || eq(a[0]!, a[1]!) }],
  ['gt', { params: [A, A], call: (a) => !lt(a[0]!, a[1]!) && !eq(a[0]!, a[1]!) }],
  ['ge', { params: [A, A], call: (a) => !lt(a[0]!, a[1]!) }],
  ['print', { params: [], variadic: A, call: (a) => goSprint(a) }],
  ['printf', { params: [S], variadic: A, call: (a) => goSprintf(a[0] as string, a.slice(1)) }],
  ['println', { params: [], variadic: A, call: (a) => goSprintln(a) }],
  ['urlquery', { params: [], variadic: A, call: (a) => queryEscape(goSprint(a)) }],

  // Go strings functions, Go argument order (Loki's original template functions)
  ['ToLower', str((s) => s.toLowerCase())],
  ['ToUpper', str((s) => s.toUpperCase())],
  ['Title', str(goTitle)],
  ['TrimSpace', str((s) => s.trim())],
  ['Trim', str2((s, cut) => goTrimCutset(s, cut, true, true))],
  ['TrimLeft', str2((s, cut) => goTrimCutset(s, cut, true, false))],
  ['TrimRight', str2((s, cut) => goTrimCutset(s, cut, false, true))],
  ['TrimPrefix', str2((s, p) => (s.startsWith(p) ? s.slice(p.length) : s))],
  ['TrimSuffix', str2((s, p) => (p.length > 0 && s.endsWith(p) ? s.slice(0, s.length - p.length) : s))],
  ['Replace', { params: [S, S, S, I], call: (a) => goReplace(a[0] as string, a[1] as string, a[2] as string, Number(a[3])) }],

  // sprig string functions, sprig argument order (the piped value comes last)
  ['lower', str((s) => s.toLowerCase())],
  ['upper', str((s) => s.toUpperCase())],
  ['title', str(goTitle)],
  ['trim', str((s) => s.trim())],
  ['trimAll', str2((cut, s) => goTrimCutset(s, cut, true, true))],
  ['trimPrefix', str2((p, s) => (s.startsWith(p) ? s.slice(p.length) : s))],
  ['trimSuffix', str2((p, s) => (p.length > 0 && s.endsWith(p) ? s.slice(0, s.length - p.length) : s))],
  ['trunc', {
    params: [I, S], call: (a) => {
      const c = Number(a[0]);
      const s = a[1] as string;
      if (c < 0 && s.length + c > 0) return s.slice(s.length + c);
      if (c >= 0 && s.length > c) return s.slice(0, c);
      return s;
    },
  }],
  ['substr', {
    params: [I, I, S], call: (a) => {
      const start = Number(a[0]);
      const end = Number(a[1]);
      const s = a[2] as string;
      if (start < 0) return sliceBounds(s, 0, end);
      if (end < 0 || end > s.length) return sliceBounds(s, start, s.length);
      return sliceBounds(s, start, end);
    },
  }],
  ['replace', { params: [S, S, S], call: (a) => goReplace(a[2] as string, a[0] as string, a[1] as string, -1) }],
  ['contains', str2((sub, s) => s.includes(sub))],
  ['hasPrefix', str2((p, s) => s.startsWith(p))],
  ['hasSuffix', str2((p, s) => s.endsWith(p))],
  ['repeat', { params: [I, S], call: (a) => repeatChecked(a[1] as string, a[0] as bigint) }],
  ['indent', { params: [I, S], call: (a) => indent(a[0] as bigint, a[1] as string) }],
  ['nindent', { params: [I, S], call: (a) => '\n' + indent(a[0] as bigint, a[1] as string) }],
  ['alignLeft', { params: [I, S], call: (a) => align(a[0] as bigint, a[1] as string, true) }],
  ['alignRight', { params: [I, S], call: (a) => align(a[0] as bigint, a[1] as string, false) }],
  ['b64enc', str((s) => Buffer.from(s, 'utf8').toString('base64'))],
  ['b64dec', str(b64dec)],
  ['urlencode', str(queryEscape)],
  ['urldecode', str(queryUnescape)],
  ['sha256', str((s) => createHash('sha256').update(s, 'utf8').digest('hex'))],
  // sprig's fromJson: a document that does not decode gives "" (Loki docs)
  ['fromJson', {
    params: [S], call: (a) => {
      try {
        return fromJsonValue(JSON.parse(a[0] as string));
      } catch {
        return '';
      }
    },
  }],
  ['default', {
    params: [A], variadic: A, call: (a) => {
      if (a.length < 2) return a[0]!;
      const given = a[1]!;
      const empty = given === null || (typeof given === 'string' && given.length === 0) || given === false ||
        given === 0n || given === 0 || (isLabelMap(given) && given.size === 0);
      return empty ? a[0]! : given;
    },
  }],

  // regular expressions
  ['regexReplaceAll', { params: [S, S, S], call: (a) => regexReplaceAll(templateRegex(a[0] as string), a[1] as string, a[2] as string, false) }],
  ['regexReplaceAllLiteral', { params: [S, S, S], call: (a) => regexReplaceAll(templateRegex(a[0] as string), a[1] as string, a[2] as string, true) }],
  ['count', { params: [S, S], call: (a) => BigInt(countMatches(templateRegex(a[0] as string), a[1] as string)) }],

  // math (sprig: int64 results wrap like Go)
  ['add', { params: [], variadic: A, call: (a) => a.reduce<bigint>((acc, v) => wrap64(acc + toInt64(v)), 0n) }],
  ['sub', { params: [A, A], call: (a) => wrap64(toInt64(a[0]!) - toInt64(a[1]!)) }],
  ['mul', { params: [A], variadic: A, call: (a) => a.slice(1).reduce<bigint>((acc, v) => wrap64(acc * toInt64(v)), toInt64(a[0]!)) }],
  ['div', {
    params: [A, A], call: (a) => {
      const d = toInt64(a[1]!);
      if (d === 0n) return fail('runtime error: integer divide by zero');
      return wrap64(toInt64(a[0]!) / d);
    },
  }],
  ['mod', {
    params: [A, A], call: (a) => {
      const d = toInt64(a[1]!);
      if (d === 0n) return fail('runtime error: integer divide by zero');
      return toInt64(a[0]!) % d;
    },
  }],
  ['max', { params: [A], variadic: A, call: (a) => a.map(toInt64).reduce((x, y) => (y > x ? y : x)) }],
  ['min', { params: [A], variadic: A, call: (a) => a.map(toInt64).reduce((x, y) => (y < x ? y : x)) }],
  ['addf', { params: [], variadic: A, call: (a) => decimalOp([0, ...a.map(toFloat64)], 'add') }],
  ['subf', { params: [A], variadic: A, call: (a) => decimalOp(a.map(toFloat64), 'sub') }],
  ['mulf', { params: [A], variadic: A, call: (a) => decimalOp(a.map(toFloat64), 'mul') }],
  ['divf', { params: [A], variadic: A, call: (a) => a.slice(1).map(toFloat64).reduce((x, y) => x / y, toFloat64(a[0]!)) }],
  ['maxf', { params: [A], variadic: A, call: (a) => Math.max(...a.map(toFloat64)) }],
  ['minf', { params: [A], variadic: A, call: (a) => Math.min(...a.map(toFloat64)) }],
  ['ceil', { params: [A], call: (a) => Math.ceil(toFloat64(a[0]!)) }],
  ['floor', { params: [A], call: (a) => Math.floor(toFloat64(a[0]!)) }],
  ['round', {
    params: [A, I], variadic: 'float', call: (a) => {
      const roundOn = a.length > 2 ? (a[2] as number) : 0.5;
      const pow = 10 ** Number(a[1]);
      const digit = pow * toFloat64(a[0]!);
      const frac = digit - Math.trunc(digit);
      return (frac >= roundOn ? Math.ceil(digit) : Math.floor(digit)) / pow;
    },
  }],
  ['int', { params: [A], call: (a) => toInt64(a[0]!) }],
  ['float64', { params: [A], call: (a) => toFloat64(a[0]!) }],

  // durations and sizes (Loki)
  ['duration', { params: [S], call: (a) => durationOrFail(a[0] as string) }],
  ['duration_seconds', { params: [S], call: (a) => durationOrFail(a[0] as string) }],
  ['bytes', {
    params: [S], call: (a) => {
      const r = parseByteSize(a[0] as string);
      return r.ok ? r.bytes : fail(r.error);
    },
  }],

  // dates; the server's local zone is UTC for Sightline templates
  ['now', { params: [], call: () => utcTime(BigInt(Date.now()) * 1000000n) }],
  ['date', { params: [S, A], call: (a) => formatGoTime(timeArg(a[1]!), a[0] as string) }],
  ['toDate', {
    params: [S, S], call: (a) => {
      const r = parseGoTime(a[0] as string, a[1] as string, 'UTC');
      return r.ok ? r.time : ZERO_TIME;
    },
  }],
  ['toDateInZone', {
    params: [S, S, S], call: (a) => {
      const zone = isKnownZone(a[1] as string) ? (a[1] as string) : 'UTC';
      const r = parseGoTime(a[0] as string, a[2] as string, zone);
      return r.ok ? r.time : ZERO_TIME;
    },
  }],
  ['unixEpoch', { params: ['time'], call: (a) => floorDiv((a[0] as TimeValue).ns, 1000000000n).toString() }],
  ['unixEpochMillis', { params: ['time'], call: (a) => floorDiv((a[0] as TimeValue).ns, 1000000n).toString() }],
  ['unixEpochNanos', { params: ['time'], call: (a) => (a[0] as TimeValue).ns.toString() }],
  ['unixToTime', { params: [S], call: (a) => unixToTime(a[0] as string) }],
]);

function durationOrFail(s: string): number {
  const r = parseGoDuration(s);
  return r.ok ? durationSeconds(r.ns) : fail(r.error);
}
