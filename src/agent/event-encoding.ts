// How the agent writes an event's fields for destinations that take string metadata: strings as they are,
// numbers and booleans as text, nulls left out; a processing error under `pipeline_error`.

import { ERROR_DETAILS_FIELD, ERROR_FIELD, type PipelineEvent } from '../pipeline/event.ts';

export function fieldsToMetadata(e: PipelineEvent): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const k in e.fields) {
    const v = e.fields[k];
    if (v === null || v === undefined) continue;
    (out ??= {})[k] = typeof v === 'string' ? v : String(v);
  }
  if (e.error) {
    (out ??= {})[ERROR_FIELD] = e.error;
    if (e.errorDetails) out[ERROR_DETAILS_FIELD] = e.errorDetails;
  }
  return out;
}

/** RFC 3339 with nanoseconds, UTC. */
export function nsToRfc3339(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const frac = String(ns % 1_000_000_000n).padStart(9, '0');
  return new Date(ms).toISOString().slice(0, 19) + '.' + frac + 'Z';
}
