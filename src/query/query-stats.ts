// What a query cost, as the engine measures it: the store's own figures (parts, rows) plus what the engine read
// (line and structured-metadata bytes), kept and returned. The Loki API renders it as Loki's `stats` block.
import type { RowChunk, ScanStats } from '../store/plan.ts';

export interface QueryStats extends ScanStats {
  /** UTF-8 bytes of the lines the engine read from the store (and, for bytes_over_time pushed down, the store summed) */
  bytesProcessed: number;
  /** bytes of the structured metadata of those lines, as stored (its JSON text) */
  structuredMetadataBytesProcessed: number;
  /** rows read that carried structured metadata */
  rowsWithStructuredMetadata: number;
  /** lines that passed every filter of the pipeline */
  postFilterLines: number;
  /** log entries in the reply (log queries), or samples and points (metric queries) */
  entriesReturned: number;
  /** UTF-16 length of the returned lines */
  bytesReturned: number;
  execTimeMs: number;
}

export function newQueryStats(): QueryStats {
  return {
    partsTotal: 0,
    partsScanned: 0,
    streamsMatched: 0,
    rowsScanned: 0,
    bytesProcessed: 0,
    structuredMetadataBytesProcessed: 0,
    rowsWithStructuredMetadata: 0,
    postFilterLines: 0,
    entriesReturned: 0,
    bytesReturned: 0,
    execTimeMs: 0,
  };
}

/** Adds a chunk's line and metadata bytes, once per chunk (the store already counted its rows). */
export function tallyChunk(stats: QueryStats, chunk: RowChunk): void {
  const lines = chunk.line;
  const meta = chunk.metadata;
  let bytes = 0;
  let metaBytes = 0;
  let withMeta = 0;
  for (let i = 0; i < lines.length; i++) {
    bytes += Buffer.byteLength(lines[i]!, 'utf8');
    const m = meta[i];
    if (m !== null && m !== undefined && m.length > 2) {
      metaBytes += Buffer.byteLength(m, 'utf8');
      withMeta++;
    }
  }
  stats.bytesProcessed += bytes;
  stats.structuredMetadataBytesProcessed += metaBytes;
  stats.rowsWithStructuredMetadata += withMeta;
}
