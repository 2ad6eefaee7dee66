// The label set a row carries into a pipeline: its stream's labels plus its structured metadata
// (stream labels win on a name clash, as they identify the stream).

import type { Labels } from '../model/record.ts';

/** With `metaKeysOut`, it is cleared and filled with the row's structured metadata names (to categorize labels later). */
export function rowLabels(streamLabels: Labels, metadataJson: string | null, metaKeysOut?: Set<string>): Map<string, string> {
  const m = new Map<string, string>();
  if (metaKeysOut !== undefined && metaKeysOut.size > 0) metaKeysOut.clear();
  if (metadataJson !== null) {
    const meta = JSON.parse(metadataJson) as Record<string, string>;
    for (const k in meta) {
      m.set(k, meta[k]);
      metaKeysOut?.add(k);
    }
  }
  for (const k in streamLabels) m.set(k, streamLabels[k]);
  return m;
}

export function mapToLabels(m: Map<string, string>): Labels {
  const out: Labels = {};
  for (const k of [...m.keys()].sort()) out[k] = m.get(k)!;
  return out;
}

/** Labels as a plain object merged with metadata, without building a Map (fast path with no stages). */
export function mergedLabels(streamLabels: Labels, metadataJson: string | null): Labels {
  if (metadataJson === null) return streamLabels;
  const meta = JSON.parse(metadataJson) as Record<string, string>;
  const out: Labels = {};
  for (const k of Object.keys({ ...meta, ...streamLabels }).sort()) out[k] = streamLabels[k] ?? meta[k];
  return out;
}
