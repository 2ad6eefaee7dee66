// Runs pipelines over batches of events. Every pipeline whose `if` matches an event runs on it, in file order
// (a `final` pipeline stops that); within a pipeline, a processor whose `if` does not match an event skips it and
// the event keeps its place. Processors that hold events (multiline, dedupe) release them through `flush`, and
// what they release continues through the rest of the chain. Pure: the caller brings the clock and the timers.

import type { PipelineEvent } from './event.ts';
import { PipelineMetrics, type StageCounters } from './pipeline-metrics.ts';
import type { PipelineSpec, PipelinesConfig, ProcessorSlot } from './pipeline-config.ts';
import { closePipelines } from './pipeline-config.ts';
import type { ProcessorContext } from './processor.ts';

/** The error an event is marked with when a processor fails on its batch (a bug, not bad input). */
export const PROCESSOR_FAILED = 'PipelineProcessorErr';

const WARN_INTERVAL_MS = 60_000;

export interface RunnerOptions {
  /** where warnings go (cardinality caps, processor failures); each distinct message at most once a minute */
  warn?: (message: string) => void;
  /** shared counters (kept across reloads); a private set when absent */
  metrics?: PipelineMetrics;
}

interface Stage {
  spec: PipelineSpec;
  counters: StageCounters;
  slots: { slot: ProcessorSlot; counters: StageCounters; test?: (e: PipelineEvent) => boolean }[];
}

/**
 * Calls `run` on the events `selected` accepts, in runs of consecutive ones, and puts what it returns where the
 * run was; the others keep their place. No copy when all or none are selected, nor when every run comes back as it
 * went in (the usual in-place processor): the result is then `events` itself.
 */
function applySelected(events: PipelineEvent[], selected: (e: PipelineEvent) => boolean, run: (batch: PipelineEvent[]) => PipelineEvent[]): PipelineEvent[] {
  const n = events.length;
  let i = 0;
  while (i < n && !selected(events[i])) i++;
  if (i === n) return events;
  let j = i + 1;
  while (j < n && selected(events[j])) j++;
  if (i === 0 && j === n) return run(events);
  // built from the first run that comes back changed; until then the result is `events` as it is
  let out: PipelineEvent[] | undefined;
  // invariant: events[i..j) are selected, events[j] (if any) is not; `out`, when built, holds the result of events[0..i)
  for (;;) {
    const r = run(events.slice(i, j));
    if (out === undefined && !sameRun(r, events, i, j)) out = events.slice(0, i);
    if (out !== undefined) {
      for (let k = 0; k < r.length; k++) out.push(r[k]);
      if (j < n) out.push(events[j]);
    }
    if (j === n) return out ?? events;
    i = j + 1;
    while (i < n && !selected(events[i])) {
      if (out !== undefined) out.push(events[i]);
      i++;
    }
    if (i === n) return out ?? events;
    j = i + 1;
    while (j < n && selected(events[j])) j++;
  }
}

/** True when `r` holds exactly events[i..j), in order. */
function sameRun(r: PipelineEvent[], events: PipelineEvent[], i: number, j: number): boolean {
  if (r.length !== j - i) return false;
  for (let k = 0; k < r.length; k++) if (r[k] !== events[i + k]) return false;
  return true;
}

export class PipelineRunner {
  readonly metrics: PipelineMetrics;
  /** whether any processor may hold events (then the caller should call `flush` on a timer) */
  readonly holdsEvents: boolean;
  private readonly stages: Stage[];
  private readonly anyFinal: boolean;
  private readonly warned = new Map<string, number>();
  private readonly warnSink: (message: string) => void;

  constructor(readonly config: PipelinesConfig, options: RunnerOptions = {}) {
    this.metrics = options.metrics ?? new PipelineMetrics();
    this.warnSink = options.warn ?? ((m) => process.stderr.write(`sightline: pipeline: ${m}\n`));
    this.stages = config.pipelines.map((spec) => ({
      spec,
      counters: this.metrics.pipeline(spec.name),
      slots: spec.processors.map((slot) => ({ slot, counters: this.metrics.processor(spec.name, slot.name, slot.type), test: slot.condition?.test })),
    }));
    this.anyFinal = config.pipelines.some((p) => p.final);
    this.holdsEvents = config.pipelines.some((p) => p.processors.some((s) => typeof s.processor.flush === 'function'));
  }

  process(events: PipelineEvent[], nowMs: number): PipelineEvent[] {
    if (this.stages.length === 0 || events.length === 0) return events;
    const ctx = this.context(nowMs);
    const done = this.anyFinal ? new Set<PipelineEvent>() : undefined;
    let current = events;
    for (const stage of this.stages) current = this.runStage(stage, current, ctx, done);
    return current;
  }

  /** Releases held events whose time is up (all of them when `final`), run through the rest of their chain. */
  flush(nowMs: number, final: boolean): PipelineEvent[] {
    if (!this.holdsEvents) return [];
    const ctx = this.context(nowMs);
    const done = this.anyFinal ? new Set<PipelineEvent>() : undefined;
    let carry: PipelineEvent[] = [];
    for (const stage of this.stages) {
      carry = this.runStage(stage, carry, ctx, done);
      for (let j = 0; j < stage.slots.length; j++) {
        const s = stage.slots[j];
        if (!s.slot.processor.flush) continue;
        let released: PipelineEvent[];
        try {
          released = s.slot.processor.flush(ctx, final);
        } catch (err) {
          s.counters.errors++;
          ctx.warn(`processor ${stage.spec.name}/${s.slot.name} (${s.slot.where}) failed to flush: ${(err as Error).message}`);
          continue;
        }
        if (released.length === 0) continue;
        s.counters.out += released.length;
        const out = this.runSlots(stage, j + 1, released, ctx);
        stage.counters.out += out.length;
        for (const e of out) {
          if (stage.spec.final) done!.add(e);
          carry.push(e);
        }
      }
    }
    return carry;
  }

  close(): void {
    closePipelines(this.config.pipelines);
  }

  private context(nowMs: number): ProcessorContext {
    return { nowMs, warn: (m) => this.warn(m, nowMs) };
  }

  private warn(message: string, nowMs: number): void {
    const last = this.warned.get(message);
    if (last !== undefined && nowMs - last < WARN_INTERVAL_MS) return;
    if (this.warned.size > 1000) this.warned.clear();
    this.warned.set(message, nowMs);
    this.warnSink(message);
  }

  private runStage(stage: Stage, events: PipelineEvent[], ctx: ProcessorContext, done: Set<PipelineEvent> | undefined): PipelineEvent[] {
    if (events.length === 0) return events;
    const run = (batch: PipelineEvent[]) => {
      stage.counters.in += batch.length;
      const out = this.runSlots(stage, 0, batch, ctx);
      stage.counters.out += out.length;
      if (out.length < batch.length) stage.counters.dropped += batch.length - out.length;
      if (stage.spec.final) for (const e of out) done!.add(e);
      return out;
    };
    const cond = stage.spec.condition?.test;
    if (cond === undefined && (done === undefined || done.size === 0)) return run(events);
    return applySelected(events, (e) => !done?.has(e) && (cond === undefined || cond(e)), run);
  }

  private runSlots(stage: Stage, from: number, events: PipelineEvent[], ctx: ProcessorContext): PipelineEvent[] {
    let current = events;
    for (let j = from; j < stage.slots.length && current.length > 0; j++) {
      const s = stage.slots[j];
      const run = (batch: PipelineEvent[]) => this.runSlot(stage, s, batch, ctx);
      current = s.test === undefined ? run(current) : applySelected(current, s.test, run);
    }
    return current;
  }

  private runSlot(stage: Stage, s: Stage['slots'][number], batch: PipelineEvent[], ctx: ProcessorContext): PipelineEvent[] {
    s.counters.in += batch.length;
    let out: PipelineEvent[];
    try {
      out = s.slot.processor.process(batch, ctx);
    } catch (err) {
      // a processor bug must not lose data: pass the batch on, marked
      s.counters.errors++;
      const message = `processor ${stage.spec.name}/${s.slot.name} (${s.slot.type} at ${s.slot.where}) failed: ${(err as Error).message}`;
      ctx.warn(message);
      for (const e of batch) {
        e.error = PROCESSOR_FAILED;
        e.errorDetails = message;
      }
      out = batch;
    }
    s.counters.out += out.length;
    if (out.length < batch.length) s.counters.dropped += batch.length - out.length;
    return out;
  }
}
