// Tokenizer of the pipeline expression language: names, string literals ("…", '…' with escapes, `…` raw),
// numbers, and operators. Every token carries its 1-based column for error messages.

import { ExpressionError } from './expression-error.ts';

export type TokenKind = 'name' | 'string' | 'number' | 'op' | 'end';

export interface Token {
  kind: TokenKind;
  /** the name, the operator, or the decoded text of a string literal */
  text: string;
  /** numeric value of a number token */
  value?: number;
  column: number;
}

// longest first, so `<=` wins over `<`
const OPERATORS = ['==', '!=', '<=', '>=', '=~', '!~', '&&', '||', '<', '>', '!', '(', ')', '[', ']', ',', '.'];

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', "'": "'", '\\': '\\', '0': '\0' };

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      i++;
      continue;
    }
    const column = i + 1;
    if (isNameStart(c)) {
      let j = i + 1;
      while (j < source.length && (isNameStart(source.charCodeAt(j)) || isDigit(source.charCodeAt(j)))) j++;
      tokens.push({ kind: 'name', text: source.slice(i, j), column });
      i = j;
      continue;
    }
    // there is no subtraction, so a `-` before a digit is always a negative number's sign
    const signed = c === 0x2d ? 1 : 0;
    const d = source.charCodeAt(i + signed);
    if (isDigit(d) || (d === 0x2e && isDigit(source.charCodeAt(i + signed + 1)))) {
      const m = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/.exec(source.slice(i, i + 400));
      const text = m![0];
      if (i + text.length < source.length && isNameStart(source.charCodeAt(i + text.length))) {
        throw new ExpressionError(`invalid number "${text}${source[i + text.length]}…"`, column, source);
      }
      tokens.push({ kind: 'number', text, value: Number(text), column });
      i += text.length;
      continue;
    }
    if (c === 0x22 || c === 0x27) {
      const [text, end] = readQuoted(source, i);
      tokens.push({ kind: 'string', text, column });
      i = end;
      continue;
    }
    if (c === 0x60) {
      const end = source.indexOf('`', i + 1);
      if (end < 0) throw new ExpressionError('unterminated `raw string`', column, source);
      tokens.push({ kind: 'string', text: source.slice(i + 1, end), column });
      i = end + 1;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op === undefined) throw new ExpressionError(`unexpected character ${JSON.stringify(source[i])}`, column, source);
    tokens.push({ kind: 'op', text: op, column });
    i += op.length;
  }
  tokens.push({ kind: 'end', text: '', column: source.length + 1 });
  return tokens;
}

/**
 * A quoted string from `start` (the quote). Known escapes are decoded; an unknown one (`\d`, `\.`) is kept as
 * written, so regular expressions read the same inside quotes as outside.
 */
function readQuoted(source: string, start: number): [string, number] {
  const quote = source[start];
  let out = '';
  let i = start + 1;
  while (i < source.length) {
    const ch = source[i];
    if (ch === quote) return [out, i + 1];
    if (ch === '\\' && i + 1 < source.length) {
      const next = source[i + 1];
      if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(source.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      out += ESCAPES[next] ?? '\\' + next;
      i += 2;
      continue;
    }
    out += ch;
    i++;
  }
  throw new ExpressionError(`unterminated string (missing closing ${quote})`, start + 1, source);
}
