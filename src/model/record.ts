// The record model shared by every stage: a tenant's streams (label sets) and their entries.
// Batches are column-shaped per stream so hot paths loop over arrays instead of allocating one object per line.

/** Stream labels: low-cardinality identity (service, pod, level...). */
export type Labels = Record<string, string>;

/** Structured metadata of one entry: high-cardinality key → value (trace_id, user_id...). */
export type Metadata = Record<string, string>;

/** The entries of one stream inside a batch, in arrival order. */
export interface StreamEntries {
  labels: Labels;
  /** timestamps in integer nanoseconds since the Unix epoch */
  ts: bigint[];
  lines: string[];
  /** per entry, or undefined when the entry has none */
  metadata: (Metadata | undefined)[];
}

/** What an ingest adapter hands to the store: one tenant's entries, grouped by stream. */
export interface IngestBatch {
  tenant: string;
  streams: StreamEntries[];
  /** number of entries over all streams */
  entries: number;
  /** bytes of line text over all entries (UTF-16 length; close enough for accounting) */
  bytes: number;
}

export const DEFAULT_TENANT = 'default';

/** Canonical text of a label set, as Loki prints it: `{a="1", b="2"}` with sorted names. It is also the stream's identity. */
export function labelsToString(labels: Labels): string {
  const names = Object.keys(labels).sort();
  let out = '{';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) out += ', ';
    out += names[i] + '=' + JSON.stringify(labels[names[i]]);
  }
  return out + '}';
}

/** A copy of the labels with sorted keys, so equal label sets serialize equally. */
export function sortLabels(labels: Labels): Labels {
  const out: Labels = {};
  for (const name of Object.keys(labels).sort()) out[name] = labels[name];
  return out;
}
