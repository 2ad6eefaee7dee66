// A cursor over LogQL tokens for the recursive-descent parsers: look-ahead, expectations, and Loki-style syntax errors.
// Words (keywords, function names, label names) are all IDENTIFIER tokens; the parsers read them by context.
import { LogQLParseError } from './parse-error.ts';
import type { Token, TokenKind } from './lexer.ts';

/** Words that Loki's own lexer treats as keywords: an error names them in upper case (`unexpected BY`), as Loki does. */
const KEYWORDS: ReadonlySet<string> = new Set([
  'by', 'without', 'bool', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'and', 'or', 'unless',
  'unwrap', 'json', 'logfmt', 'regexp', 'pattern', 'unpack', 'line_format', 'label_format', 'drop', 'keep',
  'decolorize', 'ip', 'vector', 'label_replace', 'duration', 'duration_seconds',
]);

/** How an error names a token: its class for literals and words, the symbol itself for operators. */
export function describeToken(tok: Token): string {
  switch (tok.kind) {
    case 'EOF':
      return 'end of input';
    case 'IDENTIFIER':
      return KEYWORDS.has(tok.text) ? tok.text.toUpperCase() : 'IDENTIFIER';
    default:
      return tok.kind; // STRING, NUMBER, DURATION, BYTES, FLAG, or the operator itself
  }
}

/** Joins alternatives the way the messages read: `a`, `a or b`, `a, b or c`. */
export function oneOf(...alternatives: string[]): string {
  if (alternatives.length <= 1) return alternatives[0] ?? '';
  return `${alternatives.slice(0, -1).join(', ')} or ${alternatives[alternatives.length - 1]}`;
}

export class TokenStream {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)]!;
  }

  next(): Token {
    const tok = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return tok;
  }

  at(kind: TokenKind, ahead = 0): boolean {
    return this.peek(ahead).kind === kind;
  }

  /** True when the token is the word `word` (an IDENTIFIER with that exact text). */
  atWord(word: string, ahead = 0): boolean {
    const tok = this.peek(ahead);
    return tok.kind === 'IDENTIFIER' && tok.text === word;
  }

  accept(kind: TokenKind): Token | undefined {
    return this.at(kind) ? this.next() : undefined;
  }

  acceptWord(word: string): Token | undefined {
    return this.atWord(word) ? this.next() : undefined;
  }

  /** Consumes a token of `kind` or fails with `unexpected X, expecting <expected>`. */
  expect(kind: TokenKind, expected: string = kind): Token {
    if (!this.at(kind)) this.unexpected(expected);
    return this.next();
  }

  /** Consumes an optionally signed NUMBER (`5`, `-1.5`, `+2e3`); `expected` names it in the error. */
  expectSignedNumber(expected = 'NUMBER'): { value: number; start: Token } {
    const start = this.peek();
    let sign = 1;
    if (this.at('-') || this.at('+')) sign = this.next().kind === '-' ? -1 : 1;
    const num = this.expect('NUMBER', expected);
    return { value: sign * num.num, start };
  }

  expectWord(word: string): Token {
    if (!this.atWord(word)) this.unexpected(word);
    return this.next();
  }

  /** Fails on the current token: `syntax error: unexpected X, expecting <expected>`. */
  unexpected(expected: string, tok: Token = this.peek()): never {
    throw new LogQLParseError(`syntax error: unexpected ${describeToken(tok)}, expecting ${expected}`, tok, expected);
  }

  /** Fails at `tok` with a free-form message (semantic errors such as a missing unwrap). */
  failAt(tok: Token, detail: string, expected = ''): never {
    throw new LogQLParseError(detail, tok, expected);
  }
}
