// Go's fmt.Sprintf / Sprint / Sprintln over template values, for the `printf`, `print` and `println` functions:
// verbs v s q d b o x X c U e E f F g G t %, flags + - # space 0, width and precision (`%-40.40s`, `%05.2f`),
// and Go's in-band error notations (`%!d(string=x)`, `%!s(MISSING)`, `%!(EXTRA int=1)`).
import { formatGoFloat, formatGoFloatFixed } from '../go-number.ts';
import { formatValue, goTypeName, isTime, type TValue } from './values.ts';

interface Spec {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number;
  prec: number; // -1 when absent
}

function runeLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function padTo(s: string, spec: Spec, zeroAllowed: boolean): string {
  const len = runeLength(s);
  if (spec.width <= len) return s;
  const fill = spec.width - len;
  if (spec.minus) return s + ' '.repeat(fill);
  if (spec.zero && zeroAllowed) {
    const signed = s[0] === '-' || s[0] === '+' || s[0] === ' ';
    return signed ? s[0] + '0'.repeat(fill) + s.slice(1) : '0'.repeat(fill) + s;
  }
  return ' '.repeat(fill) + s;
}

function utf8Hex(s: string, upper: boolean, spaced: boolean): string {
  const hex = Buffer.from(s, 'utf8').toString('hex');
  const out = spaced ? hex.replace(/(..)(?=.)/g, '$1 ') : hex;
  return upper ? out.toUpperCase() : out;
}

/** Go's strconv.Quote: double-quoted with Go escapes; non-printable characters as \x, \u or \U escapes. */
export function goQuoteString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (/\p{C}/u.test(ch)) out += cp > 0xffff ? '\\U' + cp.toString(16).padStart(8, '0') : '\\u' + cp.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

function badVerb(verb: string, v: TValue): string {
  if (v === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(v)}=${formatValue(v)})`;
}

function formatInt(v: bigint, verb: string, spec: Spec): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  let digits: string;
  switch (verb) {
    case 'b': digits = a.toString(2); break;
    case 'o': case 'O': digits = a.toString(8); break;
    case 'x': digits = a.toString(16); break;
    case 'X': digits = a.toString(16).toUpperCase(); break;
    default: digits = a.toString(10);
  }
  if (spec.prec >= 0) {
    if (spec.prec === 0 && a === 0n) digits = '';
    else if (digits.length < spec.prec) digits = '0'.repeat(spec.prec - digits.length) + digits;
  }
  let prefix = '';
  if (verb === 'O') prefix = '0o';
  else if (spec.sharp) {
    if (verb === 'x') prefix = '0x';
    else if (verb === 'X') prefix = '0X';
    else if (verb === 'o' && digits[0] !== '0') prefix = '0';
    else if (verb === 'b') prefix = '0b';
  }
  const sign = neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  return padTo(sign + prefix + digits, spec, spec.prec < 0);
}

/** strconv 'g' formatting with an explicit precision (significant digits). */
function formatG(f: number, prec: number, upper: boolean, sharp: boolean): string {
  if (!Number.isFinite(f)) return formatGoFloat(f);
  const p = prec === 0 ? 1 : prec;
  const e = f.toExponential(Math.min(p - 1, 100));
  const at = e.indexOf('e');
  let mant = e.slice(0, at).replace('-', '').replace('.', '');
  const exp = Number(e.slice(at + 1));
  if (!sharp) mant = mant.replace(/0+$/, '') || '0';
  let eprec = p;
  if (eprec > mant.length && mant.length >= exp + 1) eprec = mant.length;
  const sign = f < 0 || Object.is(f, -0) ? '-' : '';
  let out: string;
  if (exp < -4 || exp >= eprec) {
    const a = Math.abs(exp);
    out = mant[0] + (mant.length > 1 ? '.' + mant.slice(1) : '') + 'e' + (exp < 0 ? '-' : '+') + (a < 10 ? '0' + a : a);
  } else if (exp < 0) out = '0.' + '0'.repeat(-exp - 1) + mant;
  else if (mant.length <= exp + 1) out = mant + '0'.repeat(exp + 1 - mant.length);
  else out = mant.slice(0, exp + 1) + '.' + mant.slice(exp + 1);
  out = sign + out;
  return upper ? out.toUpperCase() : out;
}

function formatFloat(f: number, verb: string, spec: Spec): string {
  let s: string;
  switch (verb) {
    case 'e': case 'E':
      s = formatGoFloatFixed(f, 'e', spec.prec < 0 ? 6 : spec.prec);
      if (verb === 'E') s = s.toUpperCase();
      break;
    case 'f': case 'F':
      s = formatGoFloatFixed(f, 'f', spec.prec < 0 ? 6 : spec.prec);
      break;
    default: // v g G
      s = spec.prec < 0 ? formatGoFloat(f) : formatG(f, spec.prec, verb === 'G', spec.sharp);
      if (verb === 'G' && spec.prec < 0) s = s.toUpperCase();
  }
  if (s === '+Inf') s = spec.plus ? '+Inf' : 'Inf';
  if (spec.plus && !s.startsWith('-') && !s.startsWith('+')) s = '+' + s;
  else if (spec.space && !s.startsWith('-') && !s.startsWith('+')) s = ' ' + s;
  return padTo(s, spec, Number.isFinite(f));
}

function formatString(s: string, verb: string, spec: Spec): string {
  let t = s;
  if (spec.prec >= 0) t = Array.from(t).slice(0, spec.prec).join('');
  switch (verb) {
    case 'q': t = goQuoteString(t); break;
    case 'x': t = utf8Hex(t, false, spec.space); break;
    case 'X': t = utf8Hex(t, true, spec.space); break;
  }
  return padTo(t, spec, false);
}

function formatOne(v: TValue, verb: string, spec: Spec): string {
  switch (typeof v) {
    case 'string':
      if (verb === 'v' || verb === 's' || verb === 'q' || verb === 'x' || verb === 'X') return formatString(v, verb, spec);
      return badVerb(verb, v);
    case 'bigint':
      switch (verb) {
        case 'v': case 'd': case 'b': case 'o': case 'O': case 'x': case 'X':
          return formatInt(v, verb, spec);
        case 'c': return padTo(String.fromCodePoint(Number(v)), spec, false);
        case 'q': return padTo(`'${String.fromCodePoint(Number(v))}'`, spec, false);
        case 'U': return padTo('U+' + v.toString(16).toUpperCase().padStart(4, '0'), spec, false);
        default: return badVerb(verb, v);
      }
    case 'number':
      if ('veEfFgG'.includes(verb)) return formatFloat(v, verb, spec);
      return badVerb(verb, v);
    case 'boolean':
      if (verb === 'v' || verb === 't') return padTo(v ? 'true' : 'false', spec, false);
      return badVerb(verb, v);
  }
  if (v === null) return verb === 'v' ? padTo('<nil>', spec, false) : badVerb(verb, v);
  if (isTime(v)) {
    if (verb === 'v' || verb === 's') return formatString(formatValue(v), 's', spec);
    if (verb === 'q') return formatString(formatValue(v), 'q', spec);
    return badVerb(verb, v);
  }
  if (verb === 'v' || verb === 's') return padTo(formatValue(v), spec, false);
  return badVerb(verb, v);
}

/** fmt.Sprintf. */
export function goSprintf(format: string, args: TValue[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  const n = format.length;
  while (i < n) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { plus: false, minus: false, sharp: false, space: false, zero: false, width: 0, prec: -1 };
    for (; i < n; i++) {
      const c = format[i];
      if (c === '+') spec.plus = true;
      else if (c === '-') spec.minus = true;
      else if (c === '#') spec.sharp = true;
      else if (c === ' ') spec.space = true;
      else if (c === '0') spec.zero = !spec.minus;
      else break;
    }
    const readNum = (): number => {
      if (format[i] === '*') {
        i++;
        const a = args[argi++];
        return typeof a === 'bigint' ? Number(a) : 0;
      }
      let v = 0;
      while (i < n && format[i]! >= '0' && format[i]! <= '9') v = v * 10 + Number(format[i++]);
      return v;
    };
    spec.width = readNum();
    if (spec.width < 0) {
      spec.minus = true;
      spec.width = -spec.width;
    }
    if (format[i] === '.') {
      i++;
      spec.prec = readNum();
    }
    if (i >= n) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argi++]!;
    out += formatOne(arg, verb, spec);
  }
  if (argi < args.length) {
    out += '%!(EXTRA ' + args.slice(argi).map((a) => (a === null ? '<nil>' : `${goTypeName(a)}=${formatValue(a)}`)).join(', ') + ')';
  }
  return out;
}

/** fmt.Sprint: operands joined, with a space between two operands when neither is a string. */
export function goSprint(args: TValue[]): string {
  let out = '';
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (k > 0 && typeof a !== 'string' && typeof args[k - 1] !== 'string') out += ' ';
    out += formatValue(a);
  }
  return out;
}

/** fmt.Sprintln: operands always separated by spaces, newline appended. */
export function goSprintln(args: TValue[]): string {
  return args.map(formatValue).join(' ') + '\n';
}
