// Loki's query parameters: timestamps as RFC 3339(Nano), float seconds or integer epochs (≤ 10 digits are
// seconds, longer ones nanoseconds), steps as durations or float seconds, Loki's defaults for the rest.

export class ParamError extends Error {}

export function parseLokiTime(value: string | undefined, fallbackNs: bigint, name: string): bigint {
  if (value === undefined || value === '') return fallbackNs;
  const v = value.trim();
  if (/^-?\d+$/.test(v)) return v.replace('-', '').length <= 10 ? BigInt(v) * 1_000_000_000n : BigInt(v);
  if (/^-?\d*\.\d+$/.test(v)) {
    const negative = v.startsWith('-');
    const [s, frac] = (negative ? v.slice(1) : v).split('.');
    const ns = BigInt(s || '0') * 1_000_000_000n + BigInt(frac.slice(0, 9).padEnd(9, '0'));
    return negative ? -ns : ns;
  }
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(v);
  if (m) {
    const ms = Date.parse(m[1] + m[3]);
    if (!Number.isNaN(ms)) return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0') || '0');
  }
  throw new ParamError(`invalid parameter "${name}": cannot parse "${value}" as a timestamp (RFC 3339, Unix seconds or nanoseconds)`);
}

const UNIT_NS: Record<string, bigint> = { ns: 1n, us: 1_000n, µs: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n, d: 86_400_000_000_000n, w: 604_800_000_000_000n, y: 31_536_000_000_000_000n };

/** A Prometheus-style duration (`1h30m`, `500ms`) or float seconds, in nanoseconds. */
export function parseStep(value: string, name = 'step'): bigint {
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return BigInt(Math.round(Number(v) * 1e9));
  let total = 0n;
  const re = /(\d+)(ns|us|µs|ms|s|m|h|d|w|y)/gy;
  let consumed = 0;
  for (let m = re.exec(v); m; m = re.exec(v)) {
    total += BigInt(m[1]) * UNIT_NS[m[2]];
    consumed = re.lastIndex;
  }
  if (consumed !== v.length || v.length === 0) throw new ParamError(`invalid parameter "${name}": cannot parse "${value}" as a duration or number of seconds`);
  return total;
}

/** Loki's default step: the range divided into ~250 points, at least one second. */
export function defaultStepNs(startNs: bigint, endNs: bigint): bigint {
  const seconds = (endNs - startNs) / 1_000_000_000n / 250n;
  return (seconds < 1n ? 1n : seconds) * 1_000_000_000n;
}

/** Loki's encoding flag asking for categorized labels in log results (header `X-Loki-Response-Encoding-Flags`). */
export const CATEGORIZE_LABELS = 'categorize-labels';

/** The flags of `X-Loki-Response-Encoding-Flags`: comma-separated, repeated headers merged; unknown flags are ignored. */
export function encodingFlags(headers: Record<string, string | string[] | undefined>): Set<string> {
  const raw = headers['x-loki-response-encoding-flags'];
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const out = new Set<string>();
  for (const v of values) for (const f of v.split(',')) if (f.trim() !== '') out.add(f.trim());
  return out;
}
