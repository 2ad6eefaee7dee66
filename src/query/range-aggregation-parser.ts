// Range aggregations over a log range: `count_over_time({app="api"} |= "err" [5m] offset 1h)`,
// `quantile_over_time(0.99, {app="api"} | json | unwrap duration(latency) | __error__="" [1m]) by (path)`.
import type { LabelFilterExpr, LogQuery, RangeAggregation, RangeOp } from './ast.ts';
import { parseGroupingOpt } from './grouping-parser.ts';
import { parseLabelFilter } from './label-filter-parser.ts';
import { parsePipeline, parseSelector } from './log-query-parser.ts';
import type { TokenStream } from './token-stream.ts';

const RANGE_OPS: ReadonlySet<string> = new Set<RangeOp>([
  'count_over_time', 'rate', 'bytes_over_time', 'bytes_rate', 'absent_over_time', 'avg_over_time', 'min_over_time',
  'max_over_time', 'sum_over_time', 'stddev_over_time', 'stdvar_over_time', 'quantile_over_time', 'first_over_time',
  'last_over_time', 'rate_counter',
]);
/** These aggregate sample values, so they need `| unwrap label`. */
const NEEDS_UNWRAP: ReadonlySet<RangeOp> = new Set<RangeOp>([
  'avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time', 'stddev_over_time', 'stdvar_over_time',
  'quantile_over_time', 'first_over_time', 'last_over_time', 'rate_counter',
]);
/** These count lines or bytes, so an unwrap makes no sense. `rate` and `absent_over_time` work both ways. */
const REFUSES_UNWRAP: ReadonlySet<RangeOp> = new Set<RangeOp>(['count_over_time', 'bytes_over_time', 'bytes_rate']);
/** As in Loki, only aggregations of unwrapped values other than sums and rates take `by`/`without`. */
const ALLOWS_GROUPING: ReadonlySet<RangeOp> = new Set<RangeOp>([
  'avg_over_time', 'min_over_time', 'max_over_time', 'stddev_over_time', 'stdvar_over_time', 'quantile_over_time',
  'first_over_time', 'last_over_time',
]);
const CONVERSIONS: ReadonlySet<string> = new Set(['duration', 'duration_seconds', 'bytes']);

type Unwrap = NonNullable<RangeAggregation['unwrap']>;

interface LogRange {
  query: LogQuery;
  rangeMs?: number;
  offsetMs: number;
  unwrap?: Unwrap;
}

export function isRangeOp(word: string): word is RangeOp {
  return RANGE_OPS.has(word);
}

/** `op([param,] log-range) [by|without (...)]`, with the current token on `op`. */
export function parseRangeAggregation(ts: TokenStream): RangeAggregation {
  const opTok = ts.next();
  const op = opTok.text as RangeOp;
  ts.expect('(');
  let param: number | undefined;
  if (op === 'quantile_over_time') {
    param = ts.expectSignedNumber().value;
    ts.expect(',');
  }
  const range = parseLogRange(ts);
  if (range.rangeMs === undefined) ts.unexpected('[');
  ts.expect(')');
  const groupTok = ts.peek();
  const grouping = parseGroupingOpt(ts);

  if (NEEDS_UNWRAP.has(op) && range.unwrap === undefined) ts.failAt(opTok, `invalid aggregation ${op} without unwrap`, '| unwrap');
  if (REFUSES_UNWRAP.has(op) && range.unwrap !== undefined) ts.failAt(opTok, `invalid aggregation ${op} with unwrap`);
  if (grouping !== undefined && !ALLOWS_GROUPING.has(op)) ts.failAt(groupTok, `grouping not allowed for ${op} aggregation`);

  const agg: RangeAggregation = { kind: 'range_aggregation', op, query: range.query, rangeMs: range.rangeMs, offsetMs: range.offsetMs };
  if (range.unwrap !== undefined) agg.unwrap = range.unwrap;
  if (param !== undefined) agg.param = param;
  if (grouping !== undefined) agg.grouping = grouping;
  return agg;
}

/**
 * The forms Loki accepts: `{..} | stages | unwrap x [5m]`, `{..}[5m] | stages` (range right after the selector),
 * and a parenthesised query `({..} | stages)[5m]`; each optionally followed by `offset 1h` after the range.
 * Inside parentheses the range may be missing; the caller then requires one after the `)`.
 */
function parseLogRange(ts: TokenStream): LogRange {
  if (ts.accept('(')) {
    const inner = parseLogRange(ts);
    ts.expect(')');
    if (inner.rangeMs === undefined) {
      if (!ts.at('[')) ts.unexpected('[');
      Object.assign(inner, parseRangeAndOffset(ts));
    }
    return inner;
  }
  const selector = parseSelector(ts);
  let range: { rangeMs: number; offsetMs: number } | undefined;
  if (ts.at('[')) range = parseRangeAndOffset(ts);
  const stages = parsePipeline(ts, true);
  const unwrap = ts.at('|') ? parseUnwrap(ts) : undefined;
  if (range === undefined && ts.at('[')) range = parseRangeAndOffset(ts);
  const result: LogRange = { query: { kind: 'log', selector, stages }, offsetMs: range?.offsetMs ?? 0 };
  if (range !== undefined) result.rangeMs = range.rangeMs;
  if (unwrap !== undefined) result.unwrap = unwrap;
  return result;
}

/** `[5m]` and an optional `offset 1h`. */
function parseRangeAndOffset(ts: TokenStream): { rangeMs: number; offsetMs: number } {
  ts.expect('[');
  const rangeMs = ts.expect('DURATION').num;
  ts.expect(']');
  const offsetMs = ts.acceptWord('offset') ? ts.expect('DURATION').num : 0;
  return { rangeMs, offsetMs };
}

/** `| unwrap label`, `| unwrap duration(label)` / `duration_seconds(label)` / `bytes(label)`, then `| label filter`s. */
function parseUnwrap(ts: TokenStream): Unwrap {
  ts.expect('|');
  ts.expectWord('unwrap');
  let label: string;
  let conversion: Unwrap['conversion'];
  const word = ts.peek();
  if (word.kind === 'IDENTIFIER' && CONVERSIONS.has(word.text) && ts.at('(', 1)) {
    conversion = ts.next().text as Unwrap['conversion'];
    ts.next();
    label = ts.expect('IDENTIFIER').text;
    ts.expect(')');
  } else {
    label = ts.expect('IDENTIFIER').text;
  }
  const postFilters: LabelFilterExpr[] = [];
  while (ts.accept('|')) postFilters.push(parseLabelFilter(ts));
  return conversion === undefined ? { label, postFilters } : { label, conversion, postFilters };
}
