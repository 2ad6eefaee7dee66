// Loki push API, JSON flavour (POST /loki/api/v1/push, Content-Type application/json):
// {"streams":[{"stream":{labels},"values":[["<unix ns>","<line>"], ["<unix ns>","<line>",{structured metadata}]]}]}

import type { Labels, Metadata, StreamEntries } from '../model/record.ts';
import { labelsToString } from '../model/record.ts';
import type { IngestAdapter } from './adapter.ts';
import type { IngestError } from './limits.ts';
import { bodyIsUtf8, checkEntry, checkLabels, timestampWindow } from './limits.ts';

const DIGITS = /^[0-9]{1,19}$/;

export const parseLokiJson: IngestAdapter = (body, ctx) => {
  const errors: IngestError[] = [];
  const batch = { tenant: ctx.tenant, streams: [] as StreamEntries[], entries: 0, bytes: 0 };
  const hadBadUtf8 = !bodyIsUtf8(body);
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (e) {
    return { batch, errors, fatal: `malformed JSON push body: ${(e as Error).message}` };
  }
  const streams = (doc as { streams?: unknown } | null)?.streams;
  if (!Array.isArray(streams)) return { batch, errors, fatal: 'push body must be an object with a "streams" array' };
  const window = timestampWindow(ctx.limits, ctx.nowMs);

  for (let s = 0; s < streams.length; s++) {
    const item = streams[s] as { stream?: unknown; values?: unknown } | null;
    const rawLabels = item?.stream;
    const values = item?.values;
    if (rawLabels === null || typeof rawLabels !== 'object' || Array.isArray(rawLabels)) {
      errors.push({ entry: undefined, stream: `streams[${s}]`, reason: 'missing_field', message: `streams[${s}].stream must be an object of labels` });
      continue;
    }
    const labels: Labels = ctx.extraLabels ? { ...(rawLabels as Labels), ...ctx.extraLabels } : (rawLabels as Labels);
    const labelError = checkLabels(labels, ctx.limits);
    if (labelError) {
      errors.push({ stream: safeLabelsText(labels, s), reason: 'invalid_labels', message: labelError });
      continue;
    }
    if (!Array.isArray(values)) {
      errors.push({ stream: labelsToString(labels), reason: 'missing_field', message: `streams[${s}].values must be an array of [timestamp, line] pairs` });
      continue;
    }
    const out: StreamEntries = { labels, ts: [], lines: [], metadata: [] };
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as unknown[];
      if (!Array.isArray(v) || v.length < 2 || typeof v[1] !== 'string') {
        errors.push({ stream: labelsToString(labels), entry: i, reason: 'missing_field', message: 'entry must be ["<unix epoch ns>", "<line>"] or ["<ns>", "<line>", {metadata}]' });
        continue;
      }
      const tsRaw = v[0];
      let ts: bigint;
      if (typeof tsRaw === 'string' && DIGITS.test(tsRaw)) ts = BigInt(tsRaw);
      else if (typeof tsRaw === 'number' && Number.isSafeInteger(tsRaw) && tsRaw >= 0) ts = BigInt(tsRaw);
      else {
        errors.push({ stream: labelsToString(labels), entry: i, reason: 'invalid_timestamp', message: `timestamp ${JSON.stringify(tsRaw)} is not a Unix epoch in nanoseconds given as a string of digits` });
        continue;
      }
      const line = v[1] as string;
      const problem = checkEntry(labels, i, ts, line, ctx.limits, window, hadBadUtf8);
      if (problem) {
        errors.push(problem);
        continue;
      }
      let meta: Metadata | undefined;
      if (v.length > 2 && v[2] !== null && v[2] !== undefined) {
        meta = toMetadata(v[2]);
        if (meta === undefined) {
          errors.push({ stream: labelsToString(labels), entry: i, reason: 'missing_field', message: 'structured metadata (third element) must be an object of string values' });
          continue;
        }
      }
      out.ts.push(ts);
      out.lines.push(line);
      out.metadata.push(meta);
      batch.bytes += line.length;
    }
    if (out.lines.length > 0) {
      batch.streams.push(out);
      batch.entries += out.lines.length;
    }
  }
  return { batch, errors };
};

function toMetadata(raw: unknown): Metadata | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const obj = raw as Record<string, unknown>;
  // the common case, all values strings, keeps the parsed object as it is (no copy per entry)
  let allStrings = true;
  for (const k in obj) {
    const v = obj[k];
    if (typeof v === 'string') continue;
    if (typeof v !== 'number' && typeof v !== 'boolean') return undefined;
    allStrings = false;
  }
  if (allStrings) return obj as Metadata;
  const out: Metadata = {};
  for (const k in obj) out[k] = String(obj[k]);
  return out;
}

function safeLabelsText(labels: Labels, index: number): string {
  try {
    return labelsToString(labels);
  } catch {
    return `streams[${index}]`;
  }
}
