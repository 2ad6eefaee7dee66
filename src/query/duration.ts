// Duration strings as Loki reads them: Go's time.ParseDuration (`1h30m`, `1.5s`, `500ms`, `10us`/`10µs`, `-2m`)
// joined with Prometheus' extra units (`2d`, `1w`, `1y` = 365d). Results are milliseconds (fractional below 1ms).

const NANOS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
  d: 86400e9,
  w: 7 * 86400e9,
  y: 365 * 86400e9,
};

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** Parses a duration to milliseconds, or returns undefined if `s` is not one. Cheap enough for per-record use. */
export function tryParseDuration(s: string): number | undefined {
  let i = 0;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    sign = s[0] === '-' ? -1 : 1;
    i = 1;
  }
  const rest = s.slice(i);
  if (rest === '0') return 0; // Go accepts a bare zero without unit
  if (rest === '') return undefined;
  let totalNs = 0;
  while (i < s.length) {
    const intStart = i;
    while (i < s.length && isDigit(s[i]!)) i++;
    const intDigits = s.slice(intStart, i);
    let fracDigits = '';
    if (s[i] === '.') {
      i++;
      const fracStart = i;
      while (i < s.length && isDigit(s[i]!)) i++;
      fracDigits = s.slice(fracStart, i);
    }
    if (intDigits === '' && fracDigits === '') return undefined;
    const unitStart = i;
    while (i < s.length && s[i] !== '.' && !isDigit(s[i]!)) i++;
    const unit = NANOS_PER_UNIT[s.slice(unitStart, i)];
    if (unit === undefined) return undefined; // missing or unknown unit
    let ns = (intDigits === '' ? 0 : Number(intDigits)) * unit;
    if (fracDigits !== '') ns += Math.round((Number(fracDigits) * unit) / 10 ** fracDigits.length);
    totalNs += ns;
  }
  return (sign * totalNs) / 1e6;
}

/** Parses a Go/Prometheus duration (`1h30m`, `500ms`, `1.5s`, `2d`, `1w`, `1y`) to milliseconds; throws on anything else. */
export function parseDuration(s: string): number {
  const ms = tryParseDuration(s);
  if (ms === undefined) throw new Error(`invalid duration "${s}"`);
  return ms;
}
