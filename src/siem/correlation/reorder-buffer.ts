// Puts detection events back in time order before the state machines see them: events wait in a min-heap (ts, then
// arrival) until the watermark, the newest time seen (event time or the clock) less the reorder window, passes them.
// An event older than the watermark on arrival is late: it is released at once, in arrival order, and counted. At most
// a cap of events wait: past it the oldest are released early (and counted), so a flood cannot exhaust memory.

import type { DetectionEvent } from '../detection-event.ts';

function before(a: DetectionEvent, b: DetectionEvent): boolean {
  return a.tsNs < b.tsNs || (a.tsNs === b.tsNs && a.seq < b.seq);
}

export class ReorderBuffer {
  private readonly heap: DetectionEvent[] = [];
  /** everything at or before this time has been released */
  watermarkNs = -(2n ** 63n);
  late = 0;
  /** events released before their time because the buffer was full */
  overflowed = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Adds an event; returns false (and does not keep it) when it is already behind the watermark. */
  push(ev: DetectionEvent): boolean {
    if (ev.tsNs <= this.watermarkNs) {
      this.late++;
      return false;
    }
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
    return true;
  }

  /** Releases, in order, every event at or before `watermarkNs` (which only moves forward). */
  release(watermarkNs: bigint, into: DetectionEvent[]): void {
    if (watermarkNs > this.watermarkNs) this.watermarkNs = watermarkNs;
    const h = this.heap;
    while (h.length > 0 && h[0]!.tsNs <= this.watermarkNs) into.push(this.pop());
  }

  /** Bounds memory: releases the oldest events (moving the watermark up to them) until at most `cap` wait. */
  overflow(cap: number, into: DetectionEvent[]): void {
    while (this.heap.length > cap) {
      const ev = this.pop();
      if (ev.tsNs > this.watermarkNs) this.watermarkNs = ev.tsNs;
      this.overflowed++;
      into.push(ev);
    }
  }

  /** Releases everything (end of a hunt, shutdown). */
  drain(into: DetectionEvent[]): void {
    while (this.heap.length > 0) {
      const ev = this.pop();
      if (ev.tsNs > this.watermarkNs) this.watermarkNs = ev.tsNs;
      into.push(ev);
    }
  }

  /** The waiting events (for a snapshot), in no particular order. */
  pending(): readonly DetectionEvent[] {
    return this.heap;
  }

  private pop(): DetectionEvent {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
