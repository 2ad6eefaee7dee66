// Timestamp parsing for the pipeline, pure: the common log formats recognised automatically (RFC 3339/ISO 8601,
// RFC 2822/HTTP dates, nginx/Apache access-log dates, syslog, asctime, Unix epochs by magnitude, Go/Java/Python
// defaults) and strftime-like custom formats. Results are integer nanoseconds since the epoch, or undefined.

/** A time zone for times written without an offset: a fixed offset or an IANA zone resolved through Intl. */
export interface TimeZone {
  readonly name: string;
  /** UTC milliseconds of a wall-clock time (given as if it were UTC) in this zone. */
  toUtc(localAsUtcMs: number): number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** How far ahead of `now` an inferred year (or day) may put a time before the previous one is taken instead. */
const YEAR_SKEW_MS = 31 * DAY_MS;
const DAY_SKEW_MS = 3_600_000;

class FixedZone implements TimeZone {
  constructor(readonly name: string, private readonly offsetMs: number) {}
  toUtc(localAsUtcMs: number): number {
    return localAsUtcMs - this.offsetMs;
  }
}

/** An IANA zone: offsets read from Intl once per 15 minutes of UTC time (zone transitions fall on such boundaries). */
class IanaZone implements TimeZone {
  private readonly format: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();
  constructor(readonly name: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  }

  /** Offset (local − UTC) in ms at a UTC instant. */
  offsetAt(utcMs: number): number {
    const bucket = Math.floor(utcMs / (15 * MINUTE_MS));
    const cached = this.offsets.get(bucket);
    if (cached !== undefined) return cached;
    const at = bucket * 15 * MINUTE_MS;
    let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, bc = false;
    for (const p of this.format.formatToParts(at)) {
      switch (p.type) {
        case 'year': y = Number(p.value); break;
        case 'month': mo = Number(p.value); break;
        case 'day': d = Number(p.value); break;
        case 'hour': h = Number(p.value); break;
        case 'minute': mi = Number(p.value); break;
        case 'second': s = Number(p.value); break;
        case 'era': bc = p.value === 'BC'; break;
      }
    }
    const offset = utcFromParts(bc ? 1 - y : y, mo, d, h, mi, s) - at;
    if (this.offsets.size > 4096) this.offsets.clear();
    this.offsets.set(bucket, offset);
    return offset;
  }

  toUtc(localAsUtcMs: number): number {
    // two passes: the offset at the first guess may differ from the offset at the answer near a DST change
    const guess = localAsUtcMs - this.offsetAt(localAsUtcMs);
    const offset = this.offsetAt(guess);
    return localAsUtcMs - offset;
  }
}

export const UTC: TimeZone = new FixedZone('UTC', 0);

const ZONE_CACHE = new Map<string, TimeZone>();

/**
 * A zone by name: `UTC`, `Z`, `local` (this machine's zone), a fixed offset (`+09:00`, `-0500`) or an IANA name
 * (`Europe/Paris`). Undefined when Intl does not know the name.
 */
export function resolveTimeZone(name: string): TimeZone | undefined {
  const cached = ZONE_CACHE.get(name);
  if (cached) return cached;
  let zone: TimeZone | undefined;
  const upper = name.toUpperCase();
  if (upper === 'UTC' || upper === 'Z' || upper === 'GMT' || upper === 'ETC/UTC') zone = UTC;
  else {
    const fixed = parseOffsetMs(name, 0, name.length);
    if (fixed !== undefined) zone = new FixedZone(name, fixed);
    else {
      const iana = name === 'local' ? Intl.DateTimeFormat().resolvedOptions().timeZone : name;
      try {
        zone = new IanaZone(iana);
      } catch {
        return undefined;
      }
    }
  }
  ZONE_CACHE.set(name, zone);
  return zone;
}

// ---------------------------------------------------------------------------------------------------------------
// Shared pieces

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_FULL = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const WEEKDAY_FULL = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** RFC 2822 §4.3 obsolete zone names, and the ones every mailer writes. Offsets in minutes. */
const ZONE_NAMES: Record<string, number> = {
  UT: 0, UTC: 0, GMT: 0, Z: 0,
  EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420,
};

/** 1-based month of a 3-letter or full English month name, any case; 0 when not one. */
function monthIndex(name: string): number {
  const lower = name.toLowerCase();
  if (lower.length === 3) return MONTHS.indexOf(lower) + 1;
  if (lower === 'sept') return 9;
  return MONTH_FULL.indexOf(lower) + 1;
}

function isWeekday(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.length === 3 ? WEEKDAYS.includes(lower) : WEEKDAY_FULL.includes(lower);
}

/** `Z`, `±HH`, `±HHMM`, `±HH:MM` between start and end → offset in ms; undefined when it is not one. */
function parseOffsetMs(s: string, start: number, end: number): number | undefined {
  const len = end - start;
  if (len === 1 && (s.charCodeAt(start) | 0x20) === 0x7a) return 0; // z/Z
  if (len < 3) return undefined;
  const sign = s.charCodeAt(start);
  if (sign !== 0x2b && sign !== 0x2d && sign !== 0x2212) return undefined;
  const h = twoDigits(s, start + 1);
  if (h < 0 || h > 23) return undefined;
  let m = 0;
  if (len === 5) m = twoDigits(s, start + 3);
  else if (len === 6 && s.charCodeAt(start + 3) === 0x3a) m = twoDigits(s, start + 4);
  else if (len !== 3) return undefined;
  if (m < 0 || m > 59) return undefined;
  const minutes = h * 60 + m;
  return (sign === 0x2b ? minutes : -minutes) * MINUTE_MS;
}

/** A zone written after a time: numeric offset or a known name. Offset in ms, or undefined. */
function zoneTokenMs(token: string): number | undefined {
  const named = ZONE_NAMES[token.toUpperCase()];
  if (named !== undefined) return named * MINUTE_MS;
  return parseOffsetMs(token, 0, token.length);
}

function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
  return a * 10 + b;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Date.UTC without its 0–99 → 1900s quirk. */
function utcFromParts(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  if (y >= 100) return Date.UTC(y, mo - 1, d, h, mi, s);
  const date = new Date(Date.UTC(2000, mo - 1, d, h, mi, s));
  date.setUTCFullYear(y);
  return date.getTime();
}

/** POSIX strptime's rule for two-digit years: 69–99 → 1900s, 00–68 → 2000s. */
function expandYear(yy: number): number {
  return yy < 69 ? 2000 + yy : 1900 + yy;
}

/** Nanoseconds of a fraction's digits (any count; digits past the ninth are dropped). */
function fractionNs(digits: string | undefined): number {
  if (!digits) return 0;
  return Number(digits.length >= 9 ? digits.slice(0, 9) : digits.padEnd(9, '0'));
}

/**
 * Assembles a time from its parts. `year` < 0 means "not written": inferred as the latest year that does not put the
 * time more than a month ahead of `nowMs` (a syslog line from December read in January belongs to last year).
 * `offsetMs` undefined means "no zone written": the default zone applies. Undefined for impossible dates.
 */
function assemble(
  year: number, month: number, day: number, hour: number, minute: number, second: number, fracNs: number,
  offsetMs: number | undefined, zone: TimeZone, nowMs: number,
): bigint | undefined {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return undefined;
  let ms: number;
  if (year >= 0) {
    if (day > daysInMonth(year, month)) return undefined;
    ms = toUtc(year, month, day, hour, minute, second, offsetMs, zone);
  } else {
    const thisYear = new Date(nowMs).getUTCFullYear();
    ms = NaN;
    for (let y = thisYear + 1; y >= thisYear - 1; y--) {
      if (day > daysInMonth(y, month)) continue;
      const candidate = toUtc(y, month, day, hour, minute, second, offsetMs, zone);
      if (candidate <= nowMs + YEAR_SKEW_MS) {
        ms = candidate;
        break;
      }
    }
    if (Number.isNaN(ms)) return undefined;
  }
  if (!Number.isFinite(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt(fracNs);
}

function toUtc(y: number, mo: number, d: number, h: number, mi: number, s: number, offsetMs: number | undefined, zone: TimeZone): number {
  const local = utcFromParts(y, mo, d, h, mi, s);
  return offsetMs === undefined ? zone.toUtc(local) : local - offsetMs;
}

// ---------------------------------------------------------------------------------------------------------------
// Unix epochs

const EPOCH = /^-?\d+(?:\.\d+)?$/;

/** A Unix epoch whose unit is told by magnitude: s < 1e11 ≤ ms < 1e14 ≤ µs < 1e17 ≤ ns. Exact for digit strings. */
export function epochToNs(value: string | number): bigint | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || Math.abs(value) >= 1e21) return undefined;
    text = Number.isInteger(value) ? String(value) : value.toFixed(9);
  } else text = value;
  if (!EPOCH.test(text)) return undefined;
  const negative = text.charCodeAt(0) === 0x2d;
  const body = negative ? text.slice(1) : text;
  const dot = body.indexOf('.');
  const intPart = dot < 0 ? body : body.slice(0, dot);
  const fracPart = dot < 0 ? '' : body.slice(dot + 1);
  const magnitude = Number(intPart);
  const scale = magnitude < 1e11 ? 9 : magnitude < 1e14 ? 6 : magnitude < 1e17 ? 3 : 0;
  const frac = scale === 0 ? '' : (fracPart + '000000000').slice(0, scale);
  const ns = BigInt(intPart) * 10n ** BigInt(scale) + (frac ? BigInt(frac) : 0n);
  return negative ? -ns : ns;
}

// ---------------------------------------------------------------------------------------------------------------
// Automatic recognition

// RFC 3339 / ISO 8601 and the Go/Java/Python defaults that differ only in separators: 2006-01-02T15:04:05.999Z,
// 2006-01-02 15:04:05,000, 2006/01/02 15:04:05, optional seconds, fraction (. or ,), zone (Z, ±hh[:mm], UTC/GMT).
const ISO = /^(\d{4})([-/])(\d{2})\2(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)? ?([Zz]|[+-]\d{2}(?::?\d{2})?|UTC|GMT)?$/;
// nginx/Apache access log: 10/Oct/2000:13:55:36 -0700
const CLF = /^(\d{1,2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?: ?([+-]\d{4}|[+-]\d{2}:\d{2}|Z|UTC|GMT))?$/;
// RFC 2822 / RFC 7231 IMF-fixdate / RFC 850: [Mon, ]02 Jan 2006 15:04:05 -0700, Sunday, 06-Nov-94 08:49:37 GMT
const RFC2822 = /^(?:([A-Za-z]{3,9}), ?)?(\d{1,2})[ -]([A-Za-z]{3,9})[ -](\d{2}|\d{4}) (\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?: +([A-Za-z]{1,5}|[+-]\d{4}|[+-]\d{2}:\d{2}))?$/;
// asctime / Apache error log / date(1): Sun Nov  6 08:49:37 1994, Wed Oct 11 14:32:52.123456 2000, Wed Oct 11 14:32:52 UTC 2000
const ASCTIME = /^([A-Za-z]{3}) ([A-Za-z]{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?: ([A-Za-z]{1,5}|[+-]\d{4}))? (\d{4})$/;
// syslog (RFC 3164): Oct 11 22:14:15, with the common additions (fraction, a year, a zone): Oct 11 2024 22:14:15.123 UTC
const SYSLOG = /^([A-Za-z]{3}) +(\d{1,2})(?: (\d{4}))? (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?: ([A-Za-z]{1,5}|[+-]\d{2}:?\d{2}))?$/;
// month-day without year: Android logcat 03-17 16:13:38.811 and klog/glog 0317 16:13:38.811000
const MONTHDAY = /^(\d{2})-?(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/;

const NOT_RFC3339 = -1n;

/** The value of the `count` digits at `i`, or -1 if one is not a digit. */
function digitsAt(s: string, i: number, count: number): number {
  let v = 0;
  for (let k = i; k < i + count; k++) {
    const d = s.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * The common RFC 3339 shape, `2006-01-02T15:04:05[.999…][Z|±hh[:mm]]` (also with `t` or a space), read without the
 * ISO regex and its match array: the same parts go to `assemble`, so the result is the regex path's. NOT_RFC3339
 * for anything else (the caller then runs the regexes).
 */
function rfc3339(s: string, zone: TimeZone, nowMs: number): bigint | undefined {
  const n = s.length;
  if (n < 19 || s.charCodeAt(4) !== 0x2d || s.charCodeAt(7) !== 0x2d || s.charCodeAt(13) !== 0x3a || s.charCodeAt(16) !== 0x3a) return NOT_RFC3339;
  const t = s.charCodeAt(10);
  if (t !== 0x54 && t !== 0x74 && t !== 0x20) return NOT_RFC3339;
  const y = digitsAt(s, 0, 4);
  const mo = digitsAt(s, 5, 2);
  const d = digitsAt(s, 8, 2);
  const h = digitsAt(s, 11, 2);
  const mi = digitsAt(s, 14, 2);
  const sec = digitsAt(s, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) return NOT_RFC3339;
  let i = 19;
  let fracNs = 0;
  const sep = s.charCodeAt(i);
  if (i < n && (sep === 0x2e || sep === 0x2c)) {
    // fractionNs: the first nine digits, as nanoseconds
    let digits = 0;
    i++;
    while (i < n) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      if (digits < 9) fracNs = fracNs * 10 + c;
      digits++;
      i++;
    }
    if (digits === 0) return NOT_RFC3339;
    for (let k = digits; k < 9; k++) fracNs *= 10;
  }
  let off: number | undefined;
  if (i < n) {
    const c = s.charCodeAt(i);
    const len = n - i;
    if ((c === 0x5a || c === 0x7a) && len === 1) off = 0;
    else if ((c === 0x2b || c === 0x2d) && (len === 3 || len === 5 || (len === 6 && s.charCodeAt(i + 3) === 0x3a))) {
      // the regex's [+-]\d{2}(?::?\d{2})?, then zoneTokenMs
      if (digitsAt(s, i + 1, 2) < 0 || (len > 3 && digitsAt(s, n - 2, 2) < 0)) return NOT_RFC3339;
      off = parseOffsetMs(s, i, n);
      if (off === undefined) return undefined;
    } else return NOT_RFC3339;
  }
  return assemble(y, mo, d, h, mi, sec, fracNs, off, zone, nowMs);
}

/**
 * Parses a timestamp in any recognised format (see the file header). Times without a zone are read in `zone`;
 * without a year, the year is inferred from `nowMs`. Numbers, and digit strings of 9+ integer digits, are Unix epochs.
 */
export function parseTimestamp(value: string | number, zone: TimeZone, nowMs: number): bigint | undefined {
  if (typeof value === 'number') return epochToNs(value);
  let s = value;
  const c0 = s.charCodeAt(0);
  if (c0 === 0x20 || c0 === 0x09 || s.charCodeAt(s.length - 1) <= 0x20) s = s.trim();
  if (s.length === 0) return undefined;
  const first = s.charCodeAt(0);
  if ((first >= 48 && first <= 57) || first === 0x2d) {
    const fast = rfc3339(s, zone, nowMs);
    if (fast !== NOT_RFC3339) return fast;
    let m = ISO.exec(s);
    if (m) {
      const off = m[9] === undefined ? undefined : zoneTokenMs(m[9]);
      if (m[9] !== undefined && off === undefined) return undefined;
      return assemble(+m[1], +m[3], +m[4], m[5] ? +m[5] : 0, m[6] ? +m[6] : 0, m[7] ? +m[7] : 0, fractionNs(m[8]), off, zone, nowMs);
    }
    // digit strings are epochs only from 9 digits on (1973+): shorter ones are more likely clock parts (HHMMSS)
    if (s.length >= 9 && EPOCH.test(s) && (s.indexOf('.') < 0 ? s.length : s.indexOf('.')) >= 9) return epochToNs(s);
    m = CLF.exec(s);
    if (m) {
      const off = m[8] === undefined ? undefined : zoneTokenMs(m[8]);
      if (m[8] !== undefined && off === undefined) return undefined;
      return assemble(+m[3], monthIndex(m[2]), +m[1], +m[4], +m[5], +m[6], fractionNs(m[7]), off, zone, nowMs);
    }
    m = RFC2822.exec(s);
    if (m) return fromRfc2822(m, zone, nowMs);
    m = MONTHDAY.exec(s);
    if (m) return assemble(-1, +m[1], +m[2], +m[3], +m[4], +m[5], fractionNs(m[6]), undefined, zone, nowMs);
    return undefined;
  }
  let m = RFC2822.exec(s);
  if (m) return fromRfc2822(m, zone, nowMs);
  m = ASCTIME.exec(s);
  if (m) {
    if (!isWeekday(m[1])) return undefined;
    const off = m[8] === undefined ? undefined : zoneTokenMs(m[8]);
    if (m[8] !== undefined && off === undefined) return undefined;
    return assemble(+m[9], monthIndex(m[2]), +m[3], +m[4], +m[5], +m[6], fractionNs(m[7]), off, zone, nowMs);
  }
  m = SYSLOG.exec(s);
  if (m) {
    const off = m[8] === undefined ? undefined : zoneTokenMs(m[8]);
    if (m[8] !== undefined && off === undefined) return undefined;
    return assemble(m[3] ? +m[3] : -1, monthIndex(m[1]), +m[2], +m[4], +m[5], +m[6], fractionNs(m[7]), off, zone, nowMs);
  }
  return undefined;
}

function fromRfc2822(m: RegExpExecArray, zone: TimeZone, nowMs: number): bigint | undefined {
  if (m[1] !== undefined && !isWeekday(m[1])) return undefined;
  const month = monthIndex(m[3]);
  const year = m[4].length === 2 ? expandYear(+m[4]) : +m[4];
  const off = m[9] === undefined ? undefined : zoneTokenMs(m[9]);
  if (m[9] !== undefined && off === undefined) return undefined;
  return assemble(year, month, +m[2], +m[5], +m[6], m[7] ? +m[7] : 0, fractionNs(m[8]), off, zone, nowMs);
}

// ---------------------------------------------------------------------------------------------------------------
// Custom formats (strftime-like)

type Field = 'Y' | 'y' | 'm' | 'd' | 'H' | 'I' | 'M' | 'S' | 'f' | 'L' | 'p' | 'z' | 'Z' | 'b' | 'a' | 'j' | 's';

type FormatToken =
  | { kind: 'literal'; text: string }
  | { kind: 'space' }
  | { kind: 'field'; field: Field };

/** A compiled custom format; build once with compileTimeFormat, use with parseWithFormat. */
export interface TimeFormat {
  readonly source: string;
  readonly tokens: readonly FormatToken[];
}

const SHORTHANDS: Record<string, string> = { T: '%H:%M:%S', F: '%Y-%m-%d', D: '%m/%d/%y', R: '%H:%M', r: '%I:%M:%S %p', h: '%b', B: '%b', A: '%a', e: '%d', k: '%H', l: '%I', N: '%f' };
const FIELDS = new Set<string>(['Y', 'y', 'm', 'd', 'H', 'I', 'M', 'S', 'f', 'L', 'p', 'z', 'Z', 'b', 'a', 'j', 's']);

export class TimeFormatError extends Error {}

/**
 * Compiles a strftime-like format. Directives: %Y %y %m %d %e %j %H %k %I %l %p %M %S %f/%N (fraction, 1–9 digits)
 * %L (milliseconds) %s (epoch seconds) %z (±hh[:mm] or Z) %Z (zone name: UTC, GMT, US zones or IANA) %b %h %B
 * (month name) %a %A (weekday, checked and ignored) %T %F %D %R %r, %% and %n/%t. Whitespace matches any run of
 * whitespace, including none. Throws TimeFormatError naming an unknown directive.
 */
export function compileTimeFormat(format: string): TimeFormat {
  const tokens: FormatToken[] = [];
  const expand = (fmt: string): void => {
    let literal = '';
    const flush = (): void => {
      if (literal) tokens.push({ kind: 'literal', text: literal });
      literal = '';
    };
    for (let i = 0; i < fmt.length; i++) {
      const ch = fmt[i];
      if (ch === ' ' || ch === '\t') {
        flush();
        if (tokens[tokens.length - 1]?.kind !== 'space') tokens.push({ kind: 'space' });
        continue;
      }
      if (ch !== '%') {
        literal += ch;
        continue;
      }
      const d = fmt[++i];
      if (d === undefined) throw new TimeFormatError(`format ${JSON.stringify(format)} ends with a lone %`);
      if (d === '%') literal += '%';
      else if (d === 'n' || d === 't') {
        flush();
        if (tokens[tokens.length - 1]?.kind !== 'space') tokens.push({ kind: 'space' });
      } else if (SHORTHANDS[d] !== undefined) {
        flush();
        expand(SHORTHANDS[d]);
      } else if (FIELDS.has(d)) {
        flush();
        tokens.push({ kind: 'field', field: d as Field });
      } else {
        throw new TimeFormatError(`format ${JSON.stringify(format)} has an unknown directive %${d}`);
      }
    }
    flush();
  };
  expand(format);
  return { source: format, tokens };
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Reads up to `max` (at least `min`) ASCII digits at `pos`; returns the end or -1. */
function digitsEnd(s: string, pos: number, min: number, max: number): number {
  let i = pos;
  while (i < s.length && i - pos < max) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  return i - pos >= min ? i : -1;
}

function lettersEnd(s: string, pos: number): number {
  let i = pos;
  while (i < s.length) {
    const c = s.charCodeAt(i) | 0x20;
    if (c < 0x61 || c > 0x7a) break;
    i++;
  }
  return i;
}

/**
 * Parses `text` with a compiled format (the whole text must match, surrounding whitespace aside). Missing parts are
 * inferred: no year → the latest year not over a month ahead of `nowMs`; no date at all → the latest day that does
 * not put the time over an hour ahead; no zone → `zone`.
 */
export function parseWithFormat(text: string, format: TimeFormat, zone: TimeZone, nowMs: number): bigint | undefined {
  const s = text.trim();
  let pos = 0;
  let year = -1, month = -1, day = -1, hour = 0, minute = 0, second = 0, fracNs = 0, yday = -1;
  let pm = -1;
  let offsetMs: number | undefined;
  let tz = zone;
  let epochSeconds: bigint | undefined;
  let twelveHour = false;
  const tokens = format.tokens;
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t];
    if (tok.kind === 'space') {
      // as strptime: whitespace in the format matches any run of whitespace, including none
      while (pos < s.length && isSpace(s.charCodeAt(pos))) pos++;
      continue;
    }
    if (tok.kind === 'literal') {
      if (!s.startsWith(tok.text, pos)) return undefined;
      pos += tok.text.length;
      continue;
    }
    let end: number;
    switch (tok.field) {
      case 'Y':
        end = digitsEnd(s, pos, 4, 4);
        if (end < 0) return undefined;
        year = Number(s.slice(pos, end));
        break;
      case 'y':
        end = digitsEnd(s, pos, 2, 2);
        if (end < 0) return undefined;
        year = expandYear(Number(s.slice(pos, end)));
        break;
      case 'j':
        end = digitsEnd(s, pos, 1, 3);
        if (end < 0) return undefined;
        yday = Number(s.slice(pos, end));
        break;
      case 'm': case 'd': case 'H': case 'I': case 'M': case 'S': {
        while (pos < s.length && isSpace(s.charCodeAt(pos)) && tok.field === 'd') pos++;
        end = digitsEnd(s, pos, 1, 2);
        if (end < 0) return undefined;
        const n = Number(s.slice(pos, end));
        if (tok.field === 'm') month = n;
        else if (tok.field === 'd') day = n;
        else if (tok.field === 'H') hour = n;
        else if (tok.field === 'I') {
          hour = n;
          twelveHour = true;
        }
        else if (tok.field === 'M') minute = n;
        else second = n;
        break;
      }
      case 'f':
        end = digitsEnd(s, pos, 1, 64);
        if (end < 0) return undefined;
        fracNs = fractionNs(s.slice(pos, end));
        break;
      case 'L':
        end = digitsEnd(s, pos, 3, 3);
        if (end < 0) return undefined;
        fracNs = Number(s.slice(pos, end)) * 1_000_000;
        break;
      case 'p': {
        const ap = s.slice(pos, pos + 2).toUpperCase();
        if (ap !== 'AM' && ap !== 'PM') return undefined;
        pm = ap === 'PM' ? 1 : 0;
        end = pos + 2;
        break;
      }
      case 'z': {
        end = pos;
        if (s[end] === 'Z' || s[end] === 'z') end++;
        else {
          end = pos + 1;
          while (end < s.length && ((s.charCodeAt(end) >= 48 && s.charCodeAt(end) <= 57) || s[end] === ':')) end++;
        }
        offsetMs = parseOffsetMs(s, pos, end);
        if (offsetMs === undefined) return undefined;
        break;
      }
      case 'Z': {
        end = pos;
        while (end < s.length && !isSpace(s.charCodeAt(end))) end++;
        const name = s.slice(pos, end);
        const named = zoneTokenMs(name);
        if (named !== undefined) offsetMs = named;
        else {
          const resolved = name.includes('/') ? resolveTimeZone(name) : undefined;
          if (!resolved) return undefined;
          tz = resolved;
        }
        break;
      }
      case 'b': {
        end = lettersEnd(s, pos);
        month = monthIndex(s.slice(pos, end));
        if (month === 0) return undefined;
        break;
      }
      case 'a':
        end = lettersEnd(s, pos);
        if (!isWeekday(s.slice(pos, end))) return undefined;
        break;
      case 's': {
        // whole seconds; a fraction is its own directive (`%s.%f`)
        end = digitsEnd(s, s[pos] === '-' ? pos + 1 : pos, 1, 20);
        if (end < 0) return undefined;
        epochSeconds = BigInt(s.slice(pos, end));
        break;
      }
    }
    pos = end;
  }
  if (pos !== s.length) return undefined;
  if (epochSeconds !== undefined) return epochSeconds * 1_000_000_000n + BigInt(fracNs);
  if (twelveHour) {
    // %I: 1–12, AM unless %p says PM
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (pm === 1 ? 12 : 0);
  }
  if (yday > 0 && month < 0) {
    if (year < 0) year = new Date(nowMs).getUTCFullYear();
    const d = new Date(Date.UTC(year, 0, yday));
    if (d.getUTCFullYear() !== year) return undefined;
    month = d.getUTCMonth() + 1;
    day = d.getUTCDate();
  }
  if (month < 0 && day < 0 && year < 0) return inferDay(hour, minute, second, fracNs, offsetMs, tz, nowMs);
  return assemble(year, month < 0 ? 1 : month, day < 0 ? 1 : day, hour, minute, second, fracNs, offsetMs, tz, nowMs);
}

/** A time of day without a date (logback's default `HH:mm:ss.SSS`): the latest day not over an hour ahead. */
function inferDay(hour: number, minute: number, second: number, fracNs: number, offsetMs: number | undefined, zone: TimeZone, nowMs: number): bigint | undefined {
  const now = new Date(nowMs + DAY_MS);
  for (let back = 0; back < 4; back++) {
    const d = new Date(now.getTime() - back * DAY_MS);
    const ns = assemble(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), hour, minute, second, fracNs, offsetMs, zone, nowMs);
    if (ns === undefined) return undefined;
    if (ns <= BigInt(nowMs + DAY_SKEW_MS) * 1_000_000n) return ns;
  }
  return undefined;
}
