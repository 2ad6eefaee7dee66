// Runs a log query: the store streams candidate rows in time order, the remaining pipeline stages run here,
// and rows are grouped into result streams until the limit is reached. By default a result stream is a distinct
// final label set (stream labels + structured metadata + parsed labels, as Loki answers); with `categorize` (Loki's
// `categorize-labels` encoding flag) it is the stream's own labels, and each entry carries its structured metadata
// and parsed labels apart.

import type { LogQuery } from './ast.ts';
import type { Labels } from '../model/record.ts';
import { labelsToString } from '../model/record.ts';
import type { Store } from '../store/store.ts';
import { planLogQuery } from './planner.ts';
import { addDetectedLevel, DETECTED_LEVEL } from './detected-level.ts';
import { compilePipeline, type StageRow } from './stages/pipeline.ts';
import { mapToLabels, mergedLabels, rowLabels } from './row-labels.ts';
import { tallyChunk, type QueryStats } from './query-stats.ts';

/** The per-entry label groups of a categorized reply; an empty group is left out (Loki sends `{}` when both are). */
export interface EntryLabels {
  structuredMetadata?: Labels;
  parsed?: Labels;
}

/** `[ns timestamp as string, line]`, or with categorized labels `[ns, line, {structuredMetadata?, parsed?}]`. */
export type LogEntry = [string, string] | [string, string, EntryLabels];

export interface LogStream {
  labels: Labels;
  values: LogEntry[];
}

export interface LogQueryArgs {
  tenants: string[];
  fromNs: bigint;
  toNs: bigint;
  limit: number;
  direction: 'forward' | 'backward';
  /** Loki's `categorize-labels`: streams keep only stream labels, entries carry metadata and parsed labels */
  categorize?: boolean;
  /** query_range `interval`: at most one entry per result stream per interval (see IntervalSampler) */
  intervalNs?: bigint;
}

/**
 * query_range `interval` (Loki HTTP API, "Step versus interval"): "a log entry at start, then the next entry with
 * timestamp >= start + interval, and again at start + interval + interval": per result stream, the first entry of
 * each interval counted from `start`. Reading backward, the grid is counted back from `end` and the newest entry of
 * each interval is kept, so entries are decided as they arrive and `limit` still ends the scan early.
 */
class IntervalSampler {
  private readonly lastCell = new Map<string, bigint>();
  constructor(
    private readonly intervalNs: bigint,
    private readonly fromNs: bigint,
    private readonly toNs: bigint,
    private readonly forward: boolean,
  ) {}

  keep(key: string, ts: bigint): boolean {
    const cell = this.forward ? (ts - this.fromNs) / this.intervalNs : (this.toNs - 1n - ts) / this.intervalNs;
    if (this.lastCell.get(key) === cell) return false;
    this.lastCell.set(key, cell);
    return true;
  }
}

export async function runLogQuery(store: Store, q: LogQuery, args: LogQueryArgs, stats: QueryStats): Promise<{ streams: LogStream[]; entries: number; bytes: number }> {
  const plan = planLogQuery(q);
  const pipeline = plan.stages.length > 0 || plan.detectLevel ? compilePipeline(plan.stages) : undefined;
  const categorize = args.categorize === true;
  const byKey = new Map<string, LogStream>();
  let entries = 0;
  let bytes = 0;
  const sampler = args.intervalNs !== undefined && args.intervalNs > 0n ? new IntervalSampler(args.intervalNs, args.fromNs, args.toNs, args.direction === 'forward') : undefined;
  const scan = store.scan(
    {
      tenants: args.tenants,
      matchers: q.selector,
      fromNs: args.fromNs,
      toNs: args.toNs,
      lineFilters: plan.lineFilters,
      fieldEquals: plan.fieldEquals,
      direction: args.direction,
      // rows the pipeline or the interval drops do not count towards the limit
      limit: pipeline || sampler ? undefined : args.limit,
    },
    stats,
  );
  const streamKeys = new Map<number, { labels: Labels; key: string }>();
  const metaKeys = new Set<string>();
  outer: for await (const chunk of scan) {
    tallyChunk(stats, chunk);
    for (let i = 0; i < chunk.ts.length; i++) {
      const info = store.stream(chunk.stream[i]);
      if (!info) continue;
      let labels: Labels;
      let key: string;
      let line = chunk.line[i];
      let extra: EntryLabels | undefined;
      if (pipeline) {
        const row: StageRow = { line, tsNs: chunk.ts[i], labels: rowLabels(info.labels, chunk.metadata[i], categorize ? metaKeys : undefined) };
        if (plan.detectLevel) {
          // Loki keeps detected_level as structured metadata
          addDetectedLevel(row.labels, line);
          if (categorize) metaKeys.add(DETECTED_LEVEL);
        }
        if (!pipeline(row)) continue;
        line = row.line;
        if (categorize) {
          const split = categorized(row.labels, info.labels, metaKeys, pipeline.created);
          labels = split.stream;
          extra = split.extra;
        } else {
          labels = mapToLabels(row.labels);
        }
        key = labelsToString(labels);
      } else if (chunk.metadata[i] !== null && !categorize) {
        labels = mergedLabels(info.labels, chunk.metadata[i]);
        key = labelsToString(labels);
      } else {
        let cached = streamKeys.get(info.id);
        if (!cached) streamKeys.set(info.id, (cached = { labels: info.labels, key: labelsToString(info.labels) }));
        labels = cached.labels;
        key = cached.key;
        if (categorize) extra = metadataOnly(info.labels, chunk.metadata[i]);
      }
      if (sampler && !sampler.keep(key, chunk.ts[i])) continue;
      let out = byKey.get(key);
      if (!out) byKey.set(key, (out = { labels, values: [] }));
      out.values.push(extra ? [chunk.ts[i].toString(), line, extra] : [chunk.ts[i].toString(), line]);
      entries++;
      bytes += line.length;
      if (entries >= args.limit) break outer;
    }
  }
  stats.postFilterLines += entries;
  return { streams: [...byKey.values()], entries, bytes };
}

/**
 * Splits a row's final labels by origin: a label no stage created keeps the category it came from (stream label, or
 * structured metadata), even if a stage rewrote its value; labels a stage created (parsers, label_format targets)
 * and `__error__`/`__error_details__` are parsed labels. A stream label a stage dropped is gone from the stream.
 */
function categorized(labels: Map<string, string>, streamLabels: Labels, metaKeys: Set<string>, created: ReadonlySet<string>): { stream: Labels; extra: EntryLabels } {
  const names = [...labels.keys()].sort();
  const stream: Labels = {};
  let metadata: Labels | undefined;
  let parsed: Labels | undefined;
  for (const name of names) {
    const value = labels.get(name)!;
    if (!created.has(name) && streamLabels[name] !== undefined) stream[name] = value;
    else if (!created.has(name) && metaKeys.has(name)) (metadata ??= {})[name] = value;
    else (parsed ??= {})[name] = value;
  }
  const extra: EntryLabels = {};
  if (metadata) extra.structuredMetadata = metadata;
  if (parsed) extra.parsed = parsed;
  return { stream, extra };
}

/** The structured metadata of a row without stages, less names its stream labels shadow, sorted. */
function metadataOnly(streamLabels: Labels, metadataJson: string | null): EntryLabels {
  if (metadataJson === null) return {};
  const meta = JSON.parse(metadataJson) as Record<string, string>;
  const names = Object.keys(meta).filter((k) => streamLabels[k] === undefined).sort();
  if (names.length === 0) return {};
  const structuredMetadata: Labels = {};
  for (const k of names) structuredMetadata[k] = meta[k];
  return { structuredMetadata };
}
