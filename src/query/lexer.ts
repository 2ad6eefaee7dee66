// LogQL lexer: turns a query into tokens, each with its char offset, UTF-8 byte offset, line and column.
// Strings are decoded (Go escapes in "...", raw text in `...`); durations and byte sizes become values; `#` comments run to end of line.
import { LogQLParseError, type SourcePosition } from './parse-error.ts';
import { tryParseDuration } from './duration.ts';
import { BYTES_LITERAL_UNITS, tryParseBytes } from './bytes.ts';

export type TokenKind =
  | 'IDENTIFIER'
  | 'STRING'
  | 'NUMBER'
  | 'DURATION'
  | 'BYTES'
  /** `--strict`, `--keep-empty` (logfmt flags) */
  | 'FLAG'
  | '{' | '}' | '(' | ')' | '[' | ']' | ','
  | '=' | '!=' | '=~' | '!~' | '==' | '>' | '>=' | '<' | '<='
  | '|' | '|=' | '|~' | '|>' | '!>'
  | '+' | '-' | '*' | '/' | '%' | '^'
  | 'EOF';

export interface Token extends SourcePosition {
  kind: TokenKind;
  /** the token exactly as written in the query */
  text: string;
  /** STRING: the decoded string; otherwise the same as `text` */
  value: string;
  /** NUMBER: its value; DURATION: milliseconds; BYTES: bytes; NaN for other kinds */
  num: number;
  /** 0-based char offset just past the token */
  end: number;
  /** 0-based UTF-8 byte offset of the token */
  byte: number;
}

/** Operators, longest first so that `|=` wins over `|`. */
const OPERATORS: readonly TokenKind[] = [
  '|=', '|~', '|>', '!=', '!~', '!>', '=~', '==', '>=', '<=',
  '{', '}', '(', ')', '[', ']', ',', '=', '>', '<', '|', '+', '-', '*', '/', '%', '^',
];

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 0x07, b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b, '\\': 0x5c, '"': 0x22,
};

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}
function isIdentStart(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
}
function isIdentPart(c: string | undefined): boolean {
  return isIdentStart(c) || isDigit(c);
}
/** Letters that may follow a number to make a duration or byte size (`5m`, `1h30m`, `20MB`, `10µs`). */
function isUnitChar(c: string | undefined): boolean {
  return isIdentStart(c) || isDigit(c) || c === '.' || c === 'µ' || c === 'μ';
}
function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}

/** Walks the input keeping the char offset, UTF-8 byte offset, line and column in step. */
class Cursor {
  pos = 0;
  byte = 0;
  line = 1;
  column = 1;
  constructor(readonly input: string) {}

  peek(ahead = 0): string | undefined {
    return this.input[this.pos + ahead];
  }
  advance(): void {
    const code = this.input.codePointAt(this.pos)!;
    const units = code > 0xffff ? 2 : 1;
    this.pos += units;
    this.byte += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (code === 0x0a) {
      this.line++;
      this.column = 1;
    } else {
      this.column++;
    }
  }
  here(): SourcePosition {
    return { pos: this.pos, line: this.line, column: this.column };
  }
}

type Push = (kind: TokenKind, start: SourcePosition, startByte: number, value?: string, num?: number) => void;

function lexError(detail: string, at: SourcePosition, expected: string): LogQLParseError {
  return new LogQLParseError(`syntax error: ${detail}`, at, expected);
}

/** Splits a LogQL query into tokens, ending with an EOF token. Throws LogQLParseError on malformed literals. */
export function tokenize(input: string): Token[] {
  const cur = new Cursor(input);
  const tokens: Token[] = [];

  const push: Push = (kind, start, startByte, value, num) => {
    const text = input.slice(start.pos, cur.pos);
    tokens.push({ kind, text, value: value ?? text, num: num ?? Number.NaN, ...start, end: cur.pos, byte: startByte });
  };

  for (;;) {
    skipSpaceAndComments(cur);
    const start = cur.here();
    const startByte = cur.byte;
    const c = cur.peek();
    if (c === undefined) {
      push('EOF', start, startByte);
      return tokens;
    }
    if (c === '"') {
      push('STRING', start, startByte, readQuoted(cur));
    } else if (c === '`') {
      push('STRING', start, startByte, readRaw(cur));
    } else if (isDigit(c) || (c === '.' && isDigit(cur.peek(1)))) {
      readNumberLike(cur, start, startByte, push);
    } else if (isIdentStart(c)) {
      while (isIdentPart(cur.peek())) cur.advance();
      push('IDENTIFIER', start, startByte);
    } else if (c === '-' && cur.peek(1) === '-' && isIdentStart(cur.peek(2))) {
      cur.advance();
      cur.advance();
      while (isIdentPart(cur.peek()) || cur.peek() === '-') cur.advance();
      push('FLAG', start, startByte);
    } else {
      const op = OPERATORS.find((o) => input.startsWith(o, cur.pos));
      if (op === undefined) {
        const ch = String.fromCodePoint(input.codePointAt(cur.pos)!);
        throw lexError(`unexpected character ${JSON.stringify(ch)}`, start, 'a LogQL token');
      }
      for (let i = 0; i < op.length; i++) cur.advance();
      push(op, start, startByte);
    }
  }
}

function skipSpaceAndComments(cur: Cursor): void {
  for (;;) {
    const c = cur.peek();
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      cur.advance();
    } else if (c === '#') {
      while (cur.peek() !== undefined && cur.peek() !== '\n') cur.advance();
    } else {
      return;
    }
  }
}

/** Numbers (`42`, `0.5`, `1e-3`), and when letters follow, durations (`1h30m`) or byte sizes (`1.5KiB`). */
function readNumberLike(cur: Cursor, start: SourcePosition, startByte: number, push: Push): void {
  while (isDigit(cur.peek())) cur.advance();
  if (cur.peek() === '.' && isDigit(cur.peek(1))) {
    cur.advance();
    while (isDigit(cur.peek())) cur.advance();
  } else if (cur.peek() === '.' && !isUnitChar(cur.peek(1))) {
    cur.advance(); // `1.` is a valid float
  }
  const e = cur.peek();
  if ((e === 'e' || e === 'E') && (isDigit(cur.peek(1)) || ((cur.peek(1) === '+' || cur.peek(1) === '-') && isDigit(cur.peek(2))))) {
    cur.advance();
    if (cur.peek() === '+' || cur.peek() === '-') cur.advance();
    while (isDigit(cur.peek())) cur.advance();
  }
  const numberEnd = cur.pos;
  if (!isUnitChar(cur.peek())) {
    push('NUMBER', start, startByte, undefined, Number(cur.input.slice(start.pos, numberEnd)));
    return;
  }
  while (isUnitChar(cur.peek())) cur.advance();
  const text = cur.input.slice(start.pos, cur.pos);
  const ms = tryParseDuration(text);
  if (ms !== undefined) {
    push('DURATION', start, startByte, undefined, ms);
    return;
  }
  const unit = cur.input.slice(numberEnd, cur.pos).toLowerCase();
  const bytes = BYTES_LITERAL_UNITS.has(unit) ? tryParseBytes(text) : undefined;
  if (bytes !== undefined) {
    push('BYTES', start, startByte, undefined, bytes);
    return;
  }
  throw lexError(`invalid duration or bytes value ${JSON.stringify(text)}`, start, 'NUMBER, DURATION or BYTES');
}

/** A Go double-quoted string (strconv.Unquote rules); `\x` and octal escapes are bytes, decoded as UTF-8 at the end. */
function readQuoted(cur: Cursor): string {
  const start = cur.here();
  cur.advance(); // opening quote
  const bytes: number[] = [];
  for (;;) {
    const c = cur.peek();
    if (c === undefined || c === '\n') throw lexError('literal not terminated', start, 'closing "');
    if (c === '"') {
      cur.advance();
      return utf8Decoder.decode(Uint8Array.from(bytes));
    }
    if (c !== '\\') {
      const code = cur.input.codePointAt(cur.pos)!;
      for (const b of utf8.encode(String.fromCodePoint(code))) bytes.push(b);
      cur.advance();
      continue;
    }
    const escapeAt = cur.here();
    cur.advance(); // backslash
    const e = cur.peek();
    const invalid = (): LogQLParseError =>
      lexError('invalid char escape', escapeAt, 'one of \\a \\b \\f \\n \\r \\t \\v \\\\ \\" \\xHH \\ooo \\uHHHH \\UHHHHHHHH');
    if (e === undefined) throw lexError('literal not terminated', start, 'closing "');
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      bytes.push(simple);
      cur.advance();
    } else if (e === 'x') {
      cur.advance();
      bytes.push(readDigits(cur, 2, 16, invalid));
    } else if (e >= '0' && e <= '7') {
      const value = readDigits(cur, 3, 8, invalid);
      if (value > 255) throw invalid();
      bytes.push(value);
    } else if (e === 'u' || e === 'U') {
      cur.advance();
      const code = readDigits(cur, e === 'u' ? 4 : 8, 16, invalid);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw invalid();
      for (const b of utf8.encode(String.fromCodePoint(code))) bytes.push(b);
    } else {
      throw invalid();
    }
  }
}

function readDigits(cur: Cursor, count: number, radix: 8 | 16, invalid: () => LogQLParseError): number {
  let text = '';
  for (let i = 0; i < count; i++) {
    const c = cur.peek();
    const ok = radix === 16 ? isHex(c) : c !== undefined && c >= '0' && c <= '7';
    if (!ok) throw invalid();
    text += c;
    cur.advance();
  }
  return parseInt(text, radix);
}

/** A Go raw string: no escapes, may span lines; carriage returns are dropped as Go does. */
function readRaw(cur: Cursor): string {
  const start = cur.here();
  cur.advance();
  const from = cur.pos;
  while (cur.peek() !== '`') {
    if (cur.peek() === undefined) throw lexError('literal not terminated', start, 'closing `');
    cur.advance();
  }
  const text = cur.input.slice(from, cur.pos);
  cur.advance();
  return text.replaceAll('\r', '');
}
