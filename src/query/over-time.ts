// The functions of unwrapped range aggregations, applied to the samples of one window (values[lo..hi), in time order),
// computed as Loki's pkg/logql/range_vector.go does so that results agree with Loki to the last bit where possible.

export type OverTimeOp =
  | 'sum_over_time'
  | 'avg_over_time'
  | 'min_over_time'
  | 'max_over_time'
  | 'stddev_over_time'
  | 'stdvar_over_time'
  | 'quantile_over_time'
  | 'first_over_time'
  | 'last_over_time'
  | 'rate'
  | 'rate_counter';

/** Everything a window function may need besides the samples. */
export interface OverTimeParams {
  /** the range `[..]` in nanoseconds */
  rangeNs: bigint;
  /** quantile_over_time's φ */
  phi: number;
}

export type WindowFn = (ts: bigint[], values: number[], lo: number, hi: number) => number;

export function windowFunction(op: OverTimeOp, p: OverTimeParams): WindowFn {
  const rangeSeconds = goSeconds(p.rangeNs);
  switch (op) {
    case 'sum_over_time': return (_, v, lo, hi) => sum(v, lo, hi);
    case 'rate': return (_, v, lo, hi) => sum(v, lo, hi) / rangeSeconds;
    case 'avg_over_time': return (_, v, lo, hi) => avg(v, lo, hi);
    case 'min_over_time': return (_, v, lo, hi) => min(v, lo, hi);
    case 'max_over_time': return (_, v, lo, hi) => max(v, lo, hi);
    case 'stdvar_over_time': return (_, v, lo, hi) => stdvar(v, lo, hi);
    case 'stddev_over_time': return (_, v, lo, hi) => Math.sqrt(stdvar(v, lo, hi));
    case 'quantile_over_time': return (_, v, lo, hi) => quantile(p.phi, v.slice(lo, hi));
    case 'first_over_time': return (_, v, lo) => v[lo]!;
    case 'last_over_time': return (_, v, _lo, hi) => v[hi - 1]!;
    case 'rate_counter': return (ts, v, lo, hi) => rateCounter(ts, v, lo, hi, p.rangeNs, rangeSeconds);
  }
}

/** Go's `time.Duration.Seconds()`. */
function goSeconds(ns: bigint): number {
  return Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) / 1e9;
}

function sum(v: number[], lo: number, hi: number): number {
  let s = 0;
  for (let i = lo; i < hi; i++) s += v[i]!;
  return s;
}

/** Incremental mean (Loki's avgOverTime), which cannot overflow where the plain sum would. */
function avg(v: number[], lo: number, hi: number): number {
  let mean = 0;
  let count = 0;
  for (let i = lo; i < hi; i++) {
    const x = v[i]!;
    count++;
    if (mean === Infinity || mean === -Infinity) {
      // an infinite mean stays as it is unless a NaN or an infinity of the other sign arrives
      if ((x === Infinity || x === -Infinity) && mean > 0 === x > 0) continue;
      if (Number.isFinite(x)) continue;
    }
    mean += x / count - mean / count;
  }
  return mean;
}

/** Prometheus' rule: a NaN only wins when every value is NaN. */
function min(v: number[], lo: number, hi: number): number {
  let m = v[lo]!;
  for (let i = lo; i < hi; i++) if (v[i]! < m || Number.isNaN(m)) m = v[i]!;
  return m;
}

function max(v: number[], lo: number, hi: number): number {
  let m = v[lo]!;
  for (let i = lo; i < hi; i++) if (v[i]! > m || Number.isNaN(m)) m = v[i]!;
  return m;
}

/** Population variance by Welford's online algorithm, as Loki computes it. */
function stdvar(v: number[], lo: number, hi: number): number {
  let aux = 0;
  let count = 0;
  let mean = 0;
  for (let i = lo; i < hi; i++) {
    const x = v[i]!;
    count++;
    const delta = x - mean;
    mean += delta / count;
    aux += delta * (x - mean);
  }
  return aux / count;
}

/**
 * Prometheus' φ-quantile: sort, rank = φ·(n-1), linear interpolation between the neighbours. φ < 0 gives -Inf,
 * φ > 1 gives +Inf, as in Prometheus and Loki. Sorts `values` in place (NaN first, as Go's sort of the heap does).
 */
export function quantile(phi: number, values: number[]): number {
  if (values.length === 0 || Number.isNaN(phi)) return NaN;
  if (phi < 0) return -Infinity;
  if (phi > 1) return Infinity;
  values.sort((a, b) => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : Number.isNaN(b) ? 1 : a - b));
  const n = values.length;
  const rank = phi * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return values[lower]! * (1 - weight) + values[upper]! * weight;
}

/**
 * Loki's rate_counter: Prometheus' extrapolatedRate(isCounter, isRate) as Loki calls it. Loki passes nanosecond sample
 * times where Prometheus expects milliseconds, and takes the window's start as first sample − range and its end as the
 * last sample; reproduced here on purpose so results match Loki's. In effect: the counter's increase (resets add the
 * value before the reset) divided by the range, times a factor within a few millionths of 1.
 */
function rateCounter(ts: bigint[], v: number[], lo: number, hi: number, rangeNs: bigint, rangeSeconds: number): number {
  const n = hi - lo;
  if (n < 2) return 0;
  const first = v[lo]!;
  let result = v[hi - 1]! - first;
  let last = 0;
  for (let i = lo; i < hi; i++) {
    if (v[i]! < last) result += last;
    last = v[i]!;
  }
  // durationMilliseconds(range) subtracted from a nanosecond time, then "/ 1000" as if it were milliseconds
  let durationToStart = Number(rangeNs / 1_000_000n) / 1000;
  const durationToEnd = 0;
  const sampledInterval = Number(ts[hi - 1]! - ts[lo]!) / 1000;
  const averageBetween = sampledInterval / (n - 1);
  if (result > 0 && first >= 0) {
    const durationToZero = sampledInterval * (first / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageBetween * 1.1;
  let interval = sampledInterval;
  interval += durationToStart < threshold ? durationToStart : averageBetween / 2;
  interval += durationToEnd < threshold ? durationToEnd : averageBetween / 2;
  return (result * (interval / sampledInterval)) / rangeSeconds;
}
