// The query engine: parses LogQL, runs log queries and evaluates metric expressions on a step grid,
// returning results in the shapes Loki's HTTP API uses (streams, matrix, vector, scalar).

import type { Expr, MetricExpr } from './ast.ts';
import type { Labels } from '../model/record.ts';
import type { Store } from '../store/store.ts';
import { parseExpr } from './parser.ts';
import { markDetectLevel, usesDetectedLevel } from './detected-level.ts';
import { runLogQuery, type LogStream } from './log-query.ts';
import { evalRangeAggregation } from './range-vector.ts';
import { newSeries, stepTimeNs, type SeriesSet, type StepGrid } from './series.ts';
import { aggregate, binary, isScalar, type Value } from './vector-ops.ts';
import { QueryError } from './query-error.ts';
import { labelReplace } from './label-replace.ts';
import { newQueryStats, type QueryStats } from './query-stats.ts';

export interface QueryRequest {
  query: string;
  tenants: string[];
  /** range queries: [startNs, endNs]; instant queries: startNs = endNs = the evaluation time */
  startNs: bigint;
  endNs: bigint;
  stepNs: bigint;
  instant: boolean;
  limit: number;
  direction: 'forward' | 'backward';
  /** Loki's `categorize-labels` encoding flag (log queries): see runLogQuery */
  categorizeLabels?: boolean;
  /** query_range `interval` (log queries only; metric queries ignore it, as Loki does) */
  intervalNs?: bigint;
}

export type QueryResult =
  | { resultType: 'streams'; streams: LogStream[] }
  | { resultType: 'matrix'; series: { labels: Labels; points: [number, number][] }[] }
  | { resultType: 'vector'; samples: { labels: Labels; time: number; value: number }[] }
  | { resultType: 'scalar'; time: number; value: number };

export interface QueryOutcome {
  result: QueryResult;
  stats: QueryStats;
}

const MAX_STEPS = 11_000; // Loki's limit on points per series

export class QueryEngine {
  constructor(private readonly store: Store) {}

  async run(req: QueryRequest): Promise<QueryOutcome> {
    const started = performance.now();
    const expr: Expr = parseExpr(req.query);
    if (usesDetectedLevel(req.query)) markDetectLevel(expr);
    const stats = newQueryStats();
    let result: QueryResult;
    if (expr.kind === 'log') {
      // instant log queries look back over the range's end as Loki does; range ones read [start, end)
      const { streams, entries, bytes } = await runLogQuery(
        this.store,
        expr,
        { tenants: req.tenants, fromNs: req.startNs, toNs: req.instant ? req.endNs + 1n : req.endNs, limit: req.limit, direction: req.direction, categorize: req.categorizeLabels, intervalNs: req.intervalNs },
        stats,
      );
      stats.entriesReturned = entries;
      stats.bytesReturned = bytes;
      result = { resultType: 'streams', streams };
    } else {
      if (req.stepNs <= 0n) throw new QueryError('zero or negative query resolution step widths are not accepted. Try a positive integer');
      const steps = req.instant ? 1 : Number((req.endNs - req.startNs) / req.stepNs) + 1;
      if (steps > MAX_STEPS) throw new QueryError(`exceeded maximum resolution of ${MAX_STEPS} points per timeseries. Try decreasing the query resolution (?step=XX)`);
      const grid: StepGrid = { startNs: req.instant ? req.endNs : req.startNs, stepNs: req.stepNs, steps };
      const value = await this.evalMetric(expr, grid, req.tenants, stats);
      result = render(expr, value, grid, req.instant);
      stats.entriesReturned = countSamples(result);
    }
    stats.execTimeMs = performance.now() - started;
    return { result, stats };
  }

  private async evalMetric(node: MetricExpr, grid: StepGrid, tenants: string[], stats: QueryStats): Promise<Value> {
    switch (node.kind) {
      case 'range_aggregation':
        return evalRangeAggregation(this.store, node, grid, tenants, stats);
      case 'vector_aggregation': {
        const inner = await this.evalMetric(node.inner, grid, tenants, stats);
        if (isScalar(inner)) throw new QueryError(`${node.op} expects a vector, got a scalar`);
        return aggregate(node, inner, grid.steps);
      }
      case 'binary': {
        const [l, r] = await Promise.all([this.evalMetric(node.left, grid, tenants, stats), this.evalMetric(node.right, grid, tenants, stats)]);
        return binary(node, l, r, grid.steps);
      }
      case 'number':
        return { scalar: new Float64Array(grid.steps).fill(node.value) };
      case 'vector': {
        const s = newSeries({}, grid.steps);
        s.values.fill(node.value);
        return new Map([['{}', s]]);
      }
      case 'label_replace': {
        const inner = await this.evalMetric(node.inner, grid, tenants, stats);
        if (isScalar(inner)) throw new QueryError('label_replace expects a vector, got a scalar');
        return labelReplace(node, inner, grid.steps);
      }
    }
  }
}

/** Points of a matrix, samples of a vector, 1 for a scalar: what Loki reports as entries returned for a metric query. */
function countSamples(result: QueryResult): number {
  switch (result.resultType) {
    case 'matrix':
      return result.series.reduce((n, s) => n + s.points.length, 0);
    case 'vector':
      return result.samples.length;
    case 'scalar':
      return 1;
    case 'streams':
      return result.streams.reduce((n, s) => n + s.values.length, 0);
  }
}

function seconds(ns: bigint): number {
  return Number(ns / 1_000_000n) / 1000;
}

function render(expr: MetricExpr, value: Value, grid: StepGrid, instant: boolean): QueryResult {
  if (isScalar(value)) {
    if (instant) return { resultType: 'scalar', time: seconds(grid.startNs), value: value.scalar[0] };
    return { resultType: 'matrix', series: [{ labels: {}, points: Array.from(value.scalar, (v, k) => [seconds(stepTimeNs(grid, k)), v] as [number, number]) }] };
  }
  const set: SeriesSet = value;
  const sortOp = expr.kind === 'vector_aggregation' && (expr.op === 'sort' || expr.op === 'sort_desc') ? expr.op : undefined;
  if (instant) {
    const samples = [...set.values()].filter((s) => !Number.isNaN(s.values[0])).map((s) => ({ labels: s.labels, time: seconds(grid.startNs), value: s.values[0] }));
    if (sortOp) samples.sort((a, b) => (sortOp === 'sort' ? a.value - b.value : b.value - a.value));
    return { resultType: 'vector', samples };
  }
  const series = [...set.values()].map((s) => {
    const points: [number, number][] = [];
    for (let k = 0; k < grid.steps; k++) if (!Number.isNaN(s.values[k])) points.push([seconds(stepTimeNs(grid, k)), s.values[k]]);
    return { labels: s.labels, points };
  });
  return { resultType: 'matrix', series: series.filter((s) => s.points.length > 0) };
}
