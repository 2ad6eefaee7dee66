// The sink seam: one file per destination under src/agent/sinks/, each exporting a SinkType (its config keys and
// a factory). A sink delivers one batch and resolves only when the destination acknowledged it; failures say
// whether a retry can help, so the delivery loop retries (with back-off) or gives the batch up loudly.

import type { ConfigNode } from '../../config/config-node.ts';
import type { PipelineEvent } from '../../pipeline/event.ts';

export class DeliveryError extends Error {
  constructor(
    message: string,
    /** false when resending the same batch cannot succeed (e.g. the destination refused its content) */
    readonly retryable: boolean,
    /** the destination's Retry-After, when it sent one */
    readonly retryAfterMs?: number,
    /** a short code for /metrics (`tls_client_certificate_required`, `connection_refused`, `http_503`…) */
    readonly reason = 'error',
  ) {
    super(message);
  }
}

export interface Sink {
  readonly name: string;
  /** Delivers the batch; resolves once the destination acknowledged it; rejects with DeliveryError. */
  send(events: PipelineEvent[]): Promise<void>;
  /**
   * Optional, for sinks whose request body does not depend on the moment of sending: the body for these events,
   * made when the batch enters a memory buffer so that only bytes (not event objects) wait there.
   */
  encode?(events: PipelineEvent[]): Buffer;
  /** Delivers a body made by `encode` for `events` events (gzip already when `gzipped`); same contract as `send`. */
  sendEncoded?(body: Buffer, events: number, gzipped?: boolean): Promise<void>;
  /** True when the destination takes gzip bodies: a memory buffer then holds its sealed batches gzipped. */
  readonly gzipBodies?: boolean;
  close?(): Promise<void>;
}

export interface SinkType {
  type: string;
  description: string;
  /** keys this sink reads besides the common ones (type, inputs, buffer, batch) */
  build(name: string, node: ConfigNode, env: { configDir: string }): Sink;
}

/** Keys every sink entry may carry, handled by the agent runtime. */
export const COMMON_SINK_KEYS = ['type', 'inputs', 'buffer', 'batch', 'retry'] as const;
