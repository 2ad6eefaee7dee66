// The record as the pipeline sees it: one mutable object per event, with parsed fields beside the line.
// Ingest batches (column-shaped, src/model/record.ts) are turned into events before the pipeline and back after;
// fields become structured metadata (as strings) when the event is stored or shipped.

import type { Labels } from '../model/record.ts';

export type FieldValue = string | number | boolean | null;

export interface PipelineEvent {
  tenant: string;
  /** nanoseconds since the Unix epoch */
  ts: bigint;
  /** the message; parsers read it, masking rewrites it */
  line: string;
  /** stream labels: low-cardinality identity (promote moves fields here under a cardinality guard) */
  labels: Labels;
  /** structured metadata and parsed fields, by name */
  fields: Record<string, FieldValue>;
  /** set by a processor that failed on this event (e.g. `JSONParserErr`), as LogQL's `__error__`; the event is kept */
  error?: string;
  errorDetails?: string;
  /** outputs chosen by route processors (`store`, `archive`, `alert`…); undefined means the default outputs */
  outputs?: string[];
}

/** The field an event's processing error is stored under, beside its details. */
export const ERROR_FIELD = 'pipeline_error';
export const ERROR_DETAILS_FIELD = 'pipeline_error_details';
