// Tests of the full-text pruning index. The contract that matters: NO FALSE NEGATIVES — any needle that is a
// substring of an added line must pass both the builder's and the built (and reloaded) index's check. Then: it
// does prune, the requirement derivation is exact, and the on-disk form round-trips and refuses corrupt input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  StreamIndexBuilder,
  TRIGRAM_BITS,
  deserializeIndexes,
  mayContain,
  needleRequirements,
  serializeIndexes,
  valueRequirements,
  wordRequirements,
  type StreamIndex,
} from '../../src/store/token-index.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const LOGHUB = ['Apache', 'OpenStack', 'HDFS', 'Linux', 'Mac', 'Spark', 'Zookeeper', 'Android', 'BGL', 'Windows'];
function sampleLines(name: string): string[] {
  const text = readFileSync(`${HERE}../../../shared/data/loghub/${name}/${name}_2k.log`, 'utf8');
  return text.split(/\r\n|\r|\n/).filter((l) => l !== '');
}

/** mulberry32: a small seeded PRNG so every run checks the same cases. */
function prng(seed: number): { next: () => number; int: (n: number) => number; pick: <T>(a: readonly T[]) => T } {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: (a) => a[int(a.length)] };
}

const TOKEN_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_';
const PUNCT = [' ', ' ', ' ', '.', ',', ':', ';', '/', '\\', '-', '=', '[', ']', '{', '}', '(', ')', '"', "'", '|', '\t', '@', '#', '%', '&', '+', '<', '>', '?', '!', '~', '*'];
const NON_ASCII = ['é', 'É', 'ß', 'Ø', 'ж', 'Ж', '日本語', '한국어', 'ü', 'ñ', '\u00a0', 'e\u0301', '😀', '🚀', '€', '‽', 'Ω', '\u200b', 'ﬁ', 'İ', 'ı'];

function randomToken(r: ReturnType<typeof prng>): string {
  const len = r.next() < 0.05 ? 60 + r.int(20) : 1 + r.int(12); // some around and beyond the 64-char token limit
  let s = '';
  for (let i = 0; i < len; i++) s += r.next() < 0.15 ? r.pick(NON_ASCII) : r.pick(TOKEN_CHARS as unknown as string[]);
  return s;
}

function flipCase(s: string, r: ReturnType<typeof prng>): string {
  let out = '';
  for (const ch of s) out += r.next() < 0.3 ? (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase()) : ch;
  return out;
}

/** A line from the loghub samples, mixed with random tokens, punctuation, non-ASCII text and case changes. */
function randomLine(r: ReturnType<typeof prng>, samples: string[][]): string {
  const roll = r.next();
  if (roll < 0.02) return '';
  if (roll < 0.04) return r.pick(NON_ASCII);
  let line = r.pick(r.pick(samples));
  const edits = r.int(5);
  for (let e = 0; e < edits; e++) {
    const at = r.int(line.length + 1);
    const insert = r.next() < 0.5 ? r.pick(PUNCT) + randomToken(r) + r.pick(PUNCT) : randomToken(r);
    line = line.slice(0, at) + insert + line.slice(at);
  }
  if (r.next() < 0.3) line = flipCase(line, r);
  return line;
}

/** The maximal runs of token characters of a line, as the index defines them. */
function wordsOf(line: string): string[] {
  return line.split(/[^A-Za-z0-9_\u0080-\uffff]+/).filter((w) => w.length > 0);
}

function swapAsciiCase(s: string): string {
  return s.replace(/[A-Za-z]/g, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));
}

interface Corpus {
  lines: string[][];
  builders: StreamIndexBuilder[];
  built: StreamIndex[];
  reloaded: StreamIndex[];
}

function buildCorpus(seed: number, streams: number, total: number): Corpus {
  const r = prng(seed);
  const samples = LOGHUB.map(sampleLines);
  const lines: string[][] = Array.from({ length: streams }, () => []);
  const builders = Array.from({ length: streams }, () => new StreamIndexBuilder());
  for (let i = 0; i < total; i++) {
    const s = r.int(streams);
    const line = randomLine(r, samples);
    lines[s].push(line);
    builders[s].addLine(line, BigInt(1_700_000_000_000_000_000 + i));
  }
  const built = builders.map((b, i) => b.build(100 + i));
  const reloaded = deserializeIndexes(serializeIndexes(built), 'corpus.idx');
  return { lines, builders, built, reloaded };
}

function checkAll(c: Corpus, s: number, req: ReturnType<typeof needleRequirements>): string | undefined {
  if (!c.builders[s].mayContain(req)) return 'builder';
  if (!mayContain(c.built[s], req)) return 'built index';
  if (!mayContain(c.reloaded[s], req)) return 'reloaded index';
  return undefined;
}

test('property: no false negatives for substrings and words of added lines', () => {
  for (const seed of [1, 0xc0ffee, 20240115]) {
    const c = buildCorpus(seed, 6, 3000);
    const r = prng(seed ^ 0x5eed);
    const failures: string[] = [];
    let checked = 0;
    for (let s = 0; s < c.lines.length; s++) {
      const lines = c.lines[s];
      assert.ok(lines.length > 300, 'each stream gets a fair share of lines');
      for (let k = 0; k < 1500; k++) {
        const line = r.pick(lines);
        const start = r.int(line.length + 1);
        const len = r.next() < 0.1 ? line.length - start : r.int(Math.min(80, line.length - start) + 1);
        const needle = line.slice(start, start + len);
        for (const [kind, n] of [['substring', needle], ['ASCII case swapped', swapAsciiCase(needle)]] as const) {
          const where = checkAll(c, s, needleRequirements(n));
          checked++;
          if (where) failures.push(`seed ${seed} stream ${s} ${kind} ${JSON.stringify(n)} of ${JSON.stringify(line)}: rejected by ${where}`);
        }
      }
      // every whole line, and every word of a sample of lines, as word-exact requirements
      for (const line of lines) {
        const where = checkAll(c, s, needleRequirements(line));
        checked++;
        if (where) failures.push(`seed ${seed} stream ${s} whole line ${JSON.stringify(line)}: rejected by ${where}`);
      }
      for (let k = 0; k < 200; k++) {
        const line = r.pick(lines);
        for (const word of wordsOf(line)) {
          for (const w of [word, swapAsciiCase(word)]) {
            const where = checkAll(c, s, wordRequirements(w));
            checked++;
            if (where) failures.push(`seed ${seed} stream ${s} word ${JSON.stringify(w)} of ${JSON.stringify(line)}: rejected by ${where}`);
          }
        }
      }
    }
    assert.ok(checked > 20_000);
    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} false negatives`);
  }
});

test('property: a needle spanning a surrogate pair split is still found', () => {
  const b = new StreamIndexBuilder();
  const line = 'emoji 😀😀 rocket 🚀x launch';
  b.addLine(line, 1n);
  const ix = b.build(1);
  for (let i = 0; i < line.length; i++) {
    for (let j = i; j <= line.length; j++) {
      const req = needleRequirements(line.slice(i, j));
      assert.ok(b.mayContain(req), JSON.stringify(line.slice(i, j)));
      assert.ok(mayContain(ix, req), JSON.stringify(line.slice(i, j)));
    }
  }
});

test('pruning: most words absent from a stream are rejected', () => {
  const c = buildCorpus(7, 6, 3000);
  const r = prng(99);
  for (let s = 0; s < c.lines.length; s++) {
    const lower = c.lines[s].map((l) => l.toLowerCase());
    let tried = 0;
    let substringRejected = 0;
    let boundedRejected = 0;
    let wordRejected = 0;
    while (tried < 500) {
      let w = '';
      const len = 6 + r.int(5);
      for (let i = 0; i < len; i++) w += 'abcdefghijklmnopqrstuvwxyz'[r.int(26)];
      if (lower.some((l) => l.includes(w))) continue;
      tried++;
      if (!mayContain(c.built[s], needleRequirements(w))) substringRejected++;
      if (!mayContain(c.built[s], needleRequirements(` ${w} `))) boundedRejected++;
      if (!mayContain(c.built[s], wordRequirements(w))) wordRejected++;
    }
    assert.ok(substringRejected / tried >= 0.9, `stream ${s}: only ${substringRejected}/${tried} absent substrings rejected`);
    assert.ok(boundedRejected / tried >= 0.95, `stream ${s}: only ${boundedRejected}/${tried} absent bounded words rejected`);
    assert.ok(wordRejected / tried >= 0.95, `stream ${s}: only ${wordRejected}/${tried} absent words rejected`);
  }
});

test('pruning: words that are only prefixes of indexed tokens are rejected as words but pass as substrings', () => {
  const b = new StreamIndexBuilder();
  b.addLine('connection refused by peer 10.0.0.1', 1n);
  const ix = b.build(1);
  const cases: [string, 'needle' | 'word', boolean][] = [
    ['refused', 'word', true],
    ['REFUSED', 'word', true],
    ['refuse', 'word', false],
    ['refuse', 'needle', true],
    [' refuse ', 'needle', false],
    [' refused ', 'needle', true],
    ['n refused b', 'needle', true],
    ['peer 10', 'needle', true],
    ['peer', 'word', true],
    ['peers', 'word', false],
    ['10.0.0.1', 'word', true], // not all token chars: only trigrams are required
    ['10.0.0.2', 'word', false], // trigram ".2" absent
    ['by', 'word', true],
    ['xyz', 'needle', false],
    ['', 'needle', true],
  ];
  for (const [text, kind, expected] of cases) {
    const req = kind === 'word' ? wordRequirements(text) : needleRequirements(text);
    assert.equal(b.mayContain(req), expected, `builder ${kind} ${JSON.stringify(text)}`);
    assert.equal(mayContain(ix, req), expected, `index ${kind} ${JSON.stringify(text)}`);
  }
});

test('trigrams prune case-insensitively for ASCII', () => {
  const b = new StreamIndexBuilder();
  b.addLine('Hello World', 1n);
  const ix = b.build(1);
  const cases: [string, boolean][] = [['lo w', true], ['LO W', true], ['hello', true], ['HELLO WORLD', true], ['low', false], ['dlr', false], ['hello  world', false]];
  for (const [needle, expected] of cases) {
    assert.equal(b.mayContain(needleRequirements(needle)), expected, needle);
    assert.equal(mayContain(ix, needleRequirements(needle)), expected, needle);
  }
});

test('an empty index rejects any needle of 3+ chars and accepts the empty needle', () => {
  const b = new StreamIndexBuilder();
  const ix = b.build(3);
  assert.deepEqual(
    { ...ix, bloom: ix.bloom.length, trigrams: ix.trigrams.length, hexgrams: ix.hexgrams?.length },
    { streamId: 3, rows: 0, bytes: 0, minTs: 0n, maxTs: 0n, bloomBits: 64, bloom: 8, trigrams: Math.ceil(TRIGRAM_BITS / 8), hexgrams: 0 },
  );
  assert.equal(mayContain(ix, needleRequirements('')), true);
  assert.equal(mayContain(ix, needleRequirements('ab')), true); // too short to require anything
  assert.equal(mayContain(ix, needleRequirements('abc')), false);
  assert.equal(b.mayContain(needleRequirements('abc')), false);
});

test('the builder tracks rows, bytes and time bounds', () => {
  const b = new StreamIndexBuilder();
  const lines: [string, bigint][] = [['first', 500n], ['ünïcödé', 100n], ['', 900n], ['last one', 300n]];
  for (const [l, ts] of lines) b.addLine(l, ts);
  assert.equal(b.rows, 4);
  assert.equal(b.bytes, 5 + 7 + 0 + 8);
  assert.equal(b.minTs, 100n);
  assert.equal(b.maxTs, 900n);
  const ix = b.build(42);
  assert.equal(ix.streamId, 42);
  assert.equal(ix.rows, 4);
  assert.equal(ix.bytes, 20);
  assert.equal(ix.minTs, 100n);
  assert.equal(ix.maxTs, 900n);
  // tokens: first, ünïcödé, last, one
  assert.equal(ix.bloomBits, 64);
  const single = new StreamIndexBuilder();
  single.addLine('x', -5n);
  assert.deepEqual([single.minTs, single.maxTs], [-5n, -5n]);
});

test('the bloom filter is sized at 10 bits per distinct token', () => {
  const b = new StreamIndexBuilder();
  for (let i = 0; i < 1000; i++) b.addLine(`tok${i} tok${i} TOK${i}`, BigInt(i));
  const ix = b.build(1);
  assert.equal(ix.bloomBits, 10_000);
  assert.equal(ix.bloom.length, 1250);
  for (let i = 0; i < 1000; i++) assert.ok(mayContain(ix, wordRequirements(`tok${i}`)), `tok${i}`);
});

test('needleRequirements: trigrams and whole tokens', async (t) => {
  const tokenOf = (w: string) => wordRequirements(w).tokens.at(-1)!;
  const cases: [string, string, number, string[]][] = [
    // [name, needle, number of distinct trigrams, complete tokens]
    ['empty', '', 0, []],
    ['two chars', 'ab', 0, []],
    ['three chars', 'abc', 1, []],
    ['repeated trigram counted once', 'aaaa', 1, []],
    ['abcabc', 'abcabc', 3, []],
    ['token bounded on both sides', ' foo ', 3, ['foo']],
    ['token at the start is partial', 'foo ', 2, []],
    ['token at the end is partial', ' foo', 2, []],
    ['bare word is partial', 'foo', 1, []],
    ['one-char token is not indexed', ' x ', 1, []],
    ['bracketed level', '[ERROR] ', 6, ['error']],
    ['key=value pairs', 'a=1, b=22;', 8, ['22']],
    ['several tokens', 'x GET /api/users 200', 18, ['get', 'api', 'users']],
    ['non-ASCII token (space and non-ASCII share a trigram symbol)', ' éé ', 1, ['éé']],
    ['64-char token', ` ${'y'.repeat(64)} `, 3, ['y'.repeat(64)]],
    ['65-char token is not indexed', ` ${'y'.repeat(65)} `, 3, []],
  ];
  for (const [name, needle, trigrams, tokens] of cases) {
    await t.test(name, () => {
      const req = needleRequirements(needle);
      assert.equal(req.trigrams.length, trigrams);
      assert.deepEqual(req.tokens, tokens.map(tokenOf));
      for (const tri of req.trigrams) assert.ok(Number.isInteger(tri) && tri >= 0 && tri < TRIGRAM_BITS);
    });
  }
  await t.test('ASCII case does not change the requirements', () => {
    assert.deepEqual(needleRequirements(' Hello_World 42 '), needleRequirements(' hello_world 42 '));
    assert.deepEqual(needleRequirements('[WARN] x'), needleRequirements('[warn] x'));
  });
  await t.test('different tokens hash differently', () => {
    const hashes = new Set(['get', 'post', 'put', 'error', 'warn', 'info', 'éé', 'ÉÉ'].map(tokenOf));
    assert.equal(hashes.size, 8);
  });
});

test('wordRequirements adds the whole word only when it is one token of 2..64 chars', async (t) => {
  const cases: [string, number][] = [
    ['error', 1],
    ['Error_42', 1],
    ['e', 0],
    ['', 0],
    ['foo-bar', 0],
    ['foo bar', 0],
    ['日本', 1],
    ['x'.repeat(64), 1],
    ['x'.repeat(65), 0],
    [' a b ', 0],
    ['a b c', 0],
    ['-foo-', 0], // "foo" is bounded: needleRequirements finds it
  ];
  for (const [word, extra] of cases) {
    await t.test(JSON.stringify(word.slice(0, 12)), () => {
      const base = needleRequirements(word);
      const req = wordRequirements(word);
      assert.deepEqual(req.trigrams, base.trigrams);
      assert.equal(req.tokens.length, base.tokens.length + extra);
    });
  }
  assert.deepEqual(wordRequirements('-foo-').tokens, wordRequirements('foo').tokens);
  assert.deepEqual(wordRequirements('ERROR'), wordRequirements('error'));
});

test('serializeIndexes / deserializeIndexes round-trip', () => {
  const builders = [new StreamIndexBuilder(), new StreamIndexBuilder(), new StreamIndexBuilder()];
  const apache = sampleLines('Apache').slice(0, 300);
  apache.forEach((l, i) => builders[i % 2].addLine(l, 1_700_000_000_000_000_000n + BigInt(i)));
  builders[2].addLine('before the epoch', -1_000_000_000n);
  const built = [builders[0].build(1), builders[1].build(-7), builders[2].build(2_147_483_647), new StreamIndexBuilder().build(9)];
  const buf = serializeIndexes(built);
  const back = deserializeIndexes(buf, 'part-1.idx');
  assert.equal(back.length, 4);
  for (let i = 0; i < built.length; i++) {
    const a = built[i];
    const b = back[i];
    assert.deepEqual(
      { streamId: b.streamId, rows: b.rows, bytes: b.bytes, minTs: b.minTs, maxTs: b.maxTs, bloomBits: b.bloomBits },
      { streamId: a.streamId, rows: a.rows, bytes: a.bytes, minTs: a.minTs, maxTs: a.maxTs, bloomBits: a.bloomBits },
    );
    assert.ok(Buffer.from(b.bloom).equals(Buffer.from(a.bloom)), `bloom ${i}`);
    assert.ok(Buffer.from(b.trigrams).equals(Buffer.from(a.trigrams)), `trigrams ${i}`);
  }
  for (const needle of ['mod_jk', 'workerEnv', ' error ', 'scoreboard slot', 'nothing like this', 'zzzq']) {
    const req = needleRequirements(needle);
    assert.deepEqual(back.map((ix) => mayContain(ix, req)), built.map((ix) => mayContain(ix, req)), needle);
  }
  assert.deepEqual(deserializeIndexes(serializeIndexes([]), 'empty.idx'), []);
  assert.equal(serializeIndexes([]).length, 12);
});

test('deserializeIndexes works on a buffer that is a slice of a larger one', () => {
  const b = new StreamIndexBuilder();
  b.addLine('sliced buffer test', 1n);
  const inner = serializeIndexes([b.build(5)]);
  const outer = Buffer.concat([Buffer.from('junk-before'), inner, Buffer.from('junk-after')]);
  const back = deserializeIndexes(outer.subarray(11, 11 + inner.length), 'slice.idx');
  assert.equal(back[0].streamId, 5);
  assert.equal(mayContain(back[0], needleRequirements('buffer')), true);
  assert.equal(mayContain(back[0], needleRequirements('absent')), false);
});

function twoStreamFile(): Buffer {
  const a = new StreamIndexBuilder();
  a.addLine('alpha beta gamma', 1n);
  const b = new StreamIndexBuilder();
  b.addLine('delta epsilon', 2n);
  return serializeIndexes([a.build(1), b.build(2)]);
}

test('corrupt index files are refused with the file named', async (t) => {
  const good = twoStreamFile();
  const withVersion = Buffer.from(good);
  withVersion.writeUInt32LE(4, 4);
  const badMagic = Buffer.from(good);
  badMagic.write('XXXX', 0);
  const STREAM_HEADER = 4 + 8 + 8 + 8 + 8 + 4;
  const cases: [string, Buffer, string][] = [
    ['empty', Buffer.alloc(0), 'part-9.idx: not a Sightline index file (bad magic)'],
    ['shorter than the header', good.subarray(0, 11), 'part-9.idx: not a Sightline index file (bad magic)'],
    ['wrong magic', badMagic, 'part-9.idx: not a Sightline index file (bad magic)'],
    ['a Parquet file', Buffer.from('PAR1\0\0\0\0\0\0\0\0\0\0\0\0PAR1'), 'part-9.idx: not a Sightline index file (bad magic)'],
    ['unknown version', withVersion, 'part-9.idx: index version 4 is not supported'],
    ['cut inside the first bloom', good.subarray(0, 12 + STREAM_HEADER + 3), 'part-9.idx: index file truncated at stream 0'],
    ['cut inside the first trigram bitmap', good.subarray(0, 12 + STREAM_HEADER + 100), 'part-9.idx: index file truncated at stream 0'],
    ['cut one byte short', good.subarray(0, good.length - 1), 'part-9.idx: index file truncated at stream 1'],
  ];
  for (const [name, buf, message] of cases) {
    await t.test(name, () => assert.throws(() => deserializeIndexes(buf, 'part-9.idx'), { message }));
  }
});

test('a file cut at any byte is refused with an error naming the file', () => {
  const good = twoStreamFile();
  const failures: string[] = [];
  for (let cut = 12; cut < good.length; cut++) {
    try {
      deserializeIndexes(good.subarray(0, cut), 'part-9.idx');
      failures.push(`cut ${cut}: accepted`);
    } catch (e) {
      if (!(e as Error).message.startsWith('part-9.idx: ')) failures.push(`cut ${cut}: ${(e as Error).message}`);
    }
  }
  assert.deepEqual(failures.slice(0, 5), []);
});

test('hex 5-grams prune bare ids that every hex trigram would let through, with no false negatives', () => {
  const b = new StreamIndexBuilder();
  // many random 32-hex ids: every hex trigram appears, so trigrams alone cannot prune
  let seed = 7;
  const hex = () => {
    let out = '';
    for (let i = 0; i < 32; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      out += (seed >>> 16 & 15).toString(16);
    }
    return out;
  };
  const present: string[] = [];
  for (let i = 0; i < 4000; i++) {
    const id = hex();
    if (i % 500 === 0) present.push(id);
    b.addLine(`{"trace_id":"${id}","span":"${hex().slice(0, 16)}","msg":"done"}`, 1n);
  }
  const ix = b.build(1);
  for (const id of present) {
    for (const needle of [id, id.toUpperCase(), id.slice(3, 20), `"${id}"`]) {
      assert.equal(mayContain(ix, needleRequirements(needle)), true, needle);
      assert.equal(b.mayContain(needleRequirements(needle)), true, needle);
    }
  }
  let pruned = 0;
  for (let i = 0; i < 200; i++) if (!mayContain(ix, needleRequirements(hex()))) pruned++;
  assert.ok(pruned >= 190, `absent ids pruned: ${pruned}/200`);
  // the same bitmap survives a round trip
  const [back] = deserializeIndexes(serializeIndexes([ix]), 'x.idx');
  assert.equal(mayContain(back, needleRequirements(present[0])), true);
  assert.equal(Buffer.compare(Buffer.from(back.hexgrams!), Buffer.from(ix.hexgrams!)), 0);
});

test('structured-metadata values are found by whole value, hex ids pruned through their 5-grams', () => {
  const b = new StreamIndexBuilder();
  const ids: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const id = (i * 2654435761 >>> 0).toString(16).padStart(8, '0') + (i * 40503 >>> 0).toString(16).padStart(8, '0') + 'c0ffee' + i.toString(16).padStart(10, '0');
    ids.push(id);
    b.addLine(`request ${i} handled`, BigInt(i));
    b.addValueTokens(id);
    b.addValueTokens(`user-${i}`);
  }
  const ix = b.build(1);
  for (const id of [ids[0], ids[1234], ids[2999]]) {
    assert.equal(mayContain(ix, valueRequirements(id)), true, id);
    assert.equal(b.mayContain(valueRequirements(id)), true, id);
  }
  assert.equal(mayContain(ix, valueRequirements('user-77')), true);
  let pruned = 0;
  for (let i = 0; i < 100; i++) if (!mayContain(ix, valueRequirements('deadbeef' + (i * 7919).toString(16).padStart(8, '0') + 'abcdef0123456789'))) pruned++;
  assert.ok(pruned >= 95, `absent ids pruned: ${pruned}/100`);
  // metadata never counts as line text for trigram-only needles it lacks, but a line needle may pass on metadata tokens (superset)
  assert.equal(mayContain(ix, needleRequirements('handled')), true);
});
