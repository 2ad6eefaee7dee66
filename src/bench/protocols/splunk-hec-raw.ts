// Splunk HEC raw input (Splunk docs, "HTTP Event Collector REST API endpoints", services/collector/raw): the body is
// plain text, one event per line, with host/source/sourcetype/index from the query string. A corpus entry that spans
// several lines (stack traces) becomes one event per non-blank line, as raw line breaking does.

import { single, type CorpusBatch, type EncodedBatch, type ProtocolDef } from './protocol.ts';
import { checkHecReply } from './splunk-hec-event.ts';

/** Non-blank lines of `text` after splitting at LF (a trailing CR belongs to the line break). */
export function rawEventCount(text: string): number {
  let n = 0;
  for (const part of text.split('\n')) if (part.replace(/\r$/, '').trim() !== '') n++;
  return n;
}

export function encodeSplunkHecRaw(batch: CorpusBatch): EncodedBatch {
  const lines: string[] = [];
  let events = 0;
  for (const s of batch.streams) {
    for (const v of s.values) {
      lines.push(v[1]);
      events += v[1].includes('\n') ? rawEventCount(v[1]) : v[1].trim() === '' ? 0 : 1;
    }
  }
  lines.push('');
  return single(Buffer.from(lines.join('\n')), events);
}

export const splunkHecRaw: ProtocolDef = {
  name: 'splunk-hec-raw',
  title: 'Splunk HEC, /raw',
  encode: encodeSplunkHecRaw,
  transport: {
    kind: 'http',
    path: '/services/collector/raw?host=bench&source=corpus&sourcetype=raw&index=shop',
    headers: { 'Content-Type': 'text/plain' },
    checkReply: checkHecReply,
  },
};
