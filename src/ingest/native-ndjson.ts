// Sightline's native ingest (POST /api/v1/logs): NDJSON, one JSON object per line.
// {"ts"|"timestamp"|"@timestamp"|"time": ..., "labels": {...}, "line": "...", "metadata": {...}}; without "line",
// the object itself (minus those keys) is stored as the JSON line. Labels also come from query parameters.

import type { Labels, Metadata, StreamEntries } from '../model/record.ts';
import type { IngestAdapter } from './adapter.ts';
import type { IngestError } from './limits.ts';
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
    const labels: Labels = {};
    if (rec.labels !== undefined) {
      if (!isStringMap(rec.labels)) {
        errors.push({ line: lineNo, reason: 'invalid_labels', message: `line ${lineNo}: "labels" must be an object of string values` });
        continue;
      }
      Object.assign(labels, rec.labels);
    }
    if (ctx.extraLabels) Object.assign(labels, ctx.extraLabels);
    const labelError = checkLabels(labels, ctx.limits);
    if (labelError) {
      errors.push({ line: lineNo, reason: 'invalid_labels', message: `line ${lineNo}: ${labelError}` });
      continue;
    }
    let ts = arrivalNs;
    let timeKey: string | undefined;
    for (const key of TIME_KEYS) {
      if (rec[key] !== undefined) {
        timeKey = key;
        break;
      }
    }
    if (timeKey !== undefined) {
      const parsed = parseTimestampNs(rec[timeKey]);
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
    const key = JSON.stringify(labels);
    let stream = byStream.get(key);
    if (!stream) {
      stream = { labels, ts: [], lines: [], metadata: [] };
      byStream.set(key, stream);
      batch.streams.push(stream);
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
  for (const x of Object.values(v as Record<string, unknown>)) if (typeof x !== 'string') return false;
  return true;
}
