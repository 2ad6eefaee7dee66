// The lossless JSON form of a pipeline event, for the agent's disk buffer: every field round-trips, the
// timestamp as a decimal string of nanoseconds.

import type { FieldValue, PipelineEvent } from '../pipeline/event.ts';

interface StoredEvent {
  ts: string;
  tenant: string;
  labels: Record<string, string>;
  line: string;
  fields: Record<string, FieldValue>;
  error?: string;
  errorDetails?: string;
  outputs?: string[];
}

export function encodeEvent(e: PipelineEvent): string {
  const o: StoredEvent = { ts: String(e.ts), tenant: e.tenant, labels: e.labels, line: e.line, fields: e.fields };
  if (e.error) o.error = e.error;
  if (e.errorDetails) o.errorDetails = e.errorDetails;
  if (e.outputs) o.outputs = e.outputs;
  return JSON.stringify(o);
}

/** Throws on text that is not an encoded event (the caller names the file). */
export function decodeEvent(text: string): PipelineEvent {
  const o = JSON.parse(text) as StoredEvent;
  if (typeof o.ts !== 'string' || typeof o.line !== 'string' || typeof o.labels !== 'object') throw new Error('not an encoded event');
  const e: PipelineEvent = { ts: BigInt(o.ts), tenant: o.tenant ?? '', labels: o.labels, line: o.line, fields: o.fields ?? {} };
  if (o.error) e.error = o.error;
  if (o.errorDetails) e.errorDetails = o.errorDetails;
  if (o.outputs) e.outputs = o.outputs;
  return e;
}
