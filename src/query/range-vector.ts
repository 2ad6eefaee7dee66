// Range aggregations on the step grid. count_over_time, rate, bytes_over_time, bytes_rate: rows are counted into
// buckets of width gcd(step, range), each step's window (t-range, t] being a run of buckets; without parser stages the
// store does the counting (pushdown). Unwrapped aggregations go to ./unwrap-range.ts; absent_over_time wraps either.

import type { RangeAggregation } from './ast.ts';
import type { Labels } from '../model/record.ts';
import { labelsToString } from '../model/record.ts';
import { tallyChunk, type QueryStats } from './query-stats.ts';
import type { Store } from '../store/store.ts';
import { planLogQuery } from './planner.ts';
import { addDetectedLevel } from './detected-level.ts';
import { compilePipeline, type StageRow } from './stages/pipeline.ts';
import { mapToLabels, rowLabels } from './row-labels.ts';
import { newSeries, type SeriesSet, type StepGrid } from './series.ts';
import { QueryError } from './query-error.ts';
import { evalUnwrapRange } from './unwrap-range.ts';
import { absentOverTime } from './absent-over-time.ts';
import { PipelineError } from './pipeline-error.ts';
import { ERROR_LABEL } from './stages/pipeline-errors.ts';

const MAX_BUCKETS = 2_000_000;
const SUPPORTED = new Set(['count_over_time', 'rate', 'bytes_over_time', 'bytes_rate']);

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Per-series bucket sums before windowing. */
interface Buckets {
  labels: Labels;
  sums: Map<number, number>;
}

export async function evalRangeAggregation(store: Store, node: RangeAggregation, grid: StepGrid, tenants: string[], stats: QueryStats): Promise<SeriesSet> {
  if (node.op === 'absent_over_time') {
    // what is present: lines (or, with unwrap, samples) that make it through the whole pipeline
    const present = node.unwrap
      ? await evalUnwrapRange(store, { ...node, op: 'sum_over_time' }, grid, tenants, stats)
      : await evalRangeAggregation(store, { ...node, op: 'count_over_time' }, grid, tenants, stats);
    return absentOverTime(present, node.query.selector, grid.steps);
  }
  if (node.unwrap) return evalUnwrapRange(store, node, grid, tenants, stats);
  if (!SUPPORTED.has(node.op)) throw new QueryError(`${node.op} needs | unwrap`);
  const rangeNs = BigInt(Math.round(node.rangeMs * 1e6));
  const offsetNs = BigInt(Math.round(node.offsetMs * 1e6));
  if (rangeNs <= 0n) throw new QueryError('range must be positive');
  const width = grid.steps > 1 ? gcd(grid.stepNs, rangeNs) : rangeNs;
  // bucket j ≥ 1 covers (base + (j-1)·width, base + j·width]
  const base = grid.startNs - offsetNs - rangeNs;
  const endNs = grid.startNs + grid.stepNs * BigInt(grid.steps - 1) - offsetNs;
  const totalBuckets = Number((endNs - base) / width);
  if (totalBuckets > MAX_BUCKETS) {
    throw new QueryError(`query needs ${totalBuckets} time buckets (step and range have a small common divisor); use a step that divides the range`);
  }
  const perWindow = Number(rangeNs / width);
  const stepBuckets = Number(grid.stepNs / width);
  /** Whether a bucket lies in some step's window: buckets (k·stepBuckets, k·stepBuckets + perWindow]. */
  const windowed = (bucket: number): boolean => {
    if (grid.steps === 1) return true;
    const k = Math.max(0, Math.ceil((bucket - perWindow) / stepBuckets));
    return k < grid.steps && k * stepBuckets < bucket;
  };
  const measure = node.op === 'bytes_over_time' || node.op === 'bytes_rate' ? 'bytes' : 'count';
  const plan = planLogQuery(node.query);
  const buckets = new Map<string, Buckets>();
  const add = (labels: Labels, key: string, bucket: number, v: number): void => {
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = { labels, sums: new Map() }));
    b.sums.set(bucket, (b.sums.get(bucket) ?? 0) + v);
  };

  const selection = { tenants, matchers: node.query.selector, fromNs: base + 1n, toNs: endNs + 1n, lineFilters: plan.lineFilters, fieldEquals: plan.fieldEquals };
  if (plan.stages.length === 0 && !plan.detectLevel) {
    const rows = await store.aggregate({ ...selection, measure, baseNs: base, widthNs: width }, stats);
    const keys = new Map<number, string>();
    for (let i = 0; i < rows.stream.length; i++) {
      // counted in the store: every counted line passed the (pushed-down) filters; summed bytes were read
      if (measure === 'count') stats.postFilterLines += rows.value[i];
      else stats.bytesProcessed += rows.value[i];
      const info = store.stream(rows.stream[i]);
      if (!info) continue;
      let key = keys.get(info.id);
      if (key === undefined) keys.set(info.id, (key = labelsToString(info.labels)));
      add(info.labels, key, rows.bucket[i], rows.value[i]);
    }
    // structured metadata does not split series on this path: the store groups by stream
  } else {
    const pipeline = compilePipeline(plan.stages);
    for await (const chunk of store.scan({ ...selection, direction: 'forward' }, stats)) {
      tallyChunk(stats, chunk);
      for (let i = 0; i < chunk.ts.length; i++) {
        const info = store.stream(chunk.stream[i]);
        if (!info) continue;
        const row: StageRow = { line: chunk.line[i], tsNs: chunk.ts[i], labels: rowLabels(info.labels, chunk.metadata[i]) };
        if (plan.detectLevel) addDetectedLevel(row.labels, row.line);
        if (!pipeline(row)) continue;
        stats.postFilterLines++;
        const labels = mapToLabels(row.labels);
        const bucket = Number((chunk.ts[i] - base - 1n) / width) + 1;
        // metric queries cannot contain errors (Loki): an errored row inside a window fails the query
        if (row.labels.has(ERROR_LABEL) && windowed(bucket)) throw new PipelineError(labels);
        add(labels, labelsToString(labels), bucket, measure === 'count' ? 1 : Buffer.byteLength(row.line));
      }
    }
  }

  const rangeSeconds = Number(rangeNs) / 1e9;
  const out: SeriesSet = new Map();
  for (const [key, b] of buckets) {
    // prefix sums over the occupied buckets, so each window is two binary searches
    const ids = [...b.sums.keys()].sort((x, y) => x - y);
    const prefix = new Float64Array(ids.length + 1);
    for (let i = 0; i < ids.length; i++) prefix[i + 1] = prefix[i] + b.sums.get(ids[i])!;
    const series = newSeries(b.labels, grid.steps);
    let any = false;
    for (let k = 0; k < grid.steps; k++) {
      // step k's window is buckets (last - perWindow, last]
      const last = (grid.steps > 1 ? k * stepBuckets : 0) + perWindow;
      const lo = lowerBound(ids, last - perWindow + 1);
      const hi = lowerBound(ids, last + 1);
      if (hi <= lo) continue;
      any = true;
      const sum = prefix[hi] - prefix[lo];
      series.values[k] = node.op === 'rate' || node.op === 'bytes_rate' ? sum / rangeSeconds : sum;
    }
    if (any) out.set(key, series);
  }
  return out;
}

/** First index whose value is ≥ x in a sorted array. */
function lowerBound(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
