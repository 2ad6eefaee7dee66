// Snappy block-format decompression (google/snappy format_description.txt: a varint length preamble, then literal
// and copy elements), strict about every bound so a hostile body fails with the byte offset instead of a bad read.

export type SnappyResult = { ok: true; data: Buffer } | { ok: false; offset: number; message: string };

/** The stream-identifier chunk that opens the *framed* format (framing_format.txt §4.1), which Loki does not use. */
const FRAMED_MAGIC = Buffer.from([0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]);

/** Decompresses one snappy block; refuses a declared length above `maxBytes` before allocating anything. */
export function decodeSnappyBlock(input: Buffer, maxBytes: number): SnappyResult {
  if (input.length === 0) return { ok: false, offset: 0, message: 'empty body: expected a snappy block' };
  if (input.length >= FRAMED_MAGIC.length && input.subarray(0, FRAMED_MAGIC.length).equals(FRAMED_MAGIC)) {
    return { ok: false, offset: 0, message: 'body uses the snappy framing format; send a raw snappy block (as Loki clients do)' };
  }
  // preamble: uncompressed length as a little-endian base-128 varint of at most 32 bits (5 bytes)
  let length = 0;
  let pos = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= input.length) return { ok: false, offset: pos, message: 'truncated length preamble' };
    if (shift > 28) return { ok: false, offset: pos, message: 'length preamble longer than 5 bytes' };
    const b = input[pos++];
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (length > 0xffffffff) return { ok: false, offset: 0, message: `declared length ${length} exceeds 32 bits` };
  if (length > maxBytes) return { ok: false, offset: 0, message: `declared uncompressed length ${length} exceeds the limit of ${maxBytes} bytes` };

  const out = Buffer.allocUnsafe(length);
  let outPos = 0;
  while (pos < input.length) {
    const elementAt = pos;
    const tag = input[pos++];
    const kind = tag & 0x03;
    if (kind === 0) {
      // literal: length-1 in the upper 6 bits, or in 1–4 following little-endian bytes when those bits are 60–63
      let len = tag >>> 2;
      if (len >= 60) {
        const extra = len - 59;
        if (pos + extra > input.length) return { ok: false, offset: elementAt, message: 'truncated literal length' };
        len = 0;
        for (let i = extra - 1; i >= 0; i--) len = len * 256 + input[pos + i];
        pos += extra;
      }
      len += 1;
      if (pos + len > input.length) return { ok: false, offset: elementAt, message: `literal of ${len} bytes runs past the end of the input` };
      if (outPos + len > length) return { ok: false, offset: elementAt, message: `literal overflows the declared length ${length}` };
      input.copy(out, outPos, pos, pos + len);
      pos += len;
      outPos += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (pos + 1 > input.length) return { ok: false, offset: elementAt, message: 'truncated copy element' };
      len = ((tag >>> 2) & 0x07) + 4;
      offset = ((tag >>> 5) << 8) | input[pos];
      pos += 1;
    } else if (kind === 2) {
      if (pos + 2 > input.length) return { ok: false, offset: elementAt, message: 'truncated copy element' };
      len = (tag >>> 2) + 1;
      offset = input.readUInt16LE(pos);
      pos += 2;
    } else {
      if (pos + 4 > input.length) return { ok: false, offset: elementAt, message: 'truncated copy element' };
      len = (tag >>> 2) + 1;
      offset = input.readUInt32LE(pos);
      pos += 4;
    }
    if (offset === 0 || offset > outPos) return { ok: false, offset: elementAt, message: `copy offset ${offset} points before the start of the output (at ${outPos})` };
    if (outPos + len > length) return { ok: false, offset: elementAt, message: `copy overflows the declared length ${length}` };
    if (offset >= len) {
      out.copyWithin(outPos, outPos - offset, outPos - offset + len);
      outPos += len;
    } else {
      // overlapping copy: repeats the last `offset` bytes, so it must go byte by byte
      for (let i = 0; i < len; i++, outPos++) out[outPos] = out[outPos - offset];
    }
  }
  if (outPos !== length) return { ok: false, offset: input.length, message: `block ends after ${outPos} of the declared ${length} bytes` };
  return { ok: true, data: out };
}
