// OTLP logs as protobuf (opentelemetry-proto `ExportLogsServiceRequest`, logs/v1/logs.proto), the body of OTLP/HTTP
// `POST /v1/logs` (Content-Type application/x-protobuf) and the message of OTLP/gRPC `LogsService/Export`.
// One ResourceLogs per pod (service.name, k8s.namespace.name, k8s.pod.name), one LogRecord per entry.

import protobuf from 'protobufjs';
import { OTEL_SEVERITY, single, type CorpusBatch, type EncodedBatch, type ProtocolDef } from './protocol.ts';
import type { PushStream } from '../../demo/estate.ts';

/** Streams of one batch grouped by pod: the unit an OTel SDK exports under one resource. */
export function streamsByPod(batch: CorpusBatch): Map<string, PushStream[]> {
  const byPod = new Map<string, PushStream[]>();
  for (const s of batch.streams) {
    const list = byPod.get(s.stream.pod);
    if (list === undefined) byPod.set(s.stream.pod, [s]);
    else list.push(s);
  }
  return byPod;
}

function stringAttribute(w: protobuf.Writer, field: number, key: string, value: string): void {
  w.uint32((field << 3) | 2).fork(); // KeyValue
  w.uint32((1 << 3) | 2).string(key);
  w.uint32((2 << 3) | 2).fork().uint32((1 << 3) | 2).string(value).ldelim(); // AnyValue.string_value
  w.ldelim();
}

/** fixed64 from a decimal string, exact past 2^53 (protobuf encoding: little-endian 8 bytes). */
function fixed64(w: protobuf.Writer, field: number, decimal: string): void {
  const n = BigInt(decimal);
  w.uint32((field << 3) | 1).fixed32(Number(n & 0xffffffffn)).fixed32(Number(n >> 32n));
}

export function encodeExportLogsRequest(batch: CorpusBatch): Uint8Array {
  const w = protobuf.Writer.create();
  for (const [pod, streams] of streamsByPod(batch)) {
    const labels = streams[0].stream;
    w.uint32((1 << 3) | 2).fork(); // ExportLogsServiceRequest.resource_logs
    w.uint32((1 << 3) | 2).fork(); // ResourceLogs.resource
    stringAttribute(w, 1, 'service.name', labels.service);
    stringAttribute(w, 1, 'k8s.namespace.name', labels.namespace);
    stringAttribute(w, 1, 'k8s.pod.name', pod);
    w.ldelim();
    w.uint32((2 << 3) | 2).fork(); // ResourceLogs.scope_logs
    w.uint32((1 << 3) | 2).fork().uint32((1 << 3) | 2).string('sightline-bench').ldelim(); // ScopeLogs.scope.name
    for (const s of streams) {
      const level = s.stream.level;
      const severity = OTEL_SEVERITY[level] ?? 0;
      for (const v of s.values) {
        w.uint32((2 << 3) | 2).fork(); // ScopeLogs.log_records
        fixed64(w, 1, v[0]); // time_unix_nano
        if (severity !== 0) w.uint32((2 << 3) | 0).int32(severity);
        w.uint32((3 << 3) | 2).string(level);
        w.uint32((5 << 3) | 2).fork().uint32((1 << 3) | 2).string(v[1]).ldelim(); // body.string_value
        const meta = v[2];
        if (meta !== undefined) {
          if (meta.user_id !== undefined) stringAttribute(w, 6, 'user_id', meta.user_id);
          if (meta.trace_id !== undefined) w.uint32((9 << 3) | 2).bytes(Buffer.from(meta.trace_id, 'hex'));
          if (meta.span_id !== undefined) w.uint32((10 << 3) | 2).bytes(Buffer.from(meta.span_id, 'hex'));
        }
        w.ldelim();
      }
    }
    w.ldelim(); // scope_logs
    w.ldelim(); // resource_logs
  }
  return w.finish();
}

export function encodeOtlpProtobuf(batch: CorpusBatch): EncodedBatch {
  return single(Buffer.from(encodeExportLogsRequest(batch)), batch.lines);
}

export const otlpHttpProtobuf: ProtocolDef = {
  name: 'otlp-http-protobuf',
  title: 'OTLP/HTTP, protobuf',
  encode: encodeOtlpProtobuf,
  // an empty ExportLogsServiceResponse means every record was stored; a partial_success is a failure here
  transport: { kind: 'http', path: '/v1/logs', headers: { 'Content-Type': 'application/x-protobuf' }, checkReply: (status, body) => (status !== 200 ? `answered ${status}` : body.length > 0 ? 'partial success (records rejected)' : undefined) },
};
