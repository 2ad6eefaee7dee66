// Differential test of the byte fast path: the same file read by two file sources, one making events that the
// sightline sink encodes (the string path), one writing request bodies from the read buffer, must give the same
// bodies byte for byte, batch by batch, piece by piece, with the same checkpoints.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Checkpoints } from '../../../src/agent/checkpoints.ts';
import { FileSource, DEFAULT_FILE_SOURCE } from '../../../src/agent/sources/file-source.ts';
import { ArrivalClock } from '../../../src/agent/sources/source.ts';
import { SightlineSink } from '../../../src/agent/sinks/sightline-sink.ts';
import { SightlineBodyWriter } from '../../../src/agent/sinks/sightline-body-writer.ts';
import type { HttpTarget } from '../../../src/agent/sinks/http-post.ts';
import { tempDir } from '../../integration/harness.ts';

const NOW_MS = 1_764_115_200_123;
// encode() never touches the target; only sending does
const sink = new SightlineSink('s', {} as HttpTarget);

interface Pair {
  slow: FileSource;
  fast: FileSource;
  slowCp: Checkpoints;
  fastCp: Checkpoints;
}

function pair(dir: string, file: string, maxLineBytes: number, labels: Record<string, string>, maxEvents: number, clockAhead = 0): Pair {
  const cfg = { ...DEFAULT_FILE_SOURCE, include: [file], maxLineBytes };
  const slowClock = new ArrivalClock(() => NOW_MS);
  const fastClock = new ArrivalClock(() => NOW_MS);
  if (clockAhead > 0) {
    for (const c of [slowClock, fastClock]) {
      c.next();
      c.advance(clockAhead);
    }
  }
  const slowCp = new Checkpoints(path.join(dir, 'slow'));
  const fastCp = new Checkpoints(path.join(dir, 'fast'));
  const slow = new FileSource('f', cfg, labels, slowCp, slowClock);
  const fast = new FileSource('f', cfg, labels, fastCp, fastClock);
  fast.useBodyWriter(new SightlineBodyWriter(fast.labels, fastClock, maxEvents), (events) => sink.encode(events));
  return { slow, fast, slowCp, fastCp };
}

/** Reads both to the end; asserts equal bodies per batch and piece, and equal checkpoints after each batch. */
function compare(p: Pair, file: string, maxEvents: number, maxBytes = 256 * 1024): { lines: number; bodies: number } {
  let lines = 0;
  let bodies = 0;
  for (let round = 0; ; round++) {
    const a = p.slow.read(NOW_MS, maxBytes);
    const b = p.fast.read(NOW_MS, maxBytes);
    if (!a) {
      assert.equal(b, undefined, `round ${round}: the fast path read more than the string path`);
      break;
    }
    assert.ok(b, `round ${round}: the fast path read nothing`);
    assert.equal(b.events.length, 0);
    assert.equal(b.count, a.events.length, `round ${round}: line count`);
    assert.equal(b.bytes, a.bytes, `round ${round}: bytes read`);
    const expected: Buffer[] = [];
    for (let i = 0; i < a.events.length; i += maxEvents) expected.push(sink.encode(a.events.slice(i, i + maxEvents)));
    const got = b.pieces!.map((x) => x.body);
    assert.equal(got.length, expected.length, `round ${round}: pieces`);
    for (let i = 0; i < got.length; i++) {
      if (!got[i].equals(expected[i])) {
        const gl = got[i].toString('latin1').split('\n');
        const el = expected[i].toString('latin1').split('\n');
        const at = el.findIndex((l, j) => l !== gl[j]);
        assert.fail(`round ${round}, piece ${i}, line ${at}:\n fast ${JSON.stringify(gl[at])}\n slow ${JSON.stringify(el[at])}`);
      }
      assert.equal(b.pieces![i].events, Math.min(maxEvents, a.events.length - i * maxEvents));
    }
    a.acknowledge();
    b.acknowledge();
    const cp = (c: Checkpoints) => [...c.all()].map((x) => ({ path: x.path, offset: x.offset, fingerprint: x.fingerprint }));
    assert.deepEqual(cp(p.fastCp), cp(p.slowCp), `round ${round}: checkpoints`);
    lines += a.events.length;
    bodies += got.length;
  }
  return { lines, bodies };
}

/** Lines that have broken the JSON or UTF-8 handling of encoders before. */
const ADVERSARIAL: Buffer[] = [
  Buffer.from(''),
  Buffer.from('plain ascii line with "quotes" and \\backslashes\\ and \\u0041'),
  Buffer.from(Array.from({ length: 32 }, (_, i) => i).filter((c) => c !== 10)), // every control byte but the newline
  Buffer.from([0x7f, 0x41, 0x0d, 0x42, 0x09, 0x08, 0x0c]), // DEL (not escaped), CR inside a line
  Buffer.from('héllo wörld — ünïcödé ✓ 日本語 😀 \u2028\u2029 \ufeffBOM'),
  Buffer.from([0x80]), // a lone continuation byte
  Buffer.from([0x41, 0xc3]), // a 2-byte sequence cut at the end
  Buffer.from([0xe2, 0x82, 0x41]), // a 3-byte sequence cut short
  Buffer.from([0xc0, 0xaf, 0xe0, 0x80, 0xaf]), // overlong forms
  Buffer.from([0xed, 0xa0, 0x80, 0xed, 0xbf, 0xbf]), // UTF-16 surrogates encoded in UTF-8
  Buffer.from([0xf4, 0x90, 0x80, 0x80, 0xf8, 0x88, 0x80, 0x80, 0x80]), // beyond U+10FFFF, 5-byte form
  Buffer.from([0xfe, 0xff, 0xff, 0xfe, 0x22, 0x5c]), // bytes never in UTF-8, then " and \
  Buffer.from([0xf0, 0x9f, 0x98, 0x80, 0xf0, 0x9f, 0x98]), // an emoji, then one cut short
  Buffer.from('line ending in CR\r'),
  Buffer.from('"\\"\\\\"'),
];

test('adversarial lines: fast and string paths make the same bodies (escapes, invalid UTF-8, CRLF)', (t) => {
  const dir = tempDir('sightline-fastpath-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'app.log');
  const parts: Buffer[] = [];
  for (const l of ADVERSARIAL) parts.push(l, Buffer.from('\n'));
  parts.push(Buffer.from('crlf line\r\n'));
  writeFileSync(file, Buffer.concat(parts));
  const p = pair(dir, file, 1024, { job: 'web "x"', 'app.name': 'ünï\\code', host: 'h\u0001' }, 4);
  const r = compare(p, file, 4);
  assert.equal(r.lines, ADVERSARIAL.length + 1);
  assert.equal(r.bodies, Math.ceil((ADVERSARIAL.length + 1) / 4));
});

test('lines cut at max_line_bytes inside a multi-byte character give the same U+FFFD as the string path', (t) => {
  const dir = tempDir('sightline-fastpath-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'app.log');
  // 10-byte limit: each line is cut at byte 10, inside a 2-, 3- or 4-byte character depending on the padding
  const lines: string[] = [];
  for (let pad = 0; pad < 10; pad++) for (const ch of ['é', '€', '😀']) lines.push('x'.repeat(pad) + ch.repeat(6));
  lines.push('y'.repeat(40)); // overlong ASCII: the rest up to the newline is skipped
  writeFileSync(file, lines.join('\n') + '\n' + 'z'.repeat(25)); // and an unfinished overlong line at the end
  const p = pair(dir, file, 10, { job: 'cut' }, 7);
  const r = compare(p, file, 7);
  assert.equal(r.lines, lines.length + 1);
  assert.ok(p.fast.truncatedLines > 0);
  assert.equal(p.fast.truncatedLines, p.slow.truncatedLines);
});

test('random lines, several reads and a growing file: same bodies, same checkpoints, stamps across a ms boundary', (t) => {
  const dir = tempDir('sightline-fastpath-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'app.log');
  // a seeded generator (xorshift32) so a failure can be replayed
  let seed = 0x9e3779b9;
  const rand = (n: number): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const alphabet = [...Buffer.from('abcXYZ019 {}[]:,."\\/\t\r'), 0x00, 0x1b, 0x7f, 0x80, 0xbf, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xff];
  const randomLines = (count: number): Buffer => {
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const len = rand(5) === 0 ? rand(400) : rand(60);
      for (let j = 0; j < len; j++) out.push(rand(3) === 0 ? alphabet[rand(alphabet.length)] : 0x61 + rand(26));
      out.push(0x0a);
    }
    return Buffer.from(out);
  };
  writeFileSync(file, randomLines(3000));
  // 999,990 stamps used already: the lines' stamps cross into the next millisecond of ns digits
  const p = pair(dir, file, 300, { job: 'rand', env: 'test' }, 500, 999_990);
  let r = compare(p, file, 500, 16 * 1024);
  assert.equal(r.lines, 3000);
  appendFileSync(file, randomLines(700));
  p.slow.scan(NOW_MS, true);
  p.fast.scan(NOW_MS, true);
  r = compare(p, file, 500, 16 * 1024);
  assert.equal(r.lines, 700);
});
