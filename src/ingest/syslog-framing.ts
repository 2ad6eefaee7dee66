// Incremental framer for syslog over a byte stream (TCP, TLS): RFC 6587 octet counting (§3.4.1, `MSG-LEN SP MSG`,
// the only framing of RFC 5425) and non-transparent framing (§3.4.2, a message per LF; NUL also ends one), chosen
// per message: a frame starting with a digit 1-9 followed by digits and SP is octet counted. Pure: bytes in, frames out.

/** A framing problem at a byte offset of the stream. `fatal`: the stream cannot be resynchronized (close it). */
export interface FramingError {
  offset: number;
  message: string;
  fatal: boolean;
}

/** Filled by `push`/`end`: frames (without their framing) with the stream offset of each frame's first byte. */
export interface FramerOutput {
  frames: Buffer[];
  offsets: number[];
  errors: FramingError[];
}

export function newFramerOutput(): FramerOutput {
  return { frames: [], offsets: [], errors: [] };
}

const enum State {
  /** at a frame boundary */
  Start,
  /** reading the digits of MSG-LEN */
  Count,
  /** reading the MSG-LEN octets of an octet-counted frame */
  Body,
  /** reading a line up to LF or NUL */
  Line,
  /** discarding the rest of an over-long line */
  Skip,
  /** after a fatal error: nothing more is read */
  Dead,
}

const LF = 0x0a;
const NUL = 0x00;
const SP = 0x20;
/** MSG-LEN of more digits than this is garbage, whatever the limit */
const MAX_COUNT_DIGITS = 10;

export class SyslogFramer {
  private state = State.Start;
  /** stream offset of the next byte pushed */
  private offset = 0;
  /** stream offset of the frame being read */
  private frameStart = 0;
  private count = 0;
  private countDigits = 0;
  private parts: Buffer[] = [];
  private partsLen = 0;
  /** stream offset of the next NUL in the current chunk (cached so each chunk is searched once) */
  private nextNul = -1;

  /** `maxFrameBytes`: longest message accepted, in either framing. */
  constructor(readonly maxFrameBytes: number) {}

  /** Consumes a chunk; returns false after a fatal error (stop reading: the rest cannot be framed). */
  push(chunk: Buffer, out: FramerOutput): boolean {
    const base = this.offset;
    this.offset += chunk.length;
    this.nextNul = -2;
    let pos = 0;
    const len = chunk.length;
    while (pos < len) {
      switch (this.state) {
        case State.Dead:
          return false;
        case State.Start: {
          const b = chunk[pos];
          // separators between frames (a LF after an octet-counted frame, CR LF line ends, NUL trailers)
          if (b === LF || b === 0x0d || b === NUL) {
            pos++;
            break;
          }
          this.frameStart = base + pos;
          if (b >= 0x31 && b <= 0x39) {
            this.state = State.Count;
            this.count = 0;
            this.countDigits = 0;
          } else {
            this.state = State.Line;
          }
          break;
        }
        case State.Count: {
          const b = chunk[pos];
          if (b >= 0x30 && b <= 0x39) {
            this.count = this.count * 10 + (b - 0x30);
            this.countDigits++;
            pos++;
            if (this.countDigits > MAX_COUNT_DIGITS) return this.fatal(out, this.frameStart, `octet count of more than ${MAX_COUNT_DIGITS} digits`);
            break;
          }
          if (b === SP) {
            pos++;
            if (this.count > this.maxFrameBytes) {
              return this.fatal(out, this.frameStart, `frame declares ${this.count} octets, more than the limit of ${this.maxFrameBytes}`);
            }
            this.state = State.Body;
            break;
          }
          // digits not followed by SP: not a MSG-LEN but the start of a line (a message without PRI, RFC 3164 §4.3.3)
          this.parts.push(Buffer.from(String(this.count).padStart(this.countDigits, '0'), 'latin1'));
          this.partsLen += this.countDigits;
          this.state = State.Line;
          break;
        }
        case State.Body: {
          const need = this.count - this.partsLen;
          const take = Math.min(need, len - pos);
          if (take === need && this.partsLen === 0) {
            this.emit(out, chunk.subarray(pos, pos + take));
          } else {
            this.parts.push(chunk.subarray(pos, pos + take));
            this.partsLen += take;
            if (this.partsLen === this.count) this.emit(out, this.joinParts());
          }
          pos += take;
          break;
        }
        case State.Line:
        case State.Skip: {
          const end = this.delimiter(chunk, pos, base);
          if (this.state === State.Skip) {
            if (end >= 0) {
              this.state = State.Start;
              pos = end + 1;
            } else {
              pos = len;
            }
            break;
          }
          const stop = end >= 0 ? end : len;
          const lineLen = this.partsLen + (stop - pos);
          if (lineLen > this.maxFrameBytes) {
            out.errors.push({ offset: this.frameStart, message: `line of more than ${this.maxFrameBytes} bytes without LF: skipped to the next LF`, fatal: false });
            this.parts = [];
            this.partsLen = 0;
            this.state = end >= 0 ? State.Start : State.Skip;
            pos = end >= 0 ? end + 1 : len;
            break;
          }
          if (end < 0) {
            // the rest of the line is yet to come (sockets hand out a new buffer per chunk: no copy needed)
            this.parts.push(chunk.subarray(pos));
            this.partsLen += len - pos;
            pos = len;
            break;
          }
          if (this.partsLen === 0) {
            this.emit(out, chunk.subarray(pos, end));
          } else {
            this.parts.push(chunk.subarray(pos, end));
            this.partsLen += end - pos;
            this.emit(out, this.joinParts());
          }
          pos = end + 1;
          break;
        }
      }
    }
    return this.state !== State.Dead;
  }

  /** The peer closed the stream: an unterminated line is a message; a partial octet-counted frame is reported. */
  end(out: FramerOutput): void {
    if (this.state === State.Line || this.state === State.Count) {
      if (this.state === State.Count) {
        this.parts.push(Buffer.from(String(this.count).padStart(this.countDigits, '0'), 'latin1'));
        this.partsLen += this.countDigits;
      }
      if (this.partsLen > 0) this.emit(out, this.joinParts());
    } else if (this.state === State.Body) {
      out.errors.push({
        offset: this.frameStart,
        message: `connection closed after ${this.partsLen} of the ${this.count} octets the frame declares: the truncated frame is dropped`,
        fatal: true,
      });
      this.parts = [];
      this.partsLen = 0;
    }
    this.state = State.Dead;
  }

  /** Bytes held for an incomplete frame. */
  get buffered(): number {
    return this.partsLen;
  }

  private emit(out: FramerOutput, frame: Buffer): void {
    out.frames.push(frame);
    out.offsets.push(this.frameStart);
    this.parts = [];
    this.partsLen = 0;
    this.state = State.Start;
  }

  private joinParts(): Buffer {
    return this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.partsLen);
  }

  private fatal(out: FramerOutput, offset: number, message: string): false {
    out.errors.push({ offset, message: `${message}; octet counting cannot resynchronize, closing the connection`, fatal: true });
    this.parts = [];
    this.partsLen = 0;
    this.state = State.Dead;
    return false;
  }

  /** Index in `chunk` of the first LF or NUL at or after `pos`, or -1. */
  private delimiter(chunk: Buffer, pos: number, base: number): number {
    const lf = chunk.indexOf(LF, pos);
    if (this.nextNul === -2 || (this.nextNul >= 0 && this.nextNul - base < pos)) {
      const nul = chunk.indexOf(NUL, pos);
      this.nextNul = nul < 0 ? -1 : base + nul;
    }
    if (this.nextNul < 0) return lf;
    const nul = this.nextNul - base;
    return lf < 0 || nul < lf ? nul : lf;
  }
}
