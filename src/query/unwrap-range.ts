// Unwrapped range aggregations (`sum_over_time({..} | logfmt | unwrap bytes(size) | __error__="" [5m]) by (path)`):
// rows stream from the store in time order, become samples (value of the unwrapped label, labels after grouping),
// and each step's window (t-range, t] is evaluated as soon as the scan passes its end, so memory holds one window.
import type { Grouping, LabelFilterExpr, PipelineStage, RangeAggregation, RangeOp } from './ast.ts';
import type { Labels } from '../model/record.ts';
import { labelsToString } from '../model/record.ts';
import { tallyChunk, type QueryStats } from './query-stats.ts';
import type { Store } from '../store/store.ts';
import { planLogQuery } from './planner.ts';
import { addDetectedLevel } from './detected-level.ts';
import { compilePipeline, StageCompileError, type CompiledPipeline, type StageRow } from './stages/pipeline.ts';
import { ERROR_DETAILS_LABEL, ERROR_LABEL } from './stages/pipeline-errors.ts';
import { parseGoFloat } from './stages/go-number.ts';
import { durationSeconds, parseGoDuration } from './stages/go-duration.ts';
import { parseByteSize } from './stages/byte-size.ts';
import { mapToLabels, rowLabels } from './row-labels.ts';
import { newSeries, type Series, type SeriesSet, type StepGrid } from './series.ts';
import { windowFunction, type OverTimeOp } from './over-time.ts';
import { PipelineError } from './pipeline-error.ts';
import { QueryError } from './query-error.ts';

const OVER_TIME_OPS: ReadonlySet<RangeOp> = new Set<OverTimeOp>([
  'sum_over_time', 'avg_over_time', 'min_over_time', 'max_over_time', 'stddev_over_time', 'stdvar_over_time',
  'quantile_over_time', 'first_over_time', 'last_over_time', 'rate', 'rate_counter',
]);

function isOverTimeOp(op: RangeOp): op is OverTimeOp {
  return OVER_TIME_OPS.has(op);
}

/** One output series while the scan runs: its samples from `head` on are the ones later windows may still need. */
interface Window {
  ts: bigint[];
  values: number[];
  head: number;
  out: Series;
}

export async function evalUnwrapRange(store: Store, node: RangeAggregation, grid: StepGrid, tenants: string[], stats: QueryStats): Promise<SeriesSet> {
  const unwrap = node.unwrap;
  if (unwrap === undefined || !isOverTimeOp(node.op)) throw new QueryError(`${node.op} cannot aggregate unwrapped values`);
  const rangeNs = BigInt(Math.round(node.rangeMs * 1e6));
  const offsetNs = BigInt(Math.round(node.offsetMs * 1e6));
  if (rangeNs <= 0n) throw new QueryError('range must be positive');
  const fn = windowFunction(node.op, { rangeNs, phi: node.param ?? NaN });
  const plan = planLogQuery(node.query);
  const pre = compile(plan.stages);
  const post = compile(unwrap.postFilters.map((expr: LabelFilterExpr): PipelineStage => ({ kind: 'label_filter', expr })));
  const convert = converter(unwrap.conversion);
  const labelsOf = sampleLabeler(node.grouping, unwrap.label);

  // step k's window is (t_k - range, t_k] with t_k = start + k·step - offset
  const steps = grid.steps;
  const stepNs = steps > 1 ? grid.stepNs : 0n;
  const t0 = grid.startNs - offsetNs;
  const stepEnd = (k: number): bigint => t0 + stepNs * BigInt(k);
  const series = new Map<string, Window>();
  const finish = (k: number): void => {
    const start = stepEnd(k) - rangeNs;
    for (const w of series.values()) {
      const { ts } = w;
      let head = w.head;
      while (head < ts.length && ts[head]! <= start) head++;
      if (head < ts.length) w.out.values[k] = fn(ts, w.values, head, ts.length);
      if (head > 1024 && head * 2 > ts.length) {
        w.ts = ts.slice(head);
        w.values = w.values.slice(head);
        head = 0;
      }
      w.head = head;
    }
  };

  let next = 0; // the first step whose window is still open
  let nextEnd = stepEnd(0);
  let lastTs = -1n << 63n;
  const selection = { tenants, matchers: node.query.selector, fromNs: t0 - rangeNs + 1n, toNs: stepEnd(steps - 1) + 1n, lineFilters: plan.lineFilters, fieldEquals: plan.fieldEquals };
  for await (const chunk of store.scan({ ...selection, direction: 'forward' }, stats)) {
    tallyChunk(stats, chunk);
    for (let i = 0; i < chunk.ts.length; i++) {
      const tsNs = chunk.ts[i]!;
      if (tsNs < lastTs) throw new Error(`store contract broken: forward scan returned ${tsNs} after ${lastTs}`);
      lastTs = tsNs;
      while (next < steps && tsNs > nextEnd) {
        finish(next++);
        nextEnd = stepEnd(next);
      }
      // rows before the open window fall in no window (steps longer than the range leave gaps): Loki skips them too
      if (next >= steps || tsNs <= nextEnd - rangeNs) continue;
      const info = store.stream(chunk.stream[i]!);
      if (!info) continue;
      const row: StageRow = { line: chunk.line[i]!, tsNs, labels: rowLabels(info.labels, chunk.metadata[i] ?? null) };
      if (plan.detectLevel) addDetectedLevel(row.labels, row.line);
      if (!pre(row)) continue;
      // a line without the label gives no sample and no error (Loki, grafana/loki#6713)
      const text = row.labels.get(unwrap.label);
      if (text === undefined || text === '') continue;
      let value = convert(text);
      if (typeof value === 'string') {
        // Loki's SetErr: the conversion error replaces an earlier stage's error
        row.labels.set(ERROR_LABEL, 'SampleExtractionErr');
        row.labels.set(ERROR_DETAILS_LABEL, value);
        value = 0;
      }
      if (!post(row)) continue;
      stats.postFilterLines++;
      if (row.labels.has(ERROR_LABEL)) throw new PipelineError(mapToLabels(row.labels));
      const labels = labelsOf(row.labels);
      const key = labelsToString(labels);
      let w = series.get(key);
      if (!w) series.set(key, (w = { ts: [], values: [], head: 0, out: newSeries(labels, steps) }));
      w.ts.push(tsNs);
      w.values.push(value);
    }
  }
  while (next < steps) finish(next++);

  const out: SeriesSet = new Map();
  for (const [key, w] of series) out.set(key, w.out);
  return out;
}

function compile(stages: PipelineStage[]): CompiledPipeline {
  try {
    return compilePipeline(stages);
  } catch (e) {
    if (e instanceof StageCompileError) throw new QueryError(e.message);
    throw e;
  }
}

/** The label value as a sample value, or the conversion's error text (Go's wording, as Loki reports it). */
function converter(conversion: NonNullable<RangeAggregation['unwrap']>['conversion']): (text: string) => number | string {
  switch (conversion) {
    case undefined:
      return (text) => {
        const r = parseGoFloat(text);
        return r.ok ? r.value : r.error;
      };
    case 'duration':
    case 'duration_seconds':
      return (text) => {
        const r = parseGoDuration(text);
        return r.ok ? durationSeconds(r.ns) : r.error;
      };
    case 'bytes':
      return (text) => {
        const r = parseByteSize(text);
        return r.ok ? r.bytes : r.error;
      };
  }
}

/**
 * A sample's series labels, as Loki's sample extractor groups them: `by (a, b)` keeps only those labels (`by ()` none);
 * `without (a)` and no grouping keep the others but always drop the unwrapped label itself.
 */
function sampleLabeler(grouping: Grouping | undefined, unwrapLabel: string): (labels: Map<string, string>) => Labels {
  if (grouping !== undefined && !grouping.without) {
    const names = [...new Set(grouping.labels)].sort();
    return (m) => {
      const out: Labels = {};
      for (const name of names) {
        const v = m.get(name);
        if (v !== undefined) out[name] = v;
      }
      return out;
    };
  }
  const drop = new Set(grouping?.labels ?? []);
  drop.add(unwrapLabel);
  return (m) => {
    const out: Labels = {};
    for (const name of [...m.keys()].sort()) if (!drop.has(name)) out[name] = m.get(name)!;
    return out;
  };
}
