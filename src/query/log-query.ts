// Runs a log query: the store streams candidate rows in time order, the remaining pipeline stages run here,
// and rows are grouped into result streams by their final label set until the limit is reached.

import type { LogQuery } from './ast.ts';
import type { Labels } from '../model/record.ts';
import { labelsToString } from '../model/record.ts';
import type { ScanStats } from '../store/plan.ts';
import type { Store } from '../store/store.ts';
import { planLogQuery } from './planner.ts';
import { compilePipeline, type StageRow } from './stages/pipeline.ts';
import { mapToLabels, mergedLabels, rowLabels } from './row-labels.ts';

export interface LogStream {
  labels: Labels;
  /** [ns timestamp as string, line] */
  values: [string, string][];
}

export interface LogQueryArgs {
  tenants: string[];
  fromNs: bigint;
  toNs: bigint;
  limit: number;
  direction: 'forward' | 'backward';
}

export async function runLogQuery(store: Store, q: LogQuery, args: LogQueryArgs, stats: ScanStats): Promise<{ streams: LogStream[]; entries: number; bytes: number }> {
  const plan = planLogQuery(q);
  const pipeline = plan.stages.length > 0 ? compilePipeline(plan.stages) : undefined;
  const byKey = new Map<string, LogStream>();
  let entries = 0;
  let bytes = 0;
  const scan = store.scan(
    {
      tenants: args.tenants,
      matchers: q.selector,
      fromNs: args.fromNs,
      toNs: args.toNs,
      lineFilters: plan.lineFilters,
      fieldEquals: plan.fieldEquals,
      direction: args.direction,
      limit: pipeline ? undefined : args.limit,
    },
    stats,
  );
  const streamKeys = new Map<number, { labels: Labels; key: string }>();
  outer: for await (const chunk of scan) {
    for (let i = 0; i < chunk.ts.length; i++) {
      const info = store.stream(chunk.stream[i]);
      if (!info) continue;
      let labels: Labels;
      let key: string;
      let line = chunk.line[i];
      if (pipeline) {
        const row: StageRow = { line, tsNs: chunk.ts[i], labels: rowLabels(info.labels, chunk.metadata[i]) };
        if (!pipeline(row)) continue;
        line = row.line;
        labels = mapToLabels(row.labels);
        key = labelsToString(labels);
      } else if (chunk.metadata[i] !== null) {
        labels = mergedLabels(info.labels, chunk.metadata[i]);
        key = labelsToString(labels);
      } else {
        let cached = streamKeys.get(info.id);
        if (!cached) streamKeys.set(info.id, (cached = { labels: info.labels, key: labelsToString(info.labels) }));
        labels = cached.labels;
        key = cached.key;
      }
      let out = byKey.get(key);
      if (!out) byKey.set(key, (out = { labels, values: [] }));
      out.values.push([chunk.ts[i].toString(), line]);
      entries++;
      bytes += line.length;
      if (entries >= args.limit) break outer;
    }
  }
  return { streams: [...byKey.values()], entries, bytes };
}
