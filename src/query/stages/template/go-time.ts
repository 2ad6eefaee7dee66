// Go's reference-time layouts ("2006-01-02T15:04:05.999999999Z07:00") for the template functions `date`, `toDate`,
// `toDateInZone` and for printing a time.Time: formatting and parsing of the standard layout elements.
import type { TimeValue } from './values.ts';

const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

type Std =
  | 'January' | 'Jan' | '1' | '01' | 'Monday' | 'Mon' | '2' | '_2' | '02' | '__2' | '002'
  | '15' | '3' | '03' | '4' | '04' | '5' | '05' | '2006' | '06' | 'PM' | 'pm' | 'MST'
  | 'Z0700' | 'Z070000' | 'Z07' | 'Z07:00' | 'Z07:00:00'
  | '-0700' | '-070000' | '-07' | '-07:00' | '-07:00:00'
  | 'frac0' | 'frac9';

/** A layout element: literal text, or a standard element (fractions carry their digit count and separator). */
interface Chunk {
  literal?: string;
  std?: Std;
  digits?: number;
  sep?: string;
}

const cache = new Map<string, Chunk[]>();

function isDigitAt(s: string, i: number): boolean {
  return i < s.length && s[i]! >= '0' && s[i]! <= '9';
}

/** Splits a layout into elements, recognizing them the way Go's time package does. */
export function parseLayout(layout: string): Chunk[] {
  const hit = cache.get(layout);
  if (hit) return hit;
  const chunks: Chunk[] = [];
  let lit = '';
  const push = (c: Chunk): void => {
    if (lit.length > 0) chunks.push({ literal: lit });
    lit = '';
    chunks.push(c);
  };
  let i = 0;
  const at = (s: string): boolean => layout.startsWith(s, i);
  while (i < layout.length) {
    const c = layout[i]!;
    let std: Std | null = null;
    let len = 0;
    switch (c) {
      case 'J':
        if (at('January')) [std, len] = ['January', 7];
        else if (at('Jan')) [std, len] = ['Jan', 3];
        break;
      case 'M':
        if (at('Monday')) [std, len] = ['Monday', 6];
        else if (at('Mon')) [std, len] = ['Mon', 3];
        else if (at('MST')) [std, len] = ['MST', 3];
        break;
      case '0': {
        const n = layout[i + 1];
        if (n !== undefined && n >= '1' && n <= '6') [std, len] = [(['01', '02', '03', '04', '05', '06'] as Std[])[Number(n) - 1]!, 2];
        else if (at('002')) [std, len] = ['002', 3];
        break;
      }
      case '1':
        if (at('15')) [std, len] = ['15', 2];
        else [std, len] = ['1', 1];
        break;
      case '2':
        if (at('2006')) [std, len] = ['2006', 4];
        else [std, len] = ['2', 1];
        break;
      case '_':
        if (at('_2')) {
          if (at('_2006')) {
            lit += '_';
            i++;
            continue;
          }
          [std, len] = ['_2', 2];
        } else if (at('__2')) [std, len] = ['__2', 3];
        break;
      case '3': [std, len] = ['3', 1]; break;
      case '4': [std, len] = ['4', 1]; break;
      case '5': [std, len] = ['5', 1]; break;
      case 'P': if (at('PM')) [std, len] = ['PM', 2]; break;
      case 'p': if (at('pm')) [std, len] = ['pm', 2]; break;
      case '-':
        for (const s of ['-070000', '-07:00:00', '-0700', '-07:00', '-07'] as Std[]) {
          if (at(s)) {
            [std, len] = [s, s.length];
            break;
          }
        }
        break;
      case 'Z':
        for (const s of ['Z070000', 'Z07:00:00', 'Z0700', 'Z07:00', 'Z07'] as Std[]) {
          if (at(s)) {
            [std, len] = [s, s.length];
            break;
          }
        }
        break;
      case '.':
      case ',': {
        const d = layout[i + 1];
        if (d === '0' || d === '9') {
          let j = i + 1;
          while (j < layout.length && layout[j] === d) j++;
          if (!isDigitAt(layout, j)) {
            push({ std: d === '0' ? 'frac0' : 'frac9', digits: j - i - 1, sep: c });
            i = j;
            continue;
          }
        }
        break;
      }
    }
    if (std !== null) {
      push({ std });
      i += len;
    } else {
      lit += c;
      i++;
    }
  }
  if (lit.length > 0) chunks.push({ literal: lit });
  if (cache.size < 256) cache.set(layout, chunks);
  return chunks;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (any year). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z0: number): [number, number, number] {
  const z = z0 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [era * 400 + yoe + (m <= 2 ? 1 : 0), m, d];
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const pad = (n: number, w: number, ch = '0'): string => {
  const s = String(Math.abs(n));
  return (n < 0 ? '-' : '') + (s.length >= w ? s : ch.repeat(w - s.length) + s);
};

function formatOffset(off: number, std: Std): string {
  if (off === 0 && std.startsWith('Z')) return 'Z';
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  const hh = pad(Math.floor(a / 3600), 2);
  const mm = pad(Math.floor((a % 3600) / 60), 2);
  const ss = pad(a % 60, 2);
  switch (std) {
    case 'Z07': case '-07': return sign + hh;
    case 'Z0700': case '-0700': return sign + hh + mm;
    case 'Z07:00': case '-07:00': return sign + hh + ':' + mm;
    case 'Z070000': case '-070000': return sign + hh + mm + ss;
    default: return sign + hh + ':' + mm + ':' + ss;
  }
}

/** `time.Time.Format(layout)`. */
export function formatGoTime(t: TimeValue, layout: string): string {
  const secs = t.ns >= 0n ? t.ns / 1000000000n : -((-t.ns + 999999999n) / 1000000000n);
  const nanos = Number(t.ns - secs * 1000000000n);
  const local = Number(secs) + t.offsetSec;
  const days = Math.floor(local / 86400);
  const sod = local - days * 86400;
  const [year, month, day] = civilFromDays(days);
  const hour = Math.floor(sod / 3600);
  const minute = Math.floor((sod % 3600) / 60);
  const second = sod % 60;
  const weekday = (((days + 4) % 7) + 7) % 7;
  const yday = days - daysFromCivil(year, 1, 1) + 1;
  let out = '';
  for (const c of parseLayout(layout)) {
    if (c.literal !== undefined) {
      out += c.literal;
      continue;
    }
    switch (c.std!) {
      case 'January': out += LONG_MONTHS[month - 1]; break;
      case 'Jan': out += LONG_MONTHS[month - 1]!.slice(0, 3); break;
      case '1': out += month; break;
      case '01': out += pad(month, 2); break;
      case 'Monday': out += LONG_DAYS[weekday]; break;
      case 'Mon': out += LONG_DAYS[weekday]!.slice(0, 3); break;
      case '2': out += day; break;
      case '_2': out += pad(day, 2, ' '); break;
      case '02': out += pad(day, 2); break;
      case '__2': out += pad(yday, 3, ' '); break;
      case '002': out += pad(yday, 3); break;
      case '15': out += pad(hour, 2); break;
      case '3': out += hour % 12 === 0 ? 12 : hour % 12; break;
      case '03': out += pad(hour % 12 === 0 ? 12 : hour % 12, 2); break;
      case '4': out += minute; break;
      case '04': out += pad(minute, 2); break;
      case '5': out += second; break;
      case '05': out += pad(second, 2); break;
      case '2006': out += pad(year, 4); break;
      case '06': out += pad(((year % 100) + 100) % 100, 2); break;
      case 'PM': out += hour >= 12 ? 'PM' : 'AM'; break;
      case 'pm': out += hour >= 12 ? 'pm' : 'am'; break;
      case 'MST': out += t.zone.length > 0 ? t.zone : formatOffset(t.offsetSec, '-0700'); break;
      case 'frac0': out += c.sep + pad(nanos, 9).slice(0, c.digits); break;
      case 'frac9': {
        const frac = pad(nanos, 9).slice(0, c.digits).replace(/0+$/, '');
        if (frac.length > 0) out += c.sep + frac;
        break;
      }
      default: out += formatOffset(t.offsetSec, c.std!);
    }
  }
  return out;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** Offset of an IANA zone at an instant, through Intl (seconds east of UTC), with its short name. */
function zoneOffset(zone: string, ms: number): { offset: number; name: string } {
  let dtf = zoneFormats.get(zone);
  if (dtf === undefined) {
    dtf = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
      timeZoneName: 'short',
    });
    if (zoneFormats.size < 64) zoneFormats.set(zone, dtf);
  }
  const parts = dtf.formatToParts(new Date(ms));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? zone;
  return { offset: Math.round((wall - Math.floor(ms / 1000) * 1000) / 1000), name };
}

/** True for the zones parsing accepts: UTC / Local (both UTC in Sightline) or an IANA name Intl knows. */
export function isKnownZone(zone: string): boolean {
  if (zone === 'UTC' || zone === 'Local' || zone === '') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export type ParseTimeResult = { ok: true; time: TimeValue } | { ok: false; error: string };

function lookupName(value: string, names: string[], len: number | null): [number, number] | null {
  for (let k = 0; k < names.length; k++) {
    const name = len === null ? names[k]! : names[k]!.slice(0, len);
    if (value.length >= name.length && value.slice(0, name.length).toLowerCase() === name.toLowerCase()) return [k, name.length];
  }
  return null;
}

/**
 * `time.ParseInLocation(layout, value, zone)`: elements missing from the layout default to zero (year 0, January 1).
 * `zone` is 'UTC' or an IANA name; an offset in the value itself takes precedence.
 */
export function parseGoTime(layout: string, value: string, zone: string): ParseTimeResult {
  const bad = (why: string): ParseTimeResult => ({
    ok: false,
    error: `parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: ${why}`,
  });
  let year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, nanos = 0, yday = -1;
  let pm: boolean | null = null;
  let offset: number | null = null;
  let zoneName = '';
  let v = value;
  const num = (min: number, max: number): number | null => {
    let j = 0;
    while (j < max && j < v.length && v[j]! >= '0' && v[j]! <= '9') j++;
    if (j < min) return null;
    const n = Number(v.slice(0, j));
    v = v.slice(j);
    return n;
  };
  const chunks = parseLayout(layout);
  for (let ci = 0; ci < chunks.length; ci++) {
    const c = chunks[ci]!;
    if (c.literal !== undefined) {
      if (!v.startsWith(c.literal)) return bad(`cannot parse ${JSON.stringify(v)} as ${JSON.stringify(c.literal)}`);
      v = v.slice(c.literal.length);
      continue;
    }
    const std = c.std!;
    let n: number | null = 0;
    switch (std) {
      case '2006': n = num(4, 4); if (n !== null) year = n; break;
      case '06': n = num(2, 2); if (n !== null) year = n >= 69 ? 1900 + n : 2000 + n; break;
      case 'January': case 'Jan': {
        const hit = lookupName(v, LONG_MONTHS, std === 'Jan' ? 3 : null);
        if (hit === null) return bad('month name');
        month = hit[0] + 1;
        v = v.slice(hit[1]);
        break;
      }
      case 'Monday': case 'Mon': {
        const hit = lookupName(v, LONG_DAYS, std === 'Mon' ? 3 : null);
        if (hit === null) return bad('day name');
        v = v.slice(hit[1]);
        break;
      }
      case '1': case '01': n = num(std === '01' ? 2 : 1, 2); if (n !== null) { if (n < 1 || n > 12) return bad('month out of range'); month = n; } break;
      case '2': case '02': n = num(std === '02' ? 2 : 1, 2); if (n !== null) day = n; break;
      case '_2': if (v.startsWith(' ')) v = v.slice(1); n = num(1, 2); if (n !== null) day = n; break;
      case '__2': while (v.startsWith(' ')) v = v.slice(1); n = num(1, 3); if (n !== null) yday = n; break;
      case '002': n = num(3, 3); if (n !== null) yday = n; break;
      case '15': n = num(1, 2); if (n !== null) { if (n > 23) return bad('hour out of range'); hour = n; } break;
      case '3': case '03': n = num(std === '03' ? 2 : 1, 2); if (n !== null) { if (n > 12) return bad('hour out of range'); hour = n; } break;
      case '4': case '04': n = num(std === '04' ? 2 : 1, 2); if (n !== null) { if (n > 59) return bad('minute out of range'); minute = n; } break;
      case '5': case '05': {
        n = num(std === '05' ? 2 : 1, 2);
        if (n !== null) {
          if (n > 59) return bad('second out of range');
          second = n;
          // Go accepts a fractional second after the seconds even when the layout has none.
          const next = chunks[ci + 1];
          if ((v[0] === '.' || v[0] === ',') && isDigitAt(v, 1) && !(next && (next.std === 'frac0' || next.std === 'frac9'))) {
            v = v.slice(1);
            const start = v;
            const d = num(1, 100);
            if (d !== null) nanos = Number((start.slice(0, start.length - v.length) + '000000000').slice(0, 9));
          }
        }
        break;
      }
      case 'PM': case 'pm': {
        const ap = v.slice(0, 2).toUpperCase();
        if (ap !== 'AM' && ap !== 'PM') return bad('AM/PM');
        pm = ap === 'PM';
        v = v.slice(2);
        break;
      }
      case 'frac0': case 'frac9': {
        if (v[0] !== '.' && v[0] !== ',') {
          if (std === 'frac9') break;
          return bad('fractional second');
        }
        const digitsWanted = std === 'frac0' ? c.digits! : 100;
        let j = 1;
        while (j - 1 < digitsWanted && isDigitAt(v, j)) j++;
        if (std === 'frac0' && j - 1 !== c.digits) return bad('fractional second');
        nanos = Number((v.slice(1, j) + '000000000').slice(0, 9));
        v = v.slice(j);
        break;
      }
      case 'MST': {
        const m = /^(UTC|GMT|[A-Z]{3,5})([+-]\d{1,2})?/.exec(v);
        if (m === null) return bad('time zone');
        zoneName = m[0];
        if (m[1] === 'UTC' || m[1] === 'GMT') offset = m[2] ? Number(m[2]) * 3600 : 0;
        v = v.slice(m[0].length);
        break;
      }
      default: {
        if (std.startsWith('Z') && v[0] === 'Z') {
          offset = 0;
          zoneName = 'UTC';
          v = v.slice(1);
          break;
        }
        const colon = std.includes(':');
        const m = colon ? /^([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?/.exec(v) : /^([+-])(\d\d)(\d\d)?(\d\d)?/.exec(v);
        if (m === null) return bad('time zone offset');
        const wantsMin = std.length > 3;
        const wantsSec = std.endsWith('0000') || std.endsWith(':00:00');
        if ((wantsMin && m[3] === undefined) || (wantsSec && m[4] === undefined)) return bad('time zone offset');
        const len = 3 + (wantsMin ? (colon ? 3 : 2) : 0) + (wantsSec ? (colon ? 3 : 2) : 0);
        const secs = Number(m[2]) * 3600 + (wantsMin ? Number(m[3]) * 60 : 0) + (wantsSec ? Number(m[4]) : 0);
        offset = m[1] === '-' ? -secs : secs;
        v = v.slice(len);
        break;
      }
    }
    if (n === null) return bad(`cannot parse ${JSON.stringify(v)} as ${JSON.stringify(std)}`);
  }
  if (v.length > 0) return bad(`extra text: ${JSON.stringify(v)}`);
  if (pm !== null) {
    if (pm && hour < 12) hour += 12;
    else if (!pm && hour === 12) hour = 0;
  }
  if (yday >= 0) {
    const max = isLeap(year) ? 366 : 365;
    if (yday < 1 || yday > max) return bad('day-of-year out of range');
    const [, m, d] = civilFromDays(daysFromCivil(year, 1, 1) + yday - 1);
    month = m;
    day = d;
  }
  const monthDays = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  if (day < 1 || day > monthDays) return bad('day out of range');
  const wallSecs = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  let off = offset;
  let name = zoneName;
  if (off === null) {
    if (zone === 'UTC' || zone === 'Local' || zone === '') {
      off = 0;
      name = 'UTC';
    } else {
      let z = zoneOffset(zone, (wallSecs) * 1000);
      z = zoneOffset(zone, (wallSecs - z.offset) * 1000);
      off = z.offset;
      name = z.name;
    }
  } else if (name === '' || name === 'UTC') {
    name = off === 0 ? 'UTC' : '';
  }
  const ns = BigInt(wallSecs - off) * 1000000000n + BigInt(nanos);
  return { ok: true, time: { kind: 'time', ns, offsetSec: off, zone: name } };
}

/** Go's zero time.Time (January 1, year 1, UTC), which sprig's toDate returns when parsing fails. */
export const ZERO_TIME: TimeValue = { kind: 'time', ns: BigInt(daysFromCivil(1, 1, 1)) * 86400n * 1000000000n, offsetSec: 0, zone: 'UTC' };
