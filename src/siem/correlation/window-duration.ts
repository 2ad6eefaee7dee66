// Durations in detection rules: the compact form (`10m`, `90s`, `1h30m`, `2d`) and the spelled-out form the guide
// writes (`10 minutes`, `5 min`, `1 hour`, `30 seconds`, `2 days`). Milliseconds.

import { tryParseDuration } from '../../query/duration.ts';

const WORDS: Record<string, number> = {
  ms: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
};
const SPELLED = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i;

/** Milliseconds, or undefined when the text is no duration (or not above zero). */
export function parseWindowDuration(text: string): number | undefined {
  const t = text.trim();
  const m = SPELLED.exec(t);
  let ms: number | undefined;
  if (m) {
    const unit = WORDS[m[2]!.toLowerCase()];
    if (unit !== undefined) ms = Number(m[1]) * unit;
  }
  ms ??= tryParseDuration(t);
  return ms !== undefined && Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** `10m` style text for messages and docs. */
export function formatWindow(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
