// The offline NDJSON replay shared by `sightline detect` and `sightline siem hunt --input`: records reach the engine in
// timestamp order whatever the file's order, grouped by stream in bounded batches, filtered by a time range, and
// flushed once at the end; bad lines are named "file:line: why" while the good ones still run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IngestBatch } from '../../src/model/record.ts';
import { replayNdjson } from '../../src/siem/ndjson-replay.ts';

/** An engine stand-in that records what it is given and when it is flushed. */
function recordingEngine() {
  const calls: (IngestBatch | 'flush')[] = [];
  return { calls, onCommitted: (b: IngestBatch) => void calls.push(b), flush: () => void calls.push('flush') };
}

const ndjson = (rows: (object | string)[]) => Buffer.from(rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n');

test('records are fed in timestamp order across streams, grouped by stream, then flushed', () => {
  const engine = recordingEngine();
  const body = ndjson([
    { ts: '2024-05-01T12:00:03Z', labels: { app: 'a' }, line: 'a3' },
    { ts: '2024-05-01T12:00:00Z', labels: { app: 'b' }, line: 'b1' },
    { ts: '2024-05-01T12:00:02Z', labels: { app: 'a' }, line: 'a2', metadata: { user: 'alice' } },
    { ts: '2024-05-01T12:00:01Z', labels: { app: 'a' }, line: 'a1' },
  ]);
  const r = replayNdjson(engine, body, { name: 'events.ndjson', tenant: 't1' });
  assert.deepEqual(r, { records: 4, rejected: [] });
  assert.equal(engine.calls.length, 2);
  assert.equal(engine.calls[1], 'flush');
  const batch = engine.calls[0] as IngestBatch;
  assert.equal(batch.tenant, 't1');
  assert.equal(batch.entries, 4);
  assert.equal(batch.bytes, 8);
  // streams in order of their first record in time; within one, ascending time
  assert.deepEqual(batch.streams.map((s) => [s.labels, s.lines]), [
    [{ app: 'b' }, ['b1']],
    [{ app: 'a' }, ['a1', 'a2', 'a3']],
  ]);
  assert.deepEqual(batch.streams[1]!.metadata, [undefined, { user: 'alice' }, undefined]);
  assert.deepEqual(batch.streams[1]!.ts, [1714564801000000000n, 1714564802000000000n, 1714564803000000000n]);
});

test('bad lines are named file:line: why; the good ones are still fed', () => {
  const engine = recordingEngine();
  const body = ndjson([{ ts: '2024-05-01T12:00:00Z', labels: { app: 'a' }, line: 'ok' }, 'not json', { ts: '2024-05-01T12:00:01Z', labels: { app: 1 }, line: 'x' }, { ts: '2024-05-01T12:00:02Z', labels: { app: 'a' }, line: 'ok too' }]);
  const r = replayNdjson(engine, body, { name: 'in.ndjson', tenant: 'default' });
  assert.equal(r.records, 2);
  assert.deepEqual(r.rejected.map((e) => [e.line, e.reason]), [[2, 'invalid_json'], [3, 'invalid_labels']]);
  assert.match(r.rejected[0]!.message, /^in\.ndjson:2: malformed JSON: /);
  assert.equal(r.rejected[1]!.message, 'in.ndjson:3: "labels" must be an object of string values');
  assert.deepEqual((engine.calls[0] as IngestBatch).streams[0]!.lines, ['ok', 'ok too']);
});

test('records from years ago are replayed (no age limit); a range keeps fromNs <= ts < toNs', () => {
  const engine = recordingEngine();
  const body = ndjson([1, 2, 3, 4].map((s) => ({ ts: `2001-01-01T00:00:0${s}Z`, labels: { app: 'a' }, line: `l${s}` })));
  const fromNs = BigInt(Date.parse('2001-01-01T00:00:02Z')) * 1_000_000n;
  const r = replayNdjson(engine, body, { name: 'old', tenant: 'default', range: { fromNs, toNs: fromNs + 2_000_000_000n } });
  assert.deepEqual(r, { records: 2, rejected: [] });
  assert.deepEqual((engine.calls[0] as IngestBatch).streams[0]!.lines, ['l2', 'l3']);
});

test('large inputs are fed in batches of 5000 records, in order across batch boundaries', () => {
  const engine = recordingEngine();
  const base = Date.parse('2024-05-01T00:00:00Z');
  // written newest first: the replay must reverse them
  const rows = Array.from({ length: 12_001 }, (_, i) => ({ ts: (base + (12_000 - i) * 1000) / 1000, labels: { app: i % 2 ? 'odd' : 'even' }, line: String(12_000 - i) }));
  const r = replayNdjson(engine, ndjson(rows), { name: 'big', tenant: 'default' });
  assert.equal(r.records, 12_001);
  const batches = engine.calls.filter((c): c is IngestBatch => c !== 'flush');
  assert.deepEqual(batches.map((b) => b.entries), [5000, 5000, 2001]);
  assert.equal(engine.calls.at(-1), 'flush');
  const seen = batches.flatMap((b) => b.streams.flatMap((s) => s.lines.map(Number)));
  assert.deepEqual(seen.sort((a, b) => a - b), Array.from({ length: 12_001 }, (_, i) => i));
  // across boundaries: every record of batch k is older than every record of batch k+1
  for (let k = 1; k < batches.length; k++) {
    const maxPrev = batches[k - 1]!.streams.flatMap((s) => s.ts).reduce((a, b) => (a > b ? a : b));
    const minNext = batches[k]!.streams.flatMap((s) => s.ts).reduce((a, b) => (a < b ? a : b));
    assert.ok(maxPrev < minNext);
  }
});
