// Delivers one sink's buffer in order: takes the oldest batch, sends it in pieces of `max_events`, retries
// retryable failures with exponential back-off and full jitter (or the destination's Retry-After), and only then
// drops it from the buffer. A batch the destination refuses for good is reported, counted and skipped.

import type { PipelineEvent } from '../pipeline/event.ts';
import { Counter } from '../metrics/prometheus.ts';
import { DiskBuffer, MemoryBuffer, type BufferConfig, type BufferedBatch, type EncodedPiece, type SinkBuffer } from './buffer.ts';
import { DeliveryError, type Sink } from './sinks/sink.ts';

export interface RetryConfig {
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RETRY: RetryConfig = { initialBackoffMs: 500, maxBackoffMs: 30_000 };

export interface SinkMetrics {
  sent: Counter;
  retries: Counter;
  failures: Counter;
  dropped: Counter;
}

export function sinkMetrics(): SinkMetrics {
  return {
    sent: new Counter('sightline_agent_sink_events_total', 'Events delivered and acknowledged, by sink.'),
    retries: new Counter('sightline_agent_sink_retries_total', 'Delivery attempts that failed and were retried, by sink.'),
    failures: new Counter('sightline_agent_sink_failures_total', 'Failed delivery attempts, by sink and reason (tls_client_certificate_required, connection_refused, http_503…).'),
    dropped: new Counter('sightline_agent_sink_dropped_events_total', 'Events given up, by sink and reason (buffer_full, refused).'),
  };
}

export class SinkWorker {
  readonly buffer: SinkBuffer;
  /** buffered batches being sent now (the oldest ones); newer ones may still take more events */
  private started = 0;
  private wakeWorker: (() => void) | undefined;
  private readonly spaceWaiters: (() => void)[] = [];
  private closed = false;
  private loop: Promise<void> | undefined;
  private sleepTimer: NodeJS.Timeout | undefined;
  private sleepResolve: (() => void) | undefined;
  /** consecutive failures of the current batch, for the log */
  private failures = 0;

  constructor(
    readonly sink: Sink,
    readonly inputs: string[] | undefined,
    private readonly bufferConfig: BufferConfig,
    bufferDir: string,
    private readonly maxEvents: number,
    /** batches sent at once (1 keeps a destination's arrival order strict, as Loki before 2.4 needs) */
    private readonly concurrency: number,
    private readonly retry: RetryConfig,
    private readonly metrics: SinkMetrics,
    private readonly log: (m: string) => void,
  ) {
    this.buffer =
      bufferConfig.type === 'disk'
        ? new DiskBuffer(bufferDir, bufferConfig)
        : new MemoryBuffer(bufferConfig, sink.gzipBodies === true && sink.sendEncoded !== undefined, () => {
            for (const w of this.spaceWaiters.splice(0)) w();
          });
  }

  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Accepts a batch into the buffer, waiting for room (`block`) or refusing it (`drop_newest`, then `done` is
   * called at once: the batch will never come back). `done` runs once the batch no longer needs its source:
   * delivered (memory) or written (disk).
   */
  async accept(events: PipelineEvent[], bytes: number, done: () => void): Promise<void> {
    const count = events.length;
    let pieces: EncodedPiece[] | undefined;
    if (this.bufferConfig.type === 'memory' && this.sink.encode) {
      // encoded at once, before any wait for room: only request bodies (bytes outside the JS heap) wait, and the
      // event objects die young instead of being promoted to the old generation while the buffer is full
      pieces = [];
      for (let i = 0; i < events.length; i += this.maxEvents) {
        const piece = events.length <= this.maxEvents ? events : events.slice(i, i + this.maxEvents);
        pieces.push({ body: this.sink.encode(piece), events: piece.length });
      }
      events = [];
    }
    await this.admit(events, count, bytes, pieces, done);
  }

  /** Accepts a batch already made into this sink's request bodies (the byte fast path); memory buffers only. */
  async acceptEncoded(pieces: EncodedPiece[], count: number, done: () => void): Promise<void> {
    let bytes = 0;
    for (const p of pieces) bytes += p.body.length;
    await this.admit([], count, bytes, pieces, done);
  }

  private async admit(events: PipelineEvent[], count: number, bytes: number, pieces: EncodedPiece[] | undefined, done: () => void): Promise<void> {
    while (!this.buffer.fits(count, bytes)) {
      if (this.bufferConfig.whenFull === 'drop_newest') {
        this.metrics.dropped.inc({ sink: this.sink.name, reason: 'buffer_full' }, count);
        done();
        return;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
    if (this.closed) return;
    if (this.buffer instanceof MemoryBuffer) {
      // delivered (and `done`) together with whatever shares its batch
      const batch = pieces ? this.buffer.pushEncoded(pieces, this.started, this.maxEvents) : (this.buffer.push(events, bytes), this.buffer.peek(this.buffer.length - 1)!);
      (batch.dones ??= []).push(done);
    } else {
      this.buffer.push(events, bytes);
      done(); // on disk: the source no longer needs it
    }
    this.wakeWorker?.();
  }

  /** Stops after the current attempt; whatever is still buffered stays (on disk) or is re-read from its source. */
  async close(): Promise<void> {
    this.closed = true;
    this.wakeWorker?.();
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    this.sleepResolve?.();
    for (const w of this.spaceWaiters.splice(0)) w();
    await this.loop;
    await this.sink.close?.();
  }

  /** Resolves once the buffer is empty (or the worker is closed). */
  async drained(timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (this.buffer.events > 0 && !this.closed && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return this.buffer.events === 0;
  }

  private async run(): Promise<void> {
    // up to `concurrency` batches on the wire at once; they are acknowledged strictly in order
    const inflight: { done: Promise<'sent' | 'closed'>; result?: 'sent' | 'closed' }[] = [];
    while (!this.closed) {
      while (inflight.length < this.concurrency) {
        const batch = this.buffer.peek(inflight.length);
        if (!batch) break;
        const entry: (typeof inflight)[number] = { done: this.sendBatch(batch) };
        entry.done.then((r) => (entry.result = r));
        inflight.push(entry);
        this.started = inflight.length;
      }
      const head = inflight[0];
      if (!head) {
        await new Promise<void>((resolve) => (this.wakeWorker = resolve));
        this.wakeWorker = undefined;
        continue;
      }
      if (head.result === undefined) {
        // wait for the oldest to finish, or for a new batch to start beside it
        await Promise.race([head.done, new Promise<void>((resolve) => (this.wakeWorker = resolve))]);
        this.wakeWorker = undefined;
        continue;
      }
      // an interrupted batch stays: on disk it is sent after the restart; in memory its source re-reads it
      if (head.result === 'closed') break;
      inflight.shift();
      this.started = inflight.length;
      const delivered = this.buffer.peek(0);
      this.buffer.ack();
      for (const d of delivered?.dones ?? []) d();
      for (const w of this.spaceWaiters.splice(0)) w();
    }
    await Promise.allSettled(inflight.map((e) => e.done));
  }

  /** Sends a batch in pieces of `max_events`; 'closed' when the worker closed before all were delivered. */
  private async sendBatch(batch: BufferedBatch): Promise<'sent' | 'closed'> {
    if (this.buffer instanceof MemoryBuffer) await this.buffer.seal(batch);
    if (batch.pieces) {
      for (let i = 0; i < batch.pieces.length; i++) if ((await this.deliver(batch.pieces[i])) === 'closed') return 'closed';
      return 'sent';
    }
    const events = batch.events;
    for (let i = 0; i < events.length; i += this.maxEvents) {
      const piece = events.length <= this.maxEvents ? events : events.slice(i, i + this.maxEvents);
      if ((await this.deliver(piece)) === 'closed') return 'closed';
    }
    return 'sent';
  }

  /** Retries until delivered, refused for good (counted, logged) or the worker is closed. */
  private async deliver(what: PipelineEvent[] | EncodedPiece): Promise<'sent' | 'refused' | 'closed'> {
    const count = Array.isArray(what) ? what.length : what.events;
    for (let attempt = 0; ; attempt++) {
      try {
        if (Array.isArray(what)) await this.sink.send(what);
        else await this.sink.sendEncoded!(what.body, what.events, what.gzipped === true);
        if (this.failures > 0) this.log(`sink ${this.sink.name}: delivering again after ${this.failures} failed attempts`);
        this.failures = 0;
        this.metrics.sent.inc({ sink: this.sink.name }, count);
        return 'sent';
      } catch (e) {
        const err = e instanceof DeliveryError ? e : new DeliveryError((e as Error).message, true);
        this.metrics.failures.inc({ sink: this.sink.name, reason: err.reason });
        if (!err.retryable) {
          this.metrics.dropped.inc({ sink: this.sink.name, reason: 'refused' }, count);
          this.log(`sink ${this.sink.name}: ${count} events refused, not retried: ${err.message}`);
          return 'refused';
        }
        this.failures++;
        this.metrics.retries.inc({ sink: this.sink.name });
        // first failure, then every 10th: a destination down for minutes should not flood the log
        if (this.failures === 1 || this.failures % 10 === 0) this.log(`sink ${this.sink.name}: delivery failed (attempt ${this.failures}), retrying: ${err.message}`);
        if (this.closed) return 'closed';
        const ceiling = Math.min(this.retry.maxBackoffMs, this.retry.initialBackoffMs * 2 ** Math.min(attempt, 20));
        await this.sleep(err.retryAfterMs ?? Math.random() * ceiling);
        if (this.closed) return 'closed';
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.sleepResolve = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
    });
  }
}
