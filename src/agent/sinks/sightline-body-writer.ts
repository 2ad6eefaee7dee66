// The byte fast path of the sightline sink's body: file lines go from the read Buffer straight into NDJSON request
// bodies, no string or object per line. The output is byte for byte what `SightlineSink.encode` makes for the same
// events ({"ts":"<ns>","labels":…,"line":…,"metadata":{"file":…}}), including U+FFFD for invalid UTF-8.

import { isUtf8 } from 'node:buffer';
import type { EncodedPiece } from '../buffer.ts';
import type { LineTarget } from '../sources/file-tailer.ts';
import type { ArrivalClock } from '../sources/source.ts';

// RFC 8259 §7 as JSON.stringify writes it: `"` and `\` escaped, control characters as \b \t \n \f \r or \u00xx
// (lowercase hex); everything else (DEL and UTF-8 bytes included) as is. 0 = copy, else the escape's second byte.
const ESCAPE = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) ESCAPE[c] = 0x75; // 'u'
ESCAPE[0x08] = 0x62; // b
ESCAPE[0x09] = 0x74; // t
ESCAPE[0x0a] = 0x6e; // n
ESCAPE[0x0c] = 0x66; // f
ESCAPE[0x0d] = 0x72; // r
ESCAPE[0x22] = 0x22; // "
ESCAPE[0x5c] = 0x5c; // \
const HEX = Buffer.from('0123456789abcdef', 'latin1');

const TS_OPEN = Buffer.from('{"ts":"', 'latin1');
// a request body's first guess (10,000 typical lines); a body that needs more gets a bigger buffer
const WRITE_BUFFER_BYTES = 4 * 1024 * 1024;
// write buffers kept for reuse: the ones being compressed or sent, and one being written, at the usual pace
const POOLED_BUFFERS = 4;

export class SightlineBodyWriter implements LineTarget {
  /**
   * The body being written. Each finished body is lent out as a view of its buffer (no copy) and comes back to
   * `free` through its `release`, once compressed or sent: steady state allocates nothing per line or per body.
   */
  private out: Buffer = Buffer.alloc(0);
  private pos = 0;
  private readonly free: Buffer[] = [];
  private pieceEvents = 0;
  private pieces: EncodedPiece[] = [];
  /** `","labels":<labels>,"line":"` */
  private readonly labelsPart: Buffer;
  /** `","metadata":{"file":<path>}}\n` for the file being read */
  private filePart = Buffer.alloc(0);
  private filePath: string | undefined;
  /** the current read: is the whole chunk valid UTF-8 (then only cut lines need a look) */
  private chunkValid = true;
  /** the first stamp of this batch (taken at its first line) as ms and the ns within it */
  private stamped = 0;
  private tsMs = 0;
  private tsSub = 0;
  private tsMsDigits = Buffer.alloc(0);

  constructor(labels: Readonly<Record<string, string>>, private readonly clock: ArrivalClock, private readonly maxEvents: number) {
    this.labelsPart = Buffer.from('","labels":' + JSON.stringify(labels) + ',"line":"');
  }

  /** Lines that follow come from this file (its path is the `file` metadata). */
  file(path: string): void {
    if (path === this.filePath) return;
    this.filePath = path;
    this.filePart = Buffer.from('","metadata":' + JSON.stringify({ file: path }) + '}\n');
  }

  chunk(buf: Buffer, n: number): void {
    this.chunkValid = isUtf8(buf.subarray(0, n));
  }

  line(buf: Buffer, start: number, end: number, cut: boolean): void {
    const labels = this.labelsPart;
    const tail = this.filePart;
    // worst case: every byte a \u00xx escape
    this.reserve(TS_OPEN.length + 20 + labels.length + (end - start) * 6 + tail.length);
    const out = this.out;
    let pos = this.pos + TS_OPEN.copy(out, this.pos);
    pos = this.writeStamp(pos);
    pos += labels.copy(out, pos);
    const lineAt = pos;
    let high = 0;
    for (let i = start; i < end; i++) {
      const c = buf[i];
      const e = ESCAPE[c];
      high |= c;
      if (e === 0) {
        out[pos++] = c;
      } else if (e !== 0x75) {
        out[pos++] = 0x5c;
        out[pos++] = e;
      } else {
        out[pos++] = 0x5c;
        out[pos++] = 0x75;
        out[pos++] = 0x30;
        out[pos++] = 0x30;
        out[pos++] = HEX[c >> 4];
        out[pos++] = HEX[c & 15];
      }
    }
    if (high & 0x80 && (cut || !this.chunkValid) && !isUtf8(buf.subarray(start, end))) {
      // invalid UTF-8: exactly what the string path makes of it (Node's decoder puts U+FFFD in its place)
      const json = JSON.stringify(buf.toString('utf8', start, end));
      pos = lineAt + out.write(json.slice(1, -1), lineAt);
    }
    pos += tail.copy(out, pos);
    this.pos = pos;
    if (++this.pieceEvents >= this.maxEvents) this.seal();
  }

  /** Appends bodies made the slow way (lines of compressed files), keeping the order. */
  encoded(body: Buffer, events: number): void {
    if (events === 0) return;
    this.seal();
    this.pieces.push({ body, events });
  }

  /** The batch's bodies (each ≤ max_events lines) and its line count; moves the clock past the stamps used. */
  finish(): { pieces: EncodedPiece[]; count: number } {
    this.seal();
    const pieces = this.pieces;
    this.pieces = [];
    let count = 0;
    for (const p of pieces) count += p.events;
    this.settleClock();
    return { pieces, count };
  }

  /** Moves the clock past the stamps this writer used, so the next `clock.next()` (here or elsewhere) follows them. */
  settleClock(): void {
    if (this.stamped > 1) this.clock.advance(this.stamped - 1);
    this.stamped = 0;
  }

  private seal(): void {
    if (this.pieceEvents === 0) return;
    const buffer = this.out;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      if (this.free.length < POOLED_BUFFERS && buffer.length === WRITE_BUFFER_BYTES) this.free.push(buffer);
    };
    this.pieces.push({ body: buffer.subarray(0, this.pos), events: this.pieceEvents, release });
    this.out = this.free.pop() ?? Buffer.alloc(0);
    this.pos = 0;
    this.pieceEvents = 0;
  }

  /** The line's arrival stamp, ns since the epoch in decimal, as `next()`, `+1`, `+2`… would give it. */
  private writeStamp(pos: number): number {
    const out = this.out;
    if (this.stamped === 0) {
      const first = this.clock.next();
      this.tsMs = Number(first / 1_000_000n);
      this.tsSub = Number(first % 1_000_000n);
      this.tsMsDigits = Buffer.from(this.tsMs === 0 ? '' : String(this.tsMs), 'latin1');
    } else if (++this.tsSub === 1_000_000) {
      this.tsSub = 0;
      this.tsMs++;
      this.tsMsDigits = Buffer.from(String(this.tsMs), 'latin1');
    }
    this.stamped++;
    pos += this.tsMsDigits.copy(out, pos);
    let sub = this.tsSub;
    if (this.tsMs === 0) {
      // below 1 ms since the epoch (test clocks only): no leading zeros
      const s = String(sub);
      return pos + out.write(s, pos, 'latin1');
    }
    for (let d = pos + 5; d >= pos; d--) {
      out[d] = 0x30 + (sub % 10);
      sub = (sub / 10) | 0;
    }
    return pos + 6;
  }

  private reserve(bytes: number): void {
    if (this.out.length - this.pos >= bytes) return;
    // the usual size first (so it can go back to the pool), bigger only for bodies of unusually long lines
    const bigger = Buffer.allocUnsafe(this.pos + bytes <= WRITE_BUFFER_BYTES ? WRITE_BUFFER_BYTES : Math.max(this.out.length * 2, this.pos + bytes));
    this.out.copy(bigger, 0, 0, this.pos);
    this.out = bigger;
  }
}
