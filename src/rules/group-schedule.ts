// When a rule group evaluates, aligned as Prometheus aligns it: every evaluation timestamp sits on the grid
// `offset + k·interval`, where the offset is a hash of the group's identity modulo the interval, so groups with the
// same interval spread over it instead of all querying at :00, and a group keeps its phase across restarts.
// A runner sleeps until the next grid point, evaluates, and skips grid points it missed (counting them) instead of
// catching up with a burst.

import { createHash } from 'node:crypto';

/** The group's phase in [0, interval). */
export function groupOffsetMs(identity: string, intervalMs: number): number {
  const h = createHash('sha256').update(identity).digest();
  return Number(h.readBigUInt64BE(0) % BigInt(Math.max(1, Math.round(intervalMs))));
}

/** The latest grid point at or before `nowMs`. */
export function evalTimestampMs(nowMs: number, intervalMs: number, offsetMs: number): number {
  const adjusted = nowMs - offsetMs;
  return adjusted - (((adjusted % intervalMs) + intervalMs) % intervalMs) + offsetMs;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Runs `evaluate(t)` at each grid point until stopped. One evaluation at a time; `stop()` waits for the running one. */
export class GroupRunner {
  private timer: unknown;
  private running: Promise<void> | undefined;
  private stopped = false;
  private next: number;
  missed = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly offsetMs: number,
    private readonly evaluate: (tMs: number) => Promise<void>,
    private readonly clock: Clock = systemClock,
  ) {
    // the first evaluation is the next grid point, as Prometheus starts a group
    this.next = evalTimestampMs(clock.now(), intervalMs, offsetMs) + intervalMs;
  }

  /** The next evaluation time (ms). */
  get nextEvaluationMs(): number {
    return this.next;
  }

  start(): void {
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => this.tick(), Math.max(0, this.next - this.clock.now()));
  }

  private tick(): void {
    if (this.stopped) return;
    const t = this.next;
    this.running = this.evaluate(t)
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
        const latest = evalTimestampMs(this.clock.now(), this.intervalMs, this.offsetMs);
        const following = t + this.intervalMs;
        if (latest > following) this.missed += Math.round((latest - following) / this.intervalMs);
        this.next = Math.max(following, latest);
        this.schedule();
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    await this.running;
  }
}
