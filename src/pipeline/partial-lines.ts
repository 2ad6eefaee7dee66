// Reassembly of log lines a container runtime split into fragments (CRI `P` tags, Docker json-file entries without a
// trailing newline): fragments are held per stream key and joined into the first fragment's event when the last one
// arrives; held fragments are released as they are after a timeout or once they reach a size cap.

import type { PipelineEvent } from './event.ts';

interface Pending {
  ev: PipelineEvent;
  parts: string[];
  bytes: number;
  sinceMs: number;
}

export class PartialLines {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly timeoutMs: number, private readonly maxBytes: number) {}

  get size(): number {
    return this.pending.size;
  }

  /**
   * Holds `text`, a fragment of the line `ev` belongs to. Returns the joined event when the held text reached
   * `maxBytes` (it is released unfinished, marked `partial`), else undefined.
   */
  hold(key: string, ev: PipelineEvent, text: string, nowMs: number): PipelineEvent | undefined {
    const p = this.pending.get(key);
    if (p === undefined) {
      this.pending.set(key, { ev, parts: [text], bytes: text.length, sinceMs: nowMs });
      return undefined;
    }
    p.parts.push(text);
    p.bytes += text.length;
    if (p.bytes < this.maxBytes) return undefined;
    this.pending.delete(key);
    return release(p, true);
  }

  /** The last fragment of a line: the joined event if fragments were held for `key`, else undefined. */
  complete(key: string, text: string): PipelineEvent | undefined {
    const p = this.pending.get(key);
    if (p === undefined) return undefined;
    this.pending.delete(key);
    p.parts.push(text);
    return release(p, false);
  }

  /** Releases lines held longer than the timeout (all of them when `final`), marked `partial`. */
  flush(nowMs: number, final: boolean): PipelineEvent[] {
    const out: PipelineEvent[] = [];
    for (const [key, p] of this.pending) {
      if (!final && nowMs - p.sinceMs < this.timeoutMs) continue;
      this.pending.delete(key);
      out.push(release(p, true));
    }
    return out;
  }
}

function release(p: Pending, unfinished: boolean): PipelineEvent {
  p.ev.line = p.parts.length === 1 ? p.parts[0] : p.parts.join('');
  if (unfinished) p.ev.fields.partial = true;
  return p.ev;
}
