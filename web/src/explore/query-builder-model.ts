// The query builder's model: the LogQL shapes it can build (a selector, line filters, one parser, field
// filters, optionally `sum [by (…)] (rate|count_over_time(… [range]))`), written out as text, and read back from
// text of the same shapes (anything else is undefined: "edit as code"). Pure: no DOM.

import { tokenize, type Token } from '../logql/tokens.ts';
import { quote, unquote } from '../logql/query-edit.ts';

export type MatchOp = '=' | '!=' | '=~' | '!~';
export type LineOp = '|=' | '!=' | '|~' | '!~';
export type FieldOp = '=' | '!=' | '=~' | '!~' | '>' | '>=' | '<' | '<=' | '==';
export type ParserKind = 'none' | 'json' | 'logfmt' | 'pattern';
export type MetricFn = 'rate' | 'count_over_time';

export interface BuilderQuery {
  matchers: { label: string; op: MatchOp; value: string }[];
  lineFilters: { op: LineOp; value: string }[];
  parser: ParserKind;
  /** the pattern of `| pattern "<…>"` */
  pattern: string;
  fieldFilters: { field: string; op: FieldOp; value: string }[];
  metric?: { fn: MetricFn; range: string; by: string[] };
}

export const MATCH_OPS: MatchOp[] = ['=', '!=', '=~', '!~'];
export const LINE_OPS: { op: LineOp; name: string }[] = [
  { op: '|=', name: 'contains' },
  { op: '!=', name: 'does not contain' },
  { op: '|~', name: 'matches regex' },
  { op: '!~', name: 'does not match regex' },
];
export const FIELD_OPS: FieldOp[] = ['=', '!=', '=~', '!~', '>', '>=', '<', '<='];
const NUMERIC_OPS = new Set<string>(['>', '>=', '<', '<=', '==']);
const NUMERIC_VALUE = /^-?\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d|w|y|[kKmMgGtTpPeE]i?[bB]|[bB])?$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RANGE = /^\d+(?:ms|s|m|h|d|w)$/;

export function emptyBuilder(): BuilderQuery {
  return { matchers: [], lineFilters: [], parser: 'none', pattern: '', fieldFilters: [] };
}

/** The LogQL text for a builder state (incomplete rows, such as a matcher without a label, are left out). */
export function buildQuery(b: BuilderQuery): string {
  const matchers = b.matchers.filter((m) => LABEL_NAME.test(m.label)).map((m) => `${m.label}${m.op}${quote(m.value)}`);
  let q = `{${matchers.join(', ')}}`;
  for (const f of b.lineFilters) if (f.value !== '') q += ` ${f.op} ${quote(f.value)}`;
  if (b.parser === 'json' || b.parser === 'logfmt') q += ` | ${b.parser}`;
  else if (b.parser === 'pattern') q += ` | pattern ${quote(b.pattern)}`;
  for (const f of b.fieldFilters) {
    if (!LABEL_NAME.test(f.field)) continue;
    const numeric = NUMERIC_OPS.has(f.op) && NUMERIC_VALUE.test(f.value.trim());
    if (NUMERIC_OPS.has(f.op) && !numeric) continue;
    q += ` | ${f.field}${f.op}${numeric ? f.value.trim() : quote(f.value)}`;
  }
  if (!b.metric) return q;
  const inner = `${b.metric.fn}(${q} [${RANGE.test(b.metric.range) ? b.metric.range : '5m'}])`;
  const by = b.metric.by.filter((l) => LABEL_NAME.test(l));
  return by.length ? `sum by (${by.join(', ')}) (${inner})` : `sum(${inner})`;
}

/** Reads text of a shape buildQuery writes; undefined for anything else. */
export function parseBuilder(text: string): BuilderQuery | undefined {
  const tokens = tokenize(text).filter((t) => t.type !== 'whitespace');
  if (tokens.some((t) => t.type === 'comment' || t.type === 'invalid' || t.unterminated)) return undefined;
  const r = new Reader(tokens);
  try {
    const b = r.at('sum') ? readMetric(r) : readLog(r);
    return r.done() ? b : undefined;
  } catch (e) {
    if (e instanceof Mismatch) return undefined;
    throw e;
  }
}

class Mismatch extends Error {}

class Reader {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}
  peek(): Token | undefined {
    return this.tokens[this.i];
  }
  at(text: string): boolean {
    return this.peek()?.text === text;
  }
  next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw new Mismatch();
    return t;
  }
  expect(text: string): void {
    if (this.next().text !== text) throw new Mismatch();
  }
  name(): string {
    const t = this.next();
    if (!LABEL_NAME.test(t.text)) throw new Mismatch();
    return t.text;
  }
  string(): string {
    const t = this.next();
    if (t.type !== 'string') throw new Mismatch();
    return unquote(t.text);
  }
  done(): boolean {
    return this.i === this.tokens.length;
  }
}

function readNames(r: Reader): string[] {
  r.expect('(');
  const names: string[] = [];
  while (!r.at(')')) {
    names.push(r.name());
    if (r.at(',')) r.next();
    else break;
  }
  r.expect(')');
  return names;
}

function readMetric(r: Reader): BuilderQuery {
  r.expect('sum');
  let by: string[] = [];
  if (r.at('by')) {
    r.next();
    by = readNames(r);
  }
  r.expect('(');
  const fn = r.next().text;
  if (fn !== 'rate' && fn !== 'count_over_time') throw new Mismatch();
  r.expect('(');
  const b = readLog(r);
  r.expect('[');
  const range = r.next().text;
  if (!RANGE.test(range)) throw new Mismatch();
  r.expect(']');
  r.expect(')');
  r.expect(')');
  if (r.at('by')) {
    if (by.length) throw new Mismatch();
    r.next();
    by = readNames(r);
  }
  b.metric = { fn, range, by };
  return b;
}

function readLog(r: Reader): BuilderQuery {
  const b = emptyBuilder();
  r.expect('{');
  while (!r.at('}')) {
    const label = r.name();
    const op = r.next().text;
    if (!(MATCH_OPS as string[]).includes(op)) throw new Mismatch();
    b.matchers.push({ label, op: op as MatchOp, value: r.string() });
    if (r.at(',')) r.next();
    else break;
  }
  r.expect('}');
  for (;;) {
    const t = r.peek();
    if (!t || t.type !== 'pipe') break;
    r.next();
    if (t.text !== '|') {
      // a line filter comes before any parser in what the builder writes
      if (b.parser !== 'none' || b.fieldFilters.length || !LINE_OPS.some((l) => l.op === t.text)) throw new Mismatch();
      b.lineFilters.push({ op: t.text as LineOp, value: r.string() });
      continue;
    }
    const word = r.next();
    if (word.text === 'json' || word.text === 'logfmt' || word.text === 'pattern') {
      if (b.parser !== 'none' || b.fieldFilters.length) throw new Mismatch();
      b.parser = word.text;
      if (word.text === 'pattern') b.pattern = r.string();
      // `| json` followed by parameters (`| json a="b"`) is beyond the builder
      else if (r.peek() && r.peek()!.type !== 'pipe' && !r.at('[') && !r.at(')')) throw new Mismatch();
      continue;
    }
    if (!LABEL_NAME.test(word.text)) throw new Mismatch();
    const op = r.next().text;
    if (!(FIELD_OPS as string[]).includes(op) && op !== '==') throw new Mismatch();
    const v = r.next();
    if (v.type === 'string' && !NUMERIC_OPS.has(op)) b.fieldFilters.push({ field: word.text, op: op as FieldOp, value: unquote(v.text) });
    else if ((v.type === 'number' || v.type === 'duration') && NUMERIC_OPS.has(op)) b.fieldFilters.push({ field: word.text, op: op as FieldOp, value: v.text });
    else throw new Mismatch();
  }
  return b;
}
