// The `alert` output of the pipelines: events routed to it are handed, in batches, to in-process subscribers
// (alerting and SIEM rules). Delivery is synchronous and best-effort: a subscriber that throws is logged and
// the others still get the batch.

import type { PipelineEvent } from '../pipeline/event.ts';

export type AlertSubscriber = (events: readonly PipelineEvent[]) => void;

export class AlertStream {
  private readonly subscribers = new Set<AlertSubscriber>();

  constructor(private readonly log: (message: string) => void = (m) => process.stderr.write(`sightline: alert stream: ${m}\n`)) {}

  /** Returns the function that unsubscribes. */
  subscribe(fn: AlertSubscriber): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  publish(events: readonly PipelineEvent[]): void {
    if (events.length === 0) return;
    for (const fn of this.subscribers) {
      try {
        fn(events);
      } catch (err) {
        this.log(`a subscriber failed: ${(err as Error).message}`);
      }
    }
  }
}
