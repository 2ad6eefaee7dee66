// Splunk HEC events (Splunk docs, "Format events for HTTP Event Collector"): concatenated JSON objects
// {"time": epoch seconds with µs, "host", "source", "sourcetype", "index", "event": line, "fields": {…}} posted to
// /services/collector/event. host = pod, source = service, index = namespace; level and ids as indexed fields.

import { single, type CorpusBatch, type EncodedBatch, type ProtocolDef } from './protocol.ts';

export function encodeSplunkHecEvent(batch: CorpusBatch): EncodedBatch {
  const parts: string[] = [];
  for (const s of batch.streams) {
    const l = s.stream;
    const head = `,"host":${JSON.stringify(l.pod)},"source":${JSON.stringify(l.service)},"sourcetype":${JSON.stringify(`kube:container:${l.service}`)},"index":${JSON.stringify(l.namespace)},"event":`;
    const level = `{"level":${JSON.stringify(l.level)}`;
    for (const v of s.values) {
      const ns = v[0];
      let fields = level;
      const meta = v[2];
      if (meta !== undefined) for (const k of Object.keys(meta)) fields += `,${JSON.stringify(k)}:${JSON.stringify(meta[k])}`;
      parts.push(`{"time":${ns.slice(0, -9)}.${ns.slice(-9, -3)}${head}${JSON.stringify(v[1])},"fields":${fields}}}`);
    }
  }
  return single(Buffer.from(parts.join('\n')), batch.lines);
}

/** HEC answers {"text":"Success","code":0}; anything else names the refused event. */
export function checkHecReply(status: number, body: string): string | undefined {
  if (status !== 200 || !body.includes('"code":0')) return `answered ${status}: ${body.slice(0, 400)}`;
  return undefined;
}

export const splunkHecEvent: ProtocolDef = {
  name: 'splunk-hec-event',
  title: 'Splunk HEC, /event',
  encode: encodeSplunkHecEvent,
  transport: { kind: 'http', path: '/services/collector/event', headers: { 'Content-Type': 'application/json' }, checkReply: checkHecReply },
};
