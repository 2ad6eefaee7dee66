// Sequences of steps, one state machine per group key (docs/siem.md, "Semantics"): native correlation rules, native
// threshold rules (one step) and Sigma event_count correlations with a lower bound. Events arrive in time order.
//
// - Step 1 with `count: N`, `within: W`: completes when N of its events fall within W of each other (a sliding
//   window anchored at the newest event, like EQL's maxspan over the counted events).
// - Step k > 1 with `within: W`: its (N) events must come within W after step k-1 completed; another event of step
//   k-1 meanwhile refreshes that anchor (and is linked). Past the deadline the partial sequence is dropped, and the
//   sliding window of step 1 (kept all along) can complete it again.
// - The last step completing fires once; the group then starts afresh (its counted events are not reused).
// - After a firing, `extend:` events of the same group within their window of the incident's last event extend it.

import type { DetectionEvent, LinkedEvent } from '../detection-event.ts';
import { MAX_LINKED_EVENTS } from '../detection-event.ts';
import { GroupTable } from './group-table.ts';
import { alertId, groupKeyOf, groupValues, pushCapped, type Firing, type GroupSpec, type Machine } from './machine.ts';

export interface StepSpec {
  name: string;
  /** inputs (event sources) that count for this step */
  inputs: number[];
  min: number;
  withinMs: number | undefined;
}

export interface ExtendSpec {
  inputs: number[];
  withinMs: number;
}

interface Held {
  ts: bigint;
  linked: LinkedEvent[];
}

interface SeqState {
  group: Record<string, string>;
  /** steps completed */
  stage: number;
  /** ts of the event that completed (or last refreshed) the latest completed step */
  anchor: bigint;
  firstTs: bigint;
  evidence: LinkedEvent[];
  counted: number;
  /** step 1's sliding window: at most `min` newest events */
  window: Held[];
  /** events counted toward the next step (when it needs more than one) */
  pending: Held[];
  lastTs: bigint;
  ext?: { alertId: string; lastTs: bigint };
}

export class SequenceMachine implements Machine {
  readonly table: GroupTable<SeqState>;
  /** events dropped because a group-by field was missing */
  ungrouped = 0;
  private readonly stepOf: Set<number>[];
  private readonly extWithin = new Map<number, number>();
  private readonly maxExtMs: number;
  private readonly horizonNs: bigint;

  constructor(
    private readonly ruleKey: string,
    private readonly spec: GroupSpec,
    private readonly steps: StepSpec[],
    private readonly extend: ExtendSpec[],
    maxGroups: number,
  ) {
    this.table = new GroupTable(maxGroups);
    this.stepOf = steps.map((s) => new Set(s.inputs));
    for (const e of extend) for (const i of e.inputs) this.extWithin.set(i, Math.max(this.extWithin.get(i) ?? 0, e.withinMs));
    this.maxExtMs = Math.max(0, ...extend.map((e) => e.withinMs));
    const longest = Math.max(this.maxExtMs, ...steps.map((s) => s.withinMs ?? 0));
    this.horizonNs = BigInt(Math.ceil(longest)) * 1_000_000n;
  }

  stats(): { groups: number; evicted: number; ungrouped: number } {
    return { groups: this.table.size, evicted: this.table.evicted, ungrouped: this.ungrouped };
  }

  private withinNs(step: number): bigint | undefined {
    const w = this.steps[step]?.withinMs;
    return w === undefined ? undefined : BigInt(Math.ceil(w * 1e6));
  }

  onEvent(ev: DetectionEvent, input: number, out: Firing[]): void {
    const key = groupKeyOf(this.spec, ev, input);
    if (key === undefined) {
      this.ungrouped++;
      return;
    }
    let st = this.table.get(key);
    const t = ev.tsNs;
    const isFirst = this.stepOf[0]!.has(input);
    if (st === undefined) {
      if (!isFirst) return; // nothing to continue and no step it could start
      st = { group: groupValues(this.spec, ev, input), stage: 0, anchor: 0n, firstTs: t, evidence: [], counted: 0, window: [], pending: [], lastTs: t };
    }
    if (t > st.lastTs) st.lastTs = t;

    const extW = this.extWithin.get(input);
    if (st.ext !== undefined && extW !== undefined) {
      if (t >= st.ext.lastTs && t - st.ext.lastTs <= BigInt(Math.ceil(extW * 1e6))) {
        out.push({ groupKey: key, tenant: ev.tenant, group: st.group, events: ev.linked.slice(0, MAX_LINKED_EVENTS), eventCount: ev.linked.length, firstTs: t, lastTs: t, extendsAlert: st.ext.alertId });
        st.ext.lastTs = t;
      }
    }

    // a partial sequence whose next step did not come in time is dropped
    if (st.stage > 0) {
      const w = this.withinNs(st.stage);
      if (w !== undefined && t - st.anchor > w) this.dropPartial(st);
    }

    const n = this.steps.length;
    if (st.stage > 0 && st.stage < n && this.stepOf[st.stage]!.has(input) && t >= st.anchor) {
      // the next step
      const step = this.steps[st.stage]!;
      st.pending.push({ ts: t, linked: ev.linked });
      if (st.pending.length >= step.min) {
        for (const h of st.pending) pushCapped(st.evidence, h.linked, MAX_LINKED_EVENTS);
        st.counted += st.pending.length;
        st.pending = [];
        st.stage++;
        st.anchor = t;
      }
    } else if (st.stage > 1 && this.stepOf[st.stage - 1]!.has(input)) {
      // a repeat of the step just completed: linked, and the next step's deadline counts from it
      pushCapped(st.evidence, ev.linked, MAX_LINKED_EVENTS);
      st.counted++;
      if (t > st.anchor) st.anchor = t;
    }

    if (isFirst) {
      this.slide(st, t, ev.linked);
      if (st.stage === 0 && st.window.length >= this.steps[0]!.min) {
        st.evidence = [];
        for (const h of st.window) pushCapped(st.evidence, h.linked, MAX_LINKED_EVENTS);
        st.counted = st.window.length;
        st.firstTs = st.window[0]!.ts;
        st.anchor = st.window[st.window.length - 1]!.ts;
        st.stage = 1;
      } else if (st.stage === 1) {
        pushCapped(st.evidence, ev.linked, MAX_LINKED_EVENTS);
        st.counted++;
        if (t > st.anchor) st.anchor = t;
      }
    }

    if (st.stage === n) {
      const firing: Firing = { groupKey: key, tenant: ev.tenant, group: st.group, events: st.evidence, eventCount: st.counted, firstTs: st.firstTs, lastTs: t };
      out.push(firing);
      if (this.extend.length > 0) st.ext = { alertId: alertId(this.ruleKey, firing), lastTs: t };
      // reset after an alert: the events that fired are not counted again
      st.stage = 0;
      st.evidence = [];
      st.counted = 0;
      st.window = [];
      st.pending = [];
    }
    this.table.set(key, st);
  }

  /** Adds a step-1 event to the sliding window (in ts order) and keeps only the newest `min` within `within`. */
  private slide(st: SeqState, t: bigint, linked: LinkedEvent[]): void {
    const w = st.window;
    let at = w.length;
    while (at > 0 && w[at - 1]!.ts > t) at--;
    w.splice(at, 0, { ts: t, linked });
    const min = this.steps[0]!.min;
    while (w.length > min) w.shift();
    const span = this.withinNs(0);
    if (span !== undefined) {
      const newest = w[w.length - 1]!.ts;
      while (w.length > 0 && newest - w[0]!.ts > span) w.shift();
    }
  }

  private dropPartial(st: SeqState): void {
    st.stage = 0;
    st.evidence = [];
    st.counted = 0;
    st.pending = [];
  }

  advance(watermarkNs: bigint, _out: Firing[]): void {
    // forget groups with nothing that could still complete or extend
    for (const [key, st] of this.table.map) {
      if (watermarkNs - st.lastTs <= this.horizonNs) continue;
      if (st.stage > 0) {
        const w = this.withinNs(st.stage);
        if (w !== undefined && watermarkNs - st.anchor <= w) continue;
      }
      this.table.delete(key);
    }
  }

  snapshot(): unknown {
    return { groups: [...this.table.map.entries()], ungrouped: this.ungrouped, evicted: this.table.evicted };
  }

  restore(state: unknown): void {
    const s = state as { groups: [string, SeqState][]; ungrouped: number; evicted: number };
    for (const [k, v] of s.groups) this.table.set(k, v);
    this.ungrouped = s.ungrouped;
    this.table.evicted = s.evicted;
  }
}
