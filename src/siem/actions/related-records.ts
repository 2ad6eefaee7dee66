// The `related` enrichment: stored records of the alert's tenant, within ±window of its first/last event, that carry a
// value of the alert (a trace_id, user or IP from its group or linked records), minus the alert's own events. Queries go
// through the query engine (a `{}` selector with `|= "value"` for the token index, plus an exact label/metadata matcher).

import { labelsToString } from '../../model/record.ts';
import type { QueryEngine } from '../../query/engine.ts';
import type { LogEntry } from '../../query/log-query.ts';
import type { SiemAlert } from '../alert.ts';
import type { RelatedGroup, RelatedRecord } from './related-groups.ts';

export type { RelatedGroup, RelatedRecord } from './related-groups.ts';

export interface RelatedOptions {
  /** the keys whose values are searched, in this order */
  by: string[];
  /** how far before the first and after the last linked event */
  windowMs: number;
  /** records kept per key and value */
  limit: number;
  /** records kept over all values */
  maxRecords: number;
  /** distinct key/value pairs searched */
  maxValues: number;
  /** wall-clock budget for all the queries of one alert */
  timeoutMs: number;
}

export const RELATED_DEFAULTS: RelatedOptions = {
  by: ['trace_id', 'user_id', 'user', 'src_ip', 'client_ip'],
  windowMs: 15 * 60_000,
  limit: 50,
  maxRecords: 500,
  maxValues: 20,
  timeoutMs: 10_000,
};

/** Values shorter than this match too much to be worth a search ("-", "0", "ok"). */
export const MIN_VALUE_LENGTH = 3;

export interface RelatedTarget {
  key: string;
  value: string;
  /** the value was a stream label or structured-metadata/parsed field of a linked record under this key */
  exact: boolean;
}

const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A LogQL double-quoted string (Go strconv syntax): `\` and `"` escaped, control characters as \u00XX. */
export function logqlString(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x5c) out += '\\\\';
    else if (c === 0x22) out += '\\"';
    else if (c < 0x20 || c === 0x7f) out += `\\u00${c.toString(16).padStart(2, '0')}`;
    else out += value[i];
  }
  return out + '"';
}

/** The key/value pairs to search: group values, then linked records' labels and fields, in `by` order, bounded. */
export function relatedTargets(alert: SiemAlert, opts: RelatedOptions): { targets: RelatedTarget[]; dropped: number } {
  const found = new Map<string, RelatedTarget>();
  const add = (key: string, value: string | undefined, exact: boolean): void => {
    if (value === undefined || value.length < MIN_VALUE_LENGTH) return;
    const id = `${key}\u0000${value}`;
    const have = found.get(id);
    if (have === undefined) found.set(id, { key, value, exact });
    else if (exact) have.exact = true;
  };
  for (const key of opts.by) {
    add(key, alert.group[key], false);
    for (const e of alert.events) {
      add(key, e.labels[key], true);
      add(key, e.fields?.[key], true);
    }
  }
  const all = [...found.values()];
  return { targets: all.slice(0, opts.maxValues), dropped: Math.max(0, all.length - opts.maxValues) };
}

/** The LogQL log queries for one target: the line search, and an exact matcher where the key can be one. */
export function relatedQueries(t: RelatedTarget): string[] {
  const q = [`{} |= ${logqlString(t.value)}`];
  if (t.exact && LABEL_NAME.test(t.key) && !t.key.startsWith('__')) q.push(`{} | ${t.key}=${logqlString(t.value)}`);
  return q;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/**
 * Whether `line` holds `value` as a whole token: `|=` is a substring search, so 10.0.0.1 also finds 10.0.0.15 and
 * bob finds bobby; a related record must not be one of those.
 */
export function containsToken(line: string, value: string): boolean {
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  for (let at = line.indexOf(value); at >= 0; at = line.indexOf(value, at + 1)) {
    const before = at > 0 ? line.charCodeAt(at - 1) : -1;
    const after = at + value.length < line.length ? line.charCodeAt(at + value.length) : -1;
    // a boundary only matters where the value itself starts/ends with a word character
    if ((before < 0 || !isWordChar(first) || !isWordChar(before)) && (after < 0 || !isWordChar(last) || !isWordChar(after))) return true;
  }
  return false;
}

export interface RelatedDeps {
  engine: Pick<QueryEngine, 'run'>;
  /** wall clock (ms), for the time budget */
  now?: () => number;
}

function recordKey(ts: string, line: string): string {
  return `${ts}\u0000${line}`;
}

/** Searches the store for each target; a failing query is recorded on its group, never thrown. */
export async function findRelated(alert: SiemAlert, opts: RelatedOptions, deps: RelatedDeps): Promise<RelatedGroup[]> {
  const now = deps.now ?? Date.now;
  const deadline = now() + opts.timeoutMs;
  const windowNs = BigInt(opts.windowMs) * 1_000_000n;
  const fromNs = BigInt(alert.first_ts) - windowNs;
  const toNs = BigInt(alert.last_ts) + windowNs + 1n; // the engine's end is exclusive
  // the alert's own events, and its own record in {stream="detections"}, are not related to it
  const own = new Set(alert.events.map((e) => recordKey(e.ts, e.line)));
  const { targets, dropped } = relatedTargets(alert, opts);
  const groups: RelatedGroup[] = [];
  let total = 0;
  for (const t of targets) {
    const g: RelatedGroup = { key: t.key, value: t.value, count: 0, truncated: false, records: [] };
    groups.push(g);
    if (total >= opts.maxRecords) {
      g.truncated = true;
      g.error = `not searched: ${opts.maxRecords} related records already attached (max_records)`;
      continue;
    }
    if (now() >= deadline) {
      g.truncated = true;
      g.error = `not searched: time budget of ${opts.timeoutMs} ms spent`;
      continue;
    }
    // own events in the window may fill a page: read past them, and one more to know whether the limit cut
    const pageLimit = opts.limit + own.size + 1;
    const rows = new Map<string, RelatedRecord>();
    try {
      for (const query of relatedQueries(t)) {
        const { result } = await deps.engine.run({ query, tenants: [alert.tenant], startNs: fromNs, endNs: toNs, stepNs: 0n, instant: false, limit: pageLimit, direction: 'forward', categorizeLabels: true });
        if (result.resultType !== 'streams') throw new Error(`related query ${query} did not return log lines`);
        let n = 0;
        for (const s of result.streams) {
          const labels = s.labels as Record<string, string>;
          if (labels.source === 'sightline' && labels.stream === 'detections') continue;
          const stream = labelsToString(s.labels);
          for (const v of s.values as LogEntry[]) {
            n++;
            const [ts, line] = v;
            if (own.has(recordKey(ts, line))) continue;
            const meta = v.length === 3 ? v[2].structuredMetadata : undefined;
            // the exact query matched on the label/metadata; the line query must hold the value as a token
            if (!query.startsWith('{} |= ') || containsToken(line, t.value)) {
              const rec: RelatedRecord = { ts, labels, line };
              if (meta !== undefined && Object.keys(meta).length > 0) rec.metadata = meta;
              rows.set(`${ts}\u0000${stream}\u0000${line}`, rec);
            }
          }
        }
        if (n >= pageLimit) g.truncated = true;
      }
    } catch (e) {
      g.error = `query failed: ${(e as Error).message}`;
    }
    const sorted = [...rows.values()].sort((a, b) => (BigInt(a.ts) < BigInt(b.ts) ? -1 : BigInt(a.ts) > BigInt(b.ts) ? 1 : 0));
    g.count = sorted.length;
    const keep = Math.min(opts.limit, opts.maxRecords - total);
    if (sorted.length > keep) g.truncated = true;
    g.records = sorted.slice(0, keep);
    total += g.records.length;
  }
  if (dropped > 0) groups.push({ key: '*', value: '*', count: 0, truncated: true, records: [], error: `${dropped} more values not searched (max_values ${opts.maxValues})` });
  return groups;
}
