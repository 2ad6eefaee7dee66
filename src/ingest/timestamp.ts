// Timestamp parsing for ingest: RFC 3339 / ISO 8601 strings (nanosecond precision kept) and Unix epochs
// in s, ms, µs or ns (told apart by magnitude), as numbers or digit strings. Returns nanoseconds or undefined.

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})?$/;
const NUMERIC = /^-?\d+(\.\d+)?$/;

export function parseTimestampNs(value: unknown): bigint | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? epochToNs(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (NUMERIC.test(s)) return digitsToNs(s);
  const m = ISO.exec(s);
  if (!m) {
    const ms = Date.parse(s);
    return Number.isNaN(ms) ? undefined : BigInt(ms) * 1_000_000n;
  }
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  let ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +sec);
  // Date.UTC rolls impossible fields over (month 13 → next year); refuse them instead
  const check = new Date(ms);
  if (Number.isNaN(ms) || check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || check.getUTCHours() !== +h || check.getUTCMinutes() !== +mi || +sec > 59) return undefined;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  const fracNs = frac ? BigInt(frac.padEnd(9, '0')) : 0n;
  return BigInt(ms) * 1_000_000n + fracNs;
}

/** Unix epoch number whose unit is guessed from its magnitude (s < 1e11 ≤ ms < 1e14 ≤ µs < 1e17 ≤ ns). */
function epochToNs(n: number): bigint | undefined {
  if (Number.isInteger(n)) return digitsToNs(String(n));
  // a float: its shortest decimal text keeps the digits the sender meant
  return digitsToNs(n.toFixed(9).replace(/0+$/, '').replace(/\.$/, ''));
}

/** Exact conversion of a decimal epoch text, integer arithmetic only. */
function digitsToNs(text: string): bigint {
  const negative = text.startsWith('-');
  const [intPart, fracPart = ''] = (negative ? text.slice(1) : text).split('.');
  const magnitude = Number(intPart + (fracPart ? '.' + fracPart : ''));
  const scale = magnitude < 1e11 ? 9 : magnitude < 1e14 ? 6 : magnitude < 1e17 ? 3 : 0;
  const frac = (fracPart + '000000000').slice(0, scale);
  const ns = BigInt(intPart || '0') * 10n ** BigInt(scale) + BigInt(frac || '0');
  return negative ? -ns : ns;
}
