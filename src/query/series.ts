// Metric values on the query's step grid: one series per label set, NaN where a step has no sample.

import type { Labels } from '../model/record.ts';
import { labelsToString } from '../model/record.ts';

export interface Series {
  labels: Labels;
  values: Float64Array;
}

/** The step grid of a query: times in nanoseconds; an instant query is a grid of one step. */
export interface StepGrid {
  startNs: bigint;
  stepNs: bigint;
  steps: number;
}

export type SeriesSet = Map<string, Series>;

export function seriesKey(labels: Labels): string {
  return labelsToString(labels);
}

export function stepTimeNs(grid: StepGrid, k: number): bigint {
  return grid.startNs + grid.stepNs * BigInt(k);
}

export function newSeries(labels: Labels, steps: number): Series {
  return { labels, values: new Float64Array(steps).fill(NaN) };
}

export function dropEmpty(set: SeriesSet): SeriesSet {
  for (const [k, s] of set) if (s.values.every((v) => Number.isNaN(v))) set.delete(k);
  return set;
}
