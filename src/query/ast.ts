// LogQL abstract syntax tree: plain data produced by the parser, read by the planner and the evaluators.
// It knows nothing about any store. Durations are milliseconds (number); label-filter durations are seconds.

export type MatchOp = '=' | '!=' | '=~' | '!~';

/** One label matcher of a stream selector, e.g. `service=~"api.*"`. */
export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

/**
 * Line filter `|= "a" or "b"`: the values are alternatives (any for positive ops, none for negative ops).
 * With `ip`, the values are `ip("<pattern>")` patterns (only `|=` and `!=`): the line matches when an address in it
 * falls in a pattern's range.
 */
export interface LineFilterStage {
  kind: 'line_filter';
  op: '|=' | '!=' | '|~' | '!~' | '|>' | '!>';
  values: string[];
  ip?: true;
}

export interface JsonParserStage {
  kind: 'json';
  /** `| json a="x.y", b` : label name → JSON path expression (empty = extract everything). */
  params: { label: string; path: string }[];
}

export interface LogfmtParserStage {
  kind: 'logfmt';
  strict: boolean;
  keepEmpty: boolean;
  params: { label: string; key: string }[];
}

export interface RegexpParserStage {
  kind: 'regexp';
  pattern: string;
}

export interface PatternParserStage {
  kind: 'pattern';
  pattern: string;
}

export interface UnpackParserStage {
  kind: 'unpack';
}

export type LabelFilterExpr =
  | { kind: 'and' | 'or'; left: LabelFilterExpr; right: LabelFilterExpr }
  | { kind: 'string'; name: string; op: MatchOp; value: string }
  | { kind: 'number'; name: string; op: CompareOp; value: number }
  /** value in seconds; the label is parsed as a Go duration */
  | { kind: 'duration'; name: string; op: CompareOp; value: number }
  /** value in bytes; the label is parsed as a humanized byte size (e.g. 20MB) */
  | { kind: 'bytes'; name: string; op: CompareOp; value: number }
  | { kind: 'ip'; name: string; op: '=' | '!='; pattern: string };

export type CompareOp = '==' | '!=' | '>' | '>=' | '<' | '<=';

export interface LabelFilterStage {
  kind: 'label_filter';
  expr: LabelFilterExpr;
}

export interface LineFormatStage {
  kind: 'line_format';
  template: string;
}

export interface LabelFormatStage {
  kind: 'label_format';
  /** `dst=src` renames (src is a label name), `dst="{{template}}"` renders a template. */
  items: { dst: string; src?: string; template?: string }[];
}

export interface DropKeepStage {
  kind: 'drop' | 'keep';
  /** bare names, or `name="value"` style matchers that only drop/keep when the value matches */
  items: { name: string; matcher?: Matcher }[];
}

export interface DecolorizeStage {
  kind: 'decolorize';
}

export type PipelineStage =
  | LineFilterStage
  | JsonParserStage
  | LogfmtParserStage
  | RegexpParserStage
  | PatternParserStage
  | UnpackParserStage
  | LabelFilterStage
  | LineFormatStage
  | LabelFormatStage
  | DropKeepStage
  | DecolorizeStage;

/** A log query: `{selector} | stage | stage ...`. An empty selector `{}` matches every stream of the tenant. */
export interface LogQuery {
  kind: 'log';
  selector: Matcher[];
  stages: PipelineStage[];
  /** set by the engine when the query names `detected_level`: rows get it before the stages run (detected-level.ts) */
  detectLevel?: boolean;
}

export type RangeOp =
  | 'count_over_time'
  | 'rate'
  | 'bytes_over_time'
  | 'bytes_rate'
  | 'absent_over_time'
  | 'avg_over_time'
  | 'min_over_time'
  | 'max_over_time'
  | 'sum_over_time'
  | 'stddev_over_time'
  | 'stdvar_over_time'
  | 'quantile_over_time'
  | 'first_over_time'
  | 'last_over_time'
  | 'rate_counter';

export interface Grouping {
  without: boolean;
  labels: string[];
}

/** `count_over_time({app="x"} |= "err" [5m] offset 1h)`, `quantile_over_time(0.99, {..} | unwrap latency [1m]) by (path)` */
export interface RangeAggregation {
  kind: 'range_aggregation';
  op: RangeOp;
  query: LogQuery;
  rangeMs: number;
  offsetMs: number;
  unwrap?: { label: string; conversion?: 'duration' | 'duration_seconds' | 'bytes'; postFilters: LabelFilterExpr[] };
  /** quantile_over_time's φ */
  param?: number;
  grouping?: Grouping;
}

export type VectorOp =
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'count'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'sort'
  | 'sort_desc';

/** `sum by (level) (...)`, `topk(5, ...)` */
export interface VectorAggregation {
  kind: 'vector_aggregation';
  op: VectorOp;
  inner: MetricExpr;
  grouping?: Grouping;
  /** topk/bottomk's k */
  param?: number;
}

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%' | '^'
  | '==' | '!=' | '>' | '>=' | '<' | '<='
  | 'and' | 'or' | 'unless';

export interface VectorMatching {
  on: boolean;
  labels: string[];
  group?: { side: 'left' | 'right'; include: string[] };
}

export interface BinaryExpr {
  kind: 'binary';
  op: BinaryOp;
  left: MetricExpr;
  right: MetricExpr;
  /** comparison with `bool` returns 0/1 instead of filtering */
  bool: boolean;
  matching?: VectorMatching;
}

export interface NumberLiteral {
  kind: 'number';
  value: number;
}

/** `vector(1)` */
export interface VectorLiteral {
  kind: 'vector';
  value: number;
}

/** `label_replace(expr, "dst", "replacement", "src", "regex")` */
export interface LabelReplace {
  kind: 'label_replace';
  inner: MetricExpr;
  dst: string;
  replacement: string;
  src: string;
  regex: string;
}

export type MetricExpr = RangeAggregation | VectorAggregation | BinaryExpr | NumberLiteral | VectorLiteral | LabelReplace;

export type Expr = LogQuery | MetricExpr;
