// Full-text acceleration: per block of rows a bloom filter of the lines' tokens, an exact bitmap of their
// character trigrams and a hashed bitmap of the 5-grams inside hexadecimal runs (ids, hashes). Both only prune: a query still applies its exact predicate to what survives, so a false
// positive costs time, never correctness. Tokens: runs of [A-Za-z0-9_] or non-ASCII chars, lowercased.

/** Trigram alphabet: a-z, 0-9, '_' and one symbol for everything else (38 symbols, 38³ bits). */
const ALPHABET = 38;
export const TRIGRAM_BITS = ALPHABET * ALPHABET * ALPHABET;
const TRIGRAM_BYTES = Math.ceil(TRIGRAM_BITS / 8);
const MIN_TOKEN = 2;
const MAX_TOKEN = 64;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 16777619;
const BLOOM_HASHES = 4;
/** hex 5-grams (20 bits each) hashed into 2^18 bits: selective for ids even when every hex trigram is present */
const HEXGRAM_BITS = 1 << 18;
const HEXGRAM_BYTES = HEXGRAM_BITS / 8;
const NO_HEXGRAMS = new Uint8Array(0);
const BLOOM_BITS_PER_TOKEN = 10;

/** Maps a UTF-16 code unit to its trigram symbol (lowercasing ASCII letters). */
function symbolOf(c: number): number {
  if (c >= 97 && c <= 122) return c - 97;
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 48 && c <= 57) return c - 48 + 26;
  if (c === 95) return 36;
  return 37;
}

/** Lookup tables for ASCII: trigram symbol, token-char flag, lowercase code. */
const ASCII_SYMBOL = new Uint8Array(128);
const ASCII_TOKEN = new Uint8Array(128);
const ASCII_LOWER = new Uint8Array(128);
/** hex digit value, or 255 */
const ASCII_HEX = new Uint8Array(128).fill(255);
for (let c = 0; c < 128; c++) {
  if (c >= 48 && c <= 57) ASCII_HEX[c] = c - 48;
  else if (c >= 97 && c <= 102) ASCII_HEX[c] = c - 87;
  else if (c >= 65 && c <= 70) ASCII_HEX[c] = c - 55;
  ASCII_SYMBOL[c] = symbolOf(c);
  ASCII_TOKEN[c] = isTokenChar(c) ? 1 : 0;
  ASCII_LOWER[c] = c >= 65 && c <= 90 ? c + 32 : c;
}

/**
 * The hot loops' one lookup per character: bits 0–5 trigram symbol, bit 6 token character, bit 7 hex digit with
 * its value in bits 8–11, the lowercased code from bit 16. Characters ≥ 128 are built by `classOf`.
 */
const CLASS_SYMBOL = 63;
const CLASS_TOKEN = 64;
const CLASS_HEX = 128;
const ASCII_CLASS = new Uint32Array(128);
for (let c = 0; c < 128; c++) {
  ASCII_CLASS[c] = ASCII_SYMBOL[c] | (ASCII_TOKEN[c] === 1 ? CLASS_TOKEN : 0) | (ASCII_HEX[c] !== 255 ? CLASS_HEX | (ASCII_HEX[c] << 8) : 0) | (ASCII_LOWER[c] << 16);
}

/** A character's class (see ASCII_CLASS): non-ASCII characters are token characters of the "other" symbol. */
function classOf(c: number): number {
  return c < 128 ? ASCII_CLASS[c] : 37 | CLASS_TOKEN | (c << 16);
}

function isTokenChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c >= 128;
}

/** A growable open-addressing set of 32-bit token hashes (0 is reserved as empty, so hash 0 is mapped to 1). */
class HashSet32 {
  table = new Uint32Array(1024);
  size = 0;

  add(h: number): void {
    if (h === 0) h = 1;
    if ((this.size + 1) * 2 > this.table.length) this.grow();
    const mask = this.table.length - 1;
    let i = Math.imul(h, 0x9e3779b1) >>> 0 & mask;
    for (;;) {
      const v = this.table[i];
      if (v === h) return;
      if (v === 0) {
        this.table[i] = h;
        this.size++;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  has(h: number): boolean {
    if (h === 0) h = 1;
    const mask = this.table.length - 1;
    let i = Math.imul(h, 0x9e3779b1) >>> 0 & mask;
    for (;;) {
      const v = this.table[i];
      if (v === h) return true;
      if (v === 0) return false;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    this.size = 0;
    for (let i = 0; i < old.length; i++) if (old[i] !== 0) this.add(old[i]);
  }
}

/** Index data gathered for one stream while its lines arrive. */
export class StreamIndexBuilder {
  readonly tokens = new HashSet32();
  readonly trigrams = new Uint8Array(TRIGRAM_BYTES);
  /** allocated at the first hex run of 5+ digits */
  hexgrams: Uint8Array = NO_HEXGRAMS;
  rows = 0;
  bytes = 0;
  minTs = 0n;
  maxTs = 0n;

  /** Adds one line: tokens into the hash set, trigrams into the bitmap. Hot path: no allocation, no division. */
  addLine(line: string, ts: bigint): void {
    if (this.rows === 0 || ts < this.minTs) this.minTs = ts;
    if (this.rows === 0 || ts > this.maxTs) this.maxTs = ts;
    this.rows++;
    this.bytes += line.length;
    this.scan(line, true);
  }

  /** Adds a structured-metadata value: its tokens, and its hex 5-grams (ids such as trace_id are hex runs). */
  addValueTokens(value: string): void {
    this.scan(value, false);
  }

  /** One pass over the text: tokens, hex 5-grams, and (for lines, not metadata values) trigrams. */
  private scan(text: string, withTrigrams: boolean): void {
    const trigrams = this.trigrams;
    const tokens = this.tokens;
    let hexgrams = this.hexgrams;
    let h = FNV_OFFSET;
    let tokenLength = 0;
    // the last two symbols, so each trigram is a·38² + b·38 + c without a modulo
    let a = 0;
    let b = 0;
    let hexRun = 0;
    let hexValue = 0;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const k = classOf(text.charCodeAt(i));
      if (withTrigrams) {
        const sym = k & CLASS_SYMBOL;
        if (i >= 2) {
          const tri = a * 1444 + b * 38 + sym;
          trigrams[tri >>> 3] |= 1 << (tri & 7);
        }
        a = b;
        b = sym;
      }
      if ((k & CLASS_HEX) !== 0) {
        hexValue = ((hexValue << 4) | ((k >>> 8) & 15)) & 0xfffff;
        if (++hexRun >= 5) {
          if (hexgrams === NO_HEXGRAMS) this.hexgrams = hexgrams = new Uint8Array(HEXGRAM_BYTES);
          const g = hexgramBit(hexValue);
          hexgrams[g >>> 3] |= 1 << (g & 7);
        }
      } else hexRun = 0;
      if ((k & CLASS_TOKEN) !== 0) {
        h = Math.imul(h ^ (k >>> 16), FNV_PRIME);
        tokenLength++;
      } else if (tokenLength > 0) {
        if (tokenLength >= MIN_TOKEN && tokenLength <= MAX_TOKEN) tokens.add(h >>> 0);
        h = FNV_OFFSET;
        tokenLength = 0;
      }
    }
    if (tokenLength >= MIN_TOKEN && tokenLength <= MAX_TOKEN) tokens.add(h >>> 0);
  }

  /** True if lines added so far may meet the requirements (exact for tokens, since the set is exact). */
  mayContain(req: NeedleRequirements): boolean {
    if (!trigramsPresent(this.trigrams, req)) return false;
    if (!hexgramsPresent(this.hexgrams, req)) return false;
    for (let i = 0; i < req.tokens.length; i++) if (!this.tokens.has(req.tokens[i])) return false;
    return true;
  }

  /** Freezes the gathered tokens into a bloom filter sized for them. */
  build(streamId: number): StreamIndex {
    const bits = Math.max(64, this.tokens.size * BLOOM_BITS_PER_TOKEN);
    const bloom = new Uint8Array(Math.ceil(bits / 8));
    const table = this.tokens.table;
    for (let i = 0; i < table.length; i++) if (table[i] !== 0) bloomAdd(bloom, bits, table[i]);
    return { streamId, rows: this.rows, bytes: this.bytes, minTs: this.minTs, maxTs: this.maxTs, bloomBits: bits, bloom, trigrams: this.trigrams, hexgrams: this.hexgrams };
  }
}

/** The frozen index of one stream within one part. */
export interface StreamIndex {
  streamId: number;
  rows: number;
  bytes: number;
  minTs: bigint;
  maxTs: bigint;
  bloomBits: number;
  bloom: Uint8Array;
  trigrams: Uint8Array;
  /** empty: the block has no hex run of 5+ digits; undefined: not recorded (older index files) */
  hexgrams?: Uint8Array;
}

function bloomPositions(h: number, bits: number, k: number): number {
  // double hashing (Kirsch–Mitzenmacher): position_k = h1 + k·h2
  const h2 = (Math.imul(h, 0x5bd1e995) >>> 0) | 1;
  return ((h + Math.imul(k, h2)) >>> 0) % bits;
}

function bloomAdd(bloom: Uint8Array, bits: number, h: number): void {
  for (let k = 0; k < BLOOM_HASHES; k++) {
    const p = bloomPositions(h, bits, k);
    bloom[p >>> 3] |= 1 << (p & 7);
  }
}

function bloomHas(bloom: Uint8Array, bits: number, h: number): boolean {
  for (let k = 0; k < BLOOM_HASHES; k++) {
    const p = bloomPositions(h, bits, k);
    if ((bloom[p >>> 3] & (1 << (p & 7))) === 0) return false;
  }
  return true;
}

/** What a substring needle requires of any line that contains it. */
export interface NeedleRequirements {
  /** hashes of tokens that must appear whole (tokens bounded by separators inside the needle) */
  tokens: number[];
  /** trigram codes that must appear */
  trigrams: number[];
  /** bits of the hex 5-grams that must appear */
  hexgrams: number[];
}

/** Derives the requirements of a case-sensitive or -insensitive substring needle. */
export function needleRequirements(needle: string): NeedleRequirements {
  const tokens: number[] = [];
  const trigrams: number[] = [];
  const seen = new Set<number>();
  let tri = 0;
  for (let i = 0; i < needle.length; i++) {
    tri = (tri * ALPHABET + symbolOf(needle.charCodeAt(i))) % TRIGRAM_BITS;
    if (i >= 2 && !seen.has(tri)) {
      seen.add(tri);
      trigrams.push(tri);
    }
  }
  // a token is complete only if a separator bounds it on both sides within the needle
  let start = -1;
  for (let i = 0; i <= needle.length; i++) {
    const c = i < needle.length ? needle.charCodeAt(i) : -1;
    if (c >= 0 && isTokenChar(c)) {
      if (start < 0) start = i;
    } else {
      if (start > 0 && c >= 0) {
        const len = i - start;
        if (len >= MIN_TOKEN && len <= MAX_TOKEN) tokens.push(hashToken(needle, start, i));
      }
      start = -1;
    }
  }
  const hexgrams: number[] = [];
  let hexRun = 0;
  let hexValue = 0;
  for (let i = 0; i < needle.length; i++) {
    const c = needle.charCodeAt(i);
    const hex = c < 128 ? ASCII_HEX[c] : 255;
    if (hex === 255) {
      hexRun = 0;
      continue;
    }
    hexValue = ((hexValue << 4) | hex) & 0xfffff;
    if (++hexRun >= 5) hexgrams.push(hexgramBit(hexValue));
  }
  return { tokens, trigrams, hexgrams };
}

function hexgramBit(value: number): number {
  return Math.imul(value, 0x9e3779b1) >>> 14;
}

function hexgramsPresent(bitmap: Uint8Array | undefined, req: NeedleRequirements): boolean {
  if (bitmap === undefined || req.hexgrams.length === 0) return true;
  if (bitmap.length === 0) return false;
  for (let i = 0; i < req.hexgrams.length; i++) {
    const g = req.hexgrams[i];
    if ((bitmap[g >>> 3] & (1 << (g & 7))) === 0) return false;
  }
  return true;
}

/** What a structured-metadata value equal to `value` requires: each of its tokens, whole. */
export function valueRequirements(value: string): NeedleRequirements {
  const tokens: number[] = [];
  let start = -1;
  for (let i = 0; i <= value.length; i++) {
    const c = i < value.length ? value.charCodeAt(i) : -1;
    if (c >= 0 && isTokenChar(c)) {
      if (start < 0) start = i;
    } else {
      if (start >= 0 && i - start >= MIN_TOKEN && i - start <= MAX_TOKEN) tokens.push(hashToken(value, start, i));
      start = -1;
    }
  }
  return { tokens, trigrams: [], hexgrams: needleRequirements(value).hexgrams };
}

/** Hash of a whole word (the token must be the full run of token chars), for word-exact lookups. */
export function wordRequirements(word: string): NeedleRequirements {
  const base = needleRequirements(word);
  let allTokenChars = word.length >= MIN_TOKEN && word.length <= MAX_TOKEN;
  for (let i = 0; i < word.length && allTokenChars; i++) allTokenChars = isTokenChar(word.charCodeAt(i));
  if (allTokenChars) base.tokens.push(hashToken(word, 0, word.length));
  return base;
}

function hashToken(s: string, from: number, to: number): number {
  let h = FNV_OFFSET;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    h = Math.imul(h ^ (c >= 65 && c <= 90 ? c + 32 : c), FNV_PRIME);
  }
  h = h >>> 0;
  return h === 0 ? 1 : h;
}

/** True if a stream's index may hold a line meeting the requirements. */
export function mayContain(index: StreamIndex, req: NeedleRequirements): boolean {
  if (!trigramsPresent(index.trigrams, req)) return false;
  if (!hexgramsPresent(index.hexgrams, req)) return false;
  for (let i = 0; i < req.tokens.length; i++) if (!bloomHas(index.bloom, index.bloomBits, req.tokens[i])) return false;
  return true;
}

function trigramsPresent(bitmap: Uint8Array, req: NeedleRequirements): boolean {
  for (let i = 0; i < req.trigrams.length; i++) {
    const t = req.trigrams[i];
    if ((bitmap[t >>> 3] & (1 << (t & 7))) === 0) return false;
  }
  return true;
}

// ---- on-disk form: a small binary file beside each part ----
// magic "SLIX" u32 version | u32 count | per block: i32 stream id, f64 rows, f64 bytes, i64 minTs, i64 maxTs,
// u32 bloomBits, bloom bytes, trigram bytes, then (version ≥ 2) u32 hexgram byte count and those bytes
// (version 3 also holds the hex 5-grams of structured-metadata values)

const MAGIC = 0x58494c53; // "SLIX" little-endian

export function serializeIndexes(indexes: StreamIndex[]): Buffer {
  let size = 12;
  for (const ix of indexes) size += 4 + 8 + 8 + 8 + 8 + 4 + ix.bloom.length + TRIGRAM_BYTES + 4 + (ix.hexgrams?.length ?? 0);
  const buf = Buffer.alloc(size);
  let o = 0;
  buf.writeUInt32LE(MAGIC, o); o += 4;
  buf.writeUInt32LE(3, o); o += 4;
  buf.writeUInt32LE(indexes.length, o); o += 4;
  for (const ix of indexes) {
    buf.writeInt32LE(ix.streamId, o); o += 4;
    buf.writeDoubleLE(ix.rows, o); o += 8;
    buf.writeDoubleLE(ix.bytes, o); o += 8;
    buf.writeBigInt64LE(ix.minTs, o); o += 8;
    buf.writeBigInt64LE(ix.maxTs, o); o += 8;
    buf.writeUInt32LE(ix.bloomBits, o); o += 4;
    buf.set(ix.bloom, o); o += ix.bloom.length;
    buf.set(ix.trigrams, o); o += TRIGRAM_BYTES;
    const hex = ix.hexgrams ?? NO_HEXGRAMS;
    buf.writeUInt32LE(hex.length, o); o += 4;
    buf.set(hex, o); o += hex.length;
  }
  return buf;
}

export function deserializeIndexes(buf: Buffer, source: string): StreamIndex[] {
  if (buf.length < 12 || buf.readUInt32LE(0) !== MAGIC) throw new Error(`${source}: not a Sightline index file (bad magic)`);
  const version = buf.readUInt32LE(4);
  if (version < 1 || version > 3) throw new Error(`${source}: index version ${version} is not supported`);
  const count = buf.readUInt32LE(8);
  const out: StreamIndex[] = [];
  let o = 12;
  for (let i = 0; i < count; i++) {
    if (o + 40 > buf.length) throw new Error(`${source}: index file truncated at stream ${i}`);
    const streamId = buf.readInt32LE(o); o += 4;
    const rows = buf.readDoubleLE(o); o += 8;
    const bytes = buf.readDoubleLE(o); o += 8;
    const minTs = buf.readBigInt64LE(o); o += 8;
    const maxTs = buf.readBigInt64LE(o); o += 8;
    const bloomBits = buf.readUInt32LE(o); o += 4;
    const bloomBytes = Math.ceil(bloomBits / 8);
    if (o + bloomBytes + TRIGRAM_BYTES > buf.length) throw new Error(`${source}: index file truncated at stream ${i}`);
    const bloom = new Uint8Array(buf.buffer, buf.byteOffset + o, bloomBytes); o += bloomBytes;
    const trigrams = new Uint8Array(buf.buffer, buf.byteOffset + o, TRIGRAM_BYTES); o += TRIGRAM_BYTES;
    let hexgrams: Uint8Array | undefined;
    if (version >= 2) {
      if (o + 4 > buf.length) throw new Error(`${source}: index file truncated at stream ${i}`);
      const len = buf.readUInt32LE(o); o += 4;
      if ((len !== 0 && len !== HEXGRAM_BYTES) || o + len > buf.length) throw new Error(`${source}: index file truncated or corrupt at stream ${i}`);
      hexgrams = len === 0 ? NO_HEXGRAMS : new Uint8Array(buf.buffer, buf.byteOffset + o, len); o += len;
      // version 2 did not put metadata values in the bitmap: it cannot rule a metadata value out
      if (version === 2) hexgrams = undefined;
    }
    out.push({ streamId, rows, bytes, minTs, maxTs, bloomBits, bloom, trigrams, hexgrams });
  }
  return out;
}
