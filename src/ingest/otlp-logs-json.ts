// OTLP/JSON logs (OTLP spec "JSON Protobuf Encoding"): ExportLogsServiceRequest in proto3 JSON with lowerCamelCase
// names (snake_case accepted too), trace/span ids as hex, int64 as strings or numbers, enums as numbers or names.
// Unknown fields are ignored as the spec requires; a value of the wrong type fails the request with its JSON path.

import type { IngestAdapter } from './adapter.ts';
import { mapOtlpLogs, newLogRecord, type OtlpAnyValue, type OtlpKeyValue, type OtlpLogRecord, type OtlpResourceLogs, type OtlpScopeLogs } from './otlp-logs.ts';

class JsonShapeError extends Error {
  constructor(readonly path: string, message: string) {
    super(message);
  }
}

type JsonObject = Record<string, unknown>;

export const parseOtlpLogsJson: IngestAdapter = (body, ctx) => {
  const empty = { tenant: ctx.tenant, streams: [], entries: 0, bytes: 0 };
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (e) {
    return { batch: empty, errors: [], fatal: `request body is not valid JSON: ${(e as Error).message}` };
  }
  try {
    return mapOtlpLogs(decodeRequest(doc), ctx);
  } catch (e) {
    if (!(e instanceof JsonShapeError)) throw e;
    return { batch: empty, errors: [], fatal: `invalid ExportLogsServiceRequest at ${e.path}: ${e.message}` };
  }
};

function decodeRequest(doc: unknown): OtlpResourceLogs[] {
  const root = asObject(doc, '$');
  return asArray(field(root, 'resourceLogs', 'resource_logs'), 'resourceLogs').map((rl, i) => {
    const path = `resourceLogs[${i}]`;
    const o = asObject(rl, path);
    const resource = field(o, 'resource', 'resource');
    const resourceAttributes = resource === undefined || resource === null ? [] : attributes(field(asObject(resource, `${path}.resource`), 'attributes', 'attributes'), `${path}.resource.attributes`);
    const scopeLogs = asArray(field(o, 'scopeLogs', 'scope_logs'), `${path}.scopeLogs`).map((sl, j) => decodeScopeLogs(sl, `${path}.scopeLogs[${j}]`));
    return { resourceAttributes, scopeLogs };
  });
}

function decodeScopeLogs(v: unknown, path: string): OtlpScopeLogs {
  const o = asObject(v, path);
  const scope = field(o, 'scope', 'scope');
  const out: OtlpScopeLogs = { scopeName: '', scopeVersion: '', scopeAttributes: [], logRecords: [] };
  if (scope !== undefined && scope !== null) {
    const s = asObject(scope, `${path}.scope`);
    out.scopeName = asString(field(s, 'name', 'name'), `${path}.scope.name`);
    out.scopeVersion = asString(field(s, 'version', 'version'), `${path}.scope.version`);
    out.scopeAttributes = attributes(field(s, 'attributes', 'attributes'), `${path}.scope.attributes`);
  }
  out.logRecords = asArray(field(o, 'logRecords', 'log_records'), `${path}.logRecords`).map((r, k) => decodeLogRecord(r, `${path}.logRecords[${k}]`));
  return out;
}

function decodeLogRecord(v: unknown, path: string): OtlpLogRecord {
  const o = asObject(v, path);
  const rec = newLogRecord();
  rec.timeUnixNano = asUint64(field(o, 'timeUnixNano', 'time_unix_nano'), `${path}.timeUnixNano`);
  rec.observedTimeUnixNano = asUint64(field(o, 'observedTimeUnixNano', 'observed_time_unix_nano'), `${path}.observedTimeUnixNano`);
  rec.severityNumber = severityNumber(field(o, 'severityNumber', 'severity_number'), `${path}.severityNumber`);
  rec.severityText = asString(field(o, 'severityText', 'severity_text'), `${path}.severityText`);
  const body = field(o, 'body', 'body');
  rec.body = body === undefined || body === null ? undefined : anyValue(body, `${path}.body`, 0);
  rec.attributes = attributes(field(o, 'attributes', 'attributes'), `${path}.attributes`);
  rec.traceId = hexId(field(o, 'traceId', 'trace_id'), 16, `${path}.traceId`);
  rec.spanId = hexId(field(o, 'spanId', 'span_id'), 8, `${path}.spanId`);
  const flags = field(o, 'flags', 'flags');
  if (flags !== undefined && flags !== null) {
    if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0 || flags > 0xffffffff) throw new JsonShapeError(`${path}.flags`, 'expected a fixed32 integer');
    rec.flags = flags;
  }
  rec.eventName = asString(field(o, 'eventName', 'event_name'), `${path}.eventName`);
  return rec;
}

function attributes(v: unknown, path: string): OtlpKeyValue[] {
  return asArray(v, path).map((kv, i) => keyValue(kv, `${path}[${i}]`, 0));
}

function keyValue(v: unknown, path: string, depth: number): OtlpKeyValue {
  const o = asObject(v, path);
  const key = asString(field(o, 'key', 'key'), `${path}.key`);
  const value = field(o, 'value', 'value');
  return { key, value: value === undefined || value === null ? undefined : anyValue(value, `${path}.value`, depth + 1) };
}

const MAX_DEPTH = 64;

/** AnyValue: exactly one of stringValue, boolValue, intValue, doubleValue, arrayValue, kvlistValue, bytesValue (or none). */
function anyValue(v: unknown, path: string, depth: number): OtlpAnyValue {
  if (depth > MAX_DEPTH) throw new JsonShapeError(path, `values nested more than ${MAX_DEPTH} deep`);
  const o = asObject(v, path);
  let x: unknown;
  if ((x = field(o, 'stringValue', 'string_value')) !== undefined) return asString(x, `${path}.stringValue`);
  if ((x = field(o, 'boolValue', 'bool_value')) !== undefined) {
    if (typeof x !== 'boolean') throw new JsonShapeError(`${path}.boolValue`, 'expected true or false');
    return x;
  }
  if ((x = field(o, 'intValue', 'int_value')) !== undefined) return asInt64(x, `${path}.intValue`);
  if ((x = field(o, 'doubleValue', 'double_value')) !== undefined) {
    // proto3 JSON writes non-finite doubles as the strings "NaN", "Infinity", "-Infinity"
    if (typeof x === 'number') return x;
    if (typeof x === 'string' && (x === 'NaN' || x === 'Infinity' || x === '-Infinity' || /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(x))) return Number(x);
    throw new JsonShapeError(`${path}.doubleValue`, 'expected a number');
  }
  if ((x = field(o, 'arrayValue', 'array_value')) !== undefined) {
    const a = asObject(x, `${path}.arrayValue`);
    return asArray(field(a, 'values', 'values'), `${path}.arrayValue.values`).map((e, i) => anyValue(e, `${path}.arrayValue.values[${i}]`, depth + 1));
  }
  if ((x = field(o, 'kvlistValue', 'kvlist_value')) !== undefined) {
    const k = asObject(x, `${path}.kvlistValue`);
    return { kvlist: asArray(field(k, 'values', 'values'), `${path}.kvlistValue.values`).map((e, i) => keyValue(e, `${path}.kvlistValue.values[${i}]`, depth + 1)) };
  }
  if ((x = field(o, 'bytesValue', 'bytes_value')) !== undefined) {
    if (typeof x !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(x)) throw new JsonShapeError(`${path}.bytesValue`, 'expected base64 text');
    return Buffer.from(x, 'base64');
  }
  return undefined;
}

/** proto3 JSON accepts the lowerCamelCase name and the original field name. */
function field(o: JsonObject, camel: string, snake: string): unknown {
  const v = o[camel];
  return v !== undefined || camel === snake ? v : o[snake];
}

function asObject(v: unknown, path: string): JsonObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new JsonShapeError(path, `expected an object, got ${kind(v)}`);
  return v as JsonObject;
}

/** A repeated field: absent or null is empty. */
function asArray(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new JsonShapeError(path, `expected an array, got ${kind(v)}`);
  return v;
}

function asString(v: unknown, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new JsonShapeError(path, `expected a string, got ${kind(v)}`);
  return v;
}

const INTEGER = /^-?\d{1,20}$/;

function asInt64(v: unknown, path: string): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'string' && INTEGER.test(v)) {
    const n = BigInt(v);
    if (n >= -(1n << 63n) && n < 1n << 63n) return n;
  }
  throw new JsonShapeError(path, `expected a 64-bit integer as a decimal string or number, got ${JSON.stringify(v)}`);
}

/** fixed64 times: a decimal string (what the SDKs write) or a number; absent is 0 (unset). */
function asUint64(v: unknown, path: string): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) {
    const n = BigInt(v);
    if (n < 1n << 64n) return n;
  }
  throw new JsonShapeError(path, `expected nanoseconds since the epoch as a decimal string or number, got ${JSON.stringify(v)}`);
}

const SEVERITY_NAMES = ['UNSPECIFIED', 'TRACE', 'TRACE2', 'TRACE3', 'TRACE4', 'DEBUG', 'DEBUG2', 'DEBUG3', 'DEBUG4', 'INFO', 'INFO2', 'INFO3', 'INFO4', 'WARN', 'WARN2', 'WARN3', 'WARN4', 'ERROR', 'ERROR2', 'ERROR3', 'ERROR4', 'FATAL', 'FATAL2', 'FATAL3', 'FATAL4'];

/** SeverityNumber: an integer (the spec's JSON form) or its enum name `SEVERITY_NUMBER_WARN`. */
function severityNumber(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 24) return v;
  if (typeof v === 'string' && v.startsWith('SEVERITY_NUMBER_')) {
    const i = SEVERITY_NAMES.indexOf(v.slice('SEVERITY_NUMBER_'.length));
    if (i >= 0) return i;
  }
  throw new JsonShapeError(path, `expected a SeverityNumber 0..24 or its name (SEVERITY_NUMBER_INFO), got ${JSON.stringify(v)}`);
}

/** trace_id / span_id: hex of `bytes` length (OTLP/JSON deviates from proto3's base64 here); empty = absent. */
function hexId(v: unknown, bytes: number, path: string): string {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v !== 'string' || v.length !== bytes * 2 || !/^[0-9a-fA-F]+$/.test(v)) {
    throw new JsonShapeError(path, `expected ${bytes * 2} hex digits, got ${JSON.stringify(v)}`);
  }
  return v.toLowerCase();
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`.slice(0, 60);
}
