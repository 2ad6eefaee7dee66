// How the agent writes an event's fields for destinations that take string metadata: strings as they are,
// numbers and booleans as text, nulls left out; a processing error under `pipeline_error`. And timestamps as
// RFC 3339 text, the date part cached per second (events of a batch share their second).

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

/** True when the event's metadata is its fields as they are (all strings, no error), so their JSON can be reused. */
export function fieldsAreMetadata(e: PipelineEvent): boolean {
  if (e.error) return false;
  for (const k in e.fields) if (typeof e.fields[k] !== 'string') return false;
  return true;
}

let cachedSecond = '';
let cachedPrefix = '';

/** RFC 3339 with nanoseconds, UTC. Works on the decimal text (no BigInt arithmetic: fewer allocations per event). */
export function nsToRfc3339(ns: bigint): string {
  const text = ns.toString();
  if (ns < 1_000_000_000n) return slowRfc3339(ns); // before 1970-01-01T00:00:01Z: not worth a fast path
  const second = text.slice(0, text.length - 9);
  if (second !== cachedSecond) {
    cachedPrefix = new Date(Number(second) * 1000).toISOString().slice(0, 19) + '.';
    cachedSecond = second;
  }
  return cachedPrefix + text.slice(text.length - 9) + 'Z';
}

function slowRfc3339(ns: bigint): string {
  let second = ns / 1_000_000_000n;
  let frac = ns % 1_000_000_000n;
  if (frac < 0n) {
    frac += 1_000_000_000n;
    second -= 1n;
  }
  return new Date(Number(second) * 1000).toISOString().slice(0, 19) + '.' + String(frac).padStart(9, '0') + 'Z';
}
