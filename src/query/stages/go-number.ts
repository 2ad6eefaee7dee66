// Go's number text conventions, used where Loki hands label values to Go's strconv: parsing (`strconv.ParseFloat`,
// `strconv.ParseInt` with base 0) and fmt's default float rendering, so that outputs match Loki's.

const DECIMAL_FLOAT = /^[+-]?(?:\d+(?:_\d+)*\.?(?:\d+(?:_\d+)*)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+(?:_\d+)*)?$/;
const HEX_FLOAT = /^([+-]?)0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?[pP]([+-]?\d+)$/;
const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/** The outcome of a Go-style parse: the value, or the error text Go would print. */
export type ParseResult = { ok: true; value: number } | { ok: false; error: string };

/** `strconv.ParseFloat(s, 64)`: decimal, hex-float (`0x1p-2`), inf/infinity/nan; out-of-range is an error. */
export function parseGoFloat(s: string): ParseResult {
  const special = SPECIAL.exec(s);
  if (special) {
    const word = special[2]!.toLowerCase();
    if (word === 'nan') return { ok: true, value: Number.NaN };
    return { ok: true, value: special[1] === '-' ? -Infinity : Infinity };
  }
  let value: number;
  if (DECIMAL_FLOAT.test(s) && !s.includes('_')) {
    value = Number(s);
  } else {
    const hex = HEX_FLOAT.exec(s);
    if (hex === null || (hex[2]! + (hex[3] ?? '')).replaceAll('_', '').length === 0) {
      return { ok: false, error: `strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax` };
    }
    const intDigits = hex[2]!.replaceAll('_', '');
    const fracDigits = (hex[3] ?? '').replaceAll('_', '');
    let mant = 0;
    for (const d of intDigits + fracDigits) mant = mant * 16 + Number.parseInt(d, 16);
    value = mant * 2 ** (Number(hex[4]) - 4 * fracDigits.length);
    if (hex[1] === '-') value = -value;
  }
  if (!Number.isFinite(value)) return { ok: false, error: `strconv.ParseFloat: parsing ${goQuote(s)}: value out of range` };
  return { ok: true, value };
}

/**
 * `strconv.ParseInt(s, 0, 64)`: optional sign, then `0x`/`0o`/`0b` prefixes, a leading `0` for octal, or decimal;
 * underscores allowed between digits with a prefix. Returns null when invalid or out of int64 range.
 */
export function parseGoIntBase0(s: string): bigint | null {
  let t = s;
  let neg = false;
  if (t.startsWith('+') || t.startsWith('-')) {
    neg = t[0] === '-';
    t = t.slice(1);
  }
  if (t.length === 0) return null;
  let digits: string;
  let radix: number;
  const lower = t.toLowerCase();
  if (lower.startsWith('0x')) [digits, radix] = [t.slice(2), 16];
  else if (lower.startsWith('0o')) [digits, radix] = [t.slice(2), 8];
  else if (lower.startsWith('0b')) [digits, radix] = [t.slice(2), 2];
  else if (t.length > 1 && t[0] === '0') [digits, radix] = [t.slice(1), 8];
  else [digits, radix] = [t, 10];
  if (radix !== 10) {
    if (digits.startsWith('_')) digits = digits.slice(1);
    if (digits.includes('__') || digits.endsWith('_')) return null;
    digits = digits.replaceAll('_', '');
  }
  if (digits.length === 0) return null;
  const valid = radix === 16 ? /^[0-9a-fA-F]+$/ : radix === 8 ? /^[0-7]+$/ : radix === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!valid.test(digits)) return null;
  let v = 0n;
  const r = BigInt(radix);
  for (const d of digits) v = v * r + BigInt(Number.parseInt(d, radix));
  if (neg) v = -v;
  if (v > 9223372036854775807n || v < -9223372036854775808n) return null;
  return v;
}

/** Go's `%q` of a string, enough for error messages: JSON quoting is identical for printable text. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Shortest round-trip digits and decimal exponent of a finite, non-zero |f| (d.ddd × 10^exp). */
function shortestDigits(f: number): { digits: string; exp: number } {
  const e = Math.abs(f).toExponential(); // shortest representation when no argument is given
  const at = e.indexOf('e');
  return { digits: e.slice(0, at).replace('.', ''), exp: Number(e.slice(at + 1)) };
}

function expSuffix(exp: number): string {
  const sign = exp < 0 ? '-' : '+';
  const a = Math.abs(exp);
  return 'e' + sign + (a < 10 ? '0' + a : String(a));
}

/**
 * `strconv.FormatFloat(f, 'g', -1, 64)`, which is also how fmt's %v prints a float64: shortest round-trip digits,
 * exponent form when the decimal exponent is < -4 or >= 6 (`1e+06`, `1.073741824e+09`, `0.0001`, `123456`).
 */
export function formatGoFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const { digits, exp } = shortestDigits(f);
  const sign = f < 0 ? '-' : '';
  if (exp < -4 || exp >= 6) {
    return sign + digits[0] + (digits.length > 1 ? '.' + digits.slice(1) : '') + expSuffix(exp);
  }
  if (exp < 0) return sign + '0.' + '0'.repeat(-exp - 1) + digits;
  if (digits.length <= exp + 1) return sign + digits + '0'.repeat(exp + 1 - digits.length);
  return sign + digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
}

/** `strconv.FormatFloat(f, fmt, prec, 64)` for fmt 'e'/'f' with an explicit precision (used by printf). */
export function formatGoFloatFixed(f: number, verb: 'e' | 'f', prec: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (verb === 'f') return toFixedExact(f, prec);
  const s = f.toExponential(Math.min(prec, 100));
  const at = s.indexOf('e');
  return s.slice(0, at) + expSuffix(Number(s.slice(at + 1)));
}

function toFixedExact(f: number, prec: number): string {
  if (Math.abs(f) < 1e21 && prec <= 100) return f.toFixed(prec);
  // toFixed switches to exponent notation past 1e21; build the integer digits by hand.
  const neg = f < 0;
  const int = BigInt(Math.trunc(Math.abs(f))).toString();
  return (neg ? '-' : '') + int + (prec > 0 ? '.' + '0'.repeat(prec) : '');
}
