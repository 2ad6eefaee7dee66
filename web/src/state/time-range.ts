// Time ranges as the URL and the time picker spell them: `now`, `now-15m` (relative) or an absolute instant
// (epoch milliseconds or RFC 3339). Resolves them to milliseconds, picks the histogram's step, formats them.
// Pure: the current time is always passed in.

export interface TimeRange {
  from: string;
  to: string;
}

export const DEFAULT_RANGE: TimeRange = { from: 'now-1h', to: 'now' };

export const PRESETS: { label: string; from: string }[] = [
  { label: 'Last 5 minutes', from: 'now-5m' },
  { label: 'Last 15 minutes', from: 'now-15m' },
  { label: 'Last 30 minutes', from: 'now-30m' },
  { label: 'Last 1 hour', from: 'now-1h' },
  { label: 'Last 3 hours', from: 'now-3h' },
  { label: 'Last 6 hours', from: 'now-6h' },
  { label: 'Last 12 hours', from: 'now-12h' },
  { label: 'Last 24 hours', from: 'now-24h' },
  { label: 'Last 2 days', from: 'now-2d' },
  { label: 'Last 7 days', from: 'now-7d' },
];

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const RELATIVE = /^now(?:-(\d+)([smhdw]))?$/;

/** Milliseconds since the epoch for a time expression; undefined when it does not parse. */
export function resolveTime(expr: string, nowMs: number): number | undefined {
  const e = expr.trim();
  const rel = RELATIVE.exec(e);
  if (rel) return rel[1] ? nowMs - Number(rel[1]) * UNIT_MS[rel[2]] : nowMs;
  if (/^\d{10,16}$/.test(e)) return Number(e);
  if (/^\d{4}-\d{2}-\d{2}/.test(e)) {
    const ms = Date.parse(e);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

export function isRelative(expr: string): boolean {
  return RELATIVE.test(expr.trim());
}

/** The range in milliseconds, with `from` < `to`; an unreadable or reversed range falls back to the last hour. */
export function resolveRange(range: TimeRange, nowMs: number): { fromMs: number; toMs: number } {
  const fromMs = resolveTime(range.from, nowMs);
  const toMs = resolveTime(range.to, nowMs);
  if (fromMs === undefined || toMs === undefined || fromMs >= toMs) return { fromMs: nowMs - 3_600_000, toMs: nowMs };
  return { fromMs, toMs };
}

const NICE_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];

/** A round histogram step giving at most about `buckets` bars over the range. */
export function stepFor(rangeMs: number, buckets = 120): number {
  const raw = rangeMs / 1000 / buckets;
  return NICE_STEPS_S.find((s) => s >= raw) ?? NICE_STEPS_S[NICE_STEPS_S.length - 1];
}

/** Epoch milliseconds as the Loki API's nanosecond string. */
export function msToNs(ms: number): string {
  return (BigInt(Math.round(ms)) * 1_000_000n).toString();
}

/** A human label for the picker button: the preset's name, or both ends. */
export function describeRange(range: TimeRange, timeZone?: string): string {
  if (range.to === 'now') {
    const preset = PRESETS.find((p) => p.from === range.from);
    if (preset) return preset.label;
    const rel = RELATIVE.exec(range.from);
    if (rel?.[1]) return `Last ${rel[1]}${rel[2]}`;
  }
  return `${formatInstant(range.from, timeZone)} → ${formatInstant(range.to, timeZone)}`;
}

function formatInstant(expr: string, timeZone?: string): string {
  if (isRelative(expr)) return expr;
  const ms = resolveTime(expr, 0);
  return ms === undefined ? expr : formatTimestamp(ms, timeZone, false);
}

/** `2026-11-25 10:00:00.123` in the given (default: local) time zone. */
export function formatTimestamp(ms: number, timeZone?: string, withMs = true): string {
  const d = new Date(ms);
  const parts = formatter(timeZone).formatToParts(d);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const base = `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
  return withMs ? `${base}.${String(d.getUTCMilliseconds()).padStart(3, '0')}` : base;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per time zone: building one costs far more than formatting with it (the log list formats per row). */
function formatter(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(key, f);
  }
  return f;
}
