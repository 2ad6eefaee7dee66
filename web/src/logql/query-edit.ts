// Query rewriting for the UI's click actions and derived queries: add a label matcher or a field filter
// (click-to-filter), the histogram's metric query, a stream's selector (context), a trace's lines, and the line
// filters whose matches are highlighted. Pure text-in/text-out on top of tokens.ts.

import { tokenize, type Token } from './tokens.ts';

export type FilterOp = '=' | '!=';

/** A LogQL double-quoted string: Go's escapes, which JSON's are a subset of. */
export function quote(value: string): string {
  return JSON.stringify(value);
}

/** The value of a LogQL string token (double-quoted with escapes, or a backtick raw string). */
export function unquote(token: string): string {
  if (token.startsWith('`')) return token.slice(1, token.endsWith('`') && token.length > 1 ? -1 : undefined);
  const body = token.endsWith('"') && token.length > 1 ? token : `${token}"`;
  try {
    // Go escapes JSON lacks (`\a`, `\'`, `\x41`…) lose their backslash; escape pairs are consumed left to right
    return JSON.parse(body.replace(/\\(.)/gs, (pair, c: string) => ('"\\/bfnrtu'.includes(c) ? pair : c))) as string;
  } catch {
    return token.slice(1, -1);
  }
}

function significant(query: string): Token[] {
  return tokenize(query).filter((t) => t.type !== 'whitespace' && t.type !== 'comment');
}

/** Whether the query is a metric query (starts with a function, a number, a parenthesis or `vector`), not a log query. */
export function isMetricQuery(query: string): boolean {
  const first = significant(query)[0];
  return first !== undefined && (first.type === 'function' || first.type === 'number' || (first.type === 'paren' && first.text === '('));
}

/** Span of the first stream selector `{…}`, braces included; undefined when the query has none. */
function selectorSpan(tokens: Token[]): { open: Token; close: Token | undefined; inner: Token[] } | undefined {
  const openIdx = tokens.findIndex((t) => t.type === 'brace' && t.text === '{');
  if (openIdx < 0) return undefined;
  const closeIdx = tokens.findIndex((t, i) => i > openIdx && t.type === 'brace' && t.text === '}');
  return { open: tokens[openIdx], close: closeIdx < 0 ? undefined : tokens[closeIdx], inner: tokens.slice(openIdx + 1, closeIdx < 0 ? undefined : closeIdx) };
}

/**
 * Adds `name op "value"` to the query's stream selector, replacing a matcher on the same label with the same
 * operator (`=` then `=` again swaps the value, as a filter click in Grafana does). A query without a selector gets one.
 */
export function addLabelMatcher(query: string, name: string, op: FilterOp, value: string): string {
  const tokens = significant(query);
  const span = selectorSpan(tokens);
  const matcher = `${name}${op}${quote(value)}`;
  if (!span) return `{${matcher}}${query.trim() ? ` ${query.trim()}` : ''}`;
  // matchers as [from, to] spans of `name op value`
  const keep: string[] = [];
  let replaced = false;
  for (let i = 0; i < span.inner.length; i++) {
    const t = span.inner[i];
    if (t.type === 'comma') continue;
    const opTok = span.inner[i + 1];
    const valTok = span.inner[i + 2];
    if (t.type === 'label' && opTok?.type === 'operator' && valTok?.type === 'string') {
      const text = query.slice(t.from, valTok.to);
      if (t.text === name && opTok.text === op) {
        if (!replaced) keep.push(matcher);
        replaced = true;
      } else keep.push(text);
      i += 2;
    } else keep.push(query.slice(t.from, t.to));
  }
  if (!replaced) keep.push(matcher);
  const end = span.close ? span.close.to : query.length;
  return `${query.slice(0, span.open.from)}{${keep.join(', ')}}${query.slice(end)}`;
}

/**
 * Adds the label filter `| name op "value"` at the end of the log pipeline: after the parsers that produced the
 * field. In a metric query it goes before the range (`[5m]`) of the first range aggregation.
 */
export function addFieldFilter(query: string, name: string, op: FilterOp, value: string): string {
  const filter = `| ${name}${op}${quote(value)}`;
  const tokens = significant(query);
  if (isMetricQuery(query)) {
    const range = tokens.find((t) => t.type === 'bracket' && t.text === '[');
    if (range) return `${query.slice(0, range.from).trimEnd()} ${filter} ${query.slice(range.from)}`;
  }
  return `${query.trimEnd()} ${filter}`;
}

/** The positive line filters (`|= "x"`, `|~ "re"`), whose matches the log list highlights. */
export function lineFilters(query: string): { op: '|=' | '|~'; value: string }[] {
  const tokens = significant(query);
  const out: { op: '|=' | '|~'; value: string }[] = [];
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i];
    if (t.type === 'pipe' && (t.text === '|=' || t.text === '|~')) {
      // `|= "a" or "b"` chains several values on one filter
      for (let j = i + 1; j < tokens.length; j += 2) {
        if (tokens[j].type !== 'string') break;
        out.push({ op: t.text, value: unquote(tokens[j].text) });
        if (!(tokens[j + 1]?.type === 'keyword' && tokens[j + 1].text === 'or')) break;
      }
    }
  }
  return out;
}

/** The histogram of a log query: lines per step stacked by level. Parser errors are dropped so they do not fail it. */
export function histogramQuery(logQuery: string, stepSeconds: number): string {
  return `sum by (level) (count_over_time(${stripComments(logQuery).trim()} | drop __error__, __error_details__ [${stepSeconds}s]))`;
}

/** Top values of one field over the whole range, for field statistics. */
export function fieldTopValuesQuery(logQuery: string, field: string, rangeSeconds: number, k = 10): string {
  return `topk(${k}, sum by (${field}) (count_over_time(${stripComments(logQuery).trim()} | drop __error__, __error_details__ [${Math.max(1, Math.ceil(rangeSeconds))}s])))`;
}

/** The selector of exactly one stream, for context queries: `{app="a", level="info"}`. */
export function streamSelector(labels: Record<string, string>): string {
  const names = Object.keys(labels).sort();
  return `{${names.map((n) => `${n}=${quote(labels[n])}`).join(', ')}}`;
}

/** The lines of one request: those carrying the id as a field (indexed structured metadata) and those mentioning it. */
export function traceQueries(traceId: string, field = 'trace_id'): string[] {
  return [`{} | ${field}=${quote(traceId)}`, `{} |= ${quote(traceId)}`];
}

function stripComments(query: string): string {
  return tokenize(query)
    .filter((t) => t.type !== 'comment')
    .map((t) => t.text)
    .join('');
}
