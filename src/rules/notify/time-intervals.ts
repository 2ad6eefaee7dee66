// Alertmanager's named time intervals (`time_intervals:` and the older `mute_time_intervals:` of the alerting config):
// parsed from config (errors `file:line: path: why`) and matched against an instant. A named interval holds a list of
// specs and matches when any spec does; a spec matches when every field it sets does (times, weekdays, days_of_month,
// months, years), in its `location` (IANA time zone, default UTC). Semantics per Alertmanager's configuration docs.

import type { ConfigNode } from '../../config/config-node.ts';

/** An inclusive range of integers; times are minutes of the day with an exclusive end. */
interface Range {
  start: number;
  end: number;
}

export interface TimeIntervalSpec {
  /** minutes since midnight, start inclusive, end exclusive */
  times?: Range[];
  /** 0 = Sunday … 6 = Saturday, inclusive */
  weekdays?: Range[];
  /** 1..31 or -31..-1 (from the end of the month), inclusive, clamped to the month */
  daysOfMonth?: Range[];
  /** 1 = January … 12, inclusive */
  months?: Range[];
  years?: Range[];
  /** IANA zone name; undefined = UTC; 'Local' = the server's zone */
  location?: string;
}

export interface TimeInterval {
  name: string;
  specs: TimeIntervalSpec[];
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** `a:b` or `a`, each end read by `one` (which returns undefined for a bad value). */
function parseRange(node: ConfigNode, what: string, one: (s: string) => number | undefined): Range {
  const text = node.string().trim();
  const parts = text.split(':');
  if (parts.length > 2) node.fail(`expected a ${what} or a range ${what}:${what}, got ${JSON.stringify(text)}`);
  const start = one(parts[0].trim());
  const end = parts.length === 2 ? one(parts[1].trim()) : start;
  if (start === undefined || end === undefined) node.fail(`expected a ${what} or a range ${what}:${what}, got ${JSON.stringify(text)}`);
  return { start, end };
}

function nameOrNumber(names: string[], min: number, max: number): (s: string) => number | undefined {
  return (s) => {
    const i = names.indexOf(s.toLowerCase());
    if (i >= 0) return i + min;
    if (/^\d+$/.test(s) && names.length === 12) {
      const n = Number(s);
      return n >= min && n <= max ? n : undefined;
    }
    return undefined;
  };
}

function rangeList(node: ConfigNode, what: string, one: (s: string) => number | undefined, check: (r: Range, item: ConfigNode) => void): Range[] | undefined {
  if (!node.exists) return undefined;
  if (!node.isList) node.fail(`expected a list of ${what}s or ranges`);
  return node.items().map((item) => {
    const r = parseRange(item, what, one);
    check(r, item);
    return r;
  });
}

const ascending = (r: Range, item: ConfigNode) => {
  if (r.start > r.end) item.fail(`the start of the range ${JSON.stringify(item.string())} is after its end`);
};

function clockMinutes(node: ConfigNode, allow24: boolean): number {
  const text = node.string();
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!m || Number(m[2]) > 59 || minutes > (allow24 ? 1440 : 1439)) node.fail(`expected a time of day HH:MM from 00:00 to ${allow24 ? '24:00' : '23:59'}, got ${JSON.stringify(text)}`);
  return minutes;
}

/** Throws when the zone is unknown to this runtime's time zone database. */
function zoneFormatter(location: string | undefined): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-US', {
    timeZone: location === 'Local' ? undefined : location ?? 'UTC',
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    weekday: 'short',
    hour: 'numeric',
    minute: 'numeric',
  });
}

function parseSpec(node: ConfigNode): TimeIntervalSpec {
  node.onlyKeys(['times', 'weekdays', 'days_of_month', 'months', 'years', 'location']);
  const spec: TimeIntervalSpec = {};
  const times = node.get('times');
  if (times.exists) {
    spec.times = times.items().map((t) => {
      t.onlyKeys(['start_time', 'end_time']);
      const r = { start: clockMinutes(t.get('start_time'), false), end: clockMinutes(t.get('end_time'), true) };
      if (r.start >= r.end) t.fail('start_time must be before end_time (a range ending at midnight ends at 24:00)');
      return r;
    });
  }
  spec.weekdays = rangeList(node.get('weekdays'), 'weekday', nameOrNumber(WEEKDAYS, 0, 6), ascending);
  spec.daysOfMonth = rangeList(
    node.get('days_of_month'),
    'day of month',
    (s) => (/^-?\d+$/.test(s) && Number(s) !== 0 && Math.abs(Number(s)) <= 31 ? Number(s) : undefined),
    (r, item) => {
      // mixed signs (`1:-1`, the whole month) can only be compared within a month; same signs must ascend
      if (Math.sign(r.start) === Math.sign(r.end) && r.start > r.end) ascending(r, item);
      if (r.start < 0 && r.end > 0) item.fail(`a range from a day counted from the end to a day counted from the start (${JSON.stringify(item.string())}) is not supported`);
    },
  );
  spec.months = rangeList(node.get('months'), 'month', nameOrNumber(MONTHS, 1, 12), ascending);
  spec.years = rangeList(node.get('years'), 'year', (s) => (/^\d{4}$/.test(s) ? Number(s) : undefined), ascending);
  const loc = node.get('location');
  if (loc.exists) {
    const name = loc.string();
    try {
      zoneFormatter(name);
    } catch {
      loc.fail(`unknown time zone ${JSON.stringify(name)} (expected an IANA name such as Europe/Berlin, UTC or Local)`);
    }
    spec.location = name;
  }
  return spec;
}

/** The entries of `time_intervals:` or `mute_time_intervals:`: `[{name, time_intervals: [spec...]}]`. */
export function parseTimeIntervals(node: ConfigNode, into: Map<string, TimeInterval>): void {
  if (!node.exists) return;
  for (const item of node.items()) {
    item.onlyKeys(['name', 'time_intervals']);
    const name = item.get('name').string();
    if (into.has(name)) item.get('name').fail(`time interval ${JSON.stringify(name)} is defined twice`);
    const specs = item.get('time_intervals');
    // an empty list matches nothing; a spec with no fields matches every instant (as in Alertmanager)
    into.set(name, { name, specs: specs.exists ? specs.items().map(parseSpec) : [] });
  }
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  weekday: number;
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const SHORT_DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function localTime(ms: number, location: string | undefined): LocalTime {
  const key = location ?? 'UTC';
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = zoneFormatter(location)));
  const t: LocalTime = { year: 0, month: 0, day: 0, weekday: 0, minutes: 0 };
  for (const p of f.formatToParts(ms)) {
    switch (p.type) {
      case 'year': t.year = Number(p.value); break;
      case 'month': t.month = Number(p.value); break;
      case 'day': t.day = Number(p.value); break;
      case 'weekday': t.weekday = SHORT_DAYS.indexOf(p.value); break;
      case 'hour': t.minutes += Number(p.value) * 60; break;
      case 'minute': t.minutes += Number(p.value); break;
    }
  }
  return t;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const inRanges = (ranges: Range[], v: number) => ranges.some((r) => v >= r.start && v <= r.end);

/** Whether the instant falls in the spec (each field set must match; within a field, any range). */
export function specContains(spec: TimeIntervalSpec, ms: number): boolean {
  const t = localTime(ms, spec.location);
  if (spec.times && !spec.times.some((r) => t.minutes >= r.start && t.minutes < r.end)) return false;
  if (spec.weekdays && !inRanges(spec.weekdays, t.weekday)) return false;
  if (spec.months && !inRanges(spec.months, t.month)) return false;
  if (spec.years && !inRanges(spec.years, t.year)) return false;
  if (spec.daysOfMonth) {
    const dim = daysInMonth(t.year, t.month);
    const hit = spec.daysOfMonth.some((r) => {
      const start = r.start < 0 ? dim + r.start + 1 : r.start;
      const end = r.end < 0 ? dim + r.end + 1 : r.end;
      // a range starting past this month's last day is not in this month; one running past it is clamped to it
      if (start > dim) return false;
      return t.day >= Math.max(1, start) && t.day <= Math.min(dim, end);
    });
    if (!hit) return false;
  }
  return true;
}

/** Whether the instant falls in the named interval (any of its specs). */
export function intervalContains(interval: TimeInterval, ms: number): boolean {
  return interval.specs.some((s) => specContains(s, ms));
}
