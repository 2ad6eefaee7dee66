// Historical mode: runs rules over stored records of a time range through the query engine, with the same detection
// engine as the live path (no actions, nobody notified). Each rule's stream selector and leading line filters become a
// LogQL query (so the store prunes what cannot match); rows of all queries are merged, de-duplicated and fed in time
// order, window by window (a window whose page is full is split in half), so memory stays bounded.

import type { Labels, Metadata, StreamEntries } from '../model/record.ts';
import type { QueryEngine } from '../query/engine.ts';
import type { LogEntry } from '../query/log-query.ts';
import { labelsToString } from '../model/record.ts';
import type { SiemAlert } from './alert.ts';
import { DetectionEngine } from './detection-engine.ts';
import { prefilterQuery } from './prefilter-query.ts';
import type { RuleSet } from './rule-set.ts';

export interface HuntOptions {
  /** only `run` is used: a caller may wrap it (a backtest narrows the queries and bounds the rows read) */
  engine: Pick<QueryEngine, 'run'>;
  rules: RuleSet;
  tenant: string;
  fromNs: bigint;
  /** exclusive */
  toNs: bigint;
  /** rows per query page (default 5000) */
  pageLimit?: number;
  /** first window length (default 1h; halved while pages are full) */
  windowNs?: bigint;
  onAlert?: (alert: SiemAlert) => void;
}

export interface HuntResult {
  alerts: SiemAlert[];
  /** records fed to the rules */
  records: number;
  /** the LogQL queries run per window */
  queries: string[];
  windows: number;
}

const DEFAULT_WINDOW_NS = 3_600_000_000_000n;
const MIN_WINDOW_NS = 1_000_000n;

/** The distinct queries that together read every record some rule could match. */
export function huntQueries(program: DetectionEngine['program']): string[] {
  const qs = new Set<string>();
  for (const src of program.logql) qs.add(src.prefilterText);
  for (const g of program.sigmaGroups) qs.add(g.entry !== undefined ? prefilterQuery(g.entry.query) : '{}');
  // `{}` reads everything: any other query would only repeat rows
  if (qs.has('{}')) return ['{}'];
  return [...qs].sort();
}

interface Row {
  ts: bigint;
  labels: Labels;
  stream: string;
  line: string;
  metadata: Metadata | undefined;
}

export async function hunt(opts: HuntOptions): Promise<HuntResult> {
  const alerts: SiemAlert[] = [];
  const detection = new DetectionEngine({
    rules: opts.rules,
    clockWatermark: false,
    reorderWindowMs: 0,
    onAlert: (a) => {
      alerts.push(a);
      opts.onAlert?.(a);
    },
  });
  const queries = huntQueries(detection.program);
  const limit = opts.pageLimit ?? 5000;
  let records = 0;
  let windows = 0;
  let start = opts.fromNs;
  let size = opts.windowNs ?? DEFAULT_WINDOW_NS;
  while (start < opts.toNs) {
    const end = start + size < opts.toNs ? start + size : opts.toNs;
    let rows = await readWindow(opts, queries, start, end, limit);
    if (rows === 'full' && end - start > MIN_WINDOW_NS) {
      size = (end - start) / 2n;
      continue;
    }
    // more rows than a page in a millisecond: read that millisecond with bigger pages rather than lose any
    for (let big = limit * 10; rows === 'full'; big *= 10) {
      if (big > 10_000_000) throw new Error(`more than 10000000 records between ${start} and ${end} ns: cannot hunt this range`);
      rows = await readWindow(opts, queries, start, end, big);
    }
    const got = rows;
    windows++;
    records += got.length;
    feed(detection, opts.tenant, got);
    start = end;
    // grow back after a dense stretch
    if (size < (opts.windowNs ?? DEFAULT_WINDOW_NS)) size *= 2n;
  }
  detection.flush();
  return { alerts, records, queries, windows };
}

async function readWindow(opts: HuntOptions, queries: string[], fromNs: bigint, toNs: bigint, limit: number): Promise<Row[] | 'full'> {
  const merged = new Map<string, { row: Row; count: number }>();
  for (const query of queries) {
    const { result } = await opts.engine.run({ query, tenants: [opts.tenant], startNs: fromNs, endNs: toNs, stepNs: 0n, instant: false, limit, direction: 'forward', categorizeLabels: true });
    if (result.resultType !== 'streams') throw new Error(`hunt query ${query} did not return log lines`);
    let n = 0;
    const seen = new Map<string, number>();
    for (const s of result.streams) {
      const stream = labelsToString(s.labels);
      for (const v of s.values as LogEntry[]) {
        n++;
        const meta = v.length === 3 ? v[2].structuredMetadata : undefined;
        const key = `${v[0]}\u0000${stream}\u0000${v[1]}\u0000${meta ? JSON.stringify(meta) : ''}`;
        const k = (seen.get(key) ?? 0) + 1;
        seen.set(key, k);
        const have = merged.get(key);
        // a row two queries return is one row; a row repeated within one query is repeated
        if (have === undefined) merged.set(key, { row: { ts: BigInt(v[0]), labels: s.labels, stream, line: v[1], metadata: meta }, count: 1 });
        else if (k > have.count) have.count = k;
      }
    }
    if (n >= limit) return 'full';
  }
  const rows: Row[] = [];
  for (const { row, count } of merged.values()) for (let i = 0; i < count; i++) rows.push(row);
  rows.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  return rows;
}

/** Feeds rows (in time order) as batches of about 5000, one stream entry list per stream. */
function feed(engine: DetectionEngine, tenant: string, rows: Row[]): void {
  const BATCH = 5000;
  for (let i = 0; i < rows.length; i += BATCH) {
    const streams = new Map<string, StreamEntries>();
    let bytes = 0;
    const end = Math.min(rows.length, i + BATCH);
    for (let k = i; k < end; k++) {
      const r = rows[k]!;
      let s = streams.get(r.stream);
      if (s === undefined) streams.set(r.stream, (s = { labels: r.labels, ts: [], lines: [], metadata: [] }));
      s.ts.push(r.ts);
      s.lines.push(r.line);
      s.metadata.push(r.metadata);
      bytes += r.line.length;
    }
    engine.onCommitted({ tenant, streams: [...streams.values()], entries: end - i, bytes });
  }
}
