// Splunk HTTP Event Collector bodies: `/services/collector/event` (JSON event objects, concatenated or separated by
// whitespace) and `/services/collector/raw` (one event per line). host/source/sourcetype/index → labels, `fields` →
// structured metadata. As Splunk does, events before the first invalid one are kept and the rest of the body is not.

import type { Labels, Metadata, StreamEntries } from '../model/record.ts';
import { labelsToString } from '../model/record.ts';
import type { AdapterContext, AdapterResult } from './adapter.ts';
import { bodyIsUtf8, checkEntry, checkLabels, timestampWindow, type IngestError } from './limits.ts';

/** Splunk's HEC status codes used here ("Troubleshoot HTTP Event Collector", "Possible error codes"). */
export const HEC = {
  success: { code: 0, text: 'Success' },
  noData: { code: 5, text: 'No data' },
  invalidFormat: { code: 6, text: 'Invalid data format' },
  incorrectIndex: { code: 7, text: 'Incorrect index' },
  eventRequired: { code: 12, text: 'Event field is required' },
  eventBlank: { code: 13, text: 'Event field cannot be blank' },
  fieldsError: { code: 15, text: 'Error in handling indexed fields' },
} as const;

/** The metadata keys a request's query string may set for all its events. */
export interface HecDefaults {
  host?: string;
  source?: string;
  sourcetype?: string;
  index?: string;
}

export interface HecResult extends AdapterResult {
  /** set when an event was refused: Splunk's code and text, the 0-based event number, and Sightline's explanation */
  invalid?: { code: number; text: string; event: number; detail: string };
}

/** Splunk's default sourcetype for HEC events without one. */
const DEFAULT_SOURCETYPE = 'httpevent';
const LABEL_KEYS = ['host', 'source', 'sourcetype', 'index'] as const;

export function splunkHecEventAdapter(defaults: HecDefaults): (body: Buffer, ctx: AdapterContext) => HecResult {
  return (body, ctx) => parseEvents(body, ctx, defaults);
}

export function splunkHecRawAdapter(defaults: HecDefaults): (body: Buffer, ctx: AdapterContext) => HecResult {
  return (body, ctx) => parseRaw(body, ctx, defaults);
}

/** Streams of one request, keyed by label text, filled in arrival order. */
class StreamSet {
  readonly streams = new Map<string, StreamEntries>();
  constructor(private readonly result: HecResult) {}

  add(labels: Labels, ts: bigint, line: string, metadata: Metadata | undefined): void {
    const key = labelsToString(labels);
    let s = this.streams.get(key);
    if (!s) {
      s = { labels, ts: [], lines: [], metadata: [] };
      this.streams.set(key, s);
      this.result.batch.streams.push(s);
    }
    s.ts.push(ts);
    s.lines.push(line);
    s.metadata.push(metadata);
    this.result.batch.entries++;
    this.result.batch.bytes += line.length;
  }
}

function emptyResult(ctx: AdapterContext): HecResult {
  return { batch: { tenant: ctx.tenant, streams: [], entries: 0, bytes: 0 }, errors: [] };
}

function refuse(result: HecResult, event: number, status: { code: number; text: string }, reason: IngestError['reason'], detail: string): HecResult {
  result.invalid = { code: status.code, text: status.text, event, detail };
  result.errors.push({ entry: event, reason, message: `event ${event}: ${detail}` });
  return result;
}

function labelsFor(meta: HecDefaults, extra: Record<string, string> | undefined): Labels {
  const labels: Labels = {};
  for (const k of LABEL_KEYS) {
    const v = meta[k];
    if (v !== undefined && v !== '') labels[k] = v;
  }
  labels.sourcetype ??= DEFAULT_SOURCETYPE;
  if (extra) Object.assign(labels, extra);
  return labels;
}

function parseEvents(body: Buffer, ctx: AdapterContext, defaults: HecDefaults): HecResult {
  const result = emptyResult(ctx);
  const hadBadUtf8 = !bodyIsUtf8(body);
  const text = body.toString('utf8');
  const window = timestampWindow(ctx.limits, ctx.nowMs);
  const arrivalNs = BigInt(ctx.nowMs) * 1_000_000n;
  const out = new StreamSet(result);
  let pos = skipSpace(text, 0);
  if (pos >= text.length) return refuse(result, 0, HEC.noData, 'missing_field', 'the request body is empty');
  for (let n = 0; pos < text.length; n++) {
    const end = objectEnd(text, pos);
    if (end < 0) return refuse(result, n, HEC.invalidFormat, 'invalid_json', `event ${n} at character ${pos} is not a complete JSON object`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text.slice(pos, end));
    } catch (e) {
      return refuse(result, n, HEC.invalidFormat, 'invalid_json', `event ${n} is not valid JSON: ${(e as Error).message}`);
    }
    pos = skipSpace(text, end);
    const ev = parsed as Record<string, unknown>;
    const event = ev.event;
    if (event === undefined || event === null) return refuse(result, n, HEC.eventRequired, 'missing_field', 'the event has no "event" field');
    if (event === '') return refuse(result, n, HEC.eventBlank, 'missing_field', 'the "event" field is an empty string');
    const meta: HecDefaults = {};
    for (const k of LABEL_KEYS) {
      const v = ev[k] ?? defaults[k];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string') return refuse(result, n, k === 'index' ? HEC.incorrectIndex : HEC.invalidFormat, 'invalid_labels', `"${k}" must be a string, got ${JSON.stringify(v)}`);
      meta[k] = v;
    }
    let ts = arrivalNs;
    if (ev.time !== undefined && ev.time !== null) {
      const t = epochSecondsToNs(ev.time);
      if (t === undefined) return refuse(result, n, HEC.invalidFormat, 'invalid_timestamp', `"time" must be epoch seconds (e.g. 1426279439.123), got ${JSON.stringify(ev.time)}`);
      ts = t;
    }
    let metadata: Metadata | undefined;
    if (ev.fields !== undefined && ev.fields !== null) {
      if (typeof ev.fields !== 'object' || Array.isArray(ev.fields)) return refuse(result, n, HEC.fieldsError, 'invalid_json', '"fields" must be an object');
      metadata = {};
      for (const [k, v] of Object.entries(ev.fields as Record<string, unknown>)) {
        // Splunk's indexed fields are flat: a string or number, or an array of them (a multi-value field)
        if (typeof v === 'string') metadata[k] = v;
        else if (typeof v === 'number' || typeof v === 'boolean') metadata[k] = String(v);
        else if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) metadata[k] = JSON.stringify(v);
        else return refuse(result, n, HEC.fieldsError, 'invalid_json', `field "${k}" must be a string, a number or an array of them, got ${JSON.stringify(v)}`);
      }
      if (Object.keys(metadata).length === 0) metadata = undefined;
    }
    const line = typeof event === 'string' ? event : JSON.stringify(event);
    const labels = labelsFor(meta, ctx.extraLabels);
    const labelError = checkLabels(labels, ctx.limits);
    if (labelError) return refuse(result, n, meta.index !== undefined ? HEC.incorrectIndex : HEC.invalidFormat, 'invalid_labels', labelError);
    const problem = checkEntry(labels, n, ts, line, ctx.limits, window, hadBadUtf8);
    if (problem) return refuse(result, n, HEC.invalidFormat, problem.reason, problem.message);
    out.add(labels, ts, line, metadata);
  }
  return result;
}

function parseRaw(body: Buffer, ctx: AdapterContext, defaults: HecDefaults): HecResult {
  const result = emptyResult(ctx);
  const hadBadUtf8 = !bodyIsUtf8(body);
  const text = body.toString('utf8');
  const window = timestampWindow(ctx.limits, ctx.nowMs);
  const ts = BigInt(ctx.nowMs) * 1_000_000n;
  const labels = labelsFor(defaults, ctx.extraLabels);
  const labelError = checkLabels(labels, ctx.limits);
  if (labelError) return refuse(result, 0, defaults.index !== undefined ? HEC.incorrectIndex : HEC.invalidFormat, 'invalid_labels', labelError);
  const out = new StreamSet(result);
  let n = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let line = text.slice(start, end);
    start = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') continue;
    const problem = checkEntry(labels, n, ts, line, ctx.limits, window, hadBadUtf8);
    if (problem) return refuse(result, n, HEC.invalidFormat, problem.reason, problem.message);
    out.add(labels, ts, line, undefined);
    n++;
  }
  if (n === 0) return refuse(result, 0, HEC.noData, 'missing_field', 'the request body has no events');
  return result;
}

function skipSpace(text: string, pos: number): number {
  while (pos < text.length) {
    const c = text.charCodeAt(pos);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    pos++;
  }
  return pos;
}

/** The end (exclusive) of the JSON object starting at `start`, or -1: braces counted outside strings. */
function objectEnd(text: string, start: number): number {
  if (text.charCodeAt(start) !== 0x7b) return -1;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

const SECONDS = /^\d{1,12}(\.\d{1,9})?$/;

/** HEC `time`: epoch seconds with an optional fraction, as a number or a string; exact to the nanosecond given. */
export function epochSecondsToNs(v: unknown): bigint | undefined {
  let s: string;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) return undefined;
    s = v.toFixed(6).replace(/\.?0+$/, '');
  } else if (typeof v === 'string') s = v.trim();
  else return undefined;
  if (!SECONDS.test(s)) return undefined;
  const [int, frac = ''] = s.split('.');
  return BigInt(int) * 1_000_000_000n + BigInt(frac.padEnd(9, '0'));
}
