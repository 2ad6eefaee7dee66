// Label filter expressions after a `|`: `status >= 400 and (method="GET" or latency > 250ms), size < 1MB, addr = ip("10.0.0.0/8")`.
// `and` binds tighter than `or`; a comma or a plain space between two filters also means `and` (as Loki documents).
import type { CompareOp, LabelFilterExpr, MatchOp } from './ast.ts';
import type { TokenKind } from './lexer.ts';
import { regexSyntaxError } from './regex-syntax.ts';
import { oneOf, type TokenStream } from './token-stream.ts';

const FILTER_OPS: ReadonlySet<TokenKind> = new Set<TokenKind>(['=', '!=', '=~', '!~', '==', '>', '>=', '<', '<=']);
const FILTER_OPS_EXPECTED = oneOf('=', '!=', '=~', '!~', '==', '>', '>=', '<', '<=');

/** True when the token `ahead` is a label-filter comparison operator (used to tell `| json` from a label named json). */
export function atLabelFilterOp(ts: TokenStream, ahead = 0): boolean {
  return FILTER_OPS.has(ts.peek(ahead).kind);
}

/** Parses `a or b`, `a and b`, `a, b`, `a b`, `(a)` down to single comparisons. */
export function parseLabelFilter(ts: TokenStream): LabelFilterExpr {
  let left = parseAnd(ts);
  while (atConnective(ts, 'or')) {
    ts.next();
    left = { kind: 'or', left, right: parseAnd(ts) };
  }
  return left;
}

/** `and`/`or` are connectives unless an operator follows (then they are label names, as in `or="x"`). */
function atConnective(ts: TokenStream, word: 'and' | 'or'): boolean {
  return ts.atWord(word) && !atLabelFilterOp(ts, 1);
}

function parseAnd(ts: TokenStream): LabelFilterExpr {
  let left = parsePrimary(ts);
  for (;;) {
    if (atConnective(ts, 'and') || ts.at(',')) {
      ts.next();
    } else if (!ts.at('(') && !(ts.at('IDENTIFIER') && atLabelFilterOp(ts, 1))) {
      return left;
    }
    left = { kind: 'and', left, right: parsePrimary(ts) };
  }
}

function parsePrimary(ts: TokenStream): LabelFilterExpr {
  if (ts.accept('(')) {
    const inner = parseLabelFilter(ts);
    ts.expect(')', oneOf('and', 'or', ')'));
    return inner;
  }
  const name = ts.expect('IDENTIFIER', oneOf('IDENTIFIER', '(')).text;
  if (!atLabelFilterOp(ts)) ts.unexpected(FILTER_OPS_EXPECTED);
  const op = ts.next().kind;

  if (op === '=~' || op === '!~') {
    const value = ts.expect('STRING');
    const complaint = regexSyntaxError(value.value);
    if (complaint !== undefined) ts.failAt(value, complaint, 'a valid regular expression');
    return { kind: 'string', name, op, value: value.value };
  }
  if ((op === '=' || op === '!=' || op === '==') && ts.at('STRING')) {
    const stringOp: MatchOp = op === '!=' ? '!=' : '=';
    return { kind: 'string', name, op: stringOp, value: ts.next().value };
  }
  if ((op === '=' || op === '!=') && ts.atWord('ip') && ts.at('(', 1)) {
    ts.next();
    ts.next();
    const pattern = ts.expect('STRING').value;
    ts.expect(')');
    return { kind: 'ip', name, op, pattern };
  }

  const compareOp: CompareOp = op === '=' ? '==' : (op as CompareOp);
  const expected = op === '=' || op === '!=' ? oneOf('STRING', 'NUMBER', 'DURATION', 'BYTES', 'ip') : oneOf('NUMBER', 'DURATION', 'BYTES');
  let sign = 1;
  if (ts.at('-') || ts.at('+')) {
    const k = ts.peek(1).kind;
    if (k === 'NUMBER' || k === 'DURATION' || k === 'BYTES') sign = ts.next().kind === '-' ? -1 : 1;
  }
  const value = ts.peek();
  switch (value.kind) {
    case 'NUMBER':
      ts.next();
      return { kind: 'number', name, op: compareOp, value: sign * value.num };
    case 'DURATION':
      ts.next();
      return { kind: 'duration', name, op: compareOp, value: (sign * value.num) / 1000 };
    case 'BYTES':
      ts.next();
      return { kind: 'bytes', name, op: compareOp, value: sign * value.num };
    default:
      return ts.unexpected(expected);
  }
}
