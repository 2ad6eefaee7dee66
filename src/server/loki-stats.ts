// The `data.stats` block of Loki's query replies, key for key as Loki 3.x sends it (summary, querier.store, ingester,
// cache, index), filled with Sightline's real figures where it has an equivalent and zeros where it has none (it has no
// ingesters, caches, chunks downloads or query splitting). Durations in the nested blocks are integer nanoseconds and
// execTime/queueTime float seconds, as Loki encodes them.
import type { QueryStats } from '../query/query-stats.ts';

/** A store block as Loki nests it under querier and ingester. */
function storeBlock(s: { chunksRef: number; chunksDownloaded: number; referencedMetadata: boolean; bytes: number; lines: number; postFilterLines: number; metadataBytes: number }): Record<string, unknown> {
  return {
    totalChunksRef: s.chunksRef,
    totalChunksDownloaded: s.chunksDownloaded,
    chunksDownloadTime: 0,
    queryReferencedStructuredMetadata: s.referencedMetadata,
    queryUsedV2Engine: false,
    chunk: {
      headChunkBytes: 0,
      headChunkLines: 0,
      decompressedBytes: s.bytes,
      decompressedLines: s.lines,
      compressedBytes: 0,
      totalDuplicates: 0,
      postFilterLines: s.postFilterLines,
      headChunkStructuredMetadataBytes: 0,
      decompressedStructuredMetadataBytes: s.metadataBytes,
    },
    chunkRefsFetchTime: 0,
    congestionControlLatency: 0,
    pipelineWrapperFilteredLines: 0,
    dataobj: {
      prePredicateDecompressedRows: 0,
      prePredicateDecompressedBytes: 0,
      prePredicateDecompressedStructuredMetadataBytes: 0,
      postPredicateRows: 0,
      postPredicateDecompressedBytes: 0,
      postPredicateStructuredMetadataBytes: 0,
      postFilterRows: 0,
      pagesScanned: 0,
      pagesDownloaded: 0,
      pagesDownloadedBytes: 0,
      pageBatches: 0,
      totalRowsAvailable: 0,
      totalPageDownloadTime: 0,
    },
  };
}

function emptyCache(): Record<string, number> {
  return { entriesFound: 0, entriesRequested: 0, entriesStored: 0, bytesReceived: 0, bytesSent: 0, requests: 0, downloadTime: 0, queryLengthServed: 0 };
}

const CACHES = ['chunk', 'index', 'result', 'statsResult', 'volumeResult', 'seriesResult', 'labelResult', 'instantMetricResult'] as const;

/**
 * Sightline's figures in Loki's places: lines/bytes processed are the rows the store handed to the engine (or counted
 * for it) and their bytes; "chunks" are stored parts (referenced = parts of the tenant's view, downloaded = parts
 * read after the index pruned the rest). Everything Sightline does happens in the querier, so the ingester block is
 * zero.
 */
export function lokiStats(s: QueryStats): Record<string, unknown> {
  const execSeconds = s.execTimeMs / 1000;
  const perSecond = (n: number): number => (execSeconds > 0 ? Math.round(n / execSeconds) : 0);
  const caches: Record<string, unknown> = {};
  for (const name of CACHES) caches[name] = emptyCache();
  return {
    summary: {
      bytesProcessedPerSecond: perSecond(s.bytesProcessed),
      linesProcessedPerSecond: perSecond(s.rowsScanned),
      totalBytesProcessed: s.bytesProcessed,
      totalLinesProcessed: s.rowsScanned,
      execTime: execSeconds,
      queueTime: 0,
      subqueries: 0,
      totalEntriesReturned: s.entriesReturned,
      splits: 0,
      shards: 0,
      totalPostFilterLines: s.postFilterLines,
      totalStructuredMetadataBytesProcessed: s.structuredMetadataBytesProcessed,
    },
    querier: {
      store: storeBlock({
        chunksRef: s.partsTotal,
        chunksDownloaded: s.partsScanned,
        referencedMetadata: s.rowsWithStructuredMetadata > 0,
        bytes: s.bytesProcessed,
        lines: s.rowsScanned,
        postFilterLines: s.postFilterLines,
        metadataBytes: s.structuredMetadataBytesProcessed,
      }),
    },
    ingester: {
      totalReached: 0,
      totalChunksMatched: 0,
      totalBatches: 0,
      totalLinesSent: 0,
      store: storeBlock({ chunksRef: 0, chunksDownloaded: 0, referencedMetadata: false, bytes: 0, lines: 0, postFilterLines: 0, metadataBytes: 0 }),
    },
    cache: caches,
    index: {
      totalChunks: s.partsTotal,
      postFilterChunks: s.partsScanned,
      shardsDuration: 0,
      usedBloomFilters: false,
    },
  };
}
