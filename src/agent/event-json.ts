// The agent's plain JSON form of an event, for the file, stdout and HTTP sinks:
// {"ts": RFC 3339 with nanoseconds, "labels", "line", "fields", "error"?}, written into an NDJSON body.

import type { PipelineEvent } from '../pipeline/event.ts';
import { nsToRfc3339 } from './event-encoding.ts';
import { estimateBody, JsonOfShared, NdjsonBody } from './ndjson-body.ts';

/** One NDJSON line per event (labels/fields JSON reused while they are the same shared object). */
export function eventsToNdjson(events: PipelineEvent[]): Buffer {
  const labels = new JsonOfShared();
  const fields = new JsonOfShared();
  const body = new NdjsonBody(estimateBody(events, 128));
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    let text = '{"ts":"' + nsToRfc3339(e.ts) + '","labels":' + labels.of(e.labels) + ',"line":' + JSON.stringify(e.line) + ',"fields":' + fields.of(e.fields);
    if (e.error) text += ',"error":' + JSON.stringify(e.error);
    body.add(text + '}\n');
  }
  return body.finish();
}
