// The embedded store on its own: sealing into parts keeps every row exactly once, the index prunes parts without
// changing answers, overload is refused with a retryable error, and a reopened store sees the same data.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { StoreBusyError } from '../../src/store/store.ts';
import type { IngestBatch } from '../../src/model/record.ts';
import type { ScanPlan, ScanStats } from '../../src/store/plan.ts';

const NOW = BigInt(Date.now()) * 1_000_000n;

function batch(tenant: string, service: string, from: number, count: number, word = (i: number) => `w${i % 97}`): IngestBatch {
  const ts: bigint[] = [];
  const lines: string[] = [];
  const metadata: (Record<string, string> | undefined)[] = [];
  for (let i = from; i < from + count; i++) {
    ts.push(NOW - 3_600_000_000_000n + BigInt(i) * 1_000_000n);
    lines.push(`req=${i} service=${service} msg="${word(i)} happened" took=${i % 1000}ms`);
    metadata.push(i % 10 === 0 ? { trace_id: `t${i}` } : undefined);
  }
  return { tenant, streams: [{ labels: { service }, ts, lines, metadata }], entries: count, bytes: lines.reduce((a, l) => a + l.length, 0) };
}

async function collect(store: DuckDbStore, plan: Partial<ScanPlan>, stats?: ScanStats): Promise<string[]> {
  const out: string[] = [];
  const full: ScanPlan = { tenants: ['t1'], matchers: [], fromNs: 0n, toNs: NOW + 1n, lineFilters: [], direction: 'backward', ...plan };
  for await (const c of store.scan(full, stats)) out.push(...c.line);
  return out;
}

test('rows survive sealing exactly once; the index skips parts that cannot match; reopening keeps everything', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-store-'));
  try {
    // no background compaction: it may merge the parts this test counts (seen in CI: "got 2")
    let store = await DuckDbStore.open({ dataDir: dir, sealRows: 5000, backgroundCompaction: false });
    for (let k = 0; k < 6; k++) await store.append(batch('t1', k % 2 ? 'api' : 'db', k * 4000, 4000));
    await store.append(batch('t1', 'api', 24_000, 10, () => 'zanzibar'));
    await store.append(batch('t2', 'api', 0, 100, () => 'zanzibar'));
    await store.sealNow();
    const status = store.status();
    assert.ok(status.parts >= 3, `expected several parts, got ${status.parts}`);
    assert.equal(status.partRows + status.hotRows, 24_110);

    const counts = await store.aggregate({ tenants: ['t1'], matchers: [], fromNs: 0n, toNs: NOW + 1n, lineFilters: [], measure: 'count', baseNs: 0n, widthNs: NOW + 1n });
    assert.equal(counts.value.reduce((a, b) => a + b, 0), 24_010, 'tenant t1 only, every row once');

    const stats: ScanStats = { partsTotal: 0, partsScanned: 0, streamsMatched: 0, rowsScanned: 0 };
    const rare = await collect(store, { lineFilters: [{ op: 'contains', values: ['zanzibar happened'] }] }, stats);
    assert.equal(rare.length, 10);
    assert.ok(stats.partsScanned < stats.partsTotal, `index should skip parts: scanned ${stats.partsScanned} of ${stats.partsTotal}`);

    // a needle inside a longer token still matches (substring semantics), found without the token shortcut
    assert.equal((await collect(store, { lineFilters: [{ op: 'contains', values: ['nzib'] }] })).length, 10);
    // regex and negative filters
    assert.equal((await collect(store, { lineFilters: [{ op: 'regex', values: ['req=2400[0-9] '] }] })).length, 10);
    assert.equal((await collect(store, { matchers: [{ name: 'service', op: '=', value: 'db' }], lineFilters: [{ op: 'not_contains', values: ['took=1'] }], limit: 100000 })).length, 12_000 - 12 * 111);

    // newest first with a limit, and forward
    const newest = await collect(store, { limit: 3 });
    assert.deepEqual(newest, [24_009, 24_008, 24_007].map((i) => `req=${i} service=api msg="zanzibar happened" took=${i % 1000}ms`));
    const oldest = await collect(store, { limit: 2, direction: 'forward' });
    assert.deepEqual(oldest.map((l) => l.split(' ')[0]), ['req=0', 'req=1']);
    await store.close();

    store = await DuckDbStore.open({ dataDir: dir, sealRows: 5000 });
    assert.equal((await collect(store, { lineFilters: [{ op: 'contains', values: ['zanzibar'] }] })).length, 10);
    assert.equal((await collect(store, { tenants: ['t2'], lineFilters: [{ op: 'contains', values: ['zanzibar'] }] })).length, 100);
    await store.close();
    const files = readdirSync(path.join(dir, 'parts'), { recursive: true }).map(String);
    assert.ok(files.some((f) => f.endsWith('.idx')) && files.some((f) => f.endsWith('.parquet')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('too many bytes waiting for commit are refused with a retryable error, the rest are stored', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-store-'));
  try {
    const store = await DuckDbStore.open({ dataDir: dir, maxPendingBytes: 50_000 });
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, k) => store.append(batch('t1', 'api', k * 1000, 1000))));
    const refused = results.filter((r) => r.status === 'rejected');
    assert.ok(refused.length > 0, 'some appends are refused');
    for (const r of refused) {
      assert.ok((r as PromiseRejectedResult).reason instanceof StoreBusyError);
      assert.ok(((r as PromiseRejectedResult).reason as StoreBusyError).retryAfterSeconds >= 1);
    }
    const accepted = results.length - refused.length;
    const counts = await store.aggregate({ tenants: ['t1'], matchers: [], fromNs: 0n, toNs: NOW + 1n, lineFilters: [], measure: 'count', baseNs: 0n, widthNs: NOW + 1n });
    assert.equal(counts.value.reduce((a, b) => a + b, 0), accepted * 1000, 'exactly the accepted batches are stored');
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('field equality prefilter: stream labels settle it, otherwise structured metadata does, and the index prunes', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-store-'));
  try {
    const store = await DuckDbStore.open({ dataDir: dir, sealRows: 20_000 });
    // metadata trace_id=t<i> on every 10th row of each service; one stream carries trace_id as a label
    await store.append({ tenant: 't1', streams: [{ labels: { service: 'edge', trace_id: 't120' }, ts: [NOW - 1_000_000n], lines: ['edge saw it'], metadata: [undefined] }], entries: 1, bytes: 11 });
    for (let k = 0; k < 4; k++) await store.append(batch('t1', k % 2 ? 'api' : 'db', k * 10_000, 10_000));
    await store.sealNow();
    const stats: ScanStats = { partsTotal: 0, partsScanned: 0, streamsMatched: 0, rowsScanned: 0 };
    const rows = await collect(store, { fieldEquals: [{ name: 'trace_id', value: 't120' }] }, stats);
    assert.deepEqual(rows.sort(), ['edge saw it', 'req=120 service=db msg="w23 happened" took=120ms']);
    assert.ok(stats.partsScanned < stats.partsTotal, `the index should skip parts: ${stats.partsScanned} of ${stats.partsTotal}`);
    // a label that contradicts the condition excludes its stream; two conditions must both hold
    assert.deepEqual(await collect(store, { fieldEquals: [{ name: 'service', value: 'api' }, { name: 'trace_id', value: 't120' }] }), []);
    assert.deepEqual(await collect(store, { fieldEquals: [{ name: 'service', value: 'db' }, { name: 'trace_id', value: 't120' }] }), ['req=120 service=db msg="w23 happened" took=120ms']);
    // counting honours it too (no shortcut through block counts)
    const counts = await store.aggregate({ tenants: ['t1'], matchers: [], fromNs: 0n, toNs: NOW + 1n, lineFilters: [], fieldEquals: [{ name: 'trace_id', value: 't30010' }], measure: 'count', baseNs: 0n, widthNs: NOW + 1n });
    assert.equal(counts.value.reduce((a, b) => a + b, 0), 1);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('compaction merges small parts into one without losing, duplicating or unindexing a row', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-store-'));
  try {
    let store = await DuckDbStore.open({ dataDir: dir, sealRows: 1000, backgroundCompaction: false });
    for (let k = 0; k < 8; k++) {
      await store.append(batch('t1', k % 2 ? 'api' : 'db', k * 1000, 1000, (i) => (i === 4321 ? 'quixotic' : `w${i % 97}`)));
      await store.sealNow();
    }
    const before = store.status();
    assert.ok(before.parts >= 8, `expected many small parts, got ${before.parts}`);
    const merges = await store.compactNow();
    const after = store.status();
    assert.ok(merges >= 1 && after.parts < before.parts, `parts ${before.parts} → ${after.parts}`);
    assert.equal(after.partRows, before.partRows);
    const count = async () => {
      const c = await store.aggregate({ tenants: ['t1'], matchers: [], fromNs: 0n, toNs: NOW + 1n, lineFilters: [], measure: 'count', baseNs: 0n, widthNs: NOW + 1n });
      return c.value.reduce((a, b) => a + b, 0);
    };
    assert.equal(await count(), 8000);
    const stats: ScanStats = { partsTotal: 0, partsScanned: 0, streamsMatched: 0, rowsScanned: 0 };
    assert.deepEqual(await collect(store, { lineFilters: [{ op: 'contains', values: ['quixotic'] }] }, stats), ['req=4321 service=db msg="quixotic happened" took=321ms']);
    assert.deepEqual(await collect(store, { fieldEquals: [{ name: 'trace_id', value: 't4320' }] }), ['req=4320 service=db msg="w52 happened" took=320ms']);
    assert.equal((await collect(store, { limit: 5 })).length, 5);
    await store.close();
    // only the merged files remain, and a reopened store reads them
    store = await DuckDbStore.open({ dataDir: dir, sealRows: 1000, backgroundCompaction: false });
    assert.equal(store.status().parts, after.parts);
    assert.equal(await count(), 8000);
    assert.equal(readdirSync(path.join(dir, 'parts'), { recursive: true }).map(String).filter((f) => f.endsWith('.parquet')).length, after.parts);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an aggregation whose sources hold no row in range answers empty (not an error)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-store-'));
  const store = await DuckDbStore.open({ dataDir: dir });
  try {
    await store.append(batch('t1', 'api', 0, 10));
    // every token and trigram of the needle is in the block (so the index keeps it) but no single line has it:
    // DuckDB then returns a result without columns
    const plan = { tenants: ['t1'], matchers: [], fromNs: 0n, toNs: NOW + 1n, lineFilters: [{ op: 'contains' as const, values: ['w5 happened" took=6ms'] }], measure: 'count' as const, baseNs: 0n, widthNs: NOW + 1n };
    assert.deepEqual(await store.aggregate(plan), { stream: [], bucket: [], value: [] });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a stream counted from one part\'s index is not read again from that part when another part must be scanned', async () => {
  // Part A: `api` lies inside bucket 1 (answered by its index block), `db` straddles buckets 1|2 (must be scanned,
  // so A is read whole). Part B: `api` straddles the border (must be scanned). Reading A and B together for the
  // union of their streams counted A's `api` rows twice (index + scan).
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-store-'));
  const store = await DuckDbStore.open({ dataDir: dir, sealRows: 1_000_000 });
  try {
    const base = NOW - 3_600_000_000_000n; // batch(): row i is at base + i ms
    await store.append(batch('t1', 'api', 1, 40));
    await store.append(batch('t1', 'db', 1, 100));
    await store.sealNow();
    await store.append(batch('t1', 'api', 41, 60));
    await store.sealNow();
    assert.equal(store.status().parts, 2);
    const api = store.streams(['t1'], [{ name: 'service', op: '=', value: 'api' }], 0n, NOW + 1n)[0].id;
    const plan = { tenants: ['t1'], matchers: [], fromNs: base + 1n, toNs: base + 101_000_000n, lineFilters: [], measure: 'count' as const, baseNs: base, widthNs: 50_000_000n };
    const counts = await store.aggregate(plan);
    const cells = new Map<string, number>();
    for (let i = 0; i < counts.stream.length; i++) {
      const key = `${counts.stream[i] === api ? 'api' : 'db'}/${counts.bucket[i]}`;
      cells.set(key, (cells.get(key) ?? 0) + counts.value[i]);
    }
    // rows 1..50 fall in bucket 1 ((ts - base - 1) // width + 1), rows 51..100 in bucket 2
    assert.deepEqual(Object.fromEntries([...cells].sort()), { 'api/1': 50, 'api/2': 50, 'db/1': 50, 'db/2': 50 });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a stream whose blocks overlap in time (lines arrived out of order) returns each matching row once', async () => {
  // block 1 (the first 8192 arrivals) holds the even milliseconds 0…16382, block 2 odd ones inside that range; both
  // hold the needle, so both are candidates; a busy second stream keeps the part large enough for per-block reads
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-store-'));
  const store = await DuckDbStore.open({ dataDir: dir, sealRows: 1_000_000 });
  try {
    const base = NOW - 3_600_000_000_000n;
    const stream = (service: string, ms: number[], line: (ms: number) => string): IngestBatch => {
      const lines = ms.map(line);
      return { tenant: 't1', streams: [{ labels: { service }, ts: ms.map((m) => base + BigInt(m) * 1_000_000n), lines, metadata: lines.map(() => undefined) }], entries: ms.length, bytes: lines.reduce((a, l) => a + l.length, 0) };
    };
    const tag = (m: number): string => `req=${m} ${m === 10 || m === 11 ? 'zanzibar' : 'w' + (m % 97)} happened`;
    await store.append(stream('api', Array.from({ length: 8192 }, (_, i) => 2 * i), tag));
    await store.append(stream('api', Array.from({ length: 100 }, (_, i) => 2 * i + 1), tag));
    await store.append(stream('db', Array.from({ length: 70_000 }, (_, i) => i), (m) => `db row ${m} w${m % 89}`));
    await store.sealNow();
    assert.equal(store.status().parts, 1);
    const found = await collect(store, { lineFilters: [{ op: 'contains', values: ['zanzibar'] }], fromNs: base, toNs: base + 100_000_000_000n });
    assert.deepEqual(found.sort(), ['req=10 zanzibar happened', 'req=11 zanzibar happened']);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
