// The agent's source seam: a source hands over batches of events and learns, through `acknowledge`, when every
// sink that takes them has them, which is when it may checkpoint (file offsets, journald cursors) or resume.

import type { AddressInfo } from 'node:net';
import type { PipelineEvent } from '../../pipeline/event.ts';

export interface SourceBatch {
  events: PipelineEvent[];
  /** bytes read, for metrics */
  bytes: number;
  /** the byte fast path (file → sightline, no pipeline): the batch as request bodies; `events` is then empty */
  pieces?: { body: Buffer; events: number }[];
  /** events in `pieces` */
  count?: number;
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
  /** where a listening source (syslog) listens, once started */
  readonly address?: AddressInfo;
  /** messages this source could not take, by reason (a listener's malformed input, full UDP queue), for /metrics */
  drops?(): Record<string, number>;
  /** bytes written but not yet read, per file, for /metrics */
  lag?(): { path: string; lag: number }[];
}

/**
 * Sources hand out events whose `labels` and `fields` may be frozen objects shared by many events (a file chunk's).
 * Processors change those in place, so before a pipeline runs each event gets its own copies.
 */
export function unshareEvents(events: PipelineEvent[]): void {
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (Object.isFrozen(e.labels)) e.labels = { ...e.labels };
    if (Object.isFrozen(e.fields)) e.fields = { ...e.fields };
  }
}

/** Strictly increasing arrival stamps in ns, so lines read in the same millisecond keep their order. */
export class ArrivalClock {
  private last = 0n;
  private lastMs = 0;

  /** `now`: the wall clock in ms (tests pass a fixed one to compare encodings byte for byte) */
  constructor(private readonly now: () => number = Date.now) {}

  next(): bigint {
    const ms = this.now();
    // one BigInt per call: the ms → ns conversion only when the millisecond changes
    if (ms > this.lastMs) {
      const now = BigInt(ms) * 1_000_000n;
      this.lastMs = ms;
      if (now > this.last) return (this.last = now);
    }
    return (this.last = this.last + 1n);
  }

  /** Uses up `n` more stamps after the last one handed out: a run of lines stamped `next()`, `+1`, `+2`… at once. */
  advance(n: number): void {
    if (n > 0) this.last += BigInt(n);
  }
}
