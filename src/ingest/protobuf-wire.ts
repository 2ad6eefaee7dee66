// A minimal protobuf wire-format reader (protobuf.dev "Encoding": varints, tags, LEN/I32/I64 fields) over a Buffer,
// enough to decode small fixed schemas by hand. Every read is bounds-checked; failures throw WireError with the offset.

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

export class WireError extends Error {
  constructor(readonly offset: number, message: string) {
    super(message);
  }
}

/** A read position in a buffer; messages are decoded in place, each bounded by the end offset of its LEN field. */
export interface WireCursor {
  buf: Buffer;
  pos: number;
}

/** Reads an unsigned varint as a number (exact up to 2^53; tags and lengths are far below). */
export function readVarint(c: WireCursor, end: number): number {
  const start = c.pos;
  let value = 0;
  for (let i = 0, scale = 1; ; i++, scale *= 128) {
    if (c.pos >= end) throw new WireError(start, 'truncated varint');
    if (i >= 10) throw new WireError(start, 'varint longer than 10 bytes');
    const b = c.buf[c.pos++];
    value += (b & 0x7f) * scale;
    if (b < 0x80) return value;
  }
}

/** Reads a varint as a two's-complement int64 (proto `int64`), exactly. */
export function readInt64(c: WireCursor, end: number): bigint {
  const start = c.pos;
  // fast path: up to 7 bytes (< 2^49) fits a double exactly; timestamps in seconds take 5
  let small = 0;
  for (let i = 0, scale = 1; i < 7 && c.pos < end; i++, scale *= 128) {
    const b = c.buf[c.pos++];
    small += (b & 0x7f) * scale;
    if (b < 0x80) return BigInt(small);
  }
  c.pos = start;
  let value = 0n;
  for (let i = 0n; ; i += 7n) {
    if (c.pos >= end) throw new WireError(start, 'truncated varint');
    if (i >= 70n) throw new WireError(start, 'varint longer than 10 bytes');
    const b = c.buf[c.pos++];
    value |= BigInt(b & 0x7f) << i;
    if (b < 0x80) return BigInt.asIntN(64, value);
  }
}

/** Reads a LEN field's length prefix and returns the end offset of its payload (checked against `end`). */
export function readLengthEnd(c: WireCursor, end: number): number {
  const at = c.pos;
  const len = readVarint(c, end);
  if (len > end - c.pos) throw new WireError(at, `length ${len} runs past the end of the enclosing message (${end - c.pos} bytes left)`);
  return c.pos + len;
}

/** Reads a LEN field and returns its payload's byte range, leaving the cursor after it. */
export function readBytesRange(c: WireCursor, end: number): { start: number; end: number } {
  const stop = readLengthEnd(c, end);
  const start = c.pos;
  c.pos = stop;
  return { start, end: stop };
}

/** Skips one field's payload of the given wire type (unknown fields are ignored, as proto3 requires). */
export function skipField(c: WireCursor, end: number, wireType: number, tagAt: number): void {
  switch (wireType) {
    case WIRE_VARINT:
      readVarint(c, end);
      return;
    case WIRE_I64:
      if (end - c.pos < 8) throw new WireError(c.pos, 'truncated 64-bit field');
      c.pos += 8;
      return;
    case WIRE_LEN:
      c.pos = readLengthEnd(c, end);
      return;
    case WIRE_I32:
      if (end - c.pos < 4) throw new WireError(c.pos, 'truncated 32-bit field');
      c.pos += 4;
      return;
    default:
      throw new WireError(tagAt, `unsupported wire type ${wireType} (groups are not used by this schema)`);
  }
}

/** Reads a field tag; returns the field number and wire type packed as `field * 8 + wireType` (the tag itself). */
export function readTag(c: WireCursor, end: number): number {
  const at = c.pos;
  const tag = readVarint(c, end);
  if (tag < 8 || tag > 0xffffffff) throw new WireError(at, `invalid field tag ${tag}`);
  return tag;
}

/** Throws unless a known field arrived with the wire type its schema declares. */
export function expectWireType(actual: number, expected: number, field: string, tagAt: number): void {
  if (actual !== expected) throw new WireError(tagAt, `field ${field} has wire type ${actual}, expected ${expected}`);
}
