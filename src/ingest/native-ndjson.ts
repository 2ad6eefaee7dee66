// Sightline's native ingest (POST /api/v1/logs): NDJSON, one JSON object per line.
// {"ts"|"timestamp"|"@timestamp"|"time": ..., "labels": {...}, "line": "...", "metadata": {...}}; without "line",
// the object itself (minus those keys) is stored as the JSON line. Labels also come from query parameters.

import type { Labels, Metadata, StreamEntries } from '../model/record.ts';
import type { IngestAdapter } from './adapter.ts';
import type { IngestError, IngestLimits } from './limits.ts';
import { bodyIsUtf8, checkEntry, checkLabels, timestampWindow } from './limits.ts';
import { parseTimestampNs } from './timestamp.ts';

const TIME_KEYS = ['@timestamp', 'timestamp', 'ts', 'time'] as const;

export const parseNativeNdjson: IngestAdapter = (body, ctx) => {
  const errors: IngestError[] = [];
  const batch = { tenant: ctx.tenant, streams: [] as StreamEntries[], entries: 0, bytes: 0 };
  const hadBadUtf8 = !bodyIsUtf8(body);
  const text = body.toString('utf8');
  const window = timestampWindow(ctx.limits, ctx.nowMs);
  const arrivalNs = BigInt(ctx.nowMs) * 1_000_000n;
  const byStream = new Map<string, StreamEntries>();
  let last: ResolvedLabels = NO_LABELS_YET;

  let start = 0;
  let lineNo = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const raw = text.slice(start, end).trim();
    start = end + 1;
    if (raw === '') continue;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (e) {
      errors.push({ line: lineNo, reason: 'invalid_json', message: `line ${lineNo}: malformed JSON: ${(e as Error).message}` });
      continue;
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      errors.push({ line: lineNo, reason: 'invalid_json', message: `line ${lineNo}: expected a JSON object` });
      continue;
    }
    const rec = obj as Record<string, unknown>;
    const rawLabels = rec.labels;
    // shippers repeat one label set line after line: when this line's "labels" equal the last one's (same names
    // in the same order, same values), its merged labels, their check and its stream are the last line's
    if (!sameLabels(last, rawLabels)) {
      if (rawLabels !== undefined && !isStringMap(rawLabels)) {
        errors.push({ line: lineNo, reason: 'invalid_labels', message: `line ${lineNo}: "labels" must be an object of string values` });
        continue;
      }
      last = resolveLabels(rawLabels, ctx.extraLabels, ctx.limits);
    }
    if (last.error !== undefined) {
      errors.push({ line: lineNo, reason: 'invalid_labels', message: `line ${lineNo}: ${last.error}` });
      continue;
    }
    const labels = last.labels;
    let ts = arrivalNs;
    let timeKey: string | undefined;
    for (const key of TIME_KEYS) {
      if (rec[key] !== undefined) {
        timeKey = key;
        break;
      }
    }
    if (timeKey !== undefined) {
      const parsed = nsDigitsOrParse(rec[timeKey]);
      if (parsed === undefined) {
        errors.push({ line: lineNo, reason: 'invalid_timestamp', message: `line ${lineNo}: "${timeKey}" value ${JSON.stringify(rec[timeKey])} is not an RFC 3339 time or a Unix epoch` });
        continue;
      }
      ts = parsed;
    }
    let metadata: Metadata | undefined;
    if (rec.metadata !== undefined) {
      if (!isStringMap(rec.metadata)) {
        errors.push({ line: lineNo, reason: 'invalid_json', message: `line ${lineNo}: "metadata" must be an object of string values` });
        continue;
      }
      metadata = rec.metadata;
    }
    let line: string;
    if (typeof rec.line === 'string') line = rec.line;
    else if (rec.line !== undefined) {
      errors.push({ line: lineNo, reason: 'invalid_json', message: `line ${lineNo}: "line" must be a string` });
      continue;
    } else {
      const rest: Record<string, unknown> = {};
      for (const k of Object.keys(rec)) if (k !== 'labels' && k !== 'metadata') rest[k] = rec[k];
      line = JSON.stringify(rest);
    }
    const problem = checkEntry(labels, lineNo, ts, line, ctx.limits, window, hadBadUtf8);
    if (problem) {
      problem.line = lineNo;
      problem.entry = undefined;
      problem.message = `line ${lineNo}: ${problem.message}`;
      errors.push(problem);
      continue;
    }
    let stream = last.stream;
    if (stream === undefined) {
      const key = JSON.stringify(labels);
      stream = byStream.get(key);
      if (!stream) {
        stream = { labels, ts: [], lines: [], metadata: [] };
        byStream.set(key, stream);
        batch.streams.push(stream);
      }
      last.stream = stream;
    }
    stream.ts.push(ts);
    stream.lines.push(line);
    stream.metadata.push(metadata);
    batch.entries++;
    batch.bytes += line.length;
  }
  return { batch, errors };
};

function isStringMap(v: unknown): v is Record<string, string> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  for (const k in o) if (typeof o[k] !== 'string') return false;
  return true;
}

/** A line's "labels" as received, merged with the request's labels and checked; the stream once known. */
interface ResolvedLabels {
  /** the raw "labels" object's names and values in order; `undefined` names: the line had no "labels" */
  names: string[] | undefined;
  values: string[];
  labels: Labels;
  error: string | undefined;
  stream: StreamEntries | undefined;
}

/** Matches no line: the first line of a body always resolves its labels. */
const NO_LABELS_YET: ResolvedLabels = Object.freeze({ names: [], values: [], labels: {}, error: undefined, stream: undefined });

function resolveLabels(raw: Record<string, string> | undefined, extra: Labels | undefined, limits: IngestLimits): ResolvedLabels {
  const labels: Labels = {};
  let names: string[] | undefined;
  const values: string[] = [];
  if (raw !== undefined) {
    names = [];
    for (const k in raw) {
      names.push(k);
      values.push(raw[k]);
    }
    Object.assign(labels, raw);
  }
  if (extra) Object.assign(labels, extra);
  return { names, values, labels, error: checkLabels(labels, limits), stream: undefined };
}

/** True when `raw` holds exactly the names (in order) and values `r` was resolved from. */
function sameLabels(r: ResolvedLabels, raw: unknown): boolean {
  if (raw === undefined) return r.names === undefined && r !== NO_LABELS_YET;
  const names = r.names;
  if (names === undefined || r === NO_LABELS_YET || raw === null || typeof raw !== 'object' || Array.isArray(raw)) return false;
  const o = raw as Record<string, unknown>;
  let i = 0;
  for (const k in o) {
    if (i >= names.length || k !== names[i] || o[k] !== r.values[i]) return false;
    i++;
  }
  return i === names.length;
}

/** A Unix epoch in nanoseconds written as 19 digits (what Sightline's agent sends) becomes a BigInt directly; any
 * other value goes through the general parser (same result: 19 digits are ≥ 1e17, read as nanoseconds). */
function nsDigitsOrParse(v: unknown): bigint | undefined {
  if (typeof v === 'string' && v.length === 19) {
    let digits = true;
    for (let i = 0; i < 19; i++) {
      const c = v.charCodeAt(i);
      if (c < 48 || c > 57) {
        digits = false;
        break;
      }
    }
    if (digits) return BigInt(v);
  }
  return parseTimestampNs(v);
}
