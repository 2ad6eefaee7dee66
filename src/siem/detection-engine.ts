// The detection engine: committed batches in (`onCommitted`, the shape of an IngestBatch), alerts out. Per stream it
// picks the event sources whose selector matches (cached per label set), per record it runs them: native event
// definitions (LogQL selector + pipeline) and Sigma rule groups (logsource selector, literal prefilter, parser
// pipeline, compiled rules). Allow-lists drop records before any state; Sigma rules alert at once; correlation inputs
// pass a reorder buffer to the state machines in time order. Alerts (suppressed per `suppress`) go to the incident
// store and their rule's actions. With a state directory, correlation state survives restarts.

import type { IngestBatch, Labels, Metadata } from '../model/record.ts';
import type { StageRow } from '../query/stages/pipeline.ts';
import { runActions, type ActionDeps } from './actions/action-runner.ts';
import { alertEvents, streamText, type SiemAlert } from './alert.ts';
import { alertId, type Firing } from './correlation/machine.ts';
import { ReorderBuffer } from './correlation/reorder-buffer.ts';
import { NewValueMachine } from './correlation/new-value-machine.ts';
import { MAX_LINKED_EVENTS, type DetectionEvent, type EventRef, type LinkedEvent } from './detection-event.ts';
import { buildProgram, type AlertMeta, type DetectionProgram, type LogqlSource, type MachineSlot, type Producer, type SigmaGroup, type SigmaSlot } from './detection-program.ts';
import { EngineStateFiles, type Snapshot } from './engine-state.ts';
import { extractEntities } from './entities.ts';
import { newEventView, resetView } from './event-view.ts';
import type { IncidentStore } from './incident-store.ts';
import type { RuleSet } from './rule-set.ts';
import { SiemMetrics } from './siem-metrics.ts';
import { isAllowed, type AllowList } from './allow-list.ts';

export interface DetectionEngineOptions {
  rules: RuleSet;
  /** where correlation state is kept (`state.json`, `events.wal`); undefined = in memory only */
  stateDir?: string;
  /** wall clock in ns (tests drive it); default Date.now */
  clock?: () => bigint;
  /** how long events wait to be put back in order (default 10s) */
  reorderWindowMs?: number;
  /** the watermark also follows the clock (live: events stop arriving, time still passes); off for hunts */
  clockWatermark?: boolean;
  /** groups kept per correlation rule before the least recently updated is evicted (default 100 000) */
  maxGroupsPerRule?: number;
  /** siem.yaml `allow:`: records matching it are no rule's event */
  allow?: AllowList;
  /** events the reorder buffer holds at most; past it the oldest go on early (default 1 000 000) */
  maxBuffered?: number;
  incidents?: IncidentStore;
  /** run rule actions (notify, respond, enrich) for new alerts; undefined = none (hunts) */
  actions?: Omit<ActionDeps, 'now'>;
  onAlert?: (alert: SiemAlert) => void;
  /** snapshot period when a state dir is set (default 30s; also at close) */
  snapshotIntervalMs?: number;
  log?: (message: string) => void;
}

interface StreamPlan {
  logql: LogqlSource[];
  groups: SigmaGroup[];
}

interface Suppressed {
  alert: SiemAlert;
  lastTs: bigint;
  suppressNs: bigint;
}

const NO_PLAN: StreamPlan = { logql: [], groups: [] };
const MAX_STREAM_PLANS = 10_000;
const MAX_SUPPRESSED = 10_000;
/** how far event time must move before machines are swept (windows closed, idle groups dropped) */
const ADVANCE_EVERY_NS = 1_000_000_000n;

function wallNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

export class DetectionEngine {
  readonly program: DetectionProgram;
  readonly metrics: SiemMetrics;
  private readonly buffer = new ReorderBuffer();
  private readonly plans = new Map<string, StreamPlan>();
  private readonly suppressed = new Map<string, Suppressed>();
  private readonly clock: () => bigint;
  private readonly reorderNs: bigint;
  private readonly files: EngineStateFiles | undefined;
  private readonly inflight = new Set<Promise<void>>();
  private readonly byKey = new Map<string, Producer>();
  private readonly view = newEventView();
  private readonly log: (m: string) => void;
  private readonly maxBuffered: number;
  private seq = 0;
  private maxEventNs = -(2n ** 63n);
  private lastAdvanceNs = -(2n ** 63n);
  private lastSnapshotMs = Date.now();

  constructor(private readonly opts: DetectionEngineOptions) {
    this.program = buildProgram(opts.rules, { maxGroupsPerRule: opts.maxGroupsPerRule ?? 100_000, allow: opts.allow });
    this.metrics = new SiemMetrics(this);
    this.clock = opts.clock ?? wallNs;
    this.reorderNs = BigInt(Math.round((opts.reorderWindowMs ?? 10_000) * 1e6));
    this.maxBuffered = opts.maxBuffered ?? 1_000_000;
    this.log = opts.log ?? ((m) => process.stderr.write(`sightline: siem: ${m}\n`));
    for (const p of this.program.producers) this.byKey.set(p.key, p);
    if (opts.stateDir !== undefined) {
      this.files = new EngineStateFiles(opts.stateDir);
      this.restore();
    }
  }

  /** Evaluates a committed batch; alerts whose events are all in order fire before it returns. */
  onCommitted(batch: IngestBatch): void {
    const tenant = batch.tenant;
    const accepted: DetectionEvent[] = [];
    const late: DetectionEvent[] = [];
    let evaluated = 0;
    for (const s of batch.streams) {
      const plan = this.planFor(tenant, s.labels);
      if (plan === NO_PLAN) continue;
      evaluated += s.ts.length;
      for (let i = 0; i < s.ts.length; i++) {
        const ts = s.ts[i]!;
        if (ts > this.maxEventNs) this.maxEventNs = ts;
        this.evaluate(tenant, plan, s.labels, ts, s.lines[i]!, s.metadata[i], accepted, late);
      }
    }
    this.metrics.recordsEvaluated += evaluated;
    if (accepted.length > 0 || late.length > 0) this.files?.appendWal([...accepted, ...late].map((e) => this.walRecord(e)));
    if (late.length > 0) {
      late.sort((a, b) => (a.tsNs < b.tsNs ? -1 : a.tsNs > b.tsNs ? 1 : a.seq - b.seq));
      for (const ev of late) this.dispatch(ev);
    }
    this.release();
  }

  private planFor(tenant: string, labels: Labels): StreamPlan {
    const key = tenant + '\u0000' + streamText(labels);
    let plan = this.plans.get(key);
    if (plan !== undefined) return plan;
    const logql = this.program.logql.filter((src) => {
      for (const m of src.matchers) if (!m.test(labels[m.name] ?? '')) return false;
      return true;
    });
    const groups = this.program.sigmaGroups.filter((g) => g.matchStream(labels));
    plan = logql.length === 0 && groups.length === 0 ? NO_PLAN : { logql, groups };
    if (this.plans.size >= MAX_STREAM_PLANS) this.plans.clear();
    this.plans.set(key, plan);
    return plan;
  }

  /** One row reused for every pipeline run (nothing keeps it past the record: matches copy what they need). */
  private readonly row: StageRow = { line: '', tsNs: 0n, labels: new Map() };

  private rowOf(labels: Labels, metadata: Metadata | undefined, line: string, ts: bigint): StageRow {
    const row = this.row;
    const m = row.labels;
    m.clear();
    if (metadata !== undefined) {
      for (const k in metadata) {
        m.set(k, metadata[k]!);
        // pipeline fields such as `threat.matched` or `geo.country` cannot be named in a LogQL label filter: they
        // are also there as `threat_matched` (the name LogQL's parsers would give them), unless that name is taken
        const alias = this.labelAlias(k);
        if (alias !== undefined && !(alias in metadata)) m.set(alias, metadata[k]!);
      }
    }
    for (const k in labels) m.set(k, labels[k]!);
    row.line = line;
    row.tsNs = ts;
    return row;
  }

  private readonly aliases = new Map<string, string | null>();

  /** A metadata name as a LogQL label name (`.`, `-`, `/`… become `_`), or undefined when it already is one. */
  private labelAlias(name: string): string | undefined {
    let a = this.aliases.get(name);
    if (a === undefined) {
      const s = name.replace(/[^A-Za-z0-9_]/g, '_');
      a = s === name ? null : /^[0-9]/.test(s) ? '_' + s : s;
      if (this.aliases.size < 10_000) this.aliases.set(name, a);
    }
    return a ?? undefined;
  }

  private evaluate(tenant: string, plan: StreamPlan, labels: Labels, ts: bigint, line: string, metadata: Metadata | undefined, accepted: DetectionEvent[], late: DetectionEvent[]): void {
    let ref: EventRef | undefined;
    for (let k = 0; k < plan.logql.length; k++) {
      const src = plan.logql[k]!;
      let pass = true;
      for (let p = 0; p < src.prefilter.length; p++) {
        if (!line.includes(src.prefilter[p]!)) {
          pass = false;
          break;
        }
      }
      if (!pass) continue;
      const row = this.rowOf(labels, metadata, line, ts);
      if (!src.pipeline(row)) continue;
      if (src.allow.length > 0 && isAllowed(src.allow, labels, (n) => row.labels.get(n))) {
        this.metrics.allowed++;
        continue;
      }
      ref ??= metadata !== undefined ? { tsNs: ts, labels, line, metadata } : { tsNs: ts, labels, line };
      const fields: Record<string, string> = {};
      for (let f = 0; f < src.keep.length; f++) {
        const v = row.labels.get(src.keep[f]!);
        if (v !== undefined) fields[src.keep[f]!] = v;
      }
      const parsed: Record<string, string> = {};
      for (const name of src.pipeline.created) {
        const v = row.labels.get(name);
        if (v !== undefined) parsed[name] = v;
      }
      this.emit({ tenant, tsNs: ts, seq: this.seq++, source: src.index, fields, linked: [{ step: src.step, ref, fields: parsed }] }, accepted, late);
    }
    if (plan.groups.length === 0) return;
    const view = this.view;
    resetView(view, ts, line, labels, metadata);
    for (let g = 0; g < plan.groups.length; g++) {
      const group = plan.groups[g]!;
      view.parsed = undefined;
      if (!group.prefilter.lineMayAdmit(view, labels, metadata)) continue;
      if (group.pipeline !== undefined) {
        const row = this.rowOf(labels, metadata, line, ts);
        if (!group.pipeline(row)) continue;
        view.parsed = row.labels;
      }
      const rules = group.rules;
      const prefilter = group.prefilter;
      prefilter.scan(view);
      for (let r = 0; r < rules.length; r++) {
        if (!prefilter.admits(r)) continue;
        const slot = rules[r]!;
        if (!slot.compiled.matches(view)) continue;
        this.metrics.sigmaMatches++;
        if (slot.allow.length > 0 && isAllowed(slot.allow, labels, (n) => slot.compiled.field(n)(view))) {
          this.metrics.allowed++;
          continue;
        }
        ref ??= metadata !== undefined ? { tsNs: ts, labels, line, metadata } : { tsNs: ts, labels, line };
        const fields: Record<string, string> = {};
        for (const n of slot.needed) {
          const v = n.get(view);
          if (v !== undefined) fields[n.name] = v;
        }
        const linked: LinkedEvent = { step: slot.step, ref, fields };
        if (slot.standalone) this.sigmaAlert(tenant, slot, linked);
        if (slot.consumers.length > 0) this.emit({ tenant, tsNs: ts, seq: this.seq++, source: slot.index, fields, linked: [linked] }, accepted, late);
      }
    }
  }

  private emit(ev: DetectionEvent, accepted: DetectionEvent[], late: DetectionEvent[]): void {
    this.metrics.detectionEvents++;
    if (this.buffer.push(ev)) accepted.push(ev);
    else late.push(ev);
  }

  private watermark(): bigint {
    let top = this.maxEventNs;
    if (this.opts.clockWatermark !== false) {
      const now = this.clock();
      if (now > top) top = now;
    }
    return top - this.reorderNs;
  }

  /** Moves the watermark (by the clock too): releases waiting events, closes windows. Call it every second or so. */
  tick(): void {
    this.release();
    this.opts.incidents?.flush();
    const nowMs = Date.now();
    if (this.files !== undefined && nowMs - this.lastSnapshotMs >= (this.opts.snapshotIntervalMs ?? 30_000)) this.snapshot();
  }

  private release(): void {
    const out: DetectionEvent[] = [];
    const wm = this.watermark();
    this.buffer.release(wm, out);
    if (this.buffer.size > this.maxBuffered) this.buffer.overflow(this.maxBuffered, out);
    for (const ev of out) this.dispatch(ev);
    if (wm - this.lastAdvanceNs >= ADVANCE_EVERY_NS) this.advance(wm);
  }

  private advance(wm: bigint): void {
    this.lastAdvanceNs = wm;
    const firings: Firing[] = [];
    for (const slot of this.program.machines) {
      slot.machine.advance(wm, firings);
      for (const f of firings.splice(0)) this.fired(slot, f);
    }
    for (const [k, s] of this.suppressed) if (wm - s.lastTs > s.suppressNs) this.suppressed.delete(k);
  }

  /** Releases every waiting event and closes every window (end of a hunt). */
  flush(): void {
    const out: DetectionEvent[] = [];
    this.buffer.drain(out);
    for (const ev of out) this.dispatch(ev);
    this.advance(2n ** 62n);
  }

  private dispatch(ev: DetectionEvent): void {
    const producer = this.program.producers[ev.source]!;
    const firings: Firing[] = [];
    for (const c of producer.consumers) {
      c.machine.machine.onEvent(ev, c.input, firings);
      for (const f of firings.splice(0)) this.fired(c.machine, f);
    }
  }

  private fired(slot: MachineSlot, f: Firing): void {
    if (slot.consumers.length > 0 && f.extendsAlert === undefined) {
      // an inner correlation: its firing is an event of the outer ones
      const fields: Record<string, string> = {};
      for (const name of slot.needed) {
        let common: string | undefined;
        let same = true;
        for (const e of f.events) {
          const v = e.fields[name];
          if (v === undefined || (common !== undefined && v !== common)) {
            same = false;
            break;
          }
          common = v;
        }
        if (same && common !== undefined) fields[name] = common;
      }
      Object.assign(fields, f.group);
      this.dispatch({ tenant: f.tenant, tsNs: f.lastTs, seq: this.seq++, source: slot.index, fields, linked: f.events });
    }
    if (slot.standalone) this.raise(slot.key, slot.meta, f);
  }

  private sigmaAlert(tenant: string, slot: SigmaSlot, linked: LinkedEvent): void {
    const ts = linked.ref.tsNs;
    const key = `${slot.key}\u0000${tenant}\u0000${streamText(linked.ref.labels)}`;
    const prev = this.suppressed.get(key);
    if (prev !== undefined && ts - prev.lastTs <= prev.suppressNs && prev.lastTs - ts <= prev.suppressNs) {
      // a repeat within the suppression window (either side of the last match: concurrent pushes arrive out of
      // order): counted and linked to the same alert and incident, nobody notified
      const a = prev.alert;
      a.event_count++;
      const evs = alertEvents([linked]);
      if (a.events.length < MAX_LINKED_EVENTS) a.events.push(evs[0]!);
      if (ts > prev.lastTs) {
        a.last_ts = ts.toString();
        prev.lastTs = ts;
      } else if (ts < BigInt(a.first_ts)) a.first_ts = ts.toString();
      this.metrics.suppressed++;
      if (a.incident_id !== undefined) this.opts.incidents?.link(tenant, a.incident_id, evs, a.alert_id);
      return;
    }
    const firing: Firing = { groupKey: key, tenant, group: {}, events: [linked], eventCount: 1, firstTs: ts, lastTs: ts };
    const alert = this.raise(slot.key, slot.meta, firing);
    if (alert === undefined) return;
    if (this.suppressed.size >= MAX_SUPPRESSED) this.suppressed.delete(this.suppressed.keys().next().value as string);
    this.suppressed.set(key, { alert, lastTs: ts, suppressNs: BigInt(slot.meta.suppressMs) * 1_000_000n });
  }

  /** `suppress: {by}`: a firing within the window of an earlier alert for the same values is counted on it. */
  private suppressBy(ruleKey: string, meta: AlertMeta, f: Firing): { key: string; folded: boolean } {
    let key = `by\u0000${ruleKey}\u0000${f.tenant}`;
    for (const name of meta.suppressBy!) {
      let v = f.group[name];
      for (let i = 0; v === undefined && i < f.events.length; i++) {
        const e = f.events[i]!;
        v = e.fields[name] ?? e.ref.metadata?.[name] ?? e.ref.labels[name];
      }
      key += '\u0000' + (v ?? '');
    }
    const prev = this.suppressed.get(key);
    if (prev === undefined || f.lastTs < prev.lastTs || f.lastTs - prev.lastTs > prev.suppressNs) return { key, folded: false };
    const a = prev.alert;
    a.event_count += f.eventCount;
    a.suppressed_count = (a.suppressed_count ?? 0) + 1;
    const linked = alertEvents(f.events.slice(0, Math.max(0, MAX_LINKED_EVENTS - a.events.length)));
    a.events.push(...linked);
    this.metrics.suppressed++;
    if (a.incident_id !== undefined) this.opts.incidents?.link(f.tenant, a.incident_id, alertEvents(f.events), a.alert_id);
    return { key, folded: true };
  }

  private raise(ruleKey: string, meta: AlertMeta, f: Firing): SiemAlert | undefined {
    let byKey: string | undefined;
    if (meta.suppressBy !== undefined && f.extendsAlert === undefined) {
      const s = this.suppressBy(ruleKey, meta, f);
      if (s.folded) return undefined;
      byKey = s.key;
    }
    const events = alertEvents(f.events);
    const alert: SiemAlert = {
      alert_id: alertId(ruleKey, f),
      tenant: f.tenant,
      kind: meta.kind,
      rule: meta.rule,
      title: meta.title,
      ...(meta.description ? { description: meta.description } : {}),
      severity: meta.severity,
      group: f.group,
      first_ts: f.firstTs.toString(),
      last_ts: f.lastTs.toString(),
      event_count: f.eventCount,
      events,
      entities: extractEntities(f.group, f.events),
      tags: meta.tags,
      notify: true,
      created_ms: Date.now(),
    };
    if (meta.sigma !== undefined) {
      if (meta.sigma.id !== undefined) alert.id = meta.sigma.id;
      if (meta.sigma.author !== undefined) alert.author = meta.sigma.author;
      alert.references = meta.sigma.references;
    }
    if (f.extendsAlert !== undefined) alert.extends = f.extendsAlert;
    const store = this.opts.incidents;
    if (store !== undefined) {
      const rec = store.record(alert, `${ruleKey}\u0000${f.groupKey}`, meta.suppressMs);
      if (rec.duplicate) {
        this.metrics.duplicates++;
        return undefined;
      }
    }
    this.metrics.alert(meta.rule);
    if (byKey !== undefined) {
      // the window runs from this alert's last event (not moved by the repeats it absorbs)
      if (this.suppressed.size >= MAX_SUPPRESSED) this.suppressed.delete(this.suppressed.keys().next().value as string);
      this.suppressed.set(byKey, { alert, lastTs: f.lastTs, suppressNs: BigInt(meta.suppressMs) * 1_000_000n });
    }
    this.opts.onAlert?.(alert);
    const deps = this.opts.actions;
    if (deps !== undefined && alert.notify) {
      // an extension notifies; responses and enrichment ran with the alert it extends
      const specs = alert.extends !== undefined ? meta.actions.filter((a) => a.kind === 'alert') : meta.actions;
      const p = runActions(alert, specs, { ...deps, now: Date.now })
        .then(({ outcomes, enrichment }) => {
          if (alert.incident_id !== undefined) store?.recordOutcomes(alert.incident_id, alert, outcomes, enrichment);
        })
        .catch((e: unknown) => this.log(`actions of ${meta.rule} failed: ${(e as Error).message}`))
        .finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    }
    return alert;
  }

  /** Resolves when the actions started so far have finished. */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  // ---------------------------------------------------------------- persistence

  private walRecord(ev: DetectionEvent): unknown {
    return { src: this.program.producers[ev.source]!.key, tenant: ev.tenant, ts: ev.tsNs, seq: ev.seq, fields: ev.fields, linked: ev.linked };
  }

  private fromRecord(r: unknown): DetectionEvent | undefined {
    const o = r as { src: string; tenant: string; ts: bigint; seq: number; fields: Record<string, string>; linked: LinkedEvent[] };
    const p = this.byKey.get(o.src);
    if (p === undefined) return undefined; // its rule is gone
    return { tenant: o.tenant, tsNs: o.ts, seq: o.seq, source: p.index, fields: o.fields, linked: o.linked };
  }

  /** Writes the state (and empties the event log it supersedes). */
  snapshot(): void {
    if (this.files === undefined) return;
    const machines: Snapshot['machines'] = {};
    for (const m of this.program.machines) machines[m.key] = { fingerprint: m.fingerprint, state: m.machine.snapshot() };
    this.files.writeSnapshot({
      version: 1,
      watermarkNs: this.buffer.watermarkNs,
      seq: this.seq,
      machines,
      pending: this.buffer.pending().map((e) => this.walRecord(e)),
      suppress: [...this.suppressed.entries()].map(([k, s]) => [k, s.alert, s.lastTs, s.suppressNs]),
    });
    this.lastSnapshotMs = Date.now();
  }

  private restore(): void {
    const files = this.files!;
    const snap = files.readSnapshot();
    {
      if (snap !== undefined) {
        this.seq = snap.seq;
        this.buffer.watermarkNs = snap.watermarkNs;
        this.maxEventNs = snap.watermarkNs + this.reorderNs;
        for (const m of this.program.machines) {
          const saved = snap.machines[m.key];
          if (saved !== undefined && saved.fingerprint === m.fingerprint) m.machine.restore(saved.state);
        }
        for (const r of snap.pending) {
          const ev = this.fromRecord(r);
          if (ev !== undefined) this.buffer.push(ev);
        }
        for (const entry of snap.suppress as [string, SiemAlert, bigint, bigint][]) {
          this.suppressed.set(entry[0], { alert: entry[1], lastTs: entry[2], suppressNs: entry[3] });
        }
      }
      // events accepted after the snapshot, in their original order
      const replay: DetectionEvent[] = [];
      for (const r of files.readWal()) {
        const ev = this.fromRecord(r);
        if (ev === undefined) continue;
        if (ev.seq >= this.seq) this.seq = ev.seq + 1;
        if (ev.tsNs > this.maxEventNs) this.maxEventNs = ev.tsNs;
        replay.push(ev);
      }
      for (const ev of replay) if (!this.buffer.push(ev)) this.dispatch(ev);
      const out: DetectionEvent[] = [];
      this.buffer.release(this.watermark(), out);
      for (const ev of out) this.dispatch(ev);
      this.metrics.restoredEvents = replay.length;
    }
  }

  /** Finishes running actions and writes the state. */
  async close(): Promise<void> {
    await this.settled();
    this.opts.incidents?.flush();
    this.snapshot();
  }

  /** Groups held over all correlation rules, events waiting for order, late events. */
  stats(): { groups: number; evicted: number; ungrouped: number; buffered: number; late: number; valuesEvicted: number; overflowed: number } {
    let groups = 0;
    let evicted = 0;
    let ungrouped = 0;
    let valuesEvicted = 0;
    for (const m of this.program.machines) {
      const s = m.machine.stats();
      groups += s.groups;
      evicted += s.evicted;
      ungrouped += s.ungrouped;
      if (m.machine instanceof NewValueMachine) valuesEvicted += m.machine.valuesEvicted;
    }
    return { groups, evicted, ungrouped, buffered: this.buffer.size, late: this.buffer.late, valuesEvicted, overflowed: this.buffer.overflowed };
  }
}
