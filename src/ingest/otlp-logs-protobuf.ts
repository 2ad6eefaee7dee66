// OTLP/HTTP protobuf logs (opentelemetry-proto collector/logs/v1 ExportLogsServiceRequest, logs/v1, common/v1)
// decoded with the hand-written wire reader, plus the two replies OTLP sends in protobuf: ExportLogsServiceResponse
// (with partial_success) and google.rpc.Status.

import type { IngestAdapter } from './adapter.ts';
import { mapOtlpLogs, newLogRecord, type OtlpAnyValue, type OtlpKeyValue, type OtlpLogRecord, type OtlpResourceLogs, type OtlpScopeLogs } from './otlp-logs.ts';
import {
  expectWireType, readBytesRange, readInt64, readLengthEnd, readTag, readVarint, skipField,
  WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT, WireError, type WireCursor,
} from './protobuf-wire.ts';

const MAX_DEPTH = 64;

export const parseOtlpLogsProtobuf: IngestAdapter = (body, ctx) => {
  const c: WireCursor = { buf: body, pos: 0 };
  const out: OtlpResourceLogs[] = [];
  try {
    while (c.pos < body.length) {
      const at = c.pos;
      const tag = readTag(c, body.length);
      if (tag >>> 3 !== 1) {
        skipField(c, body.length, tag & 7, at);
        continue;
      }
      expectWireType(tag & 7, WIRE_LEN, 'ExportLogsServiceRequest.resource_logs (1)', at);
      out.push(resourceLogs(c, readLengthEnd(c, body.length)));
    }
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    return { batch: { tenant: ctx.tenant, streams: [], entries: 0, bytes: 0 }, errors: [], fatal: `malformed protobuf ExportLogsServiceRequest at byte ${e.offset}: ${e.message}` };
  }
  return mapOtlpLogs(out, ctx);
};

/** Calls `each(field, wireType, tagAt)` for every field of the message ending at `end`; the callback consumes the payload. */
function fields(c: WireCursor, end: number, each: (field: number, wire: number, at: number) => void): void {
  while (c.pos < end) {
    const at = c.pos;
    const tag = readTag(c, end);
    each(tag >>> 3, tag & 7, at);
  }
}

function text(c: WireCursor, end: number, wire: number, name: string, at: number): string {
  expectWireType(wire, WIRE_LEN, name, at);
  const r = readBytesRange(c, end);
  return c.buf.toString('utf8', r.start, r.end);
}

function fixed64(c: WireCursor, end: number, wire: number, name: string, at: number): bigint {
  expectWireType(wire, WIRE_I64, name, at);
  if (end - c.pos < 8) throw new WireError(c.pos, `truncated ${name}`);
  const v = c.buf.readBigUInt64LE(c.pos);
  c.pos += 8;
  return v;
}

function resourceLogs(c: WireCursor, end: number): OtlpResourceLogs {
  const out: OtlpResourceLogs = { resourceAttributes: [], scopeLogs: [] };
  fields(c, end, (f, wire, at) => {
    if (f === 1) {
      expectWireType(wire, WIRE_LEN, 'ResourceLogs.resource (1)', at);
      const rEnd = readLengthEnd(c, end);
      fields(c, rEnd, (rf, rw, rat) => {
        if (rf === 1) out.resourceAttributes.push(keyValue(c, rEnd, rw, rat, 0));
        else skipField(c, rEnd, rw, rat);
      });
    } else if (f === 2) {
      expectWireType(wire, WIRE_LEN, 'ResourceLogs.scope_logs (2)', at);
      out.scopeLogs.push(scopeLogs(c, readLengthEnd(c, end)));
    } else skipField(c, end, wire, at);
  });
  return out;
}

function scopeLogs(c: WireCursor, end: number): OtlpScopeLogs {
  const out: OtlpScopeLogs = { scopeName: '', scopeVersion: '', scopeAttributes: [], logRecords: [] };
  fields(c, end, (f, wire, at) => {
    if (f === 1) {
      expectWireType(wire, WIRE_LEN, 'ScopeLogs.scope (1)', at);
      const sEnd = readLengthEnd(c, end);
      fields(c, sEnd, (sf, sw, sat) => {
        if (sf === 1) out.scopeName = text(c, sEnd, sw, 'InstrumentationScope.name (1)', sat);
        else if (sf === 2) out.scopeVersion = text(c, sEnd, sw, 'InstrumentationScope.version (2)', sat);
        else if (sf === 3) out.scopeAttributes.push(keyValue(c, sEnd, sw, sat, 0));
        else skipField(c, sEnd, sw, sat);
      });
    } else if (f === 2) {
      expectWireType(wire, WIRE_LEN, 'ScopeLogs.log_records (2)', at);
      out.logRecords.push(logRecord(c, readLengthEnd(c, end)));
    } else skipField(c, end, wire, at);
  });
  return out;
}

function logRecord(c: WireCursor, end: number): OtlpLogRecord {
  const rec = newLogRecord();
  fields(c, end, (f, wire, at) => {
    switch (f) {
      case 1: rec.timeUnixNano = fixed64(c, end, wire, 'LogRecord.time_unix_nano (1)', at); break;
      case 11: rec.observedTimeUnixNano = fixed64(c, end, wire, 'LogRecord.observed_time_unix_nano (11)', at); break;
      case 2:
        expectWireType(wire, WIRE_VARINT, 'LogRecord.severity_number (2)', at);
        rec.severityNumber = readVarint(c, end);
        break;
      case 3: rec.severityText = text(c, end, wire, 'LogRecord.severity_text (3)', at); break;
      case 5: {
        expectWireType(wire, WIRE_LEN, 'LogRecord.body (5)', at);
        rec.body = anyValue(c, readLengthEnd(c, end), 0);
        break;
      }
      case 6: rec.attributes.push(keyValue(c, end, wire, at, 0)); break;
      case 8:
        expectWireType(wire, WIRE_I32, 'LogRecord.flags (8)', at);
        if (end - c.pos < 4) throw new WireError(c.pos, 'truncated LogRecord.flags (8)');
        rec.flags = c.buf.readUInt32LE(c.pos);
        c.pos += 4;
        break;
      case 9: rec.traceId = id(c, end, wire, 16, 'LogRecord.trace_id (9)', at); break;
      case 10: rec.spanId = id(c, end, wire, 8, 'LogRecord.span_id (10)', at); break;
      case 12: rec.eventName = text(c, end, wire, 'LogRecord.event_name (12)', at); break;
      default: skipField(c, end, wire, at);
    }
  });
  return rec;
}

/** trace_id (16 bytes) / span_id (8 bytes) as lowercase hex; empty = absent. */
function id(c: WireCursor, end: number, wire: number, bytes: number, name: string, at: number): string {
  expectWireType(wire, WIRE_LEN, name, at);
  const r = readBytesRange(c, end);
  const len = r.end - r.start;
  if (len === 0) return '';
  if (len !== bytes) throw new WireError(at, `${name} is ${len} bytes, expected ${bytes}`);
  return c.buf.toString('hex', r.start, r.end);
}

/** A KeyValue field (wire type checked here) of the message ending at `end`. */
function keyValue(c: WireCursor, end: number, wire: number, at: number, depth: number): OtlpKeyValue {
  expectWireType(wire, WIRE_LEN, 'KeyValue', at);
  const kvEnd = readLengthEnd(c, end);
  const kv: OtlpKeyValue = { key: '', value: undefined };
  fields(c, kvEnd, (f, w, a) => {
    if (f === 1) kv.key = text(c, kvEnd, w, 'KeyValue.key (1)', a);
    else if (f === 2) {
      expectWireType(w, WIRE_LEN, 'KeyValue.value (2)', a);
      kv.value = anyValue(c, readLengthEnd(c, kvEnd), depth + 1);
    } else skipField(c, kvEnd, w, a);
  });
  return kv;
}

/** AnyValue (common.proto): the oneof's last field present wins, as protobuf's merge rules say. */
function anyValue(c: WireCursor, end: number, depth: number): OtlpAnyValue {
  if (depth > MAX_DEPTH) throw new WireError(c.pos, `AnyValue nested more than ${MAX_DEPTH} deep`);
  let v: OtlpAnyValue = undefined;
  fields(c, end, (f, wire, at) => {
    switch (f) {
      case 1: v = text(c, end, wire, 'AnyValue.string_value (1)', at); break;
      case 2:
        expectWireType(wire, WIRE_VARINT, 'AnyValue.bool_value (2)', at);
        v = readVarint(c, end) !== 0;
        break;
      case 3:
        expectWireType(wire, WIRE_VARINT, 'AnyValue.int_value (3)', at);
        v = readInt64(c, end);
        break;
      case 4:
        expectWireType(wire, WIRE_I64, 'AnyValue.double_value (4)', at);
        if (end - c.pos < 8) throw new WireError(c.pos, 'truncated AnyValue.double_value (4)');
        v = c.buf.readDoubleLE(c.pos);
        c.pos += 8;
        break;
      case 5: {
        expectWireType(wire, WIRE_LEN, 'AnyValue.array_value (5)', at);
        const aEnd = readLengthEnd(c, end);
        const values: OtlpAnyValue[] = [];
        fields(c, aEnd, (af, aw, aat) => {
          if (af === 1) {
            expectWireType(aw, WIRE_LEN, 'ArrayValue.values (1)', aat);
            values.push(anyValue(c, readLengthEnd(c, aEnd), depth + 1));
          } else skipField(c, aEnd, aw, aat);
        });
        v = values;
        break;
      }
      case 6: {
        expectWireType(wire, WIRE_LEN, 'AnyValue.kvlist_value (6)', at);
        const kEnd = readLengthEnd(c, end);
        const kvlist: OtlpKeyValue[] = [];
        fields(c, kEnd, (kf, kw, kat) => {
          if (kf === 1) kvlist.push(keyValue(c, kEnd, kw, kat, depth + 1));
          else skipField(c, kEnd, kw, kat);
        });
        v = { kvlist };
        break;
      }
      case 7: {
        expectWireType(wire, WIRE_LEN, 'AnyValue.bytes_value (7)', at);
        const r = readBytesRange(c, end);
        v = Buffer.from(c.buf.subarray(r.start, r.end));
        break;
      }
      default: skipField(c, end, wire, at);
    }
  });
  return v;
}

// ---- replies -------------------------------------------------------------------------------------------------

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

function lenField(field: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(field << 3) | WIRE_LEN, ...varint(payload.length)]), payload]);
}

/** ExportLogsServiceResponse{partial_success=1 ExportLogsPartialSuccess{rejected_log_records=1, error_message=2}}; empty when nothing was rejected. */
export function encodeExportLogsResponse(rejected: number, errorMessage: string): Buffer {
  if (rejected === 0) return Buffer.alloc(0);
  const partial = Buffer.concat([Buffer.from([(1 << 3) | WIRE_VARINT, ...varint(rejected)]), lenField(2, Buffer.from(errorMessage, 'utf8'))]);
  return lenField(1, partial);
}

/** google.rpc.Status{code=1 int32, message=2}: the body of an OTLP/HTTP error reply in protobuf. */
export function encodeRpcStatus(code: number, message: string): Buffer {
  return Buffer.concat([Buffer.from([(1 << 3) | WIRE_VARINT, ...varint(code)]), lenField(2, Buffer.from(message, 'utf8'))]);
}
