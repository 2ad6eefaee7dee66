// Builds an NDJSON request body straight into one Buffer: event text is gathered in short strings and copied into
// the Buffer every ~64 KB, so a batch costs one growing allocation instead of a string per event plus a copy.
// The JSON of frozen (shared, read-only) label and field objects is computed once and reused while they repeat.

/** Remembers the JSON text of the last frozen object seen; mutable objects are always encoded afresh. */
export class JsonOfShared {
  private last: object | undefined;
  private text = '';

  of(o: object): string {
    if (o === this.last) return this.text;
    const text = JSON.stringify(o);
    if (Object.isFrozen(o)) {
      this.last = o;
      this.text = text;
    }
    return text;
  }
}

const FLUSH_CHARS = 64 * 1024;

export class NdjsonBody {
  private buf: Buffer;
  private len = 0;
  private pending = '';

  /** `estimateBytes`: a first guess at the body's size (it grows when needed; bodies may wait in a buffer, so a
   * close guess keeps memory down; see `estimateBody`). */
  constructor(estimateBytes: number) {
    this.buf = Buffer.allocUnsafe(Math.max(4096, estimateBytes));
  }

  /** Appends text (one event's JSON and its newline, or parts of it). */
  add(text: string): void {
    this.pending += text;
    if (this.pending.length >= FLUSH_CHARS) this.flush();
  }

  /** The body so far (a view of the internal Buffer). */
  finish(): Buffer {
    this.flush();
    return this.buf.subarray(0, this.len);
  }

  private flush(): void {
    const s = this.pending;
    if (s === '') return;
    this.pending = '';
    // a UTF-16 unit becomes at most 3 UTF-8 bytes
    if (this.buf.length - this.len < s.length * 3) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + s.length * 3));
      this.buf.copy(bigger, 0, 0, this.len);
      this.buf = bigger;
    }
    this.len += this.buf.write(s, this.len);
  }
}

/** A close guess at a body's size: the lines (ASCII-sized, escapes aside) plus `perEvent` bytes of JSON around each. */
export function estimateBody(events: readonly { line: string }[], perEvent: number): number {
  let n = 0;
  for (let i = 0; i < events.length; i++) n += events[i].line.length;
  return Math.ceil(n * 1.05) + events.length * perEvent;
}
