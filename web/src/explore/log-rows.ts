// Turns Loki `streams` results (categorize-labels shape: stream labels, structured metadata, parsed labels kept
// apart) into one flat, time-ordered list of rows for the log list, the table and the JSON view. Also answers
// which fields the rows carry (the field list and table columns). Pure.

import type { EntryExtra, Labels, StreamResult } from '../api/loki-types.ts';
import { detectLevel, type Level } from './log-level.ts';

export interface LogRow {
  /** unique within one result set (and across tail frames) */
  key: string;
  tsNs: string;
  tsMs: number;
  line: string;
  stream: Labels;
  metadata: Labels;
  parsed: Labels;
  level: Level;
}

export type FieldSource = 'label' | 'metadata' | 'parsed';

const EMPTY: Labels = Object.freeze({}) as Labels;

/** Compares nanosecond timestamps as decimal strings (exact beyond 2^53). */
export function compareNs(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Rows of every stream, newest first (`backward`) or oldest first. `keyPrefix` keeps keys unique when rows from
 * several replies are joined (live tail frames).
 */
export function rowsFromStreams(result: StreamResult[], direction: 'backward' | 'forward' = 'backward', keyPrefix = ''): LogRow[] {
  const rows: LogRow[] = [];
  for (let s = 0; s < result.length; s++) {
    const stream = result[s].stream ?? EMPTY;
    const values = result[s].values ?? [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      const extra: EntryExtra | undefined = v[2];
      const metadata = extra?.structuredMetadata ?? EMPTY;
      const parsed = extra?.parsed ?? EMPTY;
      const tsNs = v[0];
      const line = v[1];
      rows.push({
        key: `${keyPrefix}${s}.${i}`,
        tsNs,
        tsMs: nsToMs(tsNs),
        line,
        stream,
        metadata,
        parsed,
        level: detectLevel(stream, metadata, parsed, line),
      });
    }
  }
  rows.sort(direction === 'backward' ? (a, b) => compareNs(b.tsNs, a.tsNs) : (a, b) => compareNs(a.tsNs, b.tsNs));
  return rows;
}

export function nsToMs(ns: string): number {
  return ns.length > 6 ? Number(ns.slice(0, -6)) + Number(ns.slice(-6)) / 1e6 : Number(ns) / 1e6;
}

/** A field's value on a row: stream label, then structured metadata, then parsed (the order Loki shadows them in). */
export function fieldValue(row: LogRow, name: string): string | undefined {
  return row.stream[name] ?? row.metadata[name] ?? row.parsed[name];
}

export interface FieldInfo {
  name: string;
  source: FieldSource;
  /** rows carrying it */
  count: number;
  /** distinct values seen, up to 100 */
  distinct: number;
}

/** The fields the rows carry, most common first, for the field list and the table's column chooser. */
export function fieldsOf(rows: LogRow[], sampleLimit = 20_000): FieldInfo[] {
  const seen = new Map<string, { source: FieldSource; count: number; values: Set<string> }>();
  const n = Math.min(rows.length, sampleLimit);
  const add = (labels: Labels, source: FieldSource) => {
    for (const name in labels) {
      if (name === '__error__' || name === '__error_details__') continue;
      let f = seen.get(name);
      if (!f) seen.set(name, (f = { source, count: 0, values: new Set() }));
      f.count++;
      if (f.values.size < 100) f.values.add(labels[name]);
    }
  };
  for (let i = 0; i < n; i++) {
    add(rows[i].stream, 'label');
    add(rows[i].metadata, 'metadata');
    add(rows[i].parsed, 'parsed');
  }
  return [...seen.entries()]
    .map(([name, f]) => ({ name, source: f.source, count: f.count, distinct: f.values.size }))
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
}

/** One row as the JSON view shows it: everything the API returned for the entry. */
export function rowJson(row: LogRow): string {
  const o: Record<string, unknown> = { timestamp: row.tsNs, labels: row.stream };
  if (Object.keys(row.metadata).length) o.structuredMetadata = row.metadata;
  if (Object.keys(row.parsed).length) o.parsed = row.parsed;
  o.line = row.line;
  return JSON.stringify(o);
}

const TRACE_KEYS = ['trace_id', 'traceId', 'traceid', 'trace.id', 'traceID'];
const TRACE_IN_LINE = /\b(?:trace_id|traceId|traceid|trace\.id|traceID)["']?\s*[=:]\s*["']?([0-9A-Za-z-]{6,64})/;

/** The request id of a row: a trace_id field, else one written in the line (`trace_id=…`, `"traceId":"…"`). */
export function traceIdOf(row: LogRow): string | undefined {
  for (const k of TRACE_KEYS) {
    const v = row.metadata[k] ?? row.parsed[k] ?? row.stream[k];
    if (v) return v;
  }
  return TRACE_IN_LINE.exec(row.line)?.[1];
}

/** Where trace ids sit in a line, to render them as links. */
export function traceIdSpans(line: string): { from: number; to: number; id: string }[] {
  const out: { from: number; to: number; id: string }[] = [];
  const re = new RegExp(TRACE_IN_LINE.source, 'g');
  for (let m = re.exec(line); m; m = re.exec(line)) {
    const from = m.index + m[0].length - m[1].length;
    out.push({ from, to: from + m[1].length, id: m[1] });
  }
  return out;
}

/** The service a row belongs to, for the trace waterfall. */
export function serviceOf(row: LogRow): string {
  for (const k of ['service', 'service_name', 'app', 'job', 'container', 'component']) {
    const v = row.stream[k] ?? row.metadata[k];
    if (v) return v;
  }
  return 'unknown';
}
