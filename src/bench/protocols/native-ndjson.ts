// Sightline's native NDJSON (docs/http-api.md, "POST /api/v1/logs"): one object per line,
// {"ts": "<unix ns>", "labels": {…}, "line": "…", "metadata": {…}}.

import { single, type CorpusBatch, type EncodedBatch, type ProtocolDef } from './protocol.ts';

export function encodeNativeNdjson(batch: CorpusBatch): EncodedBatch {
  const parts: string[] = [];
  for (const s of batch.streams) {
    const labels = `,"labels":${JSON.stringify(s.stream)},"line":`;
    for (const v of s.values) {
      const meta = v[2];
      parts.push(`{"ts":"${v[0]}"${labels}${JSON.stringify(v[1])}${meta === undefined ? '' : `,"metadata":${JSON.stringify(meta)}`}}`);
    }
  }
  parts.push('');
  return single(Buffer.from(parts.join('\n')), batch.lines);
}

export const nativeNdjson: ProtocolDef = {
  name: 'native-ndjson',
  title: 'Sightline native NDJSON',
  encode: encodeNativeNdjson,
  transport: {
    kind: 'http',
    path: '/api/v1/logs',
    headers: { 'Content-Type': 'application/x-ndjson' },
    checkReply: (status, body) => (status !== 200 || !body.includes('"rejected":0') ? `answered ${status}: ${body.slice(0, 400)}` : undefined),
  },
};
