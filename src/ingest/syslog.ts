// Syslog messages: the bytes of one message (RFC 5424 §6, or RFC 3164 §4 with the variants real senders emit) parsed
// into fields, and the batch builder that maps them onto records (labels service/host/level/facility, the rest
// structured metadata, the line = MSG). Pure: framing and sockets live in syslog-framing.ts and the listener.

import { isUtf8 } from 'node:buffer';
import { labelsToString, type Labels, type Metadata, type StreamEntries } from '../model/record.ts';
import type { AdapterResult } from './adapter.ts';
import { checkEntry, checkLabels, nsToIso, timestampWindow, type IngestLimits } from './limits.ts';
import { sanitizeAttributeName } from './otlp-logs.ts';

/** Facility names by code (RFC 5424 §6.2.1 Table 1; the short names rsyslog and logger use). */
export const FACILITY_NAMES: readonly string[] = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'audit', 'alert', 'clock',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
];

/** Severity names by code (RFC 5424 §6.2.1 Table 2). */
export const SEVERITY_NAMES: readonly string[] = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

/**
 * The `level` label by severity code: OpenTelemetry's syslog mapping (Logs Data Model, Appendix B: Emergency → FATAL,
 * Alert → ERROR3, Critical → ERROR2, Error → ERROR, Warning → WARN, Notice → INFO2, Informational → INFO, Debug →
 * DEBUG) shortened to the names used across Sightline. The exact code stays in the `severity` metadata.
 */
export const SEVERITY_LEVELS: readonly string[] = ['fatal', 'error', 'error', 'error', 'warn', 'info', 'info', 'debug'];

/** RFC 3164 §4.3.3: a message without a valid PRI is given facility user (1), severity notice (5). */
const DEFAULT_FACILITY = 1;
const DEFAULT_SEVERITY = 5;

/** A place in the message (byte offset from its first byte) and what went wrong there. */
export interface SyslogProblem {
  offset: number;
  message: string;
}

export interface SyslogMessage {
  format: 'rfc5424' | 'rfc3164';
  facility: number;
  severity: number;
  /** nanoseconds since the epoch; undefined when the message carries none */
  tsNs: bigint | undefined;
  hostname: string | undefined;
  appName: string | undefined;
  procId: string | undefined;
  msgId: string | undefined;
  /** RFC 5424 SD-PARAMs as `<sd-id>_<param>` (sanitized like every metadata key), Cisco's sequence number */
  metadata: Metadata;
  msg: string;
  /** bytes that were not UTF-8 were replaced by U+FFFD (in MSG or a PARAM-VALUE) */
  utf8Replaced: boolean;
  /** part of the message broke its grammar; the unparsed rest (from the field that failed) is kept in `msg` */
  problem: SyslogProblem | undefined;
}

/** Input that is not a syslog message at all (nothing is stored). */
export interface SyslogRejection {
  rejected: SyslogProblem;
}

const SP = 0x20;
const NIL = 0x2d; // '-'

/** Parses one message (without its transport framing); trailing LF, CR and NUL are ignored. */
export function parseSyslog(buf: Buffer, nowMs: number): SyslogMessage | SyslogRejection {
  let end = buf.length;
  while (end > 0 && (buf[end - 1] === 0x0a || buf[end - 1] === 0x0d || buf[end - 1] === 0)) end--;
  if (end === 0) return { rejected: { offset: 0, message: 'empty message' } };
  // PRI = "<" PRIVAL ">", PRIVAL = 1*3DIGIT, 0..191 (RFC 5424 §6.2.1)
  let pos = 0;
  let pri = -1;
  if (buf[0] === 0x3c) {
    let v = 0;
    let i = 1;
    while (i < end && i <= 3 && isDigit(buf[i])) v = v * 10 + buf[i++] - 0x30;
    if (i > 1 && i < end && buf[i] === 0x3e && v <= 191) {
      pri = v;
      pos = i + 1;
    }
  }
  if (pri < 0) {
    // RFC 3164 §4.3.3 takes anything without a PRI as the content of a user.notice message; binary noise (a
    // stray protocol, a port scan) is refused instead of being stored as text
    const bad = firstNonText(buf, 0, end);
    if (bad >= 0) {
      return { rejected: { offset: bad, message: `not a syslog message: no <PRI> and byte 0x${buf[bad].toString(16).padStart(2, '0')} is not text` } };
    }
  }
  const facility = pri < 0 ? DEFAULT_FACILITY : pri >> 3;
  const severity = pri < 0 ? DEFAULT_SEVERITY : pri & 7;
  // RFC 5424 §6.2.2: VERSION "1" then SP; any other start is the BSD format
  if (pri >= 0 && end > pos + 1 && buf[pos] === 0x31 && buf[pos + 1] === SP) return parse5424(buf, pos + 2, end, facility, severity);
  return parse3164(buf, pos, end, facility, severity, nowMs);
}

function newMessage(format: SyslogMessage['format'], facility: number, severity: number): SyslogMessage {
  return { format, facility, severity, tsNs: undefined, hostname: undefined, appName: undefined, procId: undefined, msgId: undefined, metadata: {}, msg: '', utf8Replaced: false, problem: undefined };
}

// ---- RFC 5424 -------------------------------------------------------------------------------------------------

/** HEADER fields after TIMESTAMP with their maximum lengths (RFC 5424 §6). */
const HEADER_FIELDS = [
  { name: 'HOSTNAME', max: 255 },
  { name: 'APP-NAME', max: 48 },
  { name: 'PROCID', max: 128 },
  { name: 'MSGID', max: 32 },
] as const;

/** SYSLOG-MSG = HEADER SP STRUCTURED-DATA [SP MSG], from just after "1 ". */
function parse5424(buf: Buffer, pos: number, end: number, facility: number, severity: number): SyslogMessage {
  const m = newMessage('rfc5424', facility, severity);
  // TIMESTAMP = NILVALUE / FULL-DATE "T" FULL-TIME (§6.2.3)
  if (buf[pos] === NIL && (pos + 1 === end || buf[pos + 1] === SP)) {
    pos += 1;
  } else {
    const t = parseRfc3339(buf, pos, end, true);
    if (typeof t === 'string') return give5424Up(m, buf, pos, end, pos, `TIMESTAMP: ${t}`);
    if (t.error !== undefined) return give5424Up(m, buf, pos, end, t.next, `TIMESTAMP: ${t.error}`);
    m.tsNs = t.ns;
    pos = t.next;
  }
  for (let f = 0; f < HEADER_FIELDS.length; f++) {
    const field = HEADER_FIELDS[f];
    if (pos >= end || buf[pos] !== SP) return give5424Up(m, buf, pos, end, pos, `expected SP before ${field.name}`);
    pos++;
    let i = pos;
    while (i < end && buf[i] !== SP) {
      // PRINTUSASCII = %d33-126
      if (buf[i] < 33 || buf[i] > 126) return give5424Up(m, buf, pos, end, i, `${field.name}: byte 0x${buf[i].toString(16).padStart(2, '0')} is not printable US-ASCII`);
      i++;
    }
    if (i === pos) return give5424Up(m, buf, pos, end, pos, `${field.name} is empty (use "-" for none)`);
    if (i - pos > field.max) return give5424Up(m, buf, pos, end, pos, `${field.name} is ${i - pos} characters, more than ${field.max}`);
    if (!(i - pos === 1 && buf[pos] === NIL)) {
      const text = ascii(buf, pos, i);
      if (f === 0) m.hostname = text;
      else if (f === 1) m.appName = text;
      else if (f === 2) m.procId = text;
      else m.msgId = text;
    }
    pos = i;
  }
  if (pos >= end || buf[pos] !== SP) return give5424Up(m, buf, pos, end, pos, 'expected SP before STRUCTURED-DATA');
  pos++;
  // STRUCTURED-DATA = NILVALUE / 1*SD-ELEMENT (§6.3)
  if (pos < end && buf[pos] === NIL) {
    pos++;
  } else if (pos < end && buf[pos] === 0x5b) {
    const sdStart = pos;
    const r = parseStructuredData(buf, pos, end, m);
    if (typeof r !== 'number') {
      // keep the HEADER; the line is the raw STRUCTURED-DATA and MSG
      return give5424Up(m, buf, sdStart, end, r.offset, `STRUCTURED-DATA: ${r.message}`);
    }
    pos = r;
  } else {
    return give5424Up(m, buf, pos, end, pos, 'STRUCTURED-DATA: expected "-" or "["');
  }
  // [SP MSG]; a sender that leaves out the SP still meant the rest as MSG
  if (pos < end && buf[pos] === SP) pos++;
  setMsg(m, buf, pos, end);
  return m;
}

/** The message broke the grammar at `at`: the fields parsed so far stay, the raw rest from `from` becomes MSG. */
function give5424Up(m: SyslogMessage, buf: Buffer, from: number, end: number, at: number, what: string): SyslogMessage {
  m.problem = { offset: at, message: `RFC 5424 ${what} at byte ${at}` };
  setMsg(m, buf, from, end);
  return m;
}

/** SD-ELEMENTs from `pos` (at "["); returns the position after the last "]" or the problem. */
function parseStructuredData(buf: Buffer, pos: number, end: number, m: SyslogMessage): number | SyslogProblem {
  const params = new Map<string, string[]>();
  while (pos < end && buf[pos] === 0x5b) {
    // SD-ELEMENT = "[" SD-ID *(SP SD-PARAM) "]"
    pos++;
    const idEnd = sdNameEnd(buf, pos, end);
    if (idEnd === pos) return { offset: pos, message: 'expected an SD-ID' };
    const sdId = ascii(buf, pos, idEnd);
    pos = idEnd;
    while (pos < end && buf[pos] === SP) {
      pos++;
      // SD-PARAM = PARAM-NAME "=" %d34 PARAM-VALUE %d34
      const nameEnd = sdNameEnd(buf, pos, end);
      if (nameEnd === pos) return { offset: pos, message: `expected a PARAM-NAME in [${sdId}]` };
      const name = ascii(buf, pos, nameEnd);
      pos = nameEnd;
      if (pos >= end || buf[pos] !== 0x3d) return { offset: pos, message: `expected "=" after ${name} in [${sdId}]` };
      pos++;
      if (pos >= end || buf[pos] !== 0x22) return { offset: pos, message: `expected '"' to open the value of ${name} in [${sdId}]` };
      const valueStart = ++pos;
      // PARAM-VALUE: '"', '\' and ']' are escaped with '\'; a '\' before anything else is itself (§6.3.3)
      let escaped = false;
      while (pos < end && buf[pos] !== 0x22) {
        if (buf[pos] === 0x5c && pos + 1 < end && (buf[pos + 1] === 0x22 || buf[pos + 1] === 0x5c || buf[pos + 1] === 0x5d)) {
          escaped = true;
          pos++;
        }
        pos++;
      }
      if (pos >= end) return { offset: valueStart - 1, message: `the value of ${name} in [${sdId}] has no closing '"'` };
      const value = escaped ? unescapeParamValue(buf, valueStart, pos, m) : decodeUtf8(buf, valueStart, pos, m);
      const key = sanitizeAttributeName(sdId + '.' + name);
      const values = params.get(key);
      if (values) values.push(value);
      else params.set(key, [value]);
      pos++;
    }
    if (pos >= end || buf[pos] !== 0x5d) return { offset: pos, message: `expected SP or "]" in [${sdId}]` };
    pos++;
  }
  // the same SD-PARAM may repeat (§6.3.3): its values then become a JSON array, as multi-valued fields do elsewhere
  for (const [key, values] of params) m.metadata[key] = values.length === 1 ? values[0] : JSON.stringify(values);
  return pos;
}

/** End of an SD-NAME: 1*32 PRINTUSASCII except '=', SP, ']', '"' (the length is not enforced). */
function sdNameEnd(buf: Buffer, pos: number, end: number): number {
  while (pos < end) {
    const b = buf[pos];
    if (b <= 32 || b > 126 || b === 0x3d || b === 0x5d || b === 0x22) break;
    pos++;
  }
  return pos;
}

function unescapeParamValue(buf: Buffer, start: number, end: number, m: SyslogMessage): string {
  let out = '';
  let from = start;
  for (let i = start; i < end; i++) {
    if (buf[i] === 0x5c && i + 1 < end && (buf[i + 1] === 0x22 || buf[i + 1] === 0x5c || buf[i + 1] === 0x5d)) {
      // escapes are ASCII, so the cuts never split a UTF-8 sequence
      out += decodeUtf8(buf, from, i, m);
      from = i + 1;
      i++;
    }
  }
  return out + decodeUtf8(buf, from, end, m);
}

// ---- RFC 3164 and its variants ------------------------------------------------------------------------------------

/**
 * RFC 3164 §4.1.2-4.1.3: [TIMESTAMP SP HOSTNAME SP] [TAG["["pid"]"]":" SP] CONTENT, plus: an ISO 8601 timestamp
 * (rsyslog's forwarding format), no hostname (messages from /dev/log), a year, milliseconds and a zone (Cisco,
 * ASA), Cisco's sequence number and `%FAC-SEV-MNEMONIC:` tags, and no header at all.
 */
function parse3164(buf: Buffer, pos: number, end: number, facility: number, severity: number, nowMs: number): SyslogMessage {
  const m = newMessage('rfc3164', facility, severity);
  let headerSeen = false;
  // Cisco IOS: a sequence number ("000123: "), then an optional origin hostname ("router1: ") before the time
  let i = pos;
  while (i < end && i - pos < 10 && isDigit(buf[i])) i++;
  if (i > pos && i + 1 < end && buf[i] === 0x3a && buf[i + 1] === SP) {
    m.metadata.sequence = ascii(buf, pos, i);
    pos = i + 2;
    headerSeen = true;
    const t = tokenEnd(buf, pos, end);
    if (t > pos + 1 && t < end && buf[t - 1] === 0x3a && startsTimestamp(buf, t + 1, end) && isHostname(buf, pos, t - 1)) {
      m.hostname = ascii(buf, pos, t - 1);
      pos = t + 1;
    }
  }
  // Cisco marks a clock that is not authoritative with '*' (never set) or '.' (lost sync)
  if (pos + 1 < end && (buf[pos] === 0x2a || buf[pos] === 0x2e) && isLetter(buf[pos + 1])) pos++;
  const ts = parse3164Timestamp(buf, pos, end, nowMs);
  if (ts !== undefined) {
    m.tsNs = ts.ns;
    pos = ts.next;
    headerSeen = true;
    if (pos < end && buf[pos] === 0x3a) pos++;
    while (pos < end && buf[pos] === SP) pos++;
  }
  // HOSTNAME, unless the next word is already the TAG (no hostname: local messages, many appliances)
  if (headerSeen && m.hostname === undefined) {
    const t = tokenEnd(buf, pos, end);
    if (t < end && !isTag(buf, pos, t) && isHostname(buf, pos, t)) {
      m.hostname = ascii(buf, pos, t);
      pos = t;
      while (pos < end && buf[pos] === SP) pos++;
      // Cisco ASA with `logging device-id`: "fw01 : %ASA-6-302013: …"
      if (pos + 1 < end && buf[pos] === 0x3a && buf[pos + 1] === SP) pos += 2;
    }
  }
  // TAG: "name:", "name[pid]:", or "name[pid]" (some BSD senders leave out the colon after the pid); macOS
  // process names may hold spaces ("Microsoft Word[1234]:"), recognized only with a numeric pid
  let t = tokenEnd(buf, pos, end);
  if (!isTag(buf, pos, t)) t = spacedTagEnd(buf, pos, end);
  if (t > pos) {
    const open = buf.subarray(pos, t).indexOf(0x5b);
    const nameEnd = open >= 0 ? pos + open : buf[t - 1] === 0x3a ? t - 1 : t;
    const name = ascii(buf, pos, nameEnd);
    if (nameEnd < t && buf[nameEnd] === 0x5b) {
      const close = buf.indexOf(0x5d, nameEnd);
      if (close > nameEnd + 1) m.procId = ascii(buf, nameEnd + 1, close);
    }
    const cisco = name.charCodeAt(0) === 0x25 ? CISCO_MNEMONIC.exec(name) : null;
    if (cisco) {
      m.appName = cisco[1];
      m.msgId = name.slice(1);
    } else {
      m.appName = name;
    }
    pos = t;
    if (pos < end && buf[pos] === SP) pos++;
  }
  setMsg(m, buf, pos, end);
  return m;
}

/** Cisco's message tag `%FACILITY-SEVERITY-MNEMONIC` (IOS, NX-OS, ASA). */
const CISCO_MNEMONIC = /^%([A-Z0-9_]+)-(?:[0-7])-[A-Z0-9_]+$/;

/** End of the word at `pos` (the next SP or the end). */
function tokenEnd(buf: Buffer, pos: number, end: number): number {
  const sp = buf.indexOf(SP, pos);
  return sp < 0 || sp > end ? end : sp;
}

/**
 * Whether buf[pos, t) is a TAG: 1-48 printable characters other than "[", "]", ":", an optional "[pid]", then ":"
 * (or the "]" of the pid) as the word's last character.
 */
function isTag(buf: Buffer, pos: number, t: number): boolean {
  let i = pos;
  while (i < t && buf[i] > 32 && buf[i] < 127 && buf[i] !== 0x5b && buf[i] !== 0x5d && buf[i] !== 0x3a) i++;
  if (i === pos || i - pos > 48) return false;
  if (i < t && buf[i] === 0x5b) {
    const close = i + 1 + (buf.subarray(i + 1, t).indexOf(0x5d));
    if (close <= i + 1 || close - i - 1 > 128) return false;
    i = close + 1;
    return i === t || (i === t - 1 && buf[i] === 0x3a);
  }
  return i === t - 1 && buf[i] === 0x3a;
}

/** End of a TAG with spaces, "words[digits]:", within 48 bytes; else `pos`. */
function spacedTagEnd(buf: Buffer, pos: number, end: number): number {
  const limit = Math.min(end, pos + 48);
  let i = pos;
  while (i < limit && buf[i] >= 32 && buf[i] < 127 && buf[i] !== 0x5b && buf[i] !== 0x5d && buf[i] !== 0x3a) i++;
  if (i === pos || i >= limit || buf[i] !== 0x5b || buf[pos] === SP || buf[i - 1] === SP) return pos;
  let j = i + 1;
  while (j < end && isDigit(buf[j])) j++;
  if (j === i + 1 || j + 1 >= end || buf[j] !== 0x5d || buf[j + 1] !== 0x3a || (j + 2 < end && buf[j + 2] !== SP)) return pos;
  return j + 2;
}

/** A host name or address: letters, digits, ".", "-", "_", ":" (IPv6), "%" (zone ids); at most 255. */
function isHostname(buf: Buffer, pos: number, t: number): boolean {
  if (t <= pos || t - pos > 255) return false;
  for (let i = pos; i < t; i++) {
    const b = buf[i];
    if (!(isLetter(b) || isDigit(b) || b === 0x2e || b === 0x2d || b === 0x5f || b === 0x3a || b === 0x25)) return false;
  }
  return true;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function monthAt(buf: Buffer, pos: number, end: number): number {
  if (pos + 3 > end) return -1;
  const a = buf[pos] | 0x20;
  const b = buf[pos + 1] | 0x20;
  const c = buf[pos + 2] | 0x20;
  for (let i = 0; i < 12; i++) {
    const name = MONTHS[i];
    if (name.charCodeAt(0) === a && name.charCodeAt(1) === b && name.charCodeAt(2) === c) return i;
  }
  return -1;
}

function startsTimestamp(buf: Buffer, pos: number, end: number): boolean {
  if (pos < end && (buf[pos] === 0x2a || buf[pos] === 0x2e)) pos++;
  return monthAt(buf, pos, end) >= 0 || (pos < end && isDigit(buf[pos]));
}

/**
 * A 3164 timestamp: "Mmm dd hh:mm:ss" (RFC 3164 §4.1.2, day padded with a space; a zero or no padding accepted)
 * with an optional year after the day, fraction of a second and zone name (UTC/GMT honoured), or an RFC 3339
 * one. Without a zone the time is in the server's zone; without a year it is the year that puts it nearest now.
 */
export function parse3164Timestamp(buf: Buffer, pos: number, end: number, nowMs: number): { ns: bigint; next: number } | undefined {
  if (pos + 4 < end && isDigit(buf[pos]) && isDigit(buf[pos + 1]) && isDigit(buf[pos + 2]) && isDigit(buf[pos + 3]) && buf[pos + 4] === 0x2d) {
    const t = parseRfc3339(buf, pos, end, false);
    return typeof t === 'string' || t.error !== undefined ? undefined : t;
  }
  const month = monthAt(buf, pos, end);
  if (month < 0 || pos + 3 >= end || buf[pos + 3] !== SP) return undefined;
  let i = pos + 4;
  if (i < end && buf[i] === SP) i++;
  const day = readInt(buf, i, end, 1, 2);
  if (day === undefined || day.value < 1 || day.value > 31) return undefined;
  i = day.next;
  if (i >= end || buf[i] !== SP) return undefined;
  i++;
  let year = -1;
  const maybeYear = readInt(buf, i, end, 4, 4);
  if (maybeYear !== undefined && maybeYear.next < end && buf[maybeYear.next] === SP) {
    year = maybeYear.value;
    i = maybeYear.next + 1;
  }
  const clock = parseClock(buf, i, end);
  if (!clock) return undefined;
  i = clock.next;
  let utc = false;
  // a zone name: "UTC"/"GMT" anywhere, others (CET, PDT…) only as Cisco writes them, followed by ":"
  if (i + 1 < end && buf[i] === SP && isUpper(buf[i + 1])) {
    let z = i + 1;
    while (z < end && z - i <= 6 && isUpper(buf[z])) z++;
    const zone = ascii(buf, i + 1, z);
    const next = z < end ? buf[z] : SP;
    if ((zone === 'UTC' || zone === 'GMT') && (next === SP || next === 0x3a)) {
      utc = true;
      i = z;
    } else if (z - i - 1 >= 3 && next === 0x3a) {
      i = z;
    }
  }
  let ms: number;
  if (utc) {
    ms = Date.UTC(year < 0 ? new Date(nowMs).getUTCFullYear() : year, month, day.value, clock.h, clock.m, clock.s);
    if (year < 0) ms = nearestYear(ms, nowMs, true, month, day.value, clock);
  } else {
    ms = new Date(year < 0 ? new Date(nowMs).getFullYear() : year, month, day.value, clock.h, clock.m, clock.s).getTime();
    if (year < 0) ms = nearestYear(ms, nowMs, false, month, day.value, clock);
  }
  if (Number.isNaN(ms)) return undefined;
  return { ns: BigInt(ms) * 1_000_000n + BigInt(clock.fracNs), next: i };
}

const DAY_MS = 86_400_000;

/**
 * No year in the message: this year, unless that puts it over a month ahead (December read in January: last year)
 * or eleven months back (January read on December 31st from a clock running ahead: next year).
 */
function nearestYear(ms: number, nowMs: number, utc: boolean, month: number, day: number, c: Clock): number {
  const diff = ms - nowMs;
  if (diff <= 31 * DAY_MS && diff >= -334 * DAY_MS) return ms;
  const d = new Date(ms);
  const year = (utc ? d.getUTCFullYear() : d.getFullYear()) + (diff > 0 ? -1 : 1);
  return utc ? Date.UTC(year, month, day, c.h, c.m, c.s) : new Date(year, month, day, c.h, c.m, c.s).getTime();
}

interface Clock {
  h: number;
  m: number;
  s: number;
  fracNs: number;
  next: number;
}

/** hh:mm:ss[.f{1,9}] */
function parseClock(buf: Buffer, i: number, end: number): Clock | undefined {
  if (i + 8 > end || buf[i + 2] !== 0x3a || buf[i + 5] !== 0x3a) return undefined;
  const h = two(buf, i);
  const m = two(buf, i + 3);
  const s = two(buf, i + 6);
  if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 60) return undefined;
  i += 8;
  let fracNs = 0;
  if (i + 1 < end && (buf[i] === 0x2e || buf[i] === 0x2c) && isDigit(buf[i + 1])) {
    const f = readFraction(buf, i + 1, end);
    if (f === undefined) return undefined;
    fracNs = f.ns;
    i = f.next;
  }
  return { h, m, s, fracNs, next: i };
}

// ---- shared pieces --------------------------------------------------------------------------------------------

/**
 * RFC 3339 as RFC 5424 §6.2.3 restricts it: FULL-DATE "T" PARTIAL-TIME [TIME-SECFRAC] TIME-OFFSET. Fractions of
 * up to 9 digits are read (the RFC allows 6; nanosecond senders exist). Without `zoneRequired` a missing offset
 * means the server's zone. Returns the instant, or a reason (string when nothing like a timestamp is there).
 */
export function parseRfc3339(buf: Buffer, pos: number, end: number, zoneRequired: boolean): { ns: bigint; next: number; error?: undefined } | { error: string; next: number } | string {
  const year = readInt(buf, pos, end, 4, 4);
  if (year === undefined || year.next >= end || buf[year.next] !== 0x2d) return 'expected FULL-DATE (YYYY-MM-DD) or "-"';
  let i = year.next + 1;
  const month = i + 2 <= end ? two(buf, i) : -1;
  if (month < 1 || month > 12 || buf[i + 2] !== 0x2d) return { error: 'expected a month 01-12 and "-"', next: i };
  i += 3;
  const day = i + 2 <= end ? two(buf, i) : -1;
  if (day < 1 || day > 31) return { error: 'expected a day 01-31', next: i };
  i += 2;
  if (i >= end || (buf[i] !== 0x54 && buf[i] !== 0x74)) return { error: 'expected "T" between date and time', next: i };
  i++;
  const clock = parseClock(buf, i, end);
  if (!clock) return { error: 'expected TIME (hh:mm:ss[.fraction])', next: i };
  i = clock.next;
  let offsetMin = 0;
  let local = false;
  if (i < end && (buf[i] === 0x5a || buf[i] === 0x7a)) {
    i++;
  } else if (i < end && (buf[i] === 0x2b || buf[i] === 0x2d)) {
    const oh = i + 6 <= end ? two(buf, i + 1) : -1;
    const om = i + 6 <= end && buf[i + 3] === 0x3a ? two(buf, i + 4) : -1;
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return { error: 'expected TIME-NUMOFFSET (+hh:mm or -hh:mm)', next: i };
    offsetMin = (oh * 60 + om) * (buf[i] === 0x2d ? -1 : 1);
    i += 6;
  } else if (zoneRequired) {
    return { error: 'expected TIME-OFFSET ("Z", +hh:mm or -hh:mm)', next: i };
  } else {
    local = true;
  }
  if (i < end && buf[i] !== SP && buf[i] !== 0x3a) return { error: 'expected SP after the timestamp', next: i };
  const ms = local
    ? new Date(year.value, month - 1, day, clock.h, clock.m, clock.s).getTime()
    : Date.UTC(year.value, month - 1, day, clock.h, clock.m, clock.s) - offsetMin * 60_000;
  return { ns: BigInt(ms) * 1_000_000n + BigInt(clock.fracNs), next: i };
}

function readFraction(buf: Buffer, i: number, end: number): { ns: number; next: number } | undefined {
  let digits = 0;
  let ns = 0;
  while (i < end && isDigit(buf[i])) {
    if (digits === 9) return undefined;
    ns = ns * 10 + buf[i] - 0x30;
    digits++;
    i++;
  }
  for (let d = digits; d < 9; d++) ns *= 10;
  return { ns, next: i };
}

function readInt(buf: Buffer, i: number, end: number, min: number, max: number): { value: number; next: number } | undefined {
  let v = 0;
  let n = 0;
  while (i < end && n < max && isDigit(buf[i])) {
    v = v * 10 + buf[i++] - 0x30;
    n++;
  }
  return n < min ? undefined : { value: v, next: i };
}

function two(buf: Buffer, i: number): number {
  return isDigit(buf[i]) && isDigit(buf[i + 1]) ? (buf[i] - 0x30) * 10 + buf[i + 1] - 0x30 : -1;
}

/** Bytes already checked to be ASCII (or wanted byte for byte) as text. */
function ascii(buf: Buffer, start: number, end: number): string {
  return buf.toString('latin1', start, end);
}

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

function isLetter(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

function isUpper(b: number): boolean {
  return b >= 0x41 && b <= 0x5a;
}

/** MSG: UTF-8 after a BOM (RFC 5424 §6.4 MSG-UTF8), else any octets (MSG-ANY) read as UTF-8 where they are. */
function setMsg(m: SyslogMessage, buf: Buffer, pos: number, end: number): void {
  if (pos + 2 < end && buf[pos] === 0xef && buf[pos + 1] === 0xbb && buf[pos + 2] === 0xbf) pos += 3;
  m.msg = decodeUtf8(buf, pos, end, m);
}

function decodeUtf8(buf: Buffer, start: number, end: number, m: SyslogMessage): string {
  if (start >= end) return '';
  const text = buf.toString('utf8', start, end);
  // a U+FFFD is either the decoder's replacement or a real one: only then look at the bytes
  if (!m.utf8Replaced && text.includes('\uFFFD') && !isUtf8(buf.subarray(start, end))) m.utf8Replaced = true;
  return text;
}

/** The first byte that cannot be text (a control other than TAB/LF/CR/ESC, or not UTF-8), or -1. */
function firstNonText(buf: Buffer, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x1b) || b === 0x7f) return i;
  }
  if (isUtf8(buf.subarray(start, end))) return -1;
  // locate the first invalid sequence (the slow path runs only for refused input)
  for (let i = start; i < end; ) {
    const b = buf[i];
    const n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (n === 0 || i + n > end || !isUtf8(buf.subarray(i, i + n))) return i;
    i += n;
  }
  return start;
}

// ---- records --------------------------------------------------------------------------------------------------

/** What a listener should tell the operator about one message: refused (`stored` false) or stored with a note. */
export interface SyslogNotice {
  /** byte offset within the message */
  offset: number;
  message: string;
  stored: boolean;
  /** for counting refusals: `malformed` (not syslog at all) or the limit that refused it */
  reason: string;
}

/**
 * Accumulates parsed messages as one tenant's batch, grouped by stream. Labels: `service` (APP-NAME or TAG),
 * `host` (HOSTNAME, else the sender's address), `level`, `facility`; the rest goes to structured metadata.
 */
export class SyslogBatchBuilder {
  private result!: AdapterResult;
  private streams!: Map<string, StreamEntries>;
  private windowAtMs = Number.NaN;
  private window = { minNs: 0n, maxNs: 0n };

  constructor(private readonly tenant: string, private readonly limits: IngestLimits) {
    this.reset();
  }

  get entries(): number {
    return this.result.batch.entries;
  }

  /** bytes of line text held (UTF-16 units, as the batch counts them) */
  get bytes(): number {
    return this.result.batch.bytes;
  }

  get isEmpty(): boolean {
    return this.result.batch.entries === 0 && this.result.errors.length === 0;
  }

  /** Hands over what was added so far and starts a new batch. */
  take(): AdapterResult {
    const r = this.result;
    this.reset();
    return r;
  }

  /** Adds one message received from `peer` (an IP address) at `nowMs`; returns what the operator should hear about it. */
  add(bytes: Buffer, peer: string, nowMs: number): SyslogNotice | undefined {
    const parsed = parseSyslog(bytes, nowMs);
    if ('rejected' in parsed) return { offset: parsed.rejected.offset, message: parsed.rejected.message, stored: false, reason: 'malformed' };
    if (nowMs !== this.windowAtMs) {
      this.window = timestampWindow(this.limits, nowMs);
      this.windowAtMs = nowMs;
    }
    const labels: Labels = {};
    if (parsed.appName !== undefined) labels.service = parsed.appName;
    const host = parsed.hostname ?? peer;
    if (host !== '') labels.host = host;
    labels.level = SEVERITY_LEVELS[parsed.severity];
    labels.facility = FACILITY_NAMES[parsed.facility];
    const meta = parsed.metadata;
    if (parsed.procId !== undefined) meta.procid = parsed.procId;
    if (parsed.msgId !== undefined) meta.msgid = parsed.msgId;
    meta.severity = String(parsed.severity);
    if (peer !== '') meta.peer = peer;
    if (parsed.utf8Replaced) meta.invalid_utf8 = 'true';
    if (parsed.problem) meta.parse_error = parsed.problem.message;
    let ts = parsed.tsNs ?? BigInt(nowMs) * 1_000_000n;
    if (ts < this.window.minNs || ts > this.window.maxNs) {
      // syslog cannot be told to fix its clock or retry: keep the message at its arrival time, and what it said
      meta.original_timestamp = nsToIso(ts);
      ts = BigInt(nowMs) * 1_000_000n;
    }
    const labelError = checkLabels(labels, this.limits);
    if (labelError) {
      this.result.errors.push({ stream: labelsToString(labels), reason: 'invalid_labels', message: labelError });
      return { offset: 0, message: labelError, stored: false, reason: 'invalid_labels' };
    }
    const problem = checkEntry(labels, this.result.batch.entries, ts, parsed.msg, this.limits, this.window, false);
    if (problem) {
      this.result.errors.push(problem);
      return { offset: 0, message: problem.message, stored: false, reason: problem.reason };
    }
    const key = `${labels.service ?? ''}\0${labels.host ?? ''}\0${parsed.facility}\0${labels.level}`;
    let stream = this.streams.get(key);
    if (!stream) {
      stream = { labels, ts: [], lines: [], metadata: [] };
      this.streams.set(key, stream);
      this.result.batch.streams.push(stream);
    }
    stream.ts.push(ts);
    stream.lines.push(parsed.msg);
    stream.metadata.push(meta);
    this.result.batch.entries++;
    this.result.batch.bytes += parsed.msg.length;
    return parsed.problem ? { offset: parsed.problem.offset, message: parsed.problem.message, stored: true, reason: 'parse_error' } : undefined;
  }

  private reset(): void {
    this.result = { batch: { tenant: this.tenant, streams: [], entries: 0, bytes: 0 }, errors: [] };
    this.streams = new Map();
  }
}
