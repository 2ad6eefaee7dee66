// The LogQL words the UI knows: functions, pipeline stages and keywords, with a one-line description each.
// Drives syntax highlighting (tokens.ts) and autocomplete; mirrors what src/query/ parses (docs/logql.md).

export interface Word {
  name: string;
  detail: string;
}

/** Range aggregations: take a log or unwrapped range (`{…}[5m]`). */
export const RANGE_FUNCTIONS: Word[] = [
  { name: 'count_over_time', detail: 'lines per range' },
  { name: 'rate', detail: 'lines per second' },
  { name: 'bytes_over_time', detail: 'bytes per range' },
  { name: 'bytes_rate', detail: 'bytes per second' },
  { name: 'absent_over_time', detail: '1 when the range has no lines' },
  { name: 'sum_over_time', detail: 'sum of unwrapped values' },
  { name: 'avg_over_time', detail: 'average of unwrapped values' },
  { name: 'min_over_time', detail: 'minimum of unwrapped values' },
  { name: 'max_over_time', detail: 'maximum of unwrapped values' },
  { name: 'first_over_time', detail: 'first unwrapped value' },
  { name: 'last_over_time', detail: 'last unwrapped value' },
  { name: 'stddev_over_time', detail: 'standard deviation of unwrapped values' },
  { name: 'stdvar_over_time', detail: 'variance of unwrapped values' },
  { name: 'quantile_over_time', detail: 'φ-quantile of unwrapped values' },
  { name: 'rate_counter', detail: 'per-second rate of an unwrapped counter' },
];

/** Vector aggregations and other functions over instant vectors. */
export const VECTOR_FUNCTIONS: Word[] = [
  { name: 'sum', detail: 'sum over series' },
  { name: 'avg', detail: 'average over series' },
  { name: 'min', detail: 'minimum over series' },
  { name: 'max', detail: 'maximum over series' },
  { name: 'count', detail: 'number of series' },
  { name: 'stddev', detail: 'standard deviation over series' },
  { name: 'stdvar', detail: 'variance over series' },
  { name: 'topk', detail: 'k largest series' },
  { name: 'bottomk', detail: 'k smallest series' },
  { name: 'approx_topk', detail: 'k largest series (approximate)' },
  { name: 'sort', detail: 'series by value, ascending' },
  { name: 'sort_desc', detail: 'series by value, descending' },
  { name: 'label_replace', detail: 'rewrite a label by regex' },
  { name: 'vector', detail: 'a constant as a vector' },
];

/** Stages that may follow `|` in a log pipeline. */
export const STAGES: Word[] = [
  { name: 'json', detail: 'parse JSON fields' },
  { name: 'logfmt', detail: 'parse key=value fields' },
  { name: 'pattern', detail: 'parse with a pattern: "<ip> - <_> <status>"' },
  { name: 'regexp', detail: 'parse with named groups: "(?P<name>…)"' },
  { name: 'unpack', detail: 'unpack a packed JSON line' },
  { name: 'line_format', detail: 'rewrite the line with a template' },
  { name: 'label_format', detail: 'rename or template labels' },
  { name: 'decolorize', detail: 'strip ANSI colour codes' },
  { name: 'drop', detail: 'drop labels' },
  { name: 'keep', detail: 'keep only these labels' },
  { name: 'unwrap', detail: 'use a label as the sample value' },
];

export const KEYWORDS = ['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'and', 'or', 'unless'];

/** Functions used inside pipelines: `| addr = ip("10.0.0.0/8")`, `| unwrap duration(took)`. */
export const PIPELINE_FUNCTIONS = ['ip', 'duration', 'duration_seconds', 'bytes'];

export const FUNCTION_NAMES = new Set([...RANGE_FUNCTIONS, ...VECTOR_FUNCTIONS].map((w) => w.name));
export const STAGE_NAMES = new Set(STAGES.map((w) => w.name));
export const KEYWORD_NAMES = new Set(KEYWORDS);
/** keywords whose parenthesised list names labels */
export const GROUPING_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
