// Loki push API, protobuf flavour (POST /loki/api/v1/push, Content-Type application/x-protobuf): a snappy block holding
// PushRequest{streams=1} → StreamAdapter{labels=1 text, entries=2, hash=3} → EntryAdapter{timestamp=1
// google.protobuf.Timestamp{seconds=1,nanos=2}, line=2, structuredMetadata=3 LabelPairAdapter{name=1,value=2}}.

import { isUtf8 } from 'node:buffer';
import type { Labels, Metadata, StreamEntries } from '../model/record.ts';
import { labelsToString } from '../model/record.ts';
import type { AdapterResult, IngestAdapter } from './adapter.ts';
import type { IngestError, IngestLimits } from './limits.ts';
import { checkEntry, checkLabels, timestampWindow } from './limits.ts';
import { decodeSnappyBlock } from './snappy-block.ts';
import { parseStreamSelector } from './stream-selector.ts';
import {
  expectWireType, readBytesRange, readInt64, readLengthEnd, readTag, readVarint, skipField,
  WIRE_LEN, WIRE_VARINT, WireError, type WireCursor,
} from './protobuf-wire.ts';

const NS_PER_SECOND = 1_000_000_000n;
const MAX_LABEL_TEXT_IN_ERRORS = 200;

/** Mutable decoding position, so a wire error can say which stream and entry it was in. */
interface Where {
  stream: number;
  entry: number;
}

export const parseLokiProtobuf: IngestAdapter = (body, ctx) => {
  const emptyBatch = () => ({ tenant: ctx.tenant, streams: [] as StreamEntries[], entries: 0, bytes: 0 });
  const unpacked = decodeSnappyBlock(body, ctx.limits.maxBodyBytes);
  if (!unpacked.ok) return { batch: emptyBatch(), errors: [], fatal: `malformed snappy block at byte ${unpacked.offset} of the body: ${unpacked.message}` };
  const buf = unpacked.data;
  const result: AdapterResult = { batch: emptyBatch(), errors: [] };
  const window = timestampWindow(ctx.limits, ctx.nowMs);
  const c: WireCursor = { buf, pos: 0 };
  const where: Where = { stream: -1, entry: -1 };
  let streamCount = 0;
  try {
    while (c.pos < buf.length) {
      const tagAt = c.pos;
      const tag = readTag(c, buf.length);
      if (tag >>> 3 !== 1) {
        skipField(c, buf.length, tag & 7, tagAt);
        continue;
      }
      expectWireType(tag & 7, WIRE_LEN, 'PushRequest.streams (1)', tagAt);
      const end = readLengthEnd(c, buf.length);
      where.stream = streamCount++;
      decodeStream(c, end, where, result, ctx.extraLabels, ctx.limits, window);
      where.stream = -1;
    }
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    const place = where.stream < 0 ? 'PushRequest' : `streams[${where.stream}]` + (where.entry >= 0 ? `.entries[${where.entry}]` : '');
    return { batch: emptyBatch(), errors: [], fatal: `malformed protobuf push body at byte ${e.offset} of the decompressed message (in ${place}): ${e.message}` };
  }
  return result;
};

function decodeStream(
  c: WireCursor,
  end: number,
  where: Where,
  result: AdapterResult,
  extraLabels: Record<string, string> | undefined,
  limits: IngestLimits,
  window: { minNs: bigint; maxNs: bigint },
): void {
  const s = where.stream;
  const start = c.pos;
  // pass 1: the labels (field order is not guaranteed by the wire format)
  let labelText: string | undefined;
  while (c.pos < end) {
    const tagAt = c.pos;
    const tag = readTag(c, end);
    if (tag >>> 3 === 1) {
      expectWireType(tag & 7, WIRE_LEN, 'StreamAdapter.labels (1)', tagAt);
      const r = readBytesRange(c, end);
      labelText = c.buf.toString('utf8', r.start, r.end);
    } else {
      skipField(c, end, tag & 7, tagAt);
    }
  }
  const labels = streamLabels(s, labelText, result.errors, extraLabels, limits);
  const streamText = labels ? labelsToString(labels) : '';

  // pass 2: the entries, decoded even for a refused stream so a malformed body is always reported as such
  const entry = newEntry();
  const out: StreamEntries | undefined = labels ? { labels, ts: [], lines: [], metadata: [] } : undefined;
  c.pos = start;
  while (c.pos < end) {
    const tagAt = c.pos;
    const tag = readTag(c, end);
    if (tag >>> 3 !== 2) {
      skipField(c, end, tag & 7, tagAt);
      continue;
    }
    expectWireType(tag & 7, WIRE_LEN, 'StreamAdapter.entries (2)', tagAt);
    const entryEnd = readLengthEnd(c, end);
    const i = ++where.entry;
    decodeEntry(c, entryEnd, entry);
    if (!out || !labels) continue;
    if (entry.problem) {
      result.errors.push({ stream: streamText, entry: i, reason: entry.problem.reason, message: entry.problem.message });
      continue;
    }
    const problem = checkEntry(labels, i, entry.ts, entry.line, limits, window, !entry.lineUtf8);
    if (problem) {
      result.errors.push(problem);
      continue;
    }
    out.ts.push(entry.ts);
    out.lines.push(entry.line);
    out.metadata.push(entry.metadata);
    result.batch.bytes += entry.line.length;
  }
  where.entry = -1;
  if (out && out.lines.length > 0) {
    result.batch.streams.push(out);
    result.batch.entries += out.lines.length;
  }
}

/** The stream's labels from its text, or undefined after recording why they are refused. */
function streamLabels(
  s: number,
  labelText: string | undefined,
  errors: IngestError[],
  extraLabels: Record<string, string> | undefined,
  limits: IngestLimits,
): Labels | undefined {
  const streamName = `streams[${s}]`;
  if (labelText === undefined || labelText.trim() === '') {
    errors.push({ stream: streamName, reason: 'missing_field', message: 'stream has no labels: expected a label set such as {app="api"}' });
    return undefined;
  }
  const parsed = parseStreamSelector(labelText);
  if (!parsed.ok) {
    const shown = labelText.length > MAX_LABEL_TEXT_IN_ERRORS ? labelText.slice(0, MAX_LABEL_TEXT_IN_ERRORS) + '…' : labelText;
    errors.push({ stream: `${streamName} ${shown}`, reason: 'invalid_labels', message: `invalid labels at column ${parsed.column}: ${parsed.message}` });
    return undefined;
  }
  const labels: Labels = extraLabels ? { ...parsed.labels, ...extraLabels } : parsed.labels;
  const labelError = checkLabels(labels, limits);
  if (labelError) {
    errors.push({ stream: labelsToString(labels), reason: 'invalid_labels', message: labelError });
    return undefined;
  }
  return labels;
}

/** One decoded entry; a single instance is reused for every entry of a stream (no allocation per entry). */
interface DecodedEntry {
  ts: bigint;
  line: string;
  lineUtf8: boolean;
  metadata: Metadata | undefined;
  problem: Pick<IngestError, 'reason' | 'message'> | undefined;
}

function newEntry(): DecodedEntry {
  return { ts: 0n, line: '', lineUtf8: true, metadata: undefined, problem: undefined };
}

function decodeEntry(c: WireCursor, end: number, e: DecodedEntry): void {
  let seconds: bigint | undefined;
  let nanos = 0;
  e.line = '';
  e.lineUtf8 = true;
  e.metadata = undefined;
  e.problem = undefined;
  while (c.pos < end) {
    const tagAt = c.pos;
    const tag = readTag(c, end);
    const field = tag >>> 3;
    if (field === 1) {
      expectWireType(tag & 7, WIRE_LEN, 'EntryAdapter.timestamp (1)', tagAt);
      const tsEnd = readLengthEnd(c, end);
      seconds ??= 0n; // a present but empty Timestamp is the epoch (proto3 default values)
      while (c.pos < tsEnd) {
        const at = c.pos;
        const t = readTag(c, tsEnd);
        if (t >>> 3 === 1) {
          expectWireType(t & 7, WIRE_VARINT, 'Timestamp.seconds (1)', at);
          seconds = readInt64(c, tsEnd);
        } else if (t >>> 3 === 2) {
          expectWireType(t & 7, WIRE_VARINT, 'Timestamp.nanos (2)', at);
          nanos = Number(readInt64(c, tsEnd));
        } else {
          skipField(c, tsEnd, t & 7, at);
        }
      }
    } else if (field === 2) {
      expectWireType(tag & 7, WIRE_LEN, 'EntryAdapter.line (2)', tagAt);
      const r = readBytesRange(c, end);
      e.line = c.buf.toString('utf8', r.start, r.end);
      // a U+FFFD may be the decoder's replacement for bad bytes or a real one: only then look at the bytes
      e.lineUtf8 = !e.line.includes('\uFFFD') || isUtf8(c.buf.subarray(r.start, r.end));
    } else if (field === 3) {
      expectWireType(tag & 7, WIRE_LEN, 'EntryAdapter.structuredMetadata (3)', tagAt);
      const pairEnd = readLengthEnd(c, end);
      let name = '';
      let value = '';
      while (c.pos < pairEnd) {
        const at = c.pos;
        const t = readTag(c, pairEnd);
        const f = t >>> 3;
        if (f === 1 || f === 2) {
          expectWireType(t & 7, WIRE_LEN, f === 1 ? 'LabelPairAdapter.name (1)' : 'LabelPairAdapter.value (2)', at);
          const r = readBytesRange(c, pairEnd);
          const bytes = c.buf.subarray(r.start, r.end);
          if (!isUtf8(bytes)) e.problem ??= { reason: 'invalid_utf8', message: 'structured metadata is not valid UTF-8' };
          if (f === 1) name = bytes.toString('utf8');
          else value = bytes.toString('utf8');
        } else {
          skipField(c, pairEnd, t & 7, at);
        }
      }
      if (name === '') e.problem ??= { reason: 'missing_field', message: 'structured metadata pair has an empty name' };
      (e.metadata ??= {})[name] = value;
    } else {
      skipField(c, end, tag & 7, tagAt);
    }
  }
  if (seconds === undefined) e.problem ??= { reason: 'invalid_timestamp', message: 'entry has no timestamp' };
  else if (nanos < 0 || nanos > 999_999_999) e.problem ??= { reason: 'invalid_timestamp', message: `timestamp nanos ${nanos} is outside 0..999999999` };
  e.ts = e.problem ? 0n : (seconds ?? 0n) * NS_PER_SECOND + BigInt(nanos);
}
