// Conversion between the ingest batch (column-shaped, per stream: src/model/record.ts) and pipeline events, both
// ways. Back from events: fields become structured metadata strings (numbers and booleans printed, null left out),
// a processing error becomes `pipeline_error`/`pipeline_error_details`, and an event whose labels changed joins
// the stream of its new labels (empty label values are dropped, as Loki treats `x=""` as no label).

import type { IngestBatch, Labels, Metadata, StreamEntries } from '../model/record.ts';
import { ERROR_DETAILS_FIELD, ERROR_FIELD, type FieldValue, type PipelineEvent } from './event.ts';
import { StreamKeys } from './stream-key.ts';

/** One event per entry. Each event gets its own labels object (processors may change them); metadata is taken over as fields. */
export function batchToEvents(batch: IngestBatch): PipelineEvent[] {
  const events: PipelineEvent[] = new Array(batch.entries);
  let n = 0;
  for (const s of batch.streams) {
    for (let i = 0; i < s.lines.length; i++) {
      const md = s.metadata[i];
      events[n++] = { tenant: batch.tenant, ts: s.ts[i], line: s.lines[i], labels: { ...s.labels }, fields: md === undefined ? {} : { ...md } };
    }
  }
  events.length = n;
  return events;
}

/** The structured metadata an event is stored with, or undefined when it has none. */
export function eventMetadata(e: PipelineEvent): Metadata | undefined {
  const fields = e.fields;
  // The usual case, every field set and none named `__proto__`: one native copy of the whole object (it keeps the
  // fields' layout, so no property is added one by one), then numbers and booleans printed in place.
  let copyable = true;
  let any = false;
  for (const k in fields) {
    any = true;
    const v = fields[k];
    if (v === null || v === undefined || k === '__proto__') {
      copyable = false;
      break;
    }
  }
  if (copyable && any) {
    const out = { ...fields } as Record<string, FieldValue>;
    for (const k in out) {
      const v = out[k]!;
      if (typeof v !== 'string') out[k] = String(v);
    }
    return withError(out as Metadata, e);
  }
  let out: Metadata | undefined;
  for (const k in fields) {
    const v = fields[k];
    if (v === null || v === undefined) continue;
    (out ??= {})[k] = typeof v === 'string' ? v : String(v);
  }
  return e.error ? withError(out ?? {}, e) : out;
}

/** A processing error becomes `pipeline_error`/`pipeline_error_details`. */
function withError(out: Metadata, e: PipelineEvent): Metadata {
  if (e.error) {
    out[ERROR_FIELD] = e.error;
    if (e.errorDetails) out[ERROR_DETAILS_FIELD] = e.errorDetails;
  }
  return out;
}

function storedLabels(labels: Labels): Labels {
  let out: Labels | undefined;
  for (const k in labels) {
    if (labels[k] === '' || labels[k] === undefined) {
      if (out === undefined) out = { ...labels };
      delete out[k];
    }
  }
  return out ?? { ...labels };
}

/** Events back to one batch per tenant, grouped by stream, in event order within each stream. */
export function eventsToBatches(events: PipelineEvent[]): IngestBatch[] {
  const byTenant = new Map<string, { batch: IngestBatch; streams: Map<string, StreamEntries> }>();
  const keys = new StreamKeys();
  let lastKey = '';
  let last: StreamEntries | undefined;
  let lastBatch: IngestBatch | undefined;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const key = keys.key(e);
    if (key !== lastKey || last === undefined) {
      let t = byTenant.get(e.tenant);
      if (t === undefined) byTenant.set(e.tenant, (t = { batch: { tenant: e.tenant, streams: [], entries: 0, bytes: 0 }, streams: new Map() }));
      let s = t.streams.get(key);
      if (s === undefined) {
        s = { labels: storedLabels(e.labels), ts: [], lines: [], metadata: [] };
        t.streams.set(key, s);
        t.batch.streams.push(s);
      }
      last = s;
      lastKey = key;
      lastBatch = t.batch;
    }
    last.ts.push(e.ts);
    last.lines.push(e.line);
    last.metadata.push(eventMetadata(e));
    lastBatch!.entries++;
    lastBatch!.bytes += e.line.length;
  }
  return [...byTenant.values()].map((t) => t.batch);
}
