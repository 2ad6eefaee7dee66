// A small JSON scanner over a log line (RFC 8259 structure): it validates, skips and decodes values in place without
// building objects, keeps numbers as their original text (Loki renders `1.0` as `1.0`, big integers exactly) and
// reports the offset of the first syntax error. Raw control characters inside strings are tolerated, as Loki does.

export const MAX_JSON_DEPTH = 512;

export interface JsonCursor {
  text: string;
  pos: number;
  /** Set when a scan function returns false / null. */
  error: string;
}

export function newCursor(): JsonCursor {
  return { text: '', pos: 0, error: '' };
}

export function resetCursor(c: JsonCursor, text: string): void {
  c.text = text;
  c.pos = 0;
  c.error = '';
}

function describe(c: JsonCursor): string {
  if (c.pos >= c.text.length) return 'end of input';
  return JSON.stringify(c.text[c.pos]);
}

export function fail(c: JsonCursor, expected: string): false {
  if (c.error === '') c.error = `JSON syntax error at offset ${c.pos}: expected ${expected}, found ${describe(c)}`;
  return false;
}

export function skipWs(c: JsonCursor): void {
  const t = c.text;
  let p = c.pos;
  while (p < t.length) {
    const ch = t.charCodeAt(p);
    if (ch !== 32 && ch !== 10 && ch !== 13 && ch !== 9) break;
    p++;
  }
  c.pos = p;
}

function hexVal(ch: number): number {
  if (ch >= 48 && ch <= 57) return ch - 48;
  if (ch >= 97 && ch <= 102) return ch - 87;
  if (ch >= 65 && ch <= 70) return ch - 55;
  return -1;
}

/** Decodes the string at the cursor (which must be on `"`) and moves past it; null on error. */
export function scanString(c: JsonCursor): string | null {
  const t = c.text;
  const start = c.pos + 1;
  let p = start;
  // Fast path: no escapes.
  while (p < t.length) {
    const ch = t.charCodeAt(p);
    if (ch === 34) {
      c.pos = p + 1;
      return t.slice(start, p);
    }
    if (ch === 92) break;
    p++;
  }
  let out = t.slice(start, p);
  while (p < t.length) {
    const ch = t.charCodeAt(p);
    if (ch === 34) {
      c.pos = p + 1;
      return out;
    }
    if (ch !== 92) {
      const runStart = p;
      while (p < t.length && t.charCodeAt(p) !== 34 && t.charCodeAt(p) !== 92) p++;
      out += t.slice(runStart, p);
      continue;
    }
    const e = t.charCodeAt(p + 1);
    switch (e) {
      case 34: out += '"'; break;
      case 92: out += '\\'; break;
      case 47: out += '/'; break;
      case 98: out += '\b'; break;
      case 102: out += '\f'; break;
      case 110: out += '\n'; break;
      case 114: out += '\r'; break;
      case 116: out += '\t'; break;
      case 117: {
        let code = 0;
        for (let k = 2; k < 6; k++) {
          const h = hexVal(t.charCodeAt(p + k));
          if (h < 0) {
            c.pos = p;
            fail(c, 'four hex digits after \\u');
            return null;
          }
          code = code * 16 + h;
        }
        out += String.fromCharCode(code);
        p += 6;
        continue;
      }
      default:
        c.pos = p;
        fail(c, 'a valid escape sequence');
        return null;
    }
    p += 2;
  }
  c.pos = t.length;
  fail(c, 'closing \'"\' of string');
  return null;
}

/** Skips a number at the cursor per the JSON grammar; false on error. */
export function skipNumber(c: JsonCursor): boolean {
  const t = c.text;
  let p = c.pos;
  if (t.charCodeAt(p) === 45) p++;
  const first = t.charCodeAt(p);
  if (first === 48) p++;
  else if (first >= 49 && first <= 57) {
    while (p < t.length && isDigit(t.charCodeAt(p))) p++;
  } else {
    c.pos = p;
    return fail(c, 'a digit');
  }
  if (t.charCodeAt(p) === 46) {
    p++;
    if (!isDigit(t.charCodeAt(p))) {
      c.pos = p;
      return fail(c, 'a digit after the decimal point');
    }
    while (p < t.length && isDigit(t.charCodeAt(p))) p++;
  }
  const e = t.charCodeAt(p);
  if (e === 101 || e === 69) {
    p++;
    const s = t.charCodeAt(p);
    if (s === 43 || s === 45) p++;
    if (!isDigit(t.charCodeAt(p))) {
      c.pos = p;
      return fail(c, 'a digit in the exponent');
    }
    while (p < t.length && isDigit(t.charCodeAt(p))) p++;
  }
  c.pos = p;
  return true;
}

function isDigit(ch: number): boolean {
  return ch >= 48 && ch <= 57;
}

/** Matches `word` (true/false/null) at the cursor. */
export function skipWord(c: JsonCursor, word: string): boolean {
  if (c.text.startsWith(word, c.pos)) {
    c.pos += word.length;
    return true;
  }
  return fail(c, JSON.stringify(word));
}

/** Skips any value at the cursor (after whitespace has been skipped). */
export function skipValue(c: JsonCursor, depth: number): boolean {
  const ch = c.text.charCodeAt(c.pos);
  switch (ch) {
    case 34:
      return scanString(c) !== null;
    case 123:
      return skipContainer(c, depth, true);
    case 91:
      return skipContainer(c, depth, false);
    case 116:
      return skipWord(c, 'true');
    case 102:
      return skipWord(c, 'false');
    case 110:
      return skipWord(c, 'null');
    default:
      if (ch === 45 || isDigit(ch)) return skipNumber(c);
      return fail(c, 'a JSON value');
  }
}

function skipContainer(c: JsonCursor, depth: number, object: boolean): boolean {
  if (depth >= MAX_JSON_DEPTH) {
    c.error = `JSON nesting deeper than ${MAX_JSON_DEPTH} levels at offset ${c.pos}`;
    return false;
  }
  const close = object ? 125 : 93;
  c.pos++;
  skipWs(c);
  if (c.text.charCodeAt(c.pos) === close) {
    c.pos++;
    return true;
  }
  for (;;) {
    if (object) {
      if (c.text.charCodeAt(c.pos) !== 34) return fail(c, 'a string object key');
      if (scanString(c) === null) return false;
      skipWs(c);
      if (c.text.charCodeAt(c.pos) !== 58) return fail(c, "':' after object key");
      c.pos++;
      skipWs(c);
    }
    if (!skipValue(c, depth + 1)) return false;
    skipWs(c);
    const ch = c.text.charCodeAt(c.pos);
    if (ch === 44) {
      c.pos++;
      skipWs(c);
      continue;
    }
    if (ch === close) {
      c.pos++;
      return true;
    }
    return fail(c, object ? "',' or '}'" : "',' or ']'");
  }
}

/** True if the whole text is one JSON value (surrounding whitespace allowed). */
export function validateJson(c: JsonCursor): boolean {
  skipWs(c);
  if (!skipValue(c, 0)) return false;
  skipWs(c);
  if (c.pos !== c.text.length) return fail(c, 'end of input');
  return true;
}

/** Renders a scalar at the cursor as label text and moves past it; objects/arrays yield their raw JSON text. */
export function scanValueText(c: JsonCursor, depth: number): string | null {
  const ch = c.text.charCodeAt(c.pos);
  if (ch === 34) return scanString(c);
  const start = c.pos;
  if (ch === 110) return skipWord(c, 'null') ? '' : null;
  if (!skipValue(c, depth)) return null;
  return c.text.slice(start, c.pos);
}
