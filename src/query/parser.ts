// LogQL parser (hand-written recursive descent): `parseExpr` turns a query into the AST of ./ast.ts, `parseLogQuery`
// accepts log queries only. Metric syntax lives here (binary operators with Prometheus precedence, vector aggregations,
// vector(), label_replace); log queries, label filters and range aggregations have their own modules.
import type { BinaryExpr, BinaryOp, Expr, LabelReplace, LogQuery, MetricExpr, VectorAggregation, VectorMatching, VectorOp } from './ast.ts';
import { tokenize, type Token } from './lexer.ts';
import { LogQLParseError } from './parse-error.ts';
import { parseGroupingOpt, parseLabelList } from './grouping-parser.ts';
import { parseLogQuery as parseLogQueryTokens } from './log-query-parser.ts';
import { isRangeOp, parseRangeAggregation } from './range-aggregation-parser.ts';
import { regexSyntaxError } from './regex-syntax.ts';
import { describeToken, oneOf, TokenStream } from './token-stream.ts';

export { LogQLParseError } from './parse-error.ts';
export { parseDuration } from './duration.ts';
export { parseBytes } from './bytes.ts';

const VECTOR_OPS: ReadonlySet<string> = new Set<VectorOp>([
  'sum', 'avg', 'min', 'max', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'sort', 'sort_desc',
]);

/** Binding strength of binary operators, as in Prometheus: `^` > `* / %` > `+ -` > comparisons > `and unless` > `or`. */
const PRECEDENCE: Readonly<Record<BinaryOp, number>> = {
  or: 1,
  and: 2, unless: 2,
  '==': 3, '!=': 3, '>': 3, '>=': 3, '<': 3, '<=': 3,
  '+': 4, '-': 4,
  '*': 5, '/': 5, '%': 5,
  '^': 6,
};
const COMPARISONS: ReadonlySet<BinaryOp> = new Set<BinaryOp>(['==', '!=', '>', '>=', '<', '<=']);
const SET_OPS: ReadonlySet<BinaryOp> = new Set<BinaryOp>(['and', 'or', 'unless']);
const PRIMARY_EXPECTED = oneOf('{', '(', 'NUMBER', 'function name');
/** Loki functions this AST has no node for: named in the error rather than reported as an unknown word. */
const UNSUPPORTED_FUNCTIONS: ReadonlySet<string> = new Set(['count_values', 'approx_topk']);
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Parses any LogQL query: a log query or a metric query. Throws LogQLParseError. */
export function parseExpr(input: string): Expr {
  return parseWhole(input).expr;
}

/** Parses a log query (selector and pipeline); throws LogQLParseError for metric queries too. */
export function parseLogQuery(input: string): LogQuery {
  const { expr, start } = parseWhole(input);
  if (expr.kind !== 'log') {
    throw new LogQLParseError('syntax error: unexpected metric query, expecting log query', start, 'log query');
  }
  return expr;
}

function parseWhole(input: string): { expr: Expr; start: Token } {
  const ts = new TokenStream(tokenize(input));
  const start = ts.peek();
  const expr = parseBinary(ts, 1);
  if (!ts.at('EOF')) {
    ts.unexpected(expr.kind === 'log' ? oneOf('|', 'line filter', 'end of input') : oneOf('binary operator', 'end of input'));
  }
  return { expr, start };
}

function binaryOpAt(ts: TokenStream): BinaryOp | undefined {
  const tok = ts.peek();
  switch (tok.kind) {
    case '+': case '-': case '*': case '/': case '%': case '^':
    case '==': case '!=': case '>': case '>=': case '<': case '<=':
      return tok.kind;
    case 'IDENTIFIER':
      return tok.text === 'and' || tok.text === 'or' || tok.text === 'unless' ? tok.text : undefined;
    default:
      return undefined;
  }
}

/** Precedence climbing: operators binding at least `minPrecedence`; `^` is right-associative, the rest left. */
function parseBinary(ts: TokenStream, minPrecedence: number): Expr {
  const leftStart = ts.peek();
  let left = parseUnary(ts);
  for (;;) {
    const op = binaryOpAt(ts);
    if (op === undefined || PRECEDENCE[op] < minPrecedence) return left;
    const opTok = ts.next();
    const context = `binary operation ${opTok.text}`;
    const leftMetric = requireMetric(ts, left, leftStart, context);
    const boolTok = ts.acceptWord('bool');
    if (boolTok !== undefined && !COMPARISONS.has(op)) {
      ts.failAt(boolTok, 'syntax error: bool modifier can only be used on comparison operators', oneOf('==', '!=', '>', '>=', '<', '<='));
    }
    const matching = parseVectorMatching(ts, op);
    const rightStart = ts.peek();
    const right = parseBinary(ts, op === '^' ? PRECEDENCE[op] : PRECEDENCE[op] + 1);
    const expr: BinaryExpr = {
      kind: 'binary',
      op,
      left: leftMetric,
      right: requireMetric(ts, right, rightStart, context),
      bool: boolTok !== undefined,
    };
    if (matching !== undefined) expr.matching = matching;
    left = expr;
  }
}

/** `on (a) group_left (b)`, `ignoring (a) group_right`, or nothing. Set operators take no group modifier. */
function parseVectorMatching(ts: TokenStream, op: BinaryOp): VectorMatching | undefined {
  if (!ts.atWord('on') && !ts.atWord('ignoring')) return undefined;
  const on = ts.next().text === 'on';
  const matching: VectorMatching = { on, labels: parseLabelList(ts) };
  const groupTok = ts.peek();
  if (ts.atWord('group_left') || ts.atWord('group_right')) {
    if (SET_OPS.has(op)) ts.failAt(groupTok, `syntax error: no grouping allowed for "${op}" operation`);
    ts.next();
    matching.group = { side: groupTok.text === 'group_left' ? 'left' : 'right', include: ts.at('(') ? parseLabelList(ts) : [] };
  }
  return matching;
}

/** A signed number literal (`-1`, `+2.5`), or a primary expression. */
function parseUnary(ts: TokenStream): Expr {
  if (ts.at('-') || ts.at('+')) return { kind: 'number', value: ts.expectSignedNumber().value };
  return parsePrimary(ts);
}

function parsePrimary(ts: TokenStream): Expr {
  const tok = ts.peek();
  switch (tok.kind) {
    case '(': {
      ts.next();
      const inner = parseBinary(ts, 1);
      ts.expect(')', inner.kind === 'log' ? oneOf('|', 'line filter', ')') : oneOf('binary operator', ')'));
      return inner;
    }
    case '{':
      return parseLogQueryTokens(ts, false);
    case 'NUMBER':
      ts.next();
      return { kind: 'number', value: tok.num };
    case 'IDENTIFIER':
      return parseFunction(ts, tok);
    default:
      return ts.unexpected(PRIMARY_EXPECTED);
  }
}

/** Range aggregations, vector aggregations, `vector(n)` and `label_replace(...)`. */
function parseFunction(ts: TokenStream, tok: Token): MetricExpr {
  const name = tok.text;
  const vectorOp = VECTOR_OPS.has(name);
  const known = vectorOp || isRangeOp(name) || name === 'vector' || name === 'label_replace';
  if (UNSUPPORTED_FUNCTIONS.has(name)) ts.failAt(tok, `syntax error: ${name} is not supported`, PRIMARY_EXPECTED);
  if (!known) return ts.unexpected(PRIMARY_EXPECTED);
  if (!ts.at('(', 1) && !(vectorOp && (ts.atWord('by', 1) || ts.atWord('without', 1)))) {
    return ts.unexpected(vectorOp ? oneOf('(', 'by', 'without') : '(', ts.peek(1));
  }
  if (isRangeOp(name)) return parseRangeAggregation(ts);
  if (vectorOp) return parseVectorAggregation(ts);
  if (name === 'vector') {
    ts.next();
    ts.expect('(');
    const value = ts.expectSignedNumber().value;
    ts.expect(')');
    return { kind: 'vector', value };
  }
  return parseLabelReplace(ts);
}

/** `sum by (a) (expr)`, `sum (expr) without (a)`, `topk(5, expr)`, `topk by (a) (5, expr)`. */
function parseVectorAggregation(ts: TokenStream): VectorAggregation {
  const opTok = ts.next();
  const op = opTok.text as VectorOp;
  let grouping = parseGroupingOpt(ts);
  ts.expect('(');
  let param: number | undefined;
  if (op === 'topk' || op === 'bottomk') {
    const k = ts.expectSignedNumber();
    if (!Number.isInteger(k.value) || k.value <= 0) {
      ts.failAt(k.start, `syntax error: invalid parameter for ${op}: ${k.value}, expecting a positive integer`, 'positive integer');
    }
    param = k.value;
    ts.expect(',');
  } else if ((ts.at('NUMBER') && ts.at(',', 1)) || ((ts.at('-') || ts.at('+')) && ts.at('NUMBER', 1) && ts.at(',', 2))) {
    ts.failAt(ts.peek(), `syntax error: unsupported parameter for operation ${op}`);
  }
  const innerStart = ts.peek();
  const inner = requireMetric(ts, parseBinary(ts, 1), innerStart, op);
  ts.expect(')', oneOf('binary operator', ')'));
  const afterTok = ts.peek();
  const after = parseGroupingOpt(ts);
  if (after !== undefined) {
    if (grouping !== undefined) {
      ts.failAt(afterTok, `syntax error: unexpected ${describeToken(afterTok)}, grouping of ${op} is already given before its parentheses`);
    }
    grouping = after;
  }
  const agg: VectorAggregation = { kind: 'vector_aggregation', op, inner };
  if (grouping !== undefined) agg.grouping = grouping;
  if (param !== undefined) agg.param = param;
  return agg;
}

/** `label_replace(expr, "dst", "replacement", "src", "regex")`. */
function parseLabelReplace(ts: TokenStream): LabelReplace {
  ts.next();
  ts.expect('(');
  const innerStart = ts.peek();
  const inner = requireMetric(ts, parseBinary(ts, 1), innerStart, 'label_replace');
  ts.expect(',', oneOf('binary operator', ','));
  const dst = ts.expect('STRING');
  if (!LABEL_NAME.test(dst.value)) ts.failAt(dst, `syntax error: invalid destination label name in label_replace(): "${dst.value}"`, 'label name');
  ts.expect(',');
  const replacement = ts.expect('STRING').value;
  ts.expect(',');
  const src = ts.expect('STRING').value;
  ts.expect(',');
  const regex = ts.expect('STRING');
  const complaint = regexSyntaxError(regex.value);
  if (complaint !== undefined) ts.failAt(regex, complaint, 'a valid regular expression');
  ts.expect(')');
  return { kind: 'label_replace', inner, dst: dst.value, replacement, src, regex: regex.value };
}

/** A log query cannot stand where a metric is needed (an operand, an aggregation's input): it needs a range aggregation. */
function requireMetric(ts: TokenStream, expr: Expr, start: Token, context: string): MetricExpr {
  if (expr.kind === 'log') ts.failAt(start, `syntax error: unexpected log query in ${context}, expecting metric expression`, 'metric expression');
  return expr;
}
