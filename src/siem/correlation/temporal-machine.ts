// Sigma `temporal` and `temporal_ordered` correlations (Correlation Rules Specification 2.1), one state per group key,
// sliding (not bucketed) windows as the specification prefers:
// - temporal: fires when events of all referenced rules (or `condition: {gte: k}` of them) occurred within the
//   timespan; the newest event of each rule is kept.
// - temporal_ordered: fires when they occurred in the listed order within the timespan. Per position the partial
//   match with the latest start is kept (a later start leaves more room, so it dominates), which finds a match
//   whenever one exists.
// A firing resets the group.

import type { DetectionEvent, LinkedEvent } from '../detection-event.ts';
import { MAX_LINKED_EVENTS } from '../detection-event.ts';
import { GroupTable } from './group-table.ts';
import { groupKeyOf, groupValues, pushCapped, type Firing, type GroupSpec, type Machine } from './machine.ts';

interface Partial {
  start: bigint;
  linked: LinkedEvent[];
  count: number;
}

interface TemporalState {
  group: Record<string, string>;
  /** unordered: newest event per position; ordered: best partial match ending at each position */
  slots: (Partial | null)[];
  lastTs: bigint;
}

export class TemporalMachine implements Machine {
  readonly table: GroupTable<TemporalState>;
  ungrouped = 0;
  private readonly spanNs: bigint;

  /**
   * @param positions for each input, the positions (0-based, in the rule list) it fills
   * @param need unordered only: how many distinct positions must be filled (default all)
   */
  constructor(
    private readonly spec: GroupSpec,
    private readonly positions: number[][],
    private readonly size: number,
    private readonly ordered: boolean,
    spanMs: number,
    private readonly need: number,
    maxGroups: number,
  ) {
    this.table = new GroupTable(maxGroups);
    this.spanNs = BigInt(Math.ceil(spanMs * 1e6));
  }

  stats(): { groups: number; evicted: number; ungrouped: number } {
    return { groups: this.table.size, evicted: this.table.evicted, ungrouped: this.ungrouped };
  }

  onEvent(ev: DetectionEvent, input: number, out: Firing[]): void {
    const key = groupKeyOf(this.spec, ev, input);
    if (key === undefined) {
      this.ungrouped++;
      return;
    }
    const t = ev.tsNs;
    let st = this.table.get(key);
    if (st === undefined) {
      if (this.ordered && !this.positions[input]!.includes(0)) return;
      st = { group: groupValues(this.spec, ev, input), slots: new Array<Partial | null>(this.size).fill(null), lastTs: t };
    }
    if (t > st.lastTs) st.lastTs = t;
    const fired = this.ordered ? this.orderedStep(st, ev, input) : this.unorderedStep(st, ev, input);
    if (fired !== undefined) {
      out.push({ groupKey: key, tenant: ev.tenant, group: st.group, events: fired.linked, eventCount: fired.count, firstTs: fired.start, lastTs: t });
      this.table.delete(key);
      return;
    }
    this.table.set(key, st);
  }

  private unorderedStep(st: TemporalState, ev: DetectionEvent, input: number): Partial | undefined {
    const t = ev.tsNs;
    for (const p of this.positions[input]!) st.slots[p] = { start: t, linked: ev.linked, count: 1 };
    let filled = 0;
    let start = t;
    for (const s of st.slots) {
      if (s !== null && t - s.start <= this.spanNs) {
        filled++;
        if (s.start < start) start = s.start;
      }
    }
    if (filled < this.need) return undefined;
    const linked: LinkedEvent[] = [];
    let count = 0;
    const fresh = st.slots.filter((s): s is Partial => s !== null && t - s.start <= this.spanNs).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    for (const s of fresh) {
      pushCapped(linked, s.linked, MAX_LINKED_EVENTS);
      count += s.count;
    }
    return { start, linked, count };
  }

  private orderedStep(st: TemporalState, ev: DetectionEvent, input: number): Partial | undefined {
    const t = ev.tsNs;
    // highest position first, so one event does not fill two consecutive positions
    const ps = [...this.positions[input]!].sort((a, b) => b - a);
    for (const p of ps) {
      let cand: Partial | null = null;
      if (p === 0) cand = { start: t, linked: ev.linked.slice(0, MAX_LINKED_EVENTS), count: 1 };
      else {
        const prev = st.slots[p - 1];
        if (prev !== null && prev !== undefined && t - prev.start <= this.spanNs) {
          const linked = prev.linked.slice();
          pushCapped(linked, ev.linked, MAX_LINKED_EVENTS);
          cand = { start: prev.start, linked, count: prev.count + 1 };
        }
      }
      const cur = st.slots[p];
      if (cand !== null && (cur === null || cur === undefined || cand.start >= cur.start)) st.slots[p] = cand;
    }
    const last = st.slots[this.size - 1];
    return last !== null && last !== undefined ? last : undefined;
  }

  advance(watermarkNs: bigint, _out: Firing[]): void {
    for (const [key, st] of this.table.map) if (watermarkNs - st.lastTs > this.spanNs) this.table.delete(key);
  }

  snapshot(): unknown {
    return { groups: [...this.table.map.entries()], ungrouped: this.ungrouped, evicted: this.table.evicted };
  }

  restore(state: unknown): void {
    const s = state as { groups: [string, TemporalState][]; ungrouped: number; evicted: number };
    for (const [k, v] of s.groups) this.table.set(k, v);
    this.ungrouped = s.ungrouped;
    this.table.evicted = s.evicted;
  }
}
