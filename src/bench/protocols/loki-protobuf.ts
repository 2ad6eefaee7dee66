// Loki push, protobuf + snappy (Loki HTTP API, "POST /loki/api/v1/push"; logproto `PushRequest`): the body is one raw
// snappy block (not the framing format) holding PushRequest{streams=1: StreamAdapter{labels=1 (label text),
// entries=2: EntryAdapter{timestamp=1 (google.protobuf.Timestamp), line=2, structuredMetadata=3: {name=1, value=2}}}}.

import protobuf from 'protobufjs';
import snappy from 'snappy';
import { single, type CorpusBatch, type EncodedBatch, type ProtocolDef } from './protocol.ts';

/** Label text as Loki writes it: `{name="value", …}` with `\` and `"` escaped (LogQL string literal rules). */
export function labelText(labels: Record<string, string>): string {
  const parts: string[] = [];
  for (const k of Object.keys(labels)) parts.push(`${k}=${JSON.stringify(labels[k])}`);
  return `{${parts.join(', ')}}`;
}

/** The uncompressed PushRequest message. */
export function encodePushRequest(batch: CorpusBatch): Uint8Array {
  const w = protobuf.Writer.create();
  for (const s of batch.streams) {
    w.uint32((1 << 3) | 2).fork(); // streams
    w.uint32((1 << 3) | 2).string(labelText(s.stream));
    for (const v of s.values) {
      const ns = v[0];
      w.uint32((2 << 3) | 2).fork(); // entries
      w.uint32((1 << 3) | 2).fork(); // timestamp
      w.uint32((1 << 3) | 0).int64(Number(ns.slice(0, -9))); // seconds
      const nanos = Number(ns.slice(-9));
      if (nanos !== 0) w.uint32((2 << 3) | 0).int32(nanos);
      w.ldelim();
      w.uint32((2 << 3) | 2).string(v[1]);
      const meta = v[2];
      if (meta !== undefined) {
        for (const k of Object.keys(meta)) {
          w.uint32((3 << 3) | 2).fork(); // structuredMetadata
          w.uint32((1 << 3) | 2).string(k);
          w.uint32((2 << 3) | 2).string(meta[k]);
          w.ldelim();
        }
      }
      w.ldelim();
    }
    w.ldelim();
  }
  return w.finish();
}

export function encodeLokiProtobuf(batch: CorpusBatch): EncodedBatch {
  return single(snappy.compressSync(Buffer.from(encodePushRequest(batch))), batch.lines);
}

export const lokiProtobuf: ProtocolDef = {
  name: 'loki-protobuf',
  title: 'Loki push, protobuf + snappy',
  encode: encodeLokiProtobuf,
  transport: { kind: 'http', path: '/loki/api/v1/push', headers: { 'Content-Type': 'application/x-protobuf' } },
};
