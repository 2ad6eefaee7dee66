// How `sightline pipeline test` shows events: a JSON object per event for scripts
// (`{"ts": RFC3339Nano, "labels", "line", "fields", "outputs", "error"?, "error_details"?}`) and a one-line text form
// for people (`time {labels} line`, then `fields: k=v …` and `outputs: …` when there are any).

import { labelsToString } from '../model/record.ts';
import type { PipelineEvent } from './event.ts';
import { effectiveOutputs } from './outputs.ts';
import { nsToRfc3339 } from './time-text.ts';

export function eventToJsonObject(e: PipelineEvent): Record<string, unknown> {
  const o: Record<string, unknown> = { ts: nsToRfc3339(e.ts), labels: e.labels, line: e.line, fields: e.fields, outputs: effectiveOutputs(e) };
  if (e.error) o.error = e.error;
  if (e.errorDetails) o.error_details = e.errorDetails;
  return o;
}

const BARE = /^[^\s"=]+$/;

/** `time {labels} line`, and indented `fields:`/`error:`/`outputs:` lines when there is something to say. */
export function eventToText(e: PipelineEvent, indent: string): string[] {
  const lines = [`${nsToRfc3339(e.ts)} ${labelsToString(e.labels)} ${e.line}`];
  const parts: string[] = [];
  for (const k of Object.keys(e.fields)) {
    const v = e.fields[k];
    if (v === null || v === undefined) continue;
    const text = typeof v === 'string' ? (BARE.test(v) ? v : JSON.stringify(v)) : String(v);
    parts.push(`${k}=${text}`);
  }
  if (parts.length > 0) lines.push(`${indent}fields: ${parts.join(' ')}`);
  if (e.error) lines.push(`${indent}error: ${e.error}${e.errorDetails ? ` (${e.errorDetails})` : ''}`);
  if (e.outputs !== undefined) lines.push(`${indent}outputs: ${e.outputs.length > 0 ? e.outputs.join(', ') : '(none)'}`);
  return lines;
}
