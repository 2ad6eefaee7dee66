// A hand-written matcher for the grok patterns %{COMMONAPACHELOG} and %{COMBINEDAPACHELOG} (nginx `combined`), the
// hottest parse in most pipelines. It follows the path RE2's leftmost-first search takes first (the preferred choice
// at every alternation and repetition) from offset 0; when that path succeeds it is RE2's answer, so the fields are
// exactly the regex's. Anything off that path (an IPv6 client, an e-mail user, a request with stray quotes, a line
// that only matches further in) returns false and the caller runs RE2. Linear time, no regex on the way.

/** Capture order of the output array: two slots (start, end) per field, -1 when the field did not take part. */
export const ACCESS_LOG_FIELDS = ['clientip', 'ident', 'auth', 'timestamp', 'verb', 'request', 'httpversion', 'rawrequest', 'response', 'bytes', 'referrer', 'agent'] as const;

const CLIENTIP = 0, IDENT = 1, AUTH = 2, TIMESTAMP = 3, VERB = 4, REQUEST = 5, HTTPVERSION = 6, RAWREQUEST = 7, RESPONSE = 8, BYTES = 9, REFERRER = 10, AGENT = 11;

// The language of %{HTTPDATE} (grok-patterns.ts), for a whole `[…]` content: fixed, no nested repetition. Sticky
// (set lastIndex to the content's start) and ended by a look-ahead for the `]` (which the language cannot contain,
// so the match ends at the first one): the content is tested in place, without a copy.
const HTTPDATE =
  /(?:0[1-9]|[12][0-9]|3[01]|[1-9])\/(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\/(?:[0-9]{2}){1,2}:(?:2[0-3]|[01]?[0-9]):[0-5][0-9](?::(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?)? [+-]?[0-9]+(?=\])/iy;

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** RE2's \s: [\t\n\f\r ] */
function isRe2Space(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
}

/** %{HOSTNAME} as an exact match of text[start, end) (it also covers every %{IPV4}). */
function isHostname(text: string, start: number, end: number): boolean {
  let i = start;
  for (;;) {
    if (i >= end || !isWordChar(text.charCodeAt(i))) return false;
    i++;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (!isWordChar(c) && c !== 45) break;
      i++;
    }
    if (i === end) return true;
    if (text.charCodeAt(i) !== 46) return false; // '.'
    i++;
    if (i === end) return true; // a trailing dot
  }
}

/** %{USER} ([a-zA-Z0-9._-]+) as an exact match. */
function isUser(text: string, start: number, end: number): boolean {
  if (start >= end) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!isWordChar(c) && c !== 46 && c !== 45) return false;
  }
  return true;
}

/** End of %{INT} ([+-]?[0-9]+, greedy) at pos, or -1. */
function intEnd(text: string, pos: number): number {
  let i = pos;
  const c = text.charCodeAt(i);
  if (c === 43 || c === 45) i++;
  const digits = i;
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  return i > digits ? i : -1;
}

/** End of %{NUMBER} ([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+), greedy) at pos, or -1. */
function numberEnd(text: string, pos: number): number {
  let i = pos;
  let c = text.charCodeAt(i);
  if (c === 43 || c === 45) c = text.charCodeAt(++i);
  const digits = i;
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  if (i > digits) {
    if (text.charCodeAt(i) === 46) {
      i++;
      while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    }
    return i;
  }
  if (c !== 46) return -1;
  i++;
  const frac = i;
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  return i > frac ? i : -1;
}

/** End of %{QSCONTENT} ([^"\\]*(?:\\.[^"\\]*)*, greedy) at pos: the next unescaped quote, or -1 if none follows. */
function quotedEnd(text: string, pos: number): number {
  let i = pos;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 34) return i;
    if (c === 92) {
      if (i + 1 >= text.length) return -1;
      i += 2;
    } else i++;
  }
  return -1;
}

function set(out: Int32Array, field: number, start: number, end: number): void {
  out[field * 2] = start;
  out[field * 2 + 1] = end;
}

/** `"(?:-|%{QSCONTENT:field})"` at pos (the opening quote); returns the position after the closing quote, or -1. */
function quotedField(text: string, pos: number, field: number, out: Int32Array): number {
  if (text.charCodeAt(pos) !== 34) return -1;
  const start = pos + 1;
  if (text.charCodeAt(start) === 45 && text.charCodeAt(start + 1) === 34) return start + 2; // `-`: no field
  const end = quotedEnd(text, start);
  if (end < 0) return -1;
  set(out, field, start, end);
  return end + 1;
}

/**
 * Everything after the request's closing quote: ` (?:-|%{INT:response}) (?:-|%{INT:bytes})` and, for combined,
 * ` "(?:-|referrer)" "(?:-|agent)"`. True when it matches along the preferred path.
 */
function matchTail(text: string, pos: number, combined: boolean, out: Int32Array): boolean {
  if (text.charCodeAt(pos) !== 32) return false;
  let p = pos + 1;
  if (text.charCodeAt(p) === 45 && text.charCodeAt(p + 1) === 32) p += 2;
  else {
    const e = intEnd(text, p);
    if (e < 0 || text.charCodeAt(e) !== 32) return false;
    set(out, RESPONSE, p, e);
    p = e + 1;
  }
  if (!combined) {
    // the pattern ends after the byte count: `-`, or the longest run of an INT
    if (text.charCodeAt(p) === 45) return true;
    const e = intEnd(text, p);
    if (e < 0) return false;
    set(out, BYTES, p, e);
    return true;
  }
  if (text.charCodeAt(p) === 45 && text.charCodeAt(p + 1) === 32) p += 2;
  else {
    const e = intEnd(text, p);
    if (e < 0 || text.charCodeAt(e) !== 32) return false;
    set(out, BYTES, p, e);
    p = e + 1;
  }
  p = quotedField(text, p, REFERRER, out);
  if (p < 0 || text.charCodeAt(p) !== 32) return false;
  return quotedField(text, p + 1, AGENT, out) >= 0;
}

/**
 * Matches `text` from offset 0 as %{COMMONAPACHELOG} (or %{COMBINEDAPACHELOG}), filling `out` (length
 * 2 × ACCESS_LOG_FIELDS.length). False means "not decided here": run the regex.
 */
export function matchAccessLog(text: string, combined: boolean, out: Int32Array): boolean {
  out.fill(-1);
  // %{IPORHOST:clientip} ' ': a token without spaces; any of IPORHOST's alternatives gives the same capture
  const sp1 = text.indexOf(' ');
  if (sp1 <= 0 || !isHostname(text, 0, sp1)) return false;
  set(out, CLIENTIP, 0, sp1);
  // %{HTTPDUSER:ident} ' ' %{HTTPDUSER:auth} ' ['
  const sp2 = text.indexOf(' ', sp1 + 1);
  if (sp2 < 0 || !isUser(text, sp1 + 1, sp2)) return false;
  set(out, IDENT, sp1 + 1, sp2);
  const sp3 = text.indexOf(' ', sp2 + 1);
  if (sp3 < 0 || !isUser(text, sp2 + 1, sp3) || text.charCodeAt(sp3 + 1) !== 91) return false;
  set(out, AUTH, sp2 + 1, sp3);
  // %{HTTPDATE:timestamp} '] "'
  const dateStart = sp3 + 2;
  const close = text.indexOf(']', dateStart);
  if (close < 0 || text.charCodeAt(close + 1) !== 32 || text.charCodeAt(close + 2) !== 34) return false;
  HTTPDATE.lastIndex = dateStart;
  if (!HTTPDATE.test(text) || HTTPDATE.lastIndex !== close) return false;
  set(out, TIMESTAMP, dateStart, close);
  const q = close + 2;
  // first alternative: %{WORD:verb} ' ' %{NOTSPACE:request}(?: HTTP/%{NUMBER:httpversion})? '"'
  let v = q + 1;
  while (v < text.length && isWordChar(text.charCodeAt(v))) v++;
  if (v > q + 1 && text.charCodeAt(v) === 32) {
    const a = v + 1;
    let b = a;
    while (b < text.length && !isRe2Space(text.charCodeAt(b))) b++;
    if (b === a) return false;
    set(out, VERB, q + 1, v);
    if (text.startsWith(' HTTP/', b)) {
      const n = numberEnd(text, b + 6);
      if (n < 0 || text.charCodeAt(n) !== 34) return false;
      set(out, REQUEST, a, b);
      set(out, HTTPVERSION, b + 6, n);
      return matchTail(text, n + 1, combined, out);
    }
    // no version: the request is the non-space run less its closing quote
    if (b - 1 <= a || text.charCodeAt(b - 1) !== 34) return false;
    set(out, REQUEST, a, b - 1);
    return matchTail(text, b, combined, out);
  }
  // second alternative, when the first cannot start: %{DATA:rawrequest} up to the first quote whose tail matches
  const end = text.indexOf('"', q + 1);
  if (end < 0) return false;
  const nl = text.indexOf('\n', q + 1);
  if (nl >= 0 && nl < end) return false;
  set(out, RAWREQUEST, q + 1, end);
  return matchTail(text, end + 1, combined, out);
}
