// The benchmark corpus: exact line count, valid Loki push bodies within the size bounds, ascending streams,
// the needle planted exactly as the manifest says, the trace probe's count, and reuse of a cached corpus.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCorpus, plantNeedle, writeCorpus, type CorpusManifest } from '../../src/bench/corpus.ts';

const END = Date.UTC(2025, 4, 2, 0, 0, 0);

interface Body {
  streams: { stream: Record<string, string>; values: [string, string, Record<string, string>?][] }[];
}

function readBodies(dir: string, m: CorpusManifest): Body[] {
  return m.bodies.map((b) => JSON.parse(readFileSync(join(dir, b.file), 'utf8')) as Body);
}

const scratch = mkdtempSync(join(tmpdir(), 'corpus-test-'));
test.after(() => rmSync(scratch, { recursive: true, force: true }));

test('plantNeedle keeps each format intact and the needle a separate word', () => {
  const n = 'zebra99quokka';
  const json = plantNeedle('{"ts":"x","level":"info","msg":"order confirmed","a":1}', n);
  assert.equal((JSON.parse(json) as { msg: string }).msg, `${n} order confirmed`);
  assert.equal(plantNeedle('ts=x level=info msg="stock reserved" sku=1', n), `ts=x level=info msg="${n} stock reserved" sku=1`);
  assert.equal(plantNeedle('1.2.3.4 - - [x] "GET /a/b HTTP/2.0" 200 5', n), `1.2.3.4 - - [x] "GET /a/b?ref=${n} HTTP/2.0" 200 5`);
  assert.equal(plantNeedle('1.2.3.4 - - [x] "GET /a?q=1 HTTP/1.1" 200 5', n), `1.2.3.4 - - [x] "GET /a?q=1&ref=${n} HTTP/1.1" 200 5`);
  assert.equal(plantNeedle('2025-05-01 INFO [w] sent\n  detail', n), `2025-05-01 INFO [w] sent ${n}\n  detail`);
  assert.equal(plantNeedle('plain words', n), `plain words ${n}`);
});

test('a corpus has exactly N lines in valid push bodies of 0.5–1 MB, ascending per stream, with the needle where the manifest says', () => {
  const dir = join(scratch, 'c1');
  const m = writeCorpus({ lines: 60_000, dir, seed: 7, endMs: END, needleCount: 10 });
  assert.equal(m.lines, 60_000);
  assert.ok(m.bodies.length >= 10, `${m.bodies.length} bodies`);
  m.bodies.forEach((b, i) => {
    assert.ok(b.bytes <= 1_000_000, `${b.file} is ${b.bytes} bytes`);
    if (i < m.bodies.length - 1) assert.ok(b.bytes >= 500_000, `${b.file} is ${b.bytes} bytes`);
  });
  const bodies = readBodies(dir, m);
  let lines = 0;
  let raw = 0;
  const lastTs = new Map<string, bigint>();
  const planted: { ts: string; stream: Record<string, string> }[] = [];
  let minTs: bigint | undefined;
  let maxTs = 0n;
  bodies.forEach((body, i) => {
    let inBody = 0;
    for (const s of body.streams) {
      assert.deepEqual(Object.keys(s.stream).sort(), ['level', 'namespace', 'pod', 'service']);
      const key = JSON.stringify(s.stream);
      for (const v of s.values) {
        assert.equal(typeof v[0], 'string');
        assert.equal(typeof v[1], 'string');
        if (v[2] !== undefined) for (const val of Object.values(v[2])) assert.equal(typeof val, 'string');
        const ts = BigInt(v[0]);
        assert.ok(ts >= (lastTs.get(key) ?? 0n), `ascending within ${key}`);
        lastTs.set(key, ts);
        if (minTs === undefined || ts < minTs) minTs = ts;
        if (ts > maxTs) maxTs = ts;
        raw += Buffer.byteLength(v[1]);
        inBody++;
        if (v[1].includes(m.needle)) planted.push({ ts: v[0], stream: s.stream });
      }
    }
    assert.equal(inBody, m.bodies[i].lines);
    lines += inBody;
  });
  assert.equal(lines, 60_000);
  assert.equal(raw, m.rawBytes);
  assert.equal(m.firstTs, String(minTs));
  assert.equal(m.lastTs, String(maxTs));
  assert.ok(maxTs - (minTs ?? 0n) < 24n * 3600n * 1_000_000_000n, 'inside a 24 h window');
  assert.ok(maxTs - (minTs ?? 0n) > 20n * 3600n * 1_000_000_000n, 'spread over the day');
  assert.equal(m.needleCount, 10);
  assert.equal(planted.length, 10);
  const sortKey = (x: { ts: string; stream: Record<string, string> }): string => x.ts + JSON.stringify(x.stream);
  assert.deepEqual(planted.map(sortKey).sort(), m.needleLines.map(sortKey).sort());

  // the trace probe: a checkout trace whose line count is exact
  assert.match(m.traceProbe.traceId, /^[0-9a-f]{32}$/);
  let traceLines = 0;
  for (const body of bodies) for (const s of body.streams) for (const v of s.values) if (v[1].includes(m.traceProbe.traceId)) traceLines++;
  assert.equal(traceLines, m.traceProbe.lines);
  assert.ok(m.traceProbe.services.length >= 5, `trace crosses ${m.traceProbe.services.join(', ')}`);
});

test('the corpus is varied: thousands of paths, many client addresses, user agents and users', () => {
  const dir = join(scratch, 'c2');
  const m = writeCorpus({ lines: 60_000, dir, seed: 8, endMs: END });
  const paths = new Set<string>();
  const ips = new Set<string>();
  const agents = new Set<string>();
  const users = new Set<string>();
  const formats = { nginx: 0, json: 0, logfmt: 0, plain: 0 };
  for (const body of readBodies(dir, m)) {
    for (const s of body.streams) {
      for (const v of s.values) {
        const line = v[1];
        const a = /^(\S+) - - \[[^\]]+\] "\w+ (\S+) [^"]+" \d+ \d+ "[^"]*" "([^"]*)"/.exec(line);
        if (a !== null) {
          formats.nginx++;
          ips.add(a[1]);
          paths.add(a[2]);
          agents.add(a[3]);
        } else if (line.startsWith('{')) formats.json++;
        else if (line.startsWith('ts=')) formats.logfmt++;
        else formats.plain++;
        if (v[2]?.user_id !== undefined) users.add(v[2].user_id);
      }
    }
  }
  assert.ok(paths.size > 3000, `${paths.size} paths`);
  assert.ok(ips.size > 3000, `${ips.size} client addresses`);
  assert.ok(agents.size > 200, `${agents.size} user agents`);
  assert.ok(users.size > 3000, `${users.size} users`);
  for (const [k, n] of Object.entries(formats)) assert.ok(n > 500, `${n} ${k} lines`);
});

test('the same options give the same corpus; ensureCorpus reuses a fresh one and rebuilds a stale one', () => {
  const a = writeCorpus({ lines: 5000, dir: join(scratch, 'd1'), seed: 3, endMs: END });
  const b = writeCorpus({ lines: 5000, dir: join(scratch, 'd2'), seed: 3, endMs: END });
  assert.equal(a.bodies.length, b.bodies.length);
  for (const body of a.bodies) assert.deepEqual(readFileSync(join(scratch, 'd1', body.file)), readFileSync(join(scratch, 'd2', body.file)));
  assert.deepEqual(a.needleLines, b.needleLines);

  const cache = join(scratch, 'cache');
  const first = ensureCorpus(cache, { lines: 3000, seed: 5 });
  assert.equal(first.reused, false);
  const again = ensureCorpus(cache, { lines: 3000, seed: 5 });
  assert.equal(again.reused, true);
  assert.equal(again.manifest.createdAt, first.manifest.createdAt);
  const stale = ensureCorpus(cache, { lines: 3000, seed: 5 }, 0);
  assert.equal(stale.reused, false);
});

test('writeCorpus refuses a non-positive line count', () => {
  assert.throws(() => writeCorpus({ lines: 0, dir: join(scratch, 'zero') }), RangeError);
});
