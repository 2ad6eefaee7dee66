// absent_over_time: 1 at every step where the inner range aggregation has no sample at all, labelled like Loki's
// absentLabels (and Prometheus' absent()): the selector's equality matchers, minus names matched any other way.
import type { Matcher } from './ast.ts';
import type { Labels } from '../model/record.ts';
import { sortLabels } from '../model/record.ts';
import { newSeries, seriesKey, type SeriesSet } from './series.ts';

export function absentLabels(selector: Matcher[]): Labels {
  const out: Labels = {};
  const dropped = new Set<string>();
  for (const m of selector) {
    if (m.op === '=' && out[m.name] === undefined) out[m.name] = m.value;
    else dropped.add(m.name);
  }
  for (const name of dropped) delete out[name];
  return sortLabels(out);
}

/** `present` is what the range aggregation found (any op); the result has one series or none. */
export function absentOverTime(present: SeriesSet, selector: Matcher[], steps: number): SeriesSet {
  const series = newSeries(absentLabels(selector), steps);
  const members = [...present.values()];
  let any = false;
  for (let k = 0; k < steps; k++) {
    if (members.some((s) => !Number.isNaN(s.values[k]))) continue;
    series.values[k] = 1;
    any = true;
  }
  return any ? new Map([[seriesKey(series.labels), series]]) : new Map();
}
