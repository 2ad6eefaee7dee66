// `baseline` rules (docs/siem.md, "New-value and baseline rules"): counts a group's events per fixed interval
// (aligned to the epoch) and fires when the current interval's count reaches max(min_count, mean + k·stddev) of the
// group's last `history` completed intervals (empty intervals count as 0), once per interval. A group alerts only
// after `learning` completed intervals of its own. Memory: per group, `history` numbers and the first events of the
// current interval; groups capped like every correlation (least recently updated evicted).

import { MAX_LINKED_EVENTS, type DetectionEvent, type LinkedEvent } from '../detection-event.ts';
import { GroupTable } from './group-table.ts';
import { groupKeyOf, groupValues, pushCapped, type Firing, type GroupSpec, type Machine } from './machine.ts';

export interface BaselineSpec {
  intervalMs: number;
  /** completed intervals the mean and deviation are taken over */
  history: number;
  k: number;
  minCount: number;
  /** completed intervals a group needs before it can alert */
  learning: number;
}

interface Counts {
  group: Record<string, string>;
  /** index of the current interval (floor(ts / interval)) */
  bucket: number;
  count: number;
  /** the last completed intervals' counts, oldest first (at most `history`) */
  past: number[];
  /** completed intervals seen since the group appeared (capped at learning) */
  completed: number;
  fired: boolean;
  events: LinkedEvent[];
  firstTs: bigint;
}

/** Events linked to a baseline alert: the interval's first ones (the rest are counted). */
const LINKED = 20;

export class BaselineMachine implements Machine {
  private readonly table: GroupTable<Counts>;
  private readonly intervalNs: bigint;
  private ungrouped = 0;
  /** events older than their group's current interval (counted nowhere) */
  late = 0;

  constructor(private readonly spec: GroupSpec, private readonly b: BaselineSpec, maxGroups: number) {
    this.table = new GroupTable(maxGroups);
    this.intervalNs = BigInt(b.intervalMs) * 1_000_000n;
  }

  /** The count an interval must reach, from the group's history (undefined while it is learning). */
  threshold(c: Pick<Counts, 'past' | 'completed'>): number | undefined {
    if (c.completed < this.b.learning || c.past.length === 0) return undefined;
    let sum = 0;
    for (const n of c.past) sum += n;
    const mean = sum / c.past.length;
    let sq = 0;
    for (const n of c.past) sq += (n - mean) * (n - mean);
    const stddev = Math.sqrt(sq / c.past.length);
    return Math.max(this.b.minCount, mean + this.b.k * stddev);
  }

  private roll(c: Counts, bucket: number): void {
    // close the current interval, then the empty ones up to `bucket`
    const gaps = Math.min(bucket - c.bucket, this.b.history + 1);
    for (let i = 0; i < gaps; i++) {
      c.past.push(i === 0 ? c.count : 0);
      if (c.past.length > this.b.history) c.past.shift();
      if (c.completed < this.b.learning) c.completed++;
    }
    c.bucket = bucket;
    c.count = 0;
    c.fired = false;
    c.events = [];
  }

  onEvent(ev: DetectionEvent, input: number, out: Firing[]): void {
    const key = groupKeyOf(this.spec, ev, input);
    if (key === undefined) {
      this.ungrouped++;
      return;
    }
    const bucket = Number(ev.tsNs / this.intervalNs);
    let c = this.table.get(key);
    if (c === undefined) c = { group: groupValues(this.spec, ev, input), bucket, count: 0, past: [], completed: 0, fired: false, events: [], firstTs: ev.tsNs };
    else if (bucket < c.bucket) {
      this.late++;
      return;
    } else if (bucket > c.bucket) this.roll(c, bucket);
    this.table.set(key, c);
    if (c.count === 0) c.firstTs = ev.tsNs;
    c.count++;
    if (c.events.length < LINKED) pushCapped(c.events, ev.linked, LINKED);
    if (c.fired) return;
    const t = this.threshold(c);
    if (t === undefined || c.count < t) return;
    c.fired = true;
    out.push({ groupKey: `${key}\u0001${bucket}`, tenant: ev.tenant, group: c.group, events: c.events.slice(0, MAX_LINKED_EVENTS), eventCount: c.count, firstTs: c.firstTs, lastTs: ev.tsNs });
  }

  advance(): void {
    // intervals close lazily, on the group's next event: an idle group's history is all zeros, which it keeps
  }

  stats(): { groups: number; evicted: number; ungrouped: number } {
    return { groups: this.table.size, evicted: this.table.evicted, ungrouped: this.ungrouped };
  }

  snapshot(): unknown {
    return { groups: [...this.table.map], ungrouped: this.ungrouped, evicted: this.table.evicted, late: this.late };
  }

  restore(state: unknown): void {
    const s = state as { groups: [string, Counts][]; ungrouped: number; evicted: number; late: number };
    for (const [k, c] of s.groups) this.table.set(k, c);
    this.ungrouped = s.ungrouped;
    this.table.evicted = s.evicted;
    this.late = s.late ?? 0;
  }
}
