// `new_value` rules (docs/siem.md, "New-value and baseline rules"): fires when an event carries a value (or a tuple of
// values) its group has not shown in the last `history`, like Elastic's "new terms". Per group, values map to the
// time they were last seen (forgotten after `history`; at most `maxValues` per group, least recently seen dropped).
// No alert during the learning period (from the rule's first event), while values are still recorded.

import type { DetectionEvent } from '../detection-event.ts';
import { GroupTable } from './group-table.ts';
import { groupKeyOf, groupValues, type Firing, type GroupSpec, type Machine } from './machine.ts';

export interface NewValueSpec {
  /** the value fields (a tuple when several), read from the event */
  fields: string[];
  historyMs: number;
  learningMs: number;
  maxValues: number;
}

interface Values {
  group: Record<string, string>;
  /** value tuple → last seen (ns); Map order = least recently seen first */
  seen: Map<string, bigint>;
}

export class NewValueMachine implements Machine {
  private readonly table: GroupTable<Values>;
  private readonly historyNs: bigint;
  private readonly learningNs: bigint;
  /** event time of the rule's first event: the learning period runs from it */
  private startNs: bigint | undefined;
  private ungrouped = 0;
  /** values dropped at the per-group cap */
  valuesEvicted = 0;
  private lastSweepNs = -(2n ** 63n);

  constructor(private readonly spec: GroupSpec, private readonly nv: NewValueSpec, maxGroups: number) {
    this.table = new GroupTable(maxGroups);
    this.historyNs = BigInt(nv.historyMs) * 1_000_000n;
    this.learningNs = BigInt(nv.learningMs) * 1_000_000n;
  }

  onEvent(ev: DetectionEvent, input: number, out: Firing[]): void {
    const key = groupKeyOf(this.spec, ev, input);
    let tuple = '';
    for (let i = 0; i < this.nv.fields.length; i++) {
      const v = ev.fields[this.nv.fields[i]!];
      if (v === undefined || key === undefined) {
        this.ungrouped++;
        return;
      }
      tuple += (i > 0 ? '\u0000' : '') + v;
    }
    this.startNs ??= ev.tsNs;
    let g = this.table.get(key!);
    if (g === undefined) g = { group: groupValues(this.spec, ev, input), seen: new Map() };
    this.table.set(key!, g);
    const last = g.seen.get(tuple);
    const isNew = last === undefined || ev.tsNs - last > this.historyNs;
    if (last === undefined || ev.tsNs >= last) {
      g.seen.delete(tuple);
      g.seen.set(tuple, ev.tsNs);
    }
    if (g.seen.size > this.nv.maxValues) {
      g.seen.delete(g.seen.keys().next().value as string);
      this.valuesEvicted++;
    }
    if (!isNew || ev.tsNs - this.startNs < this.learningNs) return;
    const group: Record<string, string> = { ...g.group };
    for (const f of this.nv.fields) group[f] = ev.fields[f]!;
    out.push({ groupKey: key! + '\u0001' + tuple, tenant: ev.tenant, group, events: ev.linked, eventCount: 1, firstTs: ev.tsNs, lastTs: ev.tsNs });
  }

  advance(watermarkNs: bigint): void {
    // forgetting is not urgent (a value older than history counts as new on arrival anyway): sweep now and then
    const every = this.historyNs / 10n < 3_600_000_000_000n ? this.historyNs / 10n : 3_600_000_000_000n;
    if (watermarkNs - this.lastSweepNs < every) return;
    this.lastSweepNs = watermarkNs;
    const cutoff = watermarkNs - this.historyNs;
    for (const [key, g] of this.table.map) {
      for (const [tuple, ts] of g.seen) {
        if (ts >= cutoff) break; // least recently seen first
        g.seen.delete(tuple);
      }
      if (g.seen.size === 0) this.table.delete(key);
    }
  }

  stats(): { groups: number; evicted: number; ungrouped: number } {
    return { groups: this.table.size, evicted: this.table.evicted, ungrouped: this.ungrouped };
  }

  snapshot(): unknown {
    return { start: this.startNs, groups: [...this.table.map].map(([k, g]) => [k, g.group, [...g.seen]]), ungrouped: this.ungrouped, evicted: this.table.evicted, valuesEvicted: this.valuesEvicted };
  }

  restore(state: unknown): void {
    const s = state as { start: bigint | undefined; groups: [string, Record<string, string>, [string, bigint][]][]; ungrouped: number; evicted: number; valuesEvicted: number };
    this.startNs = s.start ?? undefined;
    for (const [k, group, seen] of s.groups) this.table.set(k, { group, seen: new Map(seen) });
    this.ungrouped = s.ungrouped;
    this.table.evicted = s.evicted;
    this.valuesEvicted = s.valuesEvicted ?? 0;
  }
}
