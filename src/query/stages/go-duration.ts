// Go's `time.ParseDuration` (`300ms`, `1.5h`, `2h45m`, `-1m30s`; units ns, us/µs/μs, ms, s, m, h), as Loki applies
// it to label values in duration filters and the `duration` template function. Exact int64 nanoseconds.
import { goQuote } from './go-number.ts';

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  'µs': 1000n, // U+00B5 micro sign
  'μs': 1000n, // U+03BC Greek mu
  ms: 1000000n,
  s: 1000000000n,
  m: 60000000000n,
  h: 3600000000000n,
};

const MAX_NS = 9223372036854775807n;

export type DurationResult = { ok: true; ns: bigint } | { ok: false; error: string };

export function parseGoDuration(s: string): DurationResult {
  const bad = (): DurationResult => ({ ok: false, error: `time: invalid duration ${goQuote(s)}` });
  let i = 0;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    i = 1;
  }
  if (s.slice(i) === '0') return { ok: true, ns: 0n };
  if (i >= s.length) return bad();
  let total = 0n;
  while (i < s.length) {
    const intStart = i;
    while (i < s.length && s[i]! >= '0' && s[i]! <= '9') i++;
    const intPart = s.slice(intStart, i);
    let fracPart = '';
    if (s[i] === '.') {
      i++;
      const fracStart = i;
      while (i < s.length && s[i]! >= '0' && s[i]! <= '9') i++;
      fracPart = s.slice(fracStart, i);
    }
    if (intPart.length === 0 && fracPart.length === 0) return bad();
    const unitStart = i;
    while (i < s.length && s[i] !== '.' && !(s[i]! >= '0' && s[i]! <= '9')) i++;
    const unitName = s.slice(unitStart, i);
    if (unitName.length === 0) return { ok: false, error: `time: missing unit in duration ${goQuote(s)}` };
    const unit = UNITS[unitName];
    if (unit === undefined) return { ok: false, error: `time: unknown unit ${goQuote(unitName)} in duration ${goQuote(s)}` };
    let v = intPart.length > 0 ? BigInt(intPart) * unit : 0n;
    if (fracPart.length > 0) {
      // Truncates like Go: fraction × unit, rounded toward zero.
      v += (BigInt(fracPart) * unit) / 10n ** BigInt(fracPart.length);
    }
    total += v;
    if (total > MAX_NS + (neg ? 1n : 0n)) return bad();
  }
  return { ok: true, ns: neg ? -total : total };
}

/** `time.Duration.Seconds()`: whole seconds plus the nanosecond remainder, as a float. */
export function durationSeconds(ns: bigint): number {
  const sec = ns / 1000000000n;
  const rem = ns % 1000000000n;
  return Number(sec) + Number(rem) / 1e9;
}
