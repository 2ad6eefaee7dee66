// Finds where each top-level MessagePack object ends in a byte stream, without decoding it, so a socket protocol
// can bound a message's size before buffering it and decode each message exactly once (MessagePack spec, "Formats").
// Contract: push() bytes as they arrive, next() yields complete objects; a yielded frame is valid until the next push().

const INITIAL_BYTES = 64 * 1024;
const SHRINK_ABOVE = 4 * 1024 * 1024;

/** A stream that is not MessagePack, or a message over the size limit: the connection cannot go on. */
export class FrameError extends Error {
  constructor(message: string, readonly code: 'invalid_byte' | 'not_an_array' | 'too_large') {
    super(message);
  }
}

export interface FramingOptions {
  /** largest accepted top-level object, in bytes */
  maxFrameBytes: number;
  /** when set, a top-level object must be an array (every Fluent Forward message is one) */
  requireArray?: boolean;
}

/**
 * Incremental framer. Its state is the byte position reached in the current object and the number of objects still
 * to read there: msgpack containers announce their element counts up front, so one counter replaces a stack and each
 * byte of a header is looked at once however the stream is split.
 */
export class MsgpackFramer {
  private buf: Buffer;
  /** bytes held in `buf` */
  private len = 0;
  /** start of the current (incomplete) frame in `buf` */
  private start = 0;
  /** scan position (absolute in `buf`); may run past `len` when a str/bin/ext payload has not arrived yet */
  private pos = 0;
  /** objects still to be read before the current frame is complete */
  private pending = 1;

  constructor(private readonly opts: FramingOptions) {
    this.buf = Buffer.allocUnsafe(INITIAL_BYTES);
  }

  /** Bytes received but not yet handed out as frames. */
  get buffered(): number {
    return this.len - this.start;
  }

  push(chunk: Uint8Array): void {
    // compact: the frames handed out before this push are no longer referenced
    if (this.start > 0) {
      this.buf.copy(this.buf, 0, this.start, this.len);
      this.len -= this.start;
      this.pos -= this.start;
      this.start = 0;
    }
    const need = this.len + chunk.length;
    if (need > this.buf.length) {
      // doubling, but not far past what one frame may need
      const size = Math.max(need, Math.min(this.buf.length * 2, this.opts.maxFrameBytes + 64 * 1024));
      const grown = Buffer.allocUnsafe(size);
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    this.buf.set(chunk, this.len);
    this.len = need;
  }

  /** The next complete top-level object's bytes, or undefined until more arrive. Throws FrameError on bad input. */
  next(): Buffer | undefined {
    if (this.start === this.len) return undefined;
    const b = this.buf;
    while (this.pending > 0) {
      const p = this.pos;
      if (p >= this.len) return undefined;
      const t = b[p];
      if (p === this.start && this.opts.requireArray && !(t >= 0x90 && t <= 0x9f) && t !== 0xdc && t !== 0xdd) {
        throw new FrameError(`expected a MessagePack array (a Forward message) but the message starts with byte 0x${hex(t)}${printableHint(b, p, this.len)}`, 'not_an_array');
      }
      let head = 1; // header bytes
      let body = 0; // payload bytes after the header
      let children = 0; // objects nested in this one
      if (t <= 0x7f || t >= 0xe0 || t === 0xc0 || t === 0xc2 || t === 0xc3) {
        // fixint, nil, bool
      } else if (t <= 0x8f) children = (t & 0x0f) * 2;
      else if (t <= 0x9f) children = t & 0x0f;
      else if (t <= 0xbf) body = t & 0x1f;
      else {
        const avail = this.len - p;
        switch (t) {
          case 0xc4: case 0xd9: case 0xc7: // bin8, str8, ext8 (ext adds a type byte)
            if (avail < 2) return undefined;
            head = t === 0xc7 ? 3 : 2;
            body = b[p + 1];
            break;
          case 0xc5: case 0xda: case 0xc8: // 16-bit lengths
            if (avail < 3) return undefined;
            head = t === 0xc8 ? 4 : 3;
            body = b.readUInt16BE(p + 1);
            break;
          case 0xc6: case 0xdb: case 0xc9: // 32-bit lengths
            if (avail < 5) return undefined;
            head = t === 0xc9 ? 6 : 5;
            body = b.readUInt32BE(p + 1);
            break;
          case 0xca: head = 5; break;
          case 0xcb: head = 9; break;
          case 0xcc: case 0xd0: head = 2; break;
          case 0xcd: case 0xd1: head = 3; break;
          case 0xce: case 0xd2: head = 5; break;
          case 0xcf: case 0xd3: head = 9; break;
          case 0xd4: head = 3; break; // fixext 1: type + 1
          case 0xd5: head = 4; break;
          case 0xd6: head = 6; break;
          case 0xd7: head = 10; break;
          case 0xd8: head = 18; break;
          case 0xdc: case 0xde:
            if (avail < 3) return undefined;
            head = 3;
            children = b.readUInt16BE(p + 1) * (t === 0xde ? 2 : 1);
            break;
          case 0xdd: case 0xdf:
            if (avail < 5) return undefined;
            head = 5;
            children = b.readUInt32BE(p + 1) * (t === 0xdf ? 2 : 1);
            break;
          default: // 0xc1 is never used
            throw new FrameError(`invalid MessagePack byte 0x${hex(t)} at offset ${p - this.start} of the message`, 'invalid_byte');
        }
      }
      this.pos = p + head + body;
      this.pending += children - 1;
      // each pending object takes at least one byte: refuse a message that announces more than the limit early
      const atLeast = this.pos - this.start + this.pending;
      if (atLeast > this.opts.maxFrameBytes) {
        throw new FrameError(`a message of at least ${atLeast} bytes, over the limit of ${this.opts.maxFrameBytes} bytes`, 'too_large');
      }
    }
    if (this.pos > this.len) return undefined;
    const frame = this.buf.subarray(this.start, this.pos);
    this.start = this.pos;
    this.pending = 1;
    if (this.start === this.len) {
      // nothing left over: restart at the front, and give back a buffer one large message grew
      this.start = this.pos = this.len = 0;
      if (this.buf.length > SHRINK_ABOVE) this.buf = Buffer.allocUnsafe(INITIAL_BYTES);
    }
    return frame;
  }
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** ` (text "GET / HTTP/1.1…")` when the stream starts like text, which tells an operator a wrong client is connected. */
function printableHint(b: Buffer, from: number, to: number): string {
  let end = from;
  while (end < to && end - from < 16 && b[end] >= 0x20 && b[end] <= 0x7e) end++;
  if (end - from < 3) return '';
  return ` (text ${JSON.stringify(b.toString('latin1', from, end) + (to > end ? '…' : ''))})`;
}
