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
  ) {
    super(message);
  }
}

export interface Sink {
  readonly name: string;
  /** Delivers the batch; resolves once the destination acknowledged it; rejects with DeliveryError. */
  send(events: PipelineEvent[]): Promise<void>;
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
