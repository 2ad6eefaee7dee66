// OTLP logs (opentelemetry-proto logs/v1, Logs Data Model) mapped onto Sightline's model: a few identifying resource
// attributes → labels (Loki's defaults, `service.name` → `service_name`), the rest of resource, scope, attributes,
// trace context and severity → structured metadata, body → line. The two wire encodings decode into the types below.

import type { Labels, Metadata, StreamEntries } from '../model/record.ts';
import { labelsToString } from '../model/record.ts';
import type { AdapterContext, AdapterResult } from './adapter.ts';
import { checkEntry, checkLabels, timestampWindow } from './limits.ts';

/**
 * An OTLP AnyValue: string, bool, int (bigint), double (number), bytes (Buffer), array, kvlist, or undefined for
 * an empty AnyValue (common.proto).
 */
export type OtlpAnyValue = string | boolean | bigint | number | Buffer | OtlpAnyValue[] | OtlpKvList | undefined;

export interface OtlpKvList {
  kvlist: OtlpKeyValue[];
}

export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

export interface OtlpLogRecord {
  /** 0 = unset (proto3 default) */
  timeUnixNano: bigint;
  observedTimeUnixNano: bigint;
  /** SeverityNumber, 0 = unspecified */
  severityNumber: number;
  severityText: string;
  body: OtlpAnyValue;
  attributes: OtlpKeyValue[];
  /** lowercase hex, '' when absent */
  traceId: string;
  spanId: string;
  flags: number;
  eventName: string;
}

export interface OtlpScopeLogs {
  scopeName: string;
  scopeVersion: string;
  scopeAttributes: OtlpKeyValue[];
  logRecords: OtlpLogRecord[];
}

export interface OtlpResourceLogs {
  resourceAttributes: OtlpKeyValue[];
  scopeLogs: OtlpScopeLogs[];
}

export function newLogRecord(): OtlpLogRecord {
  return { timeUnixNano: 0n, observedTimeUnixNano: 0n, severityNumber: 0, severityText: '', body: undefined, attributes: [], traceId: '', spanId: '', flags: 0, eventName: '' };
}

/**
 * Resource attributes promoted to labels (Loki's default `otlp_config` list plus `host.name`); every other
 * resource attribute is structured metadata. A stream always has `service_name` (`unknown_service` when absent).
 */
export const OTLP_LABEL_ATTRIBUTES: readonly string[] = [
  'service.name', 'service.namespace', 'deployment.environment', 'deployment.environment.name',
  'cloud.region', 'cloud.availability_zone', 'k8s.cluster.name', 'k8s.namespace.name', 'k8s.pod.name',
  'k8s.container.name', 'container.name', 'k8s.replicaset.name', 'k8s.deployment.name', 'k8s.statefulset.name',
  'k8s.daemonset.name', 'k8s.cronjob.name', 'k8s.job.name', 'host.name',
];
const LABEL_ATTRIBUTES = new Set(OTLP_LABEL_ATTRIBUTES);
const UNKNOWN_SERVICE = 'unknown_service';
/** nested kvlist attributes deeper than this are kept as one JSON text value */
const MAX_FLATTEN_DEPTH = 8;

/** Logs Data Model "Displaying Severity": SeverityNumber ranges of 4 → short names. */
const LEVEL_BY_RANGE = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/**
 * The `level` structured-metadata value: from SeverityNumber (1–4 trace … 21–24 fatal) when set, else the
 * severity text lowercased, else none.
 */
export function otlpLevel(severityNumber: number, severityText: string): string | undefined {
  if (severityNumber >= 1 && severityNumber <= 24) return LEVEL_BY_RANGE[(severityNumber - 1) >> 2];
  return severityText === '' ? undefined : severityText.toLowerCase();
}

/** Maps decoded resource logs to one tenant's batch; each refused record is an error (for `partial_success`). */
export function mapOtlpLogs(resourceLogs: OtlpResourceLogs[], ctx: AdapterContext): AdapterResult {
  const result: AdapterResult = { batch: { tenant: ctx.tenant, streams: [], entries: 0, bytes: 0 }, errors: [] };
  const window = timestampWindow(ctx.limits, ctx.nowMs);
  const arrivalNs = BigInt(ctx.nowMs) * 1_000_000n;
  const streams = new Map<string, StreamEntries>();
  let recordIndex = -1;
  for (let r = 0; r < resourceLogs.length; r++) {
    const rl = resourceLogs[r];
    const labels: Labels = { service_name: UNKNOWN_SERVICE };
    const resourceMeta: Metadata = {};
    for (const kv of rl.resourceAttributes) {
      if (LABEL_ATTRIBUTES.has(kv.key)) labels[sanitizeAttributeName(kv.key)] = valueText(kv.value);
      else putAttribute(resourceMeta, sanitizeAttributeName(kv.key), kv.value, 0);
    }
    if (ctx.extraLabels) Object.assign(labels, ctx.extraLabels);
    const key = labelsToString(labels);
    const labelError = checkLabels(labels, ctx.limits);
    for (const sl of rl.scopeLogs) {
      const scopeMeta: Metadata = Object.assign({}, resourceMeta);
      if (sl.scopeName !== '') scopeMeta.scope_name = sl.scopeName;
      if (sl.scopeVersion !== '') scopeMeta.scope_version = sl.scopeVersion;
      for (const kv of sl.scopeAttributes) putAttribute(scopeMeta, sanitizeAttributeName(kv.key), kv.value, 0);
      for (const rec of sl.logRecords) {
        recordIndex++;
        if (labelError) {
          result.errors.push({ stream: key, entry: recordIndex, reason: 'invalid_labels', message: `resourceLogs[${r}]: ${labelError}` });
          continue;
        }
        const ts = rec.timeUnixNano !== 0n ? rec.timeUnixNano : rec.observedTimeUnixNano !== 0n ? rec.observedTimeUnixNano : arrivalNs;
        const line = bodyLine(rec.body);
        const problem = checkEntry(labels, recordIndex, ts, line, ctx.limits, window, false);
        if (problem) {
          result.errors.push(problem);
          continue;
        }
        const metadata: Metadata = Object.assign({}, scopeMeta);
        for (const kv of rec.attributes) putAttribute(metadata, sanitizeAttributeName(kv.key), kv.value, 0);
        // all-zero ids are the spec's "invalid" (absent) ids
        if (rec.traceId !== '' && !ALL_ZERO.test(rec.traceId)) metadata.trace_id = rec.traceId;
        if (rec.spanId !== '' && !ALL_ZERO.test(rec.spanId)) metadata.span_id = rec.spanId;
        if (rec.flags !== 0) metadata.flags = String(rec.flags);
        if (rec.severityText !== '') metadata.severity_text = rec.severityText;
        if (rec.severityNumber !== 0) metadata.severity_number = String(rec.severityNumber);
        const level = otlpLevel(rec.severityNumber, rec.severityText);
        if (level !== undefined) metadata.level = level;
        if (rec.eventName !== '') metadata.event_name = rec.eventName;
        let stream = streams.get(key);
        if (!stream) {
          stream = { labels, ts: [], lines: [], metadata: [] };
          streams.set(key, stream);
          result.batch.streams.push(stream);
        }
        stream.ts.push(ts);
        stream.lines.push(line);
        stream.metadata.push(hasKeys(metadata) ? metadata : undefined);
        result.batch.entries++;
        result.batch.bytes += line.length;
      }
    }
  }
  return result;
}

function hasKeys(o: Metadata): boolean {
  for (const _k in o) return true;
  return false;
}

/** The line: a string body as is, a structured one as JSON, a scalar as its text, no body as ''. */
export function bodyLine(body: OtlpAnyValue): string {
  if (typeof body === 'string') return body;
  if (body === undefined) return '';
  if (Array.isArray(body) || isKvList(body)) return JSON.stringify(toJsonValue(body, 0));
  return valueText(body);
}

function isKvList(v: OtlpAnyValue): v is OtlpKvList {
  return typeof v === 'object' && !Buffer.isBuffer(v) && !Array.isArray(v);
}

/** A scalar as text (bytes base64, as OTLP/JSON writes them); arrays and kvlists as JSON. */
function valueText(v: OtlpAnyValue): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  if (typeof v === 'boolean' || typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (Buffer.isBuffer(v)) return v.toString('base64');
  return JSON.stringify(toJsonValue(v, 0));
}

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** An AnyValue as plain JSON: kvlist → object, ints exact (as numbers while safe, else as decimal text). */
function toJsonValue(v: OtlpAnyValue, depth: number): JsonValue {
  if (v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (Buffer.isBuffer(v)) return v.toString('base64');
  // the decoders bound nesting by the message size; this bounds the recursion of hostile inputs as well
  if (depth > 64) return '…';
  if (Array.isArray(v)) return v.map((x) => toJsonValue(x, depth + 1));
  const out: { [key: string]: JsonValue } = {};
  for (const kv of v.kvlist) out[kv.key] = toJsonValue(kv.value, depth + 1);
  return out;
}

/** An attribute into metadata: kvlists flattened with `_` (as Loki does), arrays as JSON text, empty values skipped. */
function putAttribute(out: Metadata, name: string, v: OtlpAnyValue, depth: number): void {
  if (v === undefined) return;
  if (isKvList(v) && depth < MAX_FLATTEN_DEPTH) {
    for (const kv of v.kvlist) putAttribute(out, name + '_' + sanitizeAttributeName(kv.key), kv.value, depth + 1);
    return;
  }
  out[name] = valueText(v);
}

const ALL_ZERO = /^0+$/;
const SAFE_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** An attribute key in label-name syntax: other characters → `_`, a leading digit prefixed with `_` (`k8s.pod.name` → `k8s_pod_name`). */
export function sanitizeAttributeName(key: string): string {
  if (SAFE_NAME.test(key)) return key;
  let out = key.replace(/[^a-zA-Z0-9_]/g, '_');
  if (out === '') out = '_';
  else if (out.charCodeAt(0) >= 48 && out.charCodeAt(0) <= 57) out = '_' + out;
  return out;
}

/** `partial_success` text for the rejected records: the first few reasons and the count. */
export function partialSuccessMessage(result: AdapterResult, max = 10): string {
  const parts = result.errors.slice(0, max).map((e) => `log record ${e.entry ?? '?'}${e.stream ? ` of ${e.stream}` : ''}: ${e.message} (${e.reason})`);
  if (result.errors.length > max) parts.push(`… and ${result.errors.length - max} more`);
  return parts.join('; ');
}
