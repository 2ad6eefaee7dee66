// The number formatting functions of Prometheus alert templates, as its template reference documents them:
// humanize (metric prefixes), humanize1024 (binary prefixes), humanizeDuration (seconds → `1d 2h 3m 4s`),
// humanizePercentage (ratio → `5.2%`) and humanizeTimestamp (Unix seconds → Go's time.Time text). Numbers print with
// Go's `%.4g` (four significant digits).

import { goSprintf } from '../query/stages/template/go-fmt.ts';
import { formatGoTime } from '../query/stages/template/go-time.ts';

/** Go's `%.4g`, including its `+Inf` (the shared printf helper leaves the plus sign off infinities). */
export function g4(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return goSprintf('%.4g', [v]);
}

const BIG = ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
const SMALL = ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];
const BINARY = ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi'];

/** `humanize`: 1234567 → `1.235M`, 0.0123 → `12.3m`. */
export function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  if (Math.abs(v) >= 1) {
    for (const p of BIG) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
  } else {
    for (const p of SMALL) {
      if (Math.abs(v) >= 1) break;
      prefix = p;
      v *= 1000;
    }
  }
  return g4(v) + prefix;
}

/** `humanize1024`: 1048576 → `1Mi`; values up to 1 print as they are. */
export function humanize1024(v: number): string {
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  for (const p of BINARY) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return g4(v) + prefix;
}

/** `humanizeDuration`: seconds → `1d 2h 3m 4s`, `1m 5s`, `2.5s`, `250ms`. */
export function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return '0s';
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    const abs = Math.abs(v);
    const whole = Math.trunc(abs);
    const seconds = whole % 60;
    const minutes = Math.trunc(whole / 60) % 60;
    const hours = Math.trunc(whole / 3600) % 24;
    const days = Math.trunc(whole / 86400);
    // from minutes up the seconds are whole; below a minute they keep four significant digits
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${g4(abs)}s`;
  }
  let prefix = '';
  for (const p of SMALL) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${g4(v)}${prefix}s`;
}

/** `humanizePercentage`: 0.0523 → `5.23%`. */
export function humanizePercentage(v: number): string {
  return g4(v * 100) + '%';
}

/** `humanizeTimestamp`: Unix seconds → `2024-05-01 12:00:00 +0000 UTC` (Go's time.Time text, in UTC). */
export function humanizeTimestamp(v: number): string {
  if (!Number.isFinite(v)) return g4(v);
  const ns = BigInt(Math.round(v * 1e6)) * 1000n;
  return formatGoTime({ kind: 'time', ns, offsetSec: 0, zone: 'UTC' }, '2006-01-02 15:04:05.999999999 -0700 MST');
}
