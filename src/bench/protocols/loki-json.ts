// Loki push, JSON flavour (Loki HTTP API, "POST /loki/api/v1/push"): {"streams":[{"stream":{…},"values":[[ns, line,
// {structured metadata}?]]}]}. This is the corpus's own format, re-serialized so it is measured like the others.

import { single, type CorpusBatch, type EncodedBatch, type ProtocolDef } from './protocol.ts';

export function encodeLokiJson(batch: CorpusBatch): EncodedBatch {
  return single(Buffer.from(JSON.stringify({ streams: batch.streams })), batch.lines);
}

export const lokiJson: ProtocolDef = {
  name: 'loki-json',
  title: 'Loki push, JSON',
  encode: encodeLokiJson,
  transport: { kind: 'http', path: '/loki/api/v1/push', headers: { 'Content-Type': 'application/json' } },
};
