// The ingest adapter seam: one protocol's bytes in, one tenant's batch of records out, plus the errors found.
// Adapters know nothing of storage; the HTTP (or socket) layer turns their result into the protocol's own reply.

import type { IngestBatch } from '../model/record.ts';
import type { IngestError, IngestLimits } from './limits.ts';

export interface AdapterContext {
  tenant: string;
  limits: IngestLimits;
  /** arrival time, used for entries that carry no timestamp */
  nowMs: number;
  /** labels added to every stream (e.g. from query parameters) */
  extraLabels?: Record<string, string>;
}

export interface AdapterResult {
  batch: IngestBatch;
  errors: IngestError[];
  /** set when the body as a whole could not be understood (then the batch is empty) */
  fatal?: string;
}

/** A protocol adapter: pure function over a decoded (decompressed) body. */
export type IngestAdapter = (body: Buffer, ctx: AdapterContext) => AdapterResult;
