// The agent's source seam: a source hands over batches of events and learns, through `acknowledge`, when every
// sink that takes them has them, which is when it may checkpoint (file offsets, journald cursors) or resume.

import type { PipelineEvent } from '../../pipeline/event.ts';

export interface SourceBatch {
  events: PipelineEvent[];
  /** bytes read, for metrics */
  bytes: number;
  /** called once, when all sinks taking the batch have it (delivered, or written to a disk buffer) */
  acknowledge(): void;
}

export interface AgentSource {
  readonly name: string;
  /** Starts listeners or child processes (file sources need nothing). */
  start?(): Promise<void>;
  /** The next batch of at most about `maxBytes`, or undefined when there is nothing new. */
  read(nowMs: number, maxBytes: number): SourceBatch | undefined;
  close(): Promise<void> | void;
  /** files being tailed, for /health */
  positions?(): { path: string; offset: number }[];
  /** bytes written but not yet read, per file, for /metrics */
  lag?(): { path: string; lag: number }[];
}

/** Strictly increasing arrival stamps in ns, so lines read in the same millisecond keep their order. */
export class ArrivalClock {
  private last = 0n;
  next(): bigint {
    let now = BigInt(Date.now()) * 1_000_000n;
    if (now <= this.last) now = this.last + 1n;
    this.last = now;
    return now;
  }
}
