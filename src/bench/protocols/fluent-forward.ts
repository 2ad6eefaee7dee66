// Fluent Forward, PackedForward mode with acks (Forward Protocol Specification v1, "PackedForward Mode" and
// "Option"): per pod one message [tag, bin(concatenated msgpack [EventTime, record] entries), {"chunk": id,
// "size": n}], as Fluent Bit's forward output sends a container's tail with `Require_ack_response on`.
// Records carry `log`, `level`, the ids, and `kubernetes` names as Fluent Bit's kubernetes filter adds them.

import { randomBytes } from 'node:crypto';
import { encode, ExtData } from '@msgpack/msgpack';
import { streamsByPod } from './otlp-protobuf.ts';
import type { CorpusBatch, EncodedBatch, ProtocolDef } from './protocol.ts';

/** Forward spec "EventTime Ext Format": ext type 0, seconds and nanoseconds as big-endian uint32. */
export function eventTime(ns: string): ExtData {
  const b = new Uint8Array(8);
  const view = new DataView(b.buffer);
  view.setUint32(0, Number(ns.slice(0, -9)));
  view.setUint32(4, Number(ns.slice(-9)));
  return new ExtData(0, b);
}

export function encodeFluentForward(batch: CorpusBatch): EncodedBatch {
  const list: Buffer[] = [];
  const chunks: string[] = [];
  let bytes = 0;
  for (const [pod, streams] of streamsByPod(batch)) {
    const l = streams[0].stream;
    const kubernetes = { namespace_name: l.namespace, pod_name: pod, container_name: l.service };
    const entries: Uint8Array[] = [];
    let size = 0;
    let count = 0;
    for (const s of streams) {
      for (const v of s.values) {
        const record: Record<string, unknown> = { log: v[1], level: s.stream.level, kubernetes };
        const meta = v[2];
        if (meta !== undefined) for (const k of Object.keys(meta)) record[k] = meta[k];
        const e = encode([eventTime(v[0]), record]);
        entries.push(e);
        size += e.length;
        count++;
      }
    }
    const packed = Buffer.concat(entries, size);
    const chunk = randomBytes(16).toString('base64');
    const frame = Buffer.from(encode([`kube.${l.namespace}.${pod}`, packed, { chunk, size: count }]));
    list.push(frame);
    chunks.push(chunk);
    bytes += frame.length;
  }
  return { payload: list, entries: batch.lines, bytes, chunks };
}

export const fluentForward: ProtocolDef = {
  name: 'fluent-forward',
  title: 'Fluent Forward, PackedForward + acks',
  encode: encodeFluentForward,
  transport: { kind: 'forward' },
};
