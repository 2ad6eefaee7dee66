// The store contract: durable appends, plan execution and label/series look-ups, whatever the engine.

import type { IngestBatch } from '../model/record.ts';
import type { Matcher } from '../query/ast.ts';
import type { AggregatePlan, AggregateRows, RowChunk, ScanPlan, ScanStats, StreamInfo } from './plan.ts';

export interface Store {
  /** Resolves once every entry of the batch is durable (survives kill -9). Rejects with StoreBusyError when overloaded. */
  append(batch: IngestBatch): Promise<void>;
  /** Rows matching the plan, streamed in chunks in the plan's time order. Stop iterating to cancel. */
  scan(plan: ScanPlan, stats?: ScanStats): AsyncIterable<RowChunk>;
  aggregate(plan: AggregatePlan, stats?: ScanStats): Promise<AggregateRows>;
  /** The streams of the tenants that match the matchers and have entries in [fromNs, toNs). */
  streams(tenants: string[], matchers: Matcher[], fromNs: bigint, toNs: bigint): StreamInfo[];
  stream(id: number): StreamInfo | undefined;
  close(): Promise<void>;
}

/** The store cannot take more now; callers answer 429/503 with Retry-After. */
export class StoreBusyError extends Error {
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
  }
}
