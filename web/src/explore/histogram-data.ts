// The histogram's data: the matrix of `sum by (level) (count_over_time(…[step]))` laid on a full grid of steps
// (empty buckets are 0), one count array per level, and the stacked (cumulative) arrays uPlot draws. Pure.

import type { MatrixSeries } from '../api/loki-types.ts';
import { LEVELS, normalizeLevel, type Level } from './log-level.ts';

export interface HistogramData {
  /** bucket end times, unix seconds */
  x: number[];
  /** levels present, bottom of the stack first (most severe) */
  levels: Level[];
  counts: number[][];
  totals: number[];
  total: number;
}

/** Query bounds aligned to the step, so buckets fall on round times. */
export function alignedRange(fromMs: number, toMs: number, stepS: number): { startS: number; endS: number } {
  return { startS: Math.floor(fromMs / 1000 / stepS) * stepS, endS: Math.ceil(toMs / 1000 / stepS) * stepS };
}

export function histogramData(series: MatrixSeries[], startS: number, endS: number, stepS: number): HistogramData {
  const n = Math.max(1, Math.round((endS - startS) / stepS) + 1);
  const x = Array.from({ length: n }, (_, k) => startS + k * stepS);
  const byLevel = new Map<Level, number[]>();
  for (const s of series) {
    const level = normalizeLevel(s.metric.level) ?? 'unknown';
    let arr = byLevel.get(level);
    if (!arr) byLevel.set(level, (arr = new Array<number>(n).fill(0)));
    for (const [t, v] of s.values) {
      const k = Math.round((t - startS) / stepS);
      if (k >= 0 && k < n) arr[k] += Number(v);
    }
  }
  const levels = LEVELS.filter((l) => byLevel.has(l));
  const counts = levels.map((l) => byLevel.get(l)!);
  const totals = counts.map((c) => c.reduce((a, b) => a + b, 0));
  return { x, levels, counts, totals, total: totals.reduce((a, b) => a + b, 0) };
}

/** Cumulative counts: stacked[i][k] = counts[0..i][k] summed, drawn top layer first so each shows its own band. */
export function stacked(counts: number[][]): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < counts.length; i++) out.push(counts[i].map((v, k) => v + (i > 0 ? out[i - 1][k] : 0)));
  return out;
}
