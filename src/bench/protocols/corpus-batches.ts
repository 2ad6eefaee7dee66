// The benchmark corpus read back as batches of streams: one batch per prebuilt Loki push body, so every protocol
// carries the same lines in the same groups (one request, gRPC call or acked chunk set per body).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CorpusManifest } from '../corpus.ts';
import type { PushStream } from '../../demo/estate.ts';
import type { CorpusBatch } from './protocol.ts';

/** Parses one push body into a batch, counting its lines and line bytes. */
export function batchFromPushBody(text: string): CorpusBatch {
  const doc = JSON.parse(text) as { streams: PushStream[] };
  let lines = 0;
  let rawBytes = 0;
  for (const s of doc.streams) {
    lines += s.values.length;
    for (const v of s.values) rawBytes += Buffer.byteLength(v[1]);
  }
  return { streams: doc.streams, lines, rawBytes };
}

/** Every body of the corpus in `dir`, in manifest order; checks each body's line count against the manifest. */
export function readCorpusBatches(dir: string, m: CorpusManifest): CorpusBatch[] {
  const out: CorpusBatch[] = [];
  for (const b of m.bodies) {
    const batch = batchFromPushBody(readFileSync(join(dir, b.file), 'utf8'));
    if (batch.lines !== b.lines) throw new Error(`${b.file}: ${batch.lines} lines, the manifest says ${b.lines}: the corpus cache is damaged; delete ${dir}`);
    out.push(batch);
  }
  return out;
}
