// Vector aggregations (sum, avg, min, max, count, stddev, stdvar, topk, bottomk, sort, sort_desc) and binary
// operators between vectors and scalars (one-to-one, or many-to-one with group_left/group_right), step by step,
// with Prometheus semantics.

import type { BinaryExpr, Grouping, VectorAggregation } from './ast.ts';
import type { Labels } from '../model/record.ts';
import { sortLabels } from '../model/record.ts';
import { newSeries, seriesKey, type Series, type SeriesSet } from './series.ts';
import { QueryError } from './query-error.ts';

function groupLabels(labels: Labels, grouping: Grouping | undefined): Labels {
  const out: Labels = {};
  if (!grouping) return out;
  if (grouping.without) {
    const drop = new Set(grouping.labels);
    for (const k of Object.keys(labels)) if (!drop.has(k)) out[k] = labels[k];
  } else {
    for (const k of grouping.labels) if (labels[k] !== undefined && labels[k] !== '') out[k] = labels[k];
  }
  return out;
}

export function aggregate(node: VectorAggregation, input: SeriesSet, steps: number): SeriesSet {
  const op = node.op;
  if (op === 'sort' || op === 'sort_desc') return input; // ordering is applied when the result is rendered
  if (op === 'topk' || op === 'bottomk') return selectK(node, input, steps);
  const groups = new Map<string, { labels: Labels; members: Series[] }>();
  for (const s of input.values()) {
    const labels = groupLabels(s.labels, node.grouping);
    const key = seriesKey(labels);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels, members: [] }));
    g.members.push(s);
  }
  const out: SeriesSet = new Map();
  for (const [key, g] of groups) {
    const series = newSeries(g.labels, steps);
    let any = false;
    for (let k = 0; k < steps; k++) {
      let n = 0;
      let sum = 0;
      let min = Infinity;
      let max = -Infinity;
      let sumSq = 0;
      for (const m of g.members) {
        const v = m.values[k];
        if (Number.isNaN(v)) continue;
        n++;
        sum += v;
        sumSq += v * v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (n === 0) continue;
      any = true;
      let value: number;
      switch (op) {
        case 'sum': value = sum; break;
        case 'avg': value = sum / n; break;
        case 'min': value = min; break;
        case 'max': value = max; break;
        case 'count': value = n; break;
        case 'stdvar': value = sumSq / n - (sum / n) ** 2; break;
        case 'stddev': value = Math.sqrt(Math.max(0, sumSq / n - (sum / n) ** 2)); break;
        default: throw new QueryError(`unsupported aggregation ${op}`);
      }
      series.values[k] = value;
    }
    if (any) out.set(key, series);
  }
  return out;
}

/** topk/bottomk: per step and group, the k largest (smallest) series keep their value and labels. */
function selectK(node: VectorAggregation, input: SeriesSet, steps: number): SeriesSet {
  const k = node.param ?? 1;
  if (!Number.isInteger(k) || k < 1) throw new QueryError(`${node.op}'s parameter must be a positive integer, got ${k}`);
  const groups = new Map<string, Series[]>();
  for (const s of input.values()) {
    const key = seriesKey(groupLabels(s.labels, node.grouping));
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(s);
  }
  const out: SeriesSet = new Map();
  const sign = node.op === 'topk' ? -1 : 1;
  for (const members of groups.values()) {
    for (let step = 0; step < steps; step++) {
      const present = members.filter((m) => !Number.isNaN(m.values[step]));
      present.sort((a, b) => sign * (a.values[step] - b.values[step]));
      for (const m of present.slice(0, k)) {
        const key = seriesKey(m.labels);
        let o = out.get(key);
        if (!o) out.set(key, (o = newSeries(m.labels, steps)));
        o.values[step] = m.values[step];
      }
    }
  }
  return out;
}

/** A scalar on the step grid (a number literal or a scalar-valued expression). */
export interface Scalar {
  scalar: Float64Array;
}

export type Value = SeriesSet | Scalar;

export function isScalar(v: Value): v is Scalar {
  return (v as Scalar).scalar !== undefined;
}

function arith(op: string, a: number, b: number): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    case '%': return a % b;
    case '^': return a ** b;
    case '==': return a === b ? 1 : 0;
    case '!=': return a !== b ? 1 : 0;
    case '>': return a > b ? 1 : 0;
    case '>=': return a >= b ? 1 : 0;
    case '<': return a < b ? 1 : 0;
    case '<=': return a <= b ? 1 : 0;
    default: throw new QueryError(`unsupported operator ${op}`);
  }
}

const COMPARISON = new Set(['==', '!=', '>', '>=', '<', '<=']);

function matchKey(labels: Labels, node: BinaryExpr): string {
  const m = node.matching;
  if (!m) return seriesKey(labels);
  return seriesKey(groupLabels(labels, { without: !m.on, labels: m.labels }));
}

/** Result labels of a vector/vector operation: arithmetic drops nothing here except via on/ignoring. */
function resultLabels(labels: Labels, node: BinaryExpr): Labels {
  if (COMPARISON.has(node.op) && !node.bool) return labels;
  if (!node.matching) return labels;
  return groupLabels(labels, { without: !node.matching.on, labels: node.matching.labels });
}

export function binary(node: BinaryExpr, left: Value, right: Value, steps: number): Value {
  const op = node.op;
  const comparison = COMPARISON.has(op);
  if (isScalar(left) && isScalar(right)) {
    const out = new Float64Array(steps);
    for (let k = 0; k < steps; k++) out[k] = arith(op, left.scalar[k], right.scalar[k]);
    return { scalar: out };
  }
  if (op === 'and' || op === 'or' || op === 'unless') {
    if (isScalar(left) || isScalar(right)) throw new QueryError(`operator ${op} needs vectors on both sides`);
    return setOp(node, left, right, steps);
  }
  if (isScalar(left) || isScalar(right)) {
    const vec = (isScalar(left) ? right : left) as SeriesSet;
    const sc = (isScalar(left) ? left : right) as Scalar;
    const out: SeriesSet = new Map();
    for (const s of vec.values()) {
      const labels = s.labels;
      const o = newSeries(labels, steps);
      let any = false;
      for (let k = 0; k < steps; k++) {
        const v = s.values[k];
        if (Number.isNaN(v)) continue;
        const a = isScalar(left) ? sc.scalar[k] : v;
        const b = isScalar(left) ? v : sc.scalar[k];
        const r = arith(op, a, b);
        if (comparison && !node.bool) {
          if (r === 1) {
            o.values[k] = v;
            any = true;
          }
        } else {
          o.values[k] = r;
          any = true;
        }
      }
      if (any) out.set(seriesKey(labels), o);
    }
    return out;
  }
  if (node.matching?.group) return manyToOne(node, left, right, steps);
  // vector ⊕ vector, one-to-one matching
  const rightByKey = new Map<string, Series>();
  for (const s of right.values()) rightByKey.set(matchKey(s.labels, node), s);
  const out: SeriesSet = new Map();
  for (const l of left.values()) {
    const r = rightByKey.get(matchKey(l.labels, node));
    if (!r) continue;
    const labels = resultLabels(l.labels, node);
    const o = newSeries(labels, steps);
    let any = false;
    for (let k = 0; k < steps; k++) {
      const a = l.values[k];
      const b = r.values[k];
      if (Number.isNaN(a) || Number.isNaN(b)) continue;
      const v = arith(op, a, b);
      if (comparison && !node.bool) {
        if (v === 1) {
          o.values[k] = a;
          any = true;
        }
      } else {
        o.values[k] = v;
        any = true;
      }
    }
    if (any) out.set(seriesKey(labels), o);
  }
  return out;
}

/**
 * `a op on (l) group_left (extra) b`, or group_right: each series of the "many" side (left for group_left) matches at
 * most one series of the "one" side per step. Results keep the many side's labels plus the `extra` labels copied from
 * the one side (removed where the one side lacks them). Comparisons without `bool` keep the left operand's value.
 */
function manyToOne(node: BinaryExpr, left: SeriesSet, right: SeriesSet, steps: number): SeriesSet {
  const group = node.matching!.group!;
  const manyIsLeft = group.side === 'left';
  const [many, one] = manyIsLeft ? [left, right] : [right, left];
  const oneByKey = new Map<string, Series[]>();
  for (const s of one.values()) {
    const key = matchKey(s.labels, node);
    let members = oneByKey.get(key);
    if (!members) oneByKey.set(key, (members = []));
    members.push(s);
  }
  for (const [key, members] of oneByKey) {
    if (members.length < 2) continue;
    for (let k = 0; k < steps; k++) {
      if (members.filter((m) => !Number.isNaN(m.values[k])).length > 1) {
        throw new QueryError(
          `found duplicate series for the match group ${key} on the ${manyIsLeft ? 'right' : 'left'} hand-side of the operation; ` +
            'many-to-many matching not allowed: matching labels must be unique on one side',
        );
      }
    }
  }
  const filter = COMPARISON.has(node.op) && !node.bool;
  const out: SeriesSet = new Map();
  for (const m of many.values()) {
    for (const o of oneByKey.get(matchKey(m.labels, node)) ?? []) {
      const labels = withIncluded(m.labels, o.labels, group.include);
      const key = seriesKey(labels);
      for (let k = 0; k < steps; k++) {
        const mv = m.values[k];
        const ov = o.values[k];
        if (Number.isNaN(mv) || Number.isNaN(ov)) continue;
        const [a, b] = manyIsLeft ? [mv, ov] : [ov, mv];
        let v = arith(node.op, a, b);
        if (filter) {
          if (v !== 1) continue;
          v = a;
        }
        let res = out.get(key);
        if (!res) out.set(key, (res = newSeries(labels, steps)));
        if (!Number.isNaN(res.values[k])) throw new QueryError(`multiple matches for labels ${key}: grouping labels must ensure unique matches`);
        res.values[k] = v;
      }
    }
  }
  return out;
}

/** The many side's labels with the `group_x (labels)` copied from the one side. */
function withIncluded(many: Labels, one: Labels, include: string[]): Labels {
  if (include.length === 0) return many;
  const out: Labels = { ...many };
  for (const name of include) {
    const v = one[name];
    if (v !== undefined && v !== '') out[name] = v;
    else delete out[name];
  }
  return sortLabels(out);
}

function setOp(node: BinaryExpr, left: SeriesSet, right: SeriesSet, steps: number): SeriesSet {
  const rightKeys = new Map<string, Series>();
  for (const s of right.values()) rightKeys.set(matchKey(s.labels, node), s);
  const out: SeriesSet = new Map();
  if (node.op === 'and' || node.op === 'unless') {
    for (const l of left.values()) {
      const r = rightKeys.get(matchKey(l.labels, node));
      const o = newSeries(l.labels, steps);
      let any = false;
      for (let k = 0; k < steps; k++) {
        const has = r !== undefined && !Number.isNaN(r.values[k]);
        if (Number.isNaN(l.values[k]) || (node.op === 'and' ? !has : has)) continue;
        o.values[k] = l.values[k];
        any = true;
      }
      if (any) out.set(seriesKey(l.labels), o);
    }
    return out;
  }
  // or: all of left, plus right series whose match key has no left sample at that step
  const leftKeys = new Map<string, Series>();
  for (const l of left.values()) {
    leftKeys.set(matchKey(l.labels, node), l);
    out.set(seriesKey(l.labels), l);
  }
  for (const r of right.values()) {
    const l = leftKeys.get(matchKey(r.labels, node));
    const o = newSeries(r.labels, steps);
    let any = false;
    for (let k = 0; k < steps; k++) {
      if (Number.isNaN(r.values[k]) || (l && !Number.isNaN(l.values[k]))) continue;
      o.values[k] = r.values[k];
      any = true;
    }
    if (any) out.set(seriesKey(r.labels), o);
  }
  return out;
}
