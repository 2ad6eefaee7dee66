// Offline replay of a file of records in the native NDJSON shape through a detection engine (`sightline detect`,
// `sightline siem hunt --input`): parsed without age or future limits, fed in timestamp order in stream-grouped
// batches, then flushed, so every alert has been raised on return. Rejected lines come back as "name:line: why".

import { DEFAULT_LIMITS, type IngestError } from '../ingest/limits.ts';
import { parseNativeNdjson } from '../ingest/native-ndjson.ts';
import type { IngestBatch, StreamEntries } from '../model/record.ts';
import type { DetectionEngine } from './detection-engine.ts';

export interface ReplayOptions {
  /** the input as named in messages: its path, or <stdin> */
  name: string;
  tenant: string;
  /** feed only records with fromNs <= ts < toNs */
  range?: { fromNs: bigint; toNs: bigint };
  nowMs?: number;
}

export interface ReplayRejection {
  line: number;
  reason: IngestError['reason'];
  /** "name:line: why" */
  message: string;
}

export interface ReplayResult {
  /** records fed to the engine (in range) */
  records: number;
  rejected: ReplayRejection[];
}

/** Records per onCommitted call: large enough to keep the engine's batch loops busy, small enough to bound the copy. */
const REPLAY_BATCH = 5000;

/** History is the point: no limit on a record's age or how far ahead it lies, nor on the file's size. */
const REPLAY_LIMITS = { ...DEFAULT_LIMITS, maxAgeMs: Number.MAX_SAFE_INTEGER, maxFutureMs: Number.MAX_SAFE_INTEGER, maxBodyBytes: Number.MAX_SAFE_INTEGER };

export function replayNdjson(engine: Pick<DetectionEngine, 'onCommitted' | 'flush'>, body: Buffer, opts: ReplayOptions): ReplayResult {
  const { batch, errors } = parseNativeNdjson(body, { tenant: opts.tenant, limits: REPLAY_LIMITS, nowMs: opts.nowMs ?? Date.now() });
  const rejected = errors.map((e) => ({ line: e.line ?? 0, reason: e.reason, message: `${opts.name}:${e.line ?? 0}: ${e.message.replace(/^line \d+: /, '')}` }));
  const records = feedInTimeOrder(engine, batch, opts.range);
  engine.flush();
  return { records, rejected };
}

/** The engine wants events in time order: every record (in range), sorted by timestamp, in batches grouped by stream. */
function feedInTimeOrder(engine: Pick<DetectionEngine, 'onCommitted'>, batch: IngestBatch, range: ReplayOptions['range']): number {
  const order: { ts: bigint; s: number; i: number }[] = [];
  for (let s = 0; s < batch.streams.length; s++) {
    const ts = batch.streams[s]!.ts;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      if (range === undefined || (t >= range.fromNs && t < range.toNs)) order.push({ ts: t, s, i });
    }
  }
  // Array.prototype.sort is stable: equal timestamps keep their order within a stream
  order.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  for (let k = 0; k < order.length; k += REPLAY_BATCH) {
    const byStream = new Map<number, StreamEntries>();
    const end = Math.min(order.length, k + REPLAY_BATCH);
    let bytes = 0;
    for (let j = k; j < end; j++) {
      const r = order[j]!;
      const src = batch.streams[r.s]!;
      let s = byStream.get(r.s);
      if (s === undefined) byStream.set(r.s, (s = { labels: src.labels, ts: [], lines: [], metadata: [] }));
      const line = src.lines[r.i]!;
      s.ts.push(r.ts);
      s.lines.push(line);
      s.metadata.push(src.metadata[r.i]);
      bytes += line.length;
    }
    engine.onCommitted({ tenant: batch.tenant, streams: [...byStream.values()], entries: end - k, bytes });
  }
  return order.length;
}
