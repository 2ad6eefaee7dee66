// The `data.stats` block of query and query_range replies: the same keys, nesting and JSON types as a Loki 3.x reply
// (the skeleton below is a Loki response observed in a public issue thread, values zeroed), with Sightline's own
// figures where it has them: lines and bytes read, post-filter lines, entries returned, parts referenced and read.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, nowNs, push, withServer } from './harness.ts';

const STORE = {
  totalChunksRef: 0, totalChunksDownloaded: 0, chunksDownloadTime: 0, queryReferencedStructuredMetadata: false, queryUsedV2Engine: false,
  chunk: { headChunkBytes: 0, headChunkLines: 0, decompressedBytes: 0, decompressedLines: 0, compressedBytes: 0, totalDuplicates: 0, postFilterLines: 0, headChunkStructuredMetadataBytes: 0, decompressedStructuredMetadataBytes: 0 },
  chunkRefsFetchTime: 0, congestionControlLatency: 0, pipelineWrapperFilteredLines: 0,
  dataobj: { prePredicateDecompressedRows: 0, prePredicateDecompressedBytes: 0, prePredicateDecompressedStructuredMetadataBytes: 0, postPredicateRows: 0, postPredicateDecompressedBytes: 0, postPredicateStructuredMetadataBytes: 0, postFilterRows: 0, pagesScanned: 0, pagesDownloaded: 0, pagesDownloadedBytes: 0, pageBatches: 0, totalRowsAvailable: 0, totalPageDownloadTime: 0 },
};
const CACHE = { entriesFound: 0, entriesRequested: 0, entriesStored: 0, bytesReceived: 0, bytesSent: 0, requests: 0, downloadTime: 0, queryLengthServed: 0 };
/** Loki 3.x's stats skeleton. */
const LOKI_STATS = {
  summary: { bytesProcessedPerSecond: 0, linesProcessedPerSecond: 0, totalBytesProcessed: 0, totalLinesProcessed: 0, execTime: 0, queueTime: 0, subqueries: 0, totalEntriesReturned: 0, splits: 0, shards: 0, totalPostFilterLines: 0, totalStructuredMetadataBytesProcessed: 0 },
  querier: { store: STORE },
  ingester: { totalReached: 0, totalChunksMatched: 0, totalBatches: 0, totalLinesSent: 0, store: STORE },
  cache: { chunk: CACHE, index: CACHE, result: CACHE, statsResult: CACHE, volumeResult: CACHE, seriesResult: CACHE, labelResult: CACHE, instantMetricResult: CACHE },
  index: { totalChunks: 0, postFilterChunks: 0, shardsDuration: 0, usedBloomFilters: false },
};

/** The value's shape: same keys in the same order, same JSON types, recursively. */
function shape(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
  return typeof v;
}

const LINES = ['status=200 path=/ok', 'status=500 path=/café', 'status=404 path=/missing'];
const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

test('stats: Loki 3.x keys and types on log, matrix, vector and scalar replies, with real figures', async () => {
  await withServer({}, async (s) => {
    const t = nowNs(-60_000);
    const res = await push(s.url, [{ stream: { app: 'st' }, values: LINES.map((l, i) => (i === 1 ? [String(t + BigInt(i)), l, { trace_id: 'abc' }] : [String(t + BigInt(i)), l])) }]);
    assert.equal(res.status, 204);
    const range = (q: string, extra: Record<string, string> = {}) =>
      getJson(s.url, `/loki/api/v1/query_range?${new URLSearchParams({ query: q, start: String(t - 10_000_000_000n), end: String(t + 10_000_000_000n), ...extra })}`);

    // a pipeline the store cannot run: every line is read, one passes
    const log = await range('{app="st"} | logfmt | status >= 500');
    assert.equal(log.status, 200);
    const st = log.body.data.stats;
    assert.deepEqual(shape(st), shape(LOKI_STATS));
    assert.equal(st.summary.totalLinesProcessed, 3);
    assert.equal(st.summary.totalBytesProcessed, LINES.reduce((n, l) => n + bytes(l), 0));
    assert.equal(st.summary.totalPostFilterLines, 1);
    assert.equal(st.summary.totalEntriesReturned, 1);
    assert.equal(st.summary.totalStructuredMetadataBytesProcessed, bytes('{"trace_id":"abc"}'));
    assert.ok(st.summary.execTime > 0 && st.summary.execTime < 10);
    assert.ok(st.summary.bytesProcessedPerSecond > 0 && st.summary.linesProcessedPerSecond > 0);
    assert.equal(st.querier.store.chunk.decompressedLines, 3);
    assert.equal(st.querier.store.chunk.postFilterLines, 1);
    assert.equal(st.querier.store.queryReferencedStructuredMetadata, true);
    assert.equal(st.ingester.totalReached, 0);

    // a filter the store runs: only matching lines reach the engine
    const pushed = await range('{app="st"} |= "café"');
    assert.equal(pushed.body.data.stats.summary.totalLinesProcessed, 1);
    assert.equal(pushed.body.data.stats.summary.totalBytesProcessed, bytes(LINES[1]));

    // matrix: entries are points
    const matrix = await range('count_over_time({app="st"}[1m])', { step: '5s' });
    assert.equal(matrix.body.data.resultType, 'matrix');
    assert.deepEqual(shape(matrix.body.data.stats), shape(LOKI_STATS));
    const points = matrix.body.data.result.reduce((n: number, r: any) => n + r.values.length, 0);
    assert.equal(matrix.body.data.stats.summary.totalEntriesReturned, points);

    // vector and scalar instant queries
    for (const q of ['sum(count_over_time({app="st"}[1h]))', 'vector(1)+vector(1)', '1+1']) {
      const inst = await getJson(s.url, `/loki/api/v1/query?${new URLSearchParams({ query: q, time: String(t + 1_000_000_000n) })}`);
      assert.equal(inst.status, 200, q);
      assert.deepEqual(shape(inst.body.data.stats), shape(LOKI_STATS), q);
      assert.equal(inst.body.data.stats.summary.totalEntriesReturned, 1, q);
    }
  });
});
