// The agent's plain JSON form of an event, for the file, stdout and HTTP sinks and the disk buffer:
// {"ts": RFC 3339 with nanoseconds, "labels", "line", "fields", "error"?}.

import type { PipelineEvent } from '../pipeline/event.ts';
import { nsToRfc3339 } from './event-encoding.ts';

export function eventToJson(e: PipelineEvent): string {
  const o: Record<string, unknown> = { ts: nsToRfc3339(e.ts), labels: e.labels, line: e.line, fields: e.fields };
  if (e.error) o.error = e.error;
  return JSON.stringify(o);
}
