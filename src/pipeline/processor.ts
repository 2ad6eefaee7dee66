// The processor seam: one file per processor type under src/pipeline/processors/, each exporting a ProcessorType
// (its name, a one-line description and a `build` that validates its own config keys and returns the processor).
// The registry (registry.ts) maps type names to them; the runner never names a processor.

import type { ConfigNode } from '../config/config-node.ts';
import type { PipelineEvent } from './event.ts';

/** Keys every processor entry may carry, handled by the runner: `type`, an optional `name` and an `if` condition. */
export const COMMON_PROCESSOR_KEYS = ['type', 'name', 'if'] as const;

export interface ProcessorContext {
  /** wall-clock time of this call, in ms (processors never read the clock themselves, so tests can drive time) */
  nowMs: number;
  /** reports a condition worth an operator's attention (e.g. a label's cardinality capped), rate-limited by the caller */
  warn(message: string): void;
}

export interface Processor {
  /**
   * Transforms a batch. May mutate events in place, drop them (leave them out of the result) or hold them back
   * (multiline, de-duplication) to emit later from `flush`. Must not throw on bad events: mark them (`error`) instead.
   */
  process(events: PipelineEvent[], ctx: ProcessorContext): PipelineEvent[];
  /** Emits held events whose time is up; `final` at shutdown or reload means emit everything held. */
  flush?(ctx: ProcessorContext, final: boolean): PipelineEvent[];
  /** Releases resources (open files, timers). */
  close?(): void;
}

export interface ProcessorEnv {
  /** directory of the config file, against which relative paths (GeoIP database, lookup CSV) resolve */
  configDir: string;
}

export interface ProcessorType {
  type: string;
  /** one line for `sightline pipeline processors` and the docs */
  description: string;
  /** Validates the entry's own keys (failing through `node.fail` with file:line) and builds the processor. */
  build(node: ConfigNode, env: ProcessorEnv): Processor;
}
