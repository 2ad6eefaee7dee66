// Lexer for the Go text/template subset: text, `{{ }}` actions with `{{-` / `-}}` whitespace trimming and
// `{{/* comments */}}`, and inside actions identifiers, `.field` chains, `.`, strings ("..." and `raw`), character
// constants, numbers, `|`, parentheses, variables (`$`, `$x`, `$x.field`) with `:=`, `=` and `,` for declarations.
// `define`/`template`/`block` are out of the subset.

export type TokenKind =
  | 'text' | 'open' | 'close'
  | 'ident' | 'field' | 'dot' | 'string' | 'number' | 'char' | 'bool' | 'nil' | 'keyword'
  | 'pipe' | 'lparen' | 'rparen'
  /** `$x.a.b`: value is `x.a.b` (`` for the root `$`) */
  | 'variable' | 'declare' | 'assign' | 'comma';

export interface Token {
  kind: TokenKind;
  /** text, identifier, field chain without the leading dot ("a.b"), decoded string, number text. */
  value: string;
  /** Offset in the template source. */
  pos: number;
}

export class TemplateSyntaxError extends Error {
  readonly pos: number;
  constructor(message: string, pos: number) {
    super(message);
    this.name = 'TemplateSyntaxError';
    this.pos = pos;
  }
}

const KEYWORDS = new Set(['if', 'else', 'end', 'with', 'range', 'define', 'template', 'block', 'break', 'continue']);

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** Decodes a Go interpreted string literal body (after the opening quote); returns [value, end offset]. */
function lexQuoted(src: string, start: number, quote: string): [string, number] {
  let out = '';
  let i = start;
  for (;;) {
    if (i >= src.length || src[i] === '\n') throw new TemplateSyntaxError(`unterminated ${quote === '"' ? 'quoted string' : 'character constant'}`, start - 1);
    const c = src[i]!;
    if (c === quote) return [out, i + 1];
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = src[i + 1];
    i += 2;
    switch (e) {
      case 'a': out += '\x07'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case '\\': out += '\\'; break;
      case '"': out += '"'; break;
      case "'": out += "'"; break;
      case 'x': case 'u': case 'U': {
        const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = src.slice(i, i + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new TemplateSyntaxError('invalid escape in string', i - 2);
        const cp = Number.parseInt(hex, 16);
        // \x escapes are bytes in Go; a single byte >= 0x80 cannot stand alone in a JS string, keep its code point.
        out += String.fromCodePoint(cp);
        i += len;
        break;
      }
      default:
        if (e !== undefined && e >= '0' && e <= '7') {
          const oct = src.slice(i - 1, i + 2);
          if (!/^[0-7]{3}$/.test(oct)) throw new TemplateSyntaxError('invalid escape in string', i - 2);
          out += String.fromCharCode(Number.parseInt(oct, 8));
          i += 2;
          break;
        }
        throw new TemplateSyntaxError('invalid escape in string', i - 2);
    }
  }
}

function lexNumber(src: string, start: number): number {
  let i = start;
  if (src[i] === '+' || src[i] === '-') i++;
  let digits = '0123456789_';
  if (src[i] === '0' && /[xXoObB]/.test(src[i + 1] ?? '')) {
    const p = src[i + 1]!.toLowerCase();
    digits = p === 'x' ? '0123456789abcdefABCDEF_' : p === 'o' ? '01234567_' : '01_';
    i += 2;
  }
  while (i < src.length && digits.includes(src[i]!)) i++;
  if (src[i] === '.') {
    i++;
    while (i < src.length && digits.includes(src[i]!)) i++;
  }
  if (digits.length >= 10 && /[eEpP]/.test(src[i] ?? '')) {
    i++;
    if (src[i] === '+' || src[i] === '-') i++;
    while (isDigit(src[i]) || src[i] === '_') i++;
  }
  if (isAlnum(src[i]) || src[i] === '.') throw new TemplateSyntaxError(`bad number syntax: ${JSON.stringify(src.slice(start, i + 1))}`, start);
  return i;
}

export function lexTemplate(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let trimNextText = false;
  const pushText = (text: string, pos: number): void => {
    const t = trimNextText ? text.replace(/^[ \t\r\n]+/, '') : text;
    trimNextText = false;
    if (t.length > 0) tokens.push({ kind: 'text', value: t, pos });
  };
  const trimPreviousText = (): void => {
    const last = tokens[tokens.length - 1];
    if (last && last.kind === 'text') {
      last.value = last.value.replace(/[ \t\r\n]+$/, '');
      if (last.value.length === 0) tokens.pop();
    }
  };
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      pushText(src.slice(i), i);
      break;
    }
    pushText(src.slice(i, open), i);
    let p = open + 2;
    if (src[p] === '-' && isSpace(src[p + 1])) {
      trimPreviousText();
      p += 2;
    }
    // Comment: {{/* ... */}} directly after the delimiter (and its trim marker), as Go requires.
    if (src.startsWith('/*', p)) {
      const end = src.indexOf('*/', p + 2);
      if (end < 0) throw new TemplateSyntaxError('unclosed comment', p);
      let r = end + 2;
      if (src.startsWith(' -}}', r) || src.startsWith('\t-}}', r) || src.startsWith('\n-}}', r) || src.startsWith('\r-}}', r)) {
        trimNextText = true;
        r += 4;
      } else if (src.startsWith('}}', r)) r += 2;
      else throw new TemplateSyntaxError('comment ends before closing delimiter', end);
      i = r;
      continue;
    }
    tokens.push({ kind: 'open', value: '{{', pos: open });
    for (;;) {
      if (p >= src.length) throw new TemplateSyntaxError('unclosed action', open);
      const c = src[p]!;
      if (isSpace(c)) {
        if (src[p + 1] === '-' && src.startsWith('}}', p + 2)) {
          tokens.push({ kind: 'close', value: '}}', pos: p + 1 });
          trimNextText = true;
          p += 4;
          break;
        }
        p++;
        continue;
      }
      if (c === '}' && src[p + 1] === '}') {
        tokens.push({ kind: 'close', value: '}}', pos: p });
        p += 2;
        break;
      }
      const start = p;
      if (c === '"') {
        const [value, end] = lexQuoted(src, p + 1, '"');
        tokens.push({ kind: 'string', value, pos: start });
        p = end;
      } else if (c === '`') {
        const end = src.indexOf('`', p + 1);
        if (end < 0) throw new TemplateSyntaxError('unterminated raw quoted string', start);
        tokens.push({ kind: 'string', value: src.slice(p + 1, end), pos: start });
        p = end + 1;
      } else if (c === "'") {
        const [value, end] = lexQuoted(src, p + 1, "'");
        if (Array.from(value).length !== 1) throw new TemplateSyntaxError('malformed character constant', start);
        tokens.push({ kind: 'char', value, pos: start });
        p = end;
      } else if (c === '|') {
        tokens.push({ kind: 'pipe', value: '|', pos: start });
        p++;
      } else if (c === '(') {
        tokens.push({ kind: 'lparen', value: '(', pos: start });
        p++;
      } else if (c === ')') {
        tokens.push({ kind: 'rparen', value: ')', pos: start });
        p++;
      } else if (c === '.' && isDigit(src[p + 1])) {
        p = lexNumber(src, p);
        tokens.push({ kind: 'number', value: src.slice(start, p), pos: start });
      } else if (c === '.') {
        if (!isAlnum(src[p + 1])) {
          tokens.push({ kind: 'dot', value: '.', pos: start });
          p++;
          continue;
        }
        let end = p;
        while (src[end] === '.' && isAlnum(src[end + 1])) {
          end++;
          while (isAlnum(src[end])) end++;
        }
        tokens.push({ kind: 'field', value: src.slice(p + 1, end), pos: start });
        p = end;
      } else if (isDigit(c) || ((c === '+' || c === '-') && (isDigit(src[p + 1]) || src[p + 1] === '.'))) {
        p = lexNumber(src, p);
        tokens.push({ kind: 'number', value: src.slice(start, p), pos: start });
      } else if (/[A-Za-z_]/.test(c)) {
        while (isAlnum(src[p])) p++;
        const word = src.slice(start, p);
        const kind: TokenKind = KEYWORDS.has(word) ? 'keyword' : word === 'true' || word === 'false' ? 'bool' : word === 'nil' ? 'nil' : 'ident';
        tokens.push({ kind, value: word, pos: start });
      } else if (c === '$') {
        let end = p + 1;
        while (isAlnum(src[end])) end++;
        while (src[end] === '.' && isAlnum(src[end + 1])) {
          end++;
          while (isAlnum(src[end])) end++;
        }
        tokens.push({ kind: 'variable', value: src.slice(p + 1, end), pos: start });
        p = end;
      } else if (c === ':' && src[p + 1] === '=') {
        tokens.push({ kind: 'declare', value: ':=', pos: start });
        p += 2;
      } else if (c === '=') {
        tokens.push({ kind: 'assign', value: '=', pos: start });
        p++;
      } else if (c === ',') {
        tokens.push({ kind: 'comma', value: ',', pos: start });
        p++;
      } else {
        throw new TemplateSyntaxError(`unexpected ${JSON.stringify(c)} in command`, start);
      }
    }
    i = p;
  }
  return tokens;
}
