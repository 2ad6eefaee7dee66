// Counting correlations one state per group key (Sigma `value_count`, and `event_count` whose condition has an upper
// bound): a condition with lower bounds only is decided on arrival over a sliding window (distinct values seen within
// the timespan of the newest event); one with an upper bound, eq or neq can only be decided when the window is over,
// so the window opens at a group's first event, closes when event time passes its end, and fires if the count holds.
// A firing resets the group.

import type { DetectionEvent, LinkedEvent } from '../detection-event.ts';
import { MAX_LINKED_EVENTS } from '../detection-event.ts';
import type { CountCondition } from '../sigma/sigma-ast.ts';
import { conditionHolds, lowerBound } from './count-condition.ts';
import { GroupTable } from './group-table.ts';
import { groupKeyOf, groupValues, pushCapped, type Firing, type GroupSpec, type Machine } from './machine.ts';

interface Seen {
  ts: bigint;
  linked: LinkedEvent[];
}

interface AggState {
  group: Record<string, string>;
  tenant: string;
  /** window mode: when the window opened */
  start: bigint;
  count: number;
  /** distinct value → newest event carrying it (insertion order = ts order; value_count only) */
  values: Map<string, Seen>;
  /** window mode: events kept for the alert */
  linked: LinkedEvent[];
  lastTs: bigint;
}

export class AggregateMachine implements Machine {
  readonly table: GroupTable<AggState>;
  ungrouped = 0;
  private readonly spanNs: bigint;
  private readonly sliding: number | undefined;

  /** @param valueFields per input, the fields whose combined value is counted (undefined: count events) */
  constructor(
    private readonly spec: GroupSpec,
    private readonly valueFields: string[][] | undefined,
    private readonly condition: CountCondition,
    spanMs: number,
    maxGroups: number,
  ) {
    this.table = new GroupTable(maxGroups);
    this.spanNs = BigInt(Math.ceil(spanMs * 1e6));
    this.sliding = lowerBound(condition);
    if (valueFields === undefined && this.sliding !== undefined) throw new Error('a lower-bound event count is a one-step sequence (SequenceMachine)');
  }

  stats(): { groups: number; evicted: number; ungrouped: number } {
    return { groups: this.table.size, evicted: this.table.evicted, ungrouped: this.ungrouped };
  }

  private valueOf(ev: DetectionEvent, input: number): string | undefined {
    const fields = this.valueFields![input]!;
    let v = '';
    for (let i = 0; i < fields.length; i++) {
      const f = ev.fields[fields[i]!];
      if (f === undefined) return undefined;
      v += (i > 0 ? '\u0000' : '') + f;
    }
    return v;
  }

  onEvent(ev: DetectionEvent, input: number, out: Firing[]): void {
    const key = groupKeyOf(this.spec, ev, input);
    if (key === undefined) {
      this.ungrouped++;
      return;
    }
    const t = ev.tsNs;
    const value = this.valueFields ? this.valueOf(ev, input) : undefined;
    if (this.valueFields && value === undefined) return; // nothing to count
    let st = this.table.get(key);
    if (st !== undefined && this.sliding === undefined && t - st.start > this.spanNs) {
      this.close(key, st, out);
      st = undefined;
    }
    st ??= { group: groupValues(this.spec, ev, input), tenant: ev.tenant, start: t, count: 0, values: new Map(), linked: [], lastTs: t };
    if (t > st.lastTs) st.lastTs = t;
    st.count++;
    if (value !== undefined) {
      st.values.delete(value);
      st.values.set(value, { ts: t, linked: ev.linked });
    }
    if (this.sliding === undefined) {
      pushCapped(st.linked, ev.linked, MAX_LINKED_EVENTS);
      this.table.set(key, st);
      return;
    }
    // sliding: what lies within the timespan of this event
    let n: number;
    if (value !== undefined) {
      for (const [v, seen] of st.values) {
        if (t - seen.ts <= this.spanNs) break;
        st.values.delete(v);
      }
      n = st.values.size;
    } else {
      n = st.count;
    }
    if (n >= this.sliding) {
      const linked: LinkedEvent[] = [];
      let first = t;
      for (const seen of st.values.values()) {
        pushCapped(linked, seen.linked, MAX_LINKED_EVENTS);
        if (seen.ts < first) first = seen.ts;
      }
      out.push({ groupKey: key, tenant: ev.tenant, group: st.group, events: linked, eventCount: n, firstTs: first, lastTs: t });
      this.table.delete(key);
      return;
    }
    this.table.set(key, st);
  }

  private close(key: string, st: AggState, out: Firing[]): void {
    this.table.delete(key);
    const n = this.valueFields ? st.values.size : st.count;
    if (!conditionHolds(this.condition, n)) return;
    out.push({ groupKey: key, tenant: st.tenant, group: st.group, events: st.linked, eventCount: n, firstTs: st.start, lastTs: st.lastTs });
  }

  advance(watermarkNs: bigint, out: Firing[]): void {
    for (const [key, st] of this.table.map) {
      if (this.sliding === undefined) {
        if (watermarkNs - st.start > this.spanNs) this.close(key, st, out);
      } else if (watermarkNs - st.lastTs > this.spanNs) {
        this.table.delete(key);
      }
    }
  }

  snapshot(): unknown {
    return { groups: [...this.table.map.entries()].map(([k, s]) => [k, { ...s, values: [...s.values.entries()] }]), ungrouped: this.ungrouped, evicted: this.table.evicted };
  }

  restore(state: unknown): void {
    const s = state as { groups: [string, AggState & { values: [string, Seen][] }][]; ungrouped: number; evicted: number };
    for (const [k, v] of s.groups) this.table.set(k, { ...v, values: new Map(v.values) });
    this.ungrouped = s.ungrouped;
    this.table.evicted = s.evicted;
  }
}
