// Tests of the snappy block decoder: round trips against an independent encoder (the `snappy` package), hand-built
// blocks covering every element kind, and malformed blocks failing with the exact byte offset and reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compressSync } from 'snappy';
import { decodeSnappyBlock } from '../../src/ingest/snappy-block.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const MAX = 64 * 1024 * 1024;

function decodeOk(block: Buffer, max = MAX): Buffer {
  const r = decodeSnappyBlock(block, max);
  if (!r.ok) assert.fail(`expected success, got "${r.message}" at byte ${r.offset}`);
  return r.data;
}

function decodeErr(block: Buffer, max = MAX): { offset: number; message: string } {
  const r = decodeSnappyBlock(block, max);
  if (r.ok) assert.fail('expected a decoding error');
  return { offset: r.offset, message: r.message };
}

/** A deterministic pseudo-random byte source, so failures reproduce. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24);
}

test('blocks made by the snappy package decode to the original bytes', () => {
  const rnd = prng(7);
  const random = Buffer.alloc(200_000);
  for (let i = 0; i < random.length; i++) random[i] = rnd();
  const samples: [string, Buffer][] = [
    ['one byte', Buffer.from('x')],
    ['short text', Buffer.from('hello world')],
    ['a run (overlapping copies)', Buffer.from('a'.repeat(10_000))],
    ['a repeated phrase', Buffer.from('GET /api/orders 200 12ms\n'.repeat(3000))],
    ['incompressible bytes (long literals)', random],
    ['a real Apache log', readFileSync(`${HERE}../../../shared/data/loghub/Apache/Apache_2k.log`)],
    ['a real Linux syslog', readFileSync(`${HERE}../../../shared/data/loghub/Linux/Linux_2k.log`)],
    ['UTF-8 text', Buffer.from('zürich → 東京 ✓ '.repeat(500))],
  ];
  for (const [name, original] of samples) {
    const block = compressSync(original);
    assert.ok(decodeOk(block).equals(original), name);
  }
});

test('an empty input is refused but an empty block (length 0) decodes to nothing', () => {
  assert.deepEqual(decodeErr(Buffer.alloc(0)), { offset: 0, message: 'empty body: expected a snappy block' });
  assert.equal(decodeOk(Buffer.from([0x00])).length, 0);
  assert.equal(decodeOk(compressSync(Buffer.alloc(0))).length, 0);
});

test('hand-built blocks: every literal length form and every copy kind', () => {
  // literal with the length in the tag (len-1 = 4 → 5 bytes)
  assert.equal(decodeOk(Buffer.from([5, 4 << 2, ...Buffer.from('abcde')])).toString(), 'abcde');
  // literal with 1, 2, 3 and 4 extra length bytes (tags 60..63)
  const lit = (extra: number, len: number) => {
    const lenBytes = Buffer.alloc(4);
    lenBytes.writeUInt32LE(len - 1);
    const preamble = encodeVarint(len);
    return Buffer.concat([preamble, Buffer.from([(59 + extra) << 2]), lenBytes.subarray(0, extra), Buffer.alloc(len, 0x61)]);
  };
  for (const [extra, len] of [[1, 61], [1, 256], [2, 257], [2, 65536], [3, 65537], [4, 70000]]) {
    assert.equal(decodeOk(lit(extra, len)).toString(), 'a'.repeat(len), `literal ${extra}/${len}`);
  }
  // "abcd" then copy-1 (len 4+3=7, offset 4): abcdabcabc? → overlapping copy repeats the last 4 bytes
  const copy1 = Buffer.from([11, 3 << 2, 0x61, 0x62, 0x63, 0x64, 0x01 | (3 << 2), 4]);
  assert.equal(decodeOk(copy1).toString(), 'abcdabcdabc');
  // copy-1 with offset bits in the tag (offset 256 + 0): 256 literal bytes then copy 4 from 256 back
  const base = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const copy1High = Buffer.concat([encodeVarint(260), Buffer.from([60 << 2, 255]), base, Buffer.from([0x01 | (0 << 2) | (1 << 5), 0])]);
  assert.ok(decodeOk(copy1High).equals(Buffer.concat([base, base.subarray(0, 4)])));
  // copy-2 (len 3, offset 2) and copy-4 (len 2, offset 3)
  assert.equal(decodeOk(Buffer.from([6, 2 << 2, 0x78, 0x79, 0x7a, 0x02 | (2 << 2), 2, 0])).toString(), 'xyzyzy');
  assert.equal(decodeOk(Buffer.from([5, 2 << 2, 0x78, 0x79, 0x7a, 0x03 | (1 << 2), 3, 0, 0, 0])).toString(), 'xyzxy');
});

test('malformed blocks fail with the byte offset of the bad element', () => {
  const cases: [string, Buffer, number, string, number?][] = [
    ['truncated preamble', Buffer.from([0x80]), 1, 'truncated length preamble'],
    ['preamble over 5 bytes', Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), 5, 'length preamble longer than 5 bytes'],
    ['declared length over the cap', Buffer.from([0xe8, 0x07]), 0, 'declared uncompressed length 1000 exceeds the limit of 999 bytes', 999],
    ['literal past the end of the input', Buffer.from([5, 4 << 2, 0x61, 0x62]), 1, 'literal of 5 bytes runs past the end of the input'],
    ['truncated literal length', Buffer.from([100, 61 << 2, 0x10]), 1, 'truncated literal length'],
    ['literal longer than declared', Buffer.from([2, 2 << 2, 0x61, 0x62, 0x63]), 1, 'literal overflows the declared length 2'],
    ['copy before any output', Buffer.from([4, 0x01, 1]), 1, 'copy offset 1 points before the start of the output (at 0)'],
    ['copy with offset 0', Buffer.from([8, 0, 0x61, 0x01, 0]), 3, 'copy offset 0 points before the start of the output (at 1)'],
    ['copy reaching too far back', Buffer.from([8, 1 << 2, 0x61, 0x62, 0x02, 3, 0]), 4, 'copy offset 3 points before the start of the output (at 2)'],
    ['truncated copy-1', Buffer.from([8, 0, 0x61, 0x01]), 3, 'truncated copy element'],
    ['truncated copy-2', Buffer.from([8, 0, 0x61, 0x02, 1]), 3, 'truncated copy element'],
    ['truncated copy-4', Buffer.from([8, 0, 0x61, 0x03, 1, 0, 0]), 3, 'truncated copy element'],
    ['copy longer than declared', Buffer.from([3, 0, 0x61, 0x01 | (1 << 2), 1]), 3, 'copy overflows the declared length 3'],
    ['output shorter than declared', Buffer.from([9, 1 << 2, 0x61, 0x62]), 4, 'block ends after 2 of the declared 9 bytes'],
    ['the framing format', Buffer.from([0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59, 0x01]), 0, 'body uses the snappy framing format; send a raw snappy block (as Loki clients do)'],
  ];
  for (const [name, block, offset, message, max] of cases) {
    assert.deepEqual(decodeErr(block, max ?? MAX), { offset, message }, name);
  }
});

test('a decompression bomb is refused from its preamble, before any allocation', () => {
  const block = compressSync(Buffer.alloc(5_000_000));
  assert.ok(block.length < 300_000);
  assert.deepEqual(decodeErr(block, 1_000_000), { offset: 0, message: 'declared uncompressed length 5000000 exceeds the limit of 1000000 bytes' });
});

test('truncations and bit flips of real blocks never throw: each decodes or fails cleanly', () => {
  const original = readFileSync(`${HERE}../../../shared/data/loghub/Apache/Apache_2k.log`).subarray(0, 20_000);
  const block = compressSync(original);
  const rnd = prng(42);
  for (let cut = 1; cut < block.length; cut += 37) {
    const r = decodeSnappyBlock(block.subarray(0, cut), MAX);
    assert.equal(r.ok, false, `a block cut at ${cut} must not decode`);
  }
  let failures = 0;
  for (let i = 0; i < 300; i++) {
    const mutated = Buffer.from(block);
    mutated[(rnd() << 8 | rnd()) % mutated.length] ^= 1 << (rnd() & 7);
    const r = decodeSnappyBlock(mutated, MAX);
    if (!r.ok) {
      assert.ok(r.offset >= 0 && r.offset <= mutated.length);
      failures++;
    }
  }
  assert.ok(failures > 0, 'some bit flips must be detected');
});

function encodeVarint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}
