// OTLP logs as JSON (OTLP specification, "JSON Protobuf Encoding"): lowerCamelCase field names, 64-bit integers as
// decimal strings, trace and span ids as hex strings (not base64), enums as numbers. The body of OTLP/HTTP
// `POST /v1/logs` with Content-Type application/json; same grouping as the protobuf encoder.

import { OTEL_SEVERITY, single, type CorpusBatch, type EncodedBatch, type ProtocolDef } from './protocol.ts';
import { streamsByPod } from './otlp-protobuf.ts';

const attr = (key: string, value: string): string => `{"key":${JSON.stringify(key)},"value":{"stringValue":${JSON.stringify(value)}}}`;

export function encodeOtlpJson(batch: CorpusBatch): EncodedBatch {
  const resourceLogs: string[] = [];
  for (const [pod, streams] of streamsByPod(batch)) {
    const labels = streams[0].stream;
    const records: string[] = [];
    for (const s of streams) {
      const level = s.stream.level;
      const severity = OTEL_SEVERITY[level] ?? 0;
      for (const v of s.values) {
        let r = `{"timeUnixNano":"${v[0]}","severityNumber":${severity},"severityText":${JSON.stringify(level)},"body":{"stringValue":${JSON.stringify(v[1])}}`;
        const meta = v[2];
        if (meta !== undefined) {
          if (meta.user_id !== undefined) r += `,"attributes":[${attr('user_id', meta.user_id)}]`;
          if (meta.trace_id !== undefined) r += `,"traceId":"${meta.trace_id}"`;
          if (meta.span_id !== undefined) r += `,"spanId":"${meta.span_id}"`;
        }
        records.push(r + '}');
      }
    }
    const resource = `{"attributes":[${attr('service.name', labels.service)},${attr('k8s.namespace.name', labels.namespace)},${attr('k8s.pod.name', pod)}]}`;
    resourceLogs.push(`{"resource":${resource},"scopeLogs":[{"scope":{"name":"sightline-bench"},"logRecords":[${records.join(',')}]}]}`);
  }
  return single(Buffer.from(`{"resourceLogs":[${resourceLogs.join(',')}]}`), batch.lines);
}

/** OTLP/HTTP answers 200 with an ExportLogsServiceResponse; a partialSuccess naming rejected records is a failure here. */
export function checkOtlpReply(status: number, body: string): string | undefined {
  if (status !== 200) return `answered ${status}`;
  if (/rejectedLogRecords"?\s*:\s*"?[1-9]/.test(body)) return `partial success: ${body.slice(0, 400)}`;
  return undefined;
}

export const otlpHttpJson: ProtocolDef = {
  name: 'otlp-http-json',
  title: 'OTLP/HTTP, JSON',
  encode: encodeOtlpJson,
  transport: { kind: 'http', path: '/v1/logs', headers: { 'Content-Type': 'application/json' }, checkReply: checkOtlpReply },
};
