// Fluent Forward protocol v1 messages (Message, Forward, PackedForward, CompressedPackedForward modes) mapped onto
// Sightline's model: tag → label `tag`, Kubernetes names → labels, `log`/`message` → line, the rest of the record →
// structured metadata. Pure: decoded messages in, one batch out, plus each message's `chunk` and what was wrong.

import { gunzipSync } from 'node:zlib';
import { decode, decodeMulti, ExtData, ExtensionCodec, type DecoderOptions } from '@msgpack/msgpack';
import type { Labels, Metadata, StreamEntries } from '../model/record.ts';
import { labelsToString } from '../model/record.ts';
import type { AdapterContext, AdapterResult } from './adapter.ts';
import type { IngestError } from './limits.ts';
import { checkEntry, checkLabels, timestampWindow } from './limits.ts';
import { newFlattenState, putField, sanitizeName, type FlattenState } from './metadata-fields.ts';

/** Forward Protocol Specification v1, "EventTime Ext Format": ext type 0, 8 bytes (seconds, nanoseconds; big-endian uint32). */
export class EventTime {
  constructor(readonly seconds: number, readonly nanoseconds: number) {}
}

export const EVENT_TIME_EXT_TYPE = 0;

/** The msgpack codec of the protocol: EventTime both ways (encoding is for replies and tests). */
export const FORWARD_EXTENSION_CODEC = new ExtensionCodec();
FORWARD_EXTENSION_CODEC.register({
  type: EVENT_TIME_EXT_TYPE,
  encode(value: unknown): Uint8Array | null {
    if (!(value instanceof EventTime)) return null;
    const b = Buffer.allocUnsafe(8);
    b.writeUInt32BE(value.seconds >>> 0, 0);
    b.writeUInt32BE(value.nanoseconds >>> 0, 4);
    return b;
  },
  decode(data: Uint8Array): unknown {
    // a malformed EventTime stays an opaque ExtData, which the mapping then refuses as a time (per entry)
    if (data.length !== 8) return new ExtData(EVENT_TIME_EXT_TYPE, data.slice());
    const view = new DataView(data.buffer, data.byteOffset, 8);
    return new EventTime(view.getUint32(0), view.getUint32(4));
  },
});

const DECODER_OPTIONS: DecoderOptions = { extensionCodec: FORWARD_EXTENSION_CODEC, useBigInt64: true };
const RAW_STRING_OPTIONS: DecoderOptions = { ...DECODER_OPTIONS, rawStrings: true };

/**
 * Decodes one framed message (a msgpack object). PackedForward entries may come as str (Fluentd's out_forward writes
 * a str 32 header), which must stay bytes: such a message is decoded with strings as Uint8Array. Throws the
 * library's DecodeError/RangeError on malformed input.
 */
export function decodeForwardFrame(frame: Uint8Array): unknown {
  return decode(frame, packedAsStr(frame) ? RAW_STRING_OPTIONS : DECODER_OPTIONS);
}

/**
 * Decodes a handshake message (PING) with every str as bytes: Fluent Bit sends its 16 random salt bytes as a str,
 * and the shared-key digest must be computed over those bytes exactly.
 */
export function decodeHandshakeFrame(frame: Uint8Array): unknown {
  return decode(frame, RAW_STRING_OPTIONS);
}

/** Whether the message is [tag, str(, option)]: a 2- or 3-element array whose second element is a str (not a PING). */
function packedAsStr(f: Uint8Array): boolean {
  if (f[0] !== 0x92 && f[0] !== 0x93) return false;
  let p = 1;
  // skip the tag (a str or bin)
  const t = f[p];
  if (t >= 0xa0 && t <= 0xbf) p += 1 + (t & 0x1f);
  else if ((t === 0xd9 || t === 0xc4) && p + 1 < f.length) p += 2 + f[p + 1];
  else if ((t === 0xda || t === 0xc5) && p + 2 < f.length) p += 3 + ((f[p + 1] << 8) | f[p + 2]);
  else if ((t === 0xdb || t === 0xc6) && p + 4 < f.length) p += 5 + ((f[p + 1] << 24) >>> 0) + ((f[p + 2] << 16) | (f[p + 3] << 8) | f[p + 4]);
  else return false;
  if (p >= f.length) return false;
  const s = f[p];
  return (s >= 0xa0 && s <= 0xbf) || s === 0xd9 || s === 0xda || s === 0xdb;
}

/** The outcome of one message, in the order given, for the listener's acks and warnings. */
export interface ForwardMessageOutcome {
  /** the `chunk` option: the client waits for `{ack: chunk}` once the message is committed */
  chunk?: string;
  /** events in the message (accepted or refused) */
  events: number;
  /**
   * Set when the message breaks the protocol (wrong types, bad compression…): its valid events are still in the
   * batch, but the peer is not speaking Forward as specified and its connection should be closed.
   */
  problem?: string;
}

export interface ForwardBatchResult extends AdapterResult {
  /** one per message mapped; mapping stops after the first message with a `problem` */
  messages: ForwardMessageOutcome[];
}

/** Bounds on the structured metadata made from one record (as for Elasticsearch documents). */
export const FORWARD_METADATA_LIMITS = {
  maxFields: 128,
  maxValueChars: 8192,
  maxTotalChars: 64 * 1024,
  /** maps nested deeper than this are kept as one JSON text value */
  maxDepth: 8,
};

/** Record fields taken as the line, first string present wins (Fluent Bit's tail/docker inputs write `log`). */
const LINE_FIELDS = ['log', 'message'] as const;
/** Fluent Bit's kubernetes filter fields promoted to labels, as `namespace`, `pod` and `container`. */
const K8S_LABELS: readonly (readonly [string, string])[] = [['namespace_name', 'namespace'], ['pod_name', 'pod'], ['container_name', 'container']];

interface StreamSlot {
  stream: StreamEntries;
  key: string;
  labelError?: string;
  /** whether the stream has been added to the batch (only once it has an entry) */
  inBatch: boolean;
}

interface MapState {
  ctx: AdapterContext;
  window: { minNs: bigint; maxNs: bigint };
  result: ForwardBatchResult;
  slots: Map<string, StreamSlot>;
}

/** Maps decoded messages into one batch of the context's tenant. */
export function mapForwardMessages(messages: readonly unknown[], ctx: AdapterContext): ForwardBatchResult {
  const st: MapState = {
    ctx,
    window: timestampWindow(ctx.limits, ctx.nowMs),
    result: { batch: { tenant: ctx.tenant, streams: [], entries: 0, bytes: 0 }, errors: [], messages: [] },
    slots: new Map(),
  };
  for (let i = 0; i < messages.length; i++) {
    const outcome = mapMessage(st, messages[i]);
    st.result.messages.push(outcome);
    if (outcome.problem) break;
  }
  return st.result;
}

/** Forward Protocol Specification v1, "Event Modes": tells the mode by the second element's type. */
function mapMessage(st: MapState, msg: unknown): ForwardMessageOutcome {
  const out: ForwardMessageOutcome = { events: 0 };
  if (!Array.isArray(msg) || msg.length < 2 || msg.length > 4) {
    out.problem = `a Forward message is an array [tag, time, record(, option)] or [tag, entries(, option)]; got ${describe(msg)}`;
    return out;
  }
  const tag = textOf(msg[0]);
  const second = msg[1];
  const messageMode = isTimeLike(second);
  const option = messageMode ? msg[3] : msg[2];
  if (option !== undefined && option !== null && !isMap(option)) {
    out.problem = `option must be a map, got ${describe(option)}`;
    return out;
  }
  const opts = (option ?? {}) as Record<string, unknown>;
  if (opts.chunk !== undefined && opts.chunk !== null) {
    out.chunk = textOf(opts.chunk);
    if (out.chunk === undefined) {
      out.problem = `option "chunk" must be a string, got ${describe(opts.chunk)}`;
      return out;
    }
  }
  if (tag === undefined) {
    out.problem = `tag must be a string, got ${describe(msg[0])}`;
    return out;
  }
  // Fluent Bit marks metrics and traces (its CMetrics/CTraces payloads) with fluent_signal 1 and 2: not log events
  const signal = opts.fluent_signal;
  if (signal !== undefined && signal !== null && signal !== 0) {
    const what = signal === 1 ? 'metrics' : signal === 2 ? 'traces' : 'not logs';
    st.result.errors.push({ reason: 'unsupported_action', message: `tag "${tag}": fluent_signal ${String(signal)} (${what}) is not log data; Sightline stores logs only, route only logs to this output` });
    return out;
  }
  if (messageMode) {
    if (msg.length < 3) {
      out.problem = `Message mode [tag, time, record] lacks the record (tag "${tag}")`;
      return out;
    }
    out.events = 1;
    mapEvent(st, out, tag, 0, second, msg[2]);
    return out;
  }
  if (msg.length > 3) {
    out.problem = `a Forward/PackedForward message has 2 or 3 elements, got 4 (tag "${tag}")`;
    return out;
  }
  if (Array.isArray(second)) {
    // Forward mode: [[time, record], ...]
    for (let i = 0; i < second.length; i++) {
      out.events++;
      mapEntry(st, out, tag, i, second[i]);
    }
    return out;
  }
  if (second instanceof Uint8Array) {
    // PackedForward / CompressedPackedForward: a stream of msgpack-encoded [time, record] entries (bin or raw str)
    let packed: Uint8Array = second;
    const compressed = textOf(opts.compressed) ?? opts.compressed;
    if (compressed === 'gzip') {
      try {
        // several concatenated gzip members are one stream (the spec allows a client to append chunks)
        packed = gunzipSync(packed, { maxOutputLength: st.ctx.limits.maxBodyBytes });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        out.problem = code === 'ERR_BUFFER_TOO_LARGE'
          ? `gzip-compressed entries expand past the limit of ${st.ctx.limits.maxBodyBytes} bytes (tag "${tag}")`
          : `gzip-compressed entries cannot be decompressed: ${(e as Error).message} (tag "${tag}")`;
        return out;
      }
    } else if (compressed !== undefined && compressed !== null && compressed !== 'text') {
      out.problem = `unsupported option compressed=${JSON.stringify(compressed)}: only "gzip" is defined (tag "${tag}")`;
      return out;
    }
    let i = 0;
    try {
      for (const entry of decodeMulti(packed, DECODER_OPTIONS)) {
        out.events++;
        mapEntry(st, out, tag, i++, entry);
      }
    } catch (e) {
      const problem = `packed entries are not valid MessagePack after entry ${i}: ${(e as Error).message} (tag "${tag}")`;
      out.problem ??= problem;
    }
    return out;
  }
  out.problem = `the second element must be a time (Message mode), an array of entries (Forward mode) or packed entries as bin/str (PackedForward mode); got ${describe(second)} (tag "${tag}")`;
  return out;
}

/** An entry [time, record] of Forward and PackedForward modes. */
function mapEntry(st: MapState, out: ForwardMessageOutcome, tag: string, index: number, entry: unknown): void {
  if (!Array.isArray(entry) || entry.length !== 2) {
    refuse(st, out, tag, index, 'invalid_json', `entry ${index} must be an array [time, record], got ${describe(entry)}`);
    return;
  }
  mapEvent(st, out, tag, index, entry[0], entry[1]);
}

function mapEvent(st: MapState, out: ForwardMessageOutcome, tag: string, index: number, time: unknown, record: unknown): void {
  const ts = timeNs(time);
  if (ts === undefined) {
    refuse(st, out, tag, index, 'invalid_timestamp', `entry ${index}: time must be integer seconds or an EventTime, got ${describe(time)}`);
    return;
  }
  if (!isMap(record)) {
    refuse(st, out, tag, index, 'invalid_json', `entry ${index}: record must be a map, got ${describe(record)}`);
    return;
  }
  const rec = record as Record<string, unknown>;
  let lineField: string | undefined;
  let line = '';
  for (const f of LINE_FIELDS) {
    const v = rec[f];
    if (typeof v === 'string' || v instanceof Uint8Array) {
      lineField = f;
      line = typeof v === 'string' ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
      break;
    }
  }
  const k8s = isMap(rec.kubernetes) ? (rec.kubernetes as Record<string, unknown>) : undefined;
  const slot = streamSlot(st, tag, k8s);
  if (slot.labelError) {
    st.result.errors.push({ stream: slot.key, entry: index, reason: 'invalid_labels', message: `tag "${tag}" entry ${index}: ${slot.labelError}` });
    return;
  }
  if (lineField === undefined) line = JSON.stringify(toJsonValue(rec, 0));
  const problem = checkEntry(slot.stream.labels, index, ts, line, st.ctx.limits, st.window, false);
  if (problem) {
    st.result.errors.push(problem);
    return;
  }
  const stream = slot.stream;
  if (!slot.inBatch) {
    slot.inBatch = true;
    st.result.batch.streams.push(stream);
  }
  stream.ts.push(ts);
  stream.lines.push(line);
  stream.metadata.push(recordMetadata(rec, lineField, k8s !== undefined));
  st.result.batch.entries++;
  st.result.batch.bytes += line.length;
}

/** A wrongly typed entry: counted as an error, and the first one becomes the message's problem. */
function refuse(st: MapState, out: ForwardMessageOutcome, tag: string, index: number, reason: IngestError['reason'], message: string): void {
  st.result.errors.push({ entry: index, reason, message: `tag "${tag}" ${message}` });
  out.problem ??= `tag "${tag}" ${message}`;
}

function streamSlot(st: MapState, tag: string, k8s: Record<string, unknown> | undefined): StreamSlot {
  let cacheKey = tag;
  if (k8s) for (const [field] of K8S_LABELS) cacheKey += '\u0000' + (textOf(k8s[field]) ?? '');
  let slot = st.slots.get(cacheKey);
  if (slot) return slot;
  const labels: Labels = { tag };
  if (k8s) {
    for (const [field, label] of K8S_LABELS) {
      const v = textOf(k8s[field]);
      if (v !== undefined && v !== '') labels[label] = v;
    }
  }
  if (st.ctx.extraLabels) Object.assign(labels, st.ctx.extraLabels);
  slot = { stream: { labels, ts: [], lines: [], metadata: [] }, key: labelsToString(labels), labelError: checkLabels(labels, st.ctx.limits), inBatch: false };
  st.slots.set(cacheKey, slot);
  return slot;
}

/** Event time in ns: EventTime (to the nanosecond), integer or fractional seconds, or Fluent Bit's [time, metadata]. */
export function timeNs(t: unknown): bigint | undefined {
  if (t instanceof EventTime) return BigInt(t.seconds) * 1_000_000_000n + BigInt(t.nanoseconds);
  if (typeof t === 'number') {
    if (!Number.isFinite(t)) return undefined;
    if (Number.isInteger(t)) return BigInt(t) * 1_000_000_000n;
    // a float keeps about a microsecond at today's epochs
    return BigInt(Math.round(t * 1e6)) * 1000n;
  }
  if (typeof t === 'bigint') return t * 1_000_000_000n;
  // Fluent Bit ≥ 2.1 may send its log-event header [time, metadata map] in place of the time
  if (Array.isArray(t) && t.length === 2 && isMap(t[1]) && !Array.isArray(t[0])) return timeNs(t[0]);
  return undefined;
}

/** Message mode's time: a number or an EventTime (a malformed one too, so that it is refused as a time). */
function isTimeLike(v: unknown): boolean {
  return typeof v === 'number' || typeof v === 'bigint' || v instanceof EventTime || (v instanceof ExtData && v.type === EVENT_TIME_EXT_TYPE);
}

function isMap(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof EventTime) && !(v instanceof ExtData) && !(v instanceof Date);
}

/** A str (or bin, which older clients use for text) as a string. */
function textOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
  return undefined;
}

/** A short, safe description of a wrongly typed value for error messages. */
function describe(v: unknown): string {
  if (v === null) return 'nil';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v instanceof Uint8Array) return `bin of ${v.length} bytes`;
  if (v instanceof ExtData) return `ext type ${v.type}${v.data instanceof Uint8Array ? ` of ${v.data.length} bytes` : ''}`;
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'object') return 'a map';
  return `${typeof v} ${String(v)}`;
}

/**
 * The record's other fields as structured metadata: nested maps flattened with `_` (`http.method` and
 * {"http":{"method":…}} → `http_method`), arrays as JSON text, nil skipped; the line's field and the Kubernetes names
 * that became labels left out. `level` (else `severity`) is kept lowercased as `level`, as the OTLP adapter does.
 */
export function recordMetadata(rec: Record<string, unknown>, lineField: string | undefined, k8sLabels: boolean): Metadata | undefined {
  const st = newFlattenState();
  walkFields(st, rec, '', 0, lineField, k8sLabels);
  const level = textOf(rec.level) ?? textOf(rec.severity);
  if (level !== undefined && level !== '') {
    if (!Object.hasOwn(st.out, 'level')) st.fields++;
    st.out.level = level.toLowerCase();
  }
  if (st.dropped > 0) st.out.sightline_dropped_fields = String(st.dropped);
  if (st.truncated > 0) st.out.sightline_truncated_fields = String(st.truncated);
  return st.fields > 0 || st.dropped > 0 ? st.out : undefined;
}

function walkFields(st: FlattenState, obj: Record<string, unknown>, prefix: string, depth: number, lineField: string | undefined, k8sLabels: boolean): void {
  for (const key in obj) {
    if (depth === 0 && key === lineField) continue;
    const v = obj[key];
    if (v === null || v === undefined) continue;
    // the Kubernetes names that are labels already
    if (k8sLabels && depth === 1 && prefix === 'kubernetes' && (key === 'namespace_name' || key === 'pod_name' || key === 'container_name')) continue;
    const name = prefix === '' ? sanitizeName(key, true) : prefix + '_' + sanitizeName(key, false);
    if (typeof v === 'string') putField(st, FORWARD_METADATA_LIMITS, name, v);
    else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') putField(st, FORWARD_METADATA_LIMITS, name, String(v));
    else if (v instanceof Uint8Array) putField(st, FORWARD_METADATA_LIMITS, name, textOf(v)!);
    else if (isMap(v) && depth + 1 < FORWARD_METADATA_LIMITS.maxDepth) walkFields(st, v as Record<string, unknown>, name, depth + 1, lineField, k8sLabels);
    else putField(st, FORWARD_METADATA_LIMITS, name, scalarOrJson(v));
  }
}



function scalarOrJson(v: unknown): string {
  if (v instanceof EventTime) return eventTimeText(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
  return JSON.stringify(toJsonValue(v, 0));
}

function eventTimeText(t: EventTime): string {
  return `${t.seconds}.${String(t.nanoseconds).padStart(9, '0')}`;
}

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A decoded value as plain JSON: bin as UTF-8 text, big ints exact, nesting bounded (hostile inputs nest deeply). */
function toJsonValue(v: unknown, depth: number): JsonValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return textOf(v)!;
  if (v instanceof EventTime) return eventTimeText(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (v instanceof ExtData) return v.data instanceof Uint8Array ? Buffer.from(v.data).toString('base64') : null;
  if (depth > 64) return '…';
  if (Array.isArray(v)) {
    const arr: JsonValue[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) arr[i] = toJsonValue(v[i], depth + 1);
    return arr;
  }
  if (typeof v === 'object') {
    const obj: { [key: string]: JsonValue } = {};
    for (const k in v as Record<string, unknown>) obj[k] = toJsonValue((v as Record<string, unknown>)[k], depth + 1);
    return obj;
  }
  return String(v);
}
