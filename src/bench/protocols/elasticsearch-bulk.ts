// Elasticsearch `_bulk` (Elasticsearch REST API, "Bulk API"): NDJSON of action and source lines. Each entry becomes
// {"create":{"_index":<service>}} and {"@timestamp", "message", <labels and structured metadata as fields>}, as a
// Filebeat or Vector elasticsearch output would send it. Sightline maps `_index` to the label `index`.

import { nsToRfc3339, single, type CorpusBatch, type EncodedBatch, type ProtocolDef } from './protocol.ts';

export function encodeElasticsearchBulk(batch: CorpusBatch): EncodedBatch {
  const parts: string[] = [];
  for (const s of batch.streams) {
    const action = `{"create":{"_index":${JSON.stringify(s.stream.service)}}}`;
    // the stream's labels as document fields, written once per stream
    let fields = '';
    for (const k of Object.keys(s.stream)) if (k !== 'service') fields += `,${JSON.stringify(k)}:${JSON.stringify(s.stream[k])}`;
    for (const v of s.values) {
      let doc = `{"@timestamp":"${nsToRfc3339(v[0])}","message":${JSON.stringify(v[1])}${fields}`;
      const meta = v[2];
      if (meta !== undefined) for (const k of Object.keys(meta)) doc += `,${JSON.stringify(k)}:${JSON.stringify(meta[k])}`;
      parts.push(action, doc + '}');
    }
  }
  parts.push('');
  return single(Buffer.from(parts.join('\n')), batch.lines);
}

/** A 200 answer still lists per-item failures: `"errors":true` means some documents were refused. */
function checkBulkReply(status: number, body: string): string | undefined {
  if (status !== 200) return `answered ${status}`;
  const head = body.slice(0, 200);
  if (!/"errors"\s*:\s*false/.test(head)) return `some items failed: ${body.slice(0, 400)}`;
  return undefined;
}

export const elasticsearchBulk: ProtocolDef = {
  name: 'elasticsearch-bulk',
  title: 'Elasticsearch _bulk',
  encode: encodeElasticsearchBulk,
  transport: { kind: 'http', path: '/_bulk', headers: { 'Content-Type': 'application/x-ndjson' }, checkReply: checkBulkReply },
};
