// Prometheus durations as rule files write them (`30s`, `5m`, `1h30m`, `2d`, `1w`, `1y`, `0`): parsed strictly into
// milliseconds, and printed back the way Prometheus prints a model.Duration (largest units first, `0s` for zero).

const UNITS: [string, number][] = [
  ['y', 365 * 86_400_000],
  ['w', 7 * 86_400_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

// each unit at most once, in decreasing order, as Prometheus' model.ParseDuration requires
const PATTERN = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds, or undefined when `text` is not a Prometheus duration. */
export function parsePromDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (text === '') return undefined;
  const m = PATTERN.exec(text);
  if (!m) return undefined;
  let ms = 0;
  for (let i = 0; i < UNITS.length; i++) if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * UNITS[i][1];
  return ms;
}

/** `1h30m`, `5m`, `0s`: the form Prometheus and Loki print durations in. */
export function formatPromDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of UNITS) {
    // years and weeks only when the rest is a whole number of them (90d reads better than 12w6d), as Prometheus prints
    if ((unit === 'y' || unit === 'w') && rest % size !== 0) continue;
    if (rest >= size) {
      out += Math.floor(rest / size) + unit;
      rest %= size;
    }
  }
  return out;
}
