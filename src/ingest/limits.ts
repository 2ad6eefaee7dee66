// Per-entry ingest limits and the checks that enforce them (Loki's defaults where Loki has one).
// Each failed check becomes an IngestError naming the stream and entry; the rest of the batch is kept.

import { isUtf8 } from 'node:buffer';
import type { Labels } from '../model/record.ts';
import { labelsToString } from '../model/record.ts';

export interface IngestLimits {
  /** longest accepted line, in bytes (Loki: max_line_size 256KB) */
  maxLineBytes: number;
  /** oldest accepted timestamp relative to now (Loki: reject_old_samples_max_age 1w) */
  maxAgeMs: number;
  /** newest accepted timestamp relative to now (Loki: creation_grace_period 10m) */
  maxFutureMs: number;
  /** at most this many labels per stream (Loki: max_label_names_per_series 15) */
  maxLabels: number;
  /** longest label value (Loki: max_label_value_length 2048) */
  maxLabelValueLength: number;
  /** largest request body after decompression */
  maxBodyBytes: number;
}

export const DEFAULT_LIMITS: IngestLimits = {
  maxLineBytes: 256 * 1024,
  maxAgeMs: 7 * 24 * 3600 * 1000,
  maxFutureMs: 10 * 60 * 1000,
  maxLabels: 15,
  maxLabelValueLength: 2048,
  maxBodyBytes: 64 * 1024 * 1024,
};

/** One rejected entry or stream: what was wrong and where. */
export interface IngestError {
  /** the stream's labels as text, when known */
  stream?: string;
  /** 0-based index of the entry within its stream (or line number within an NDJSON body, 1-based) */
  entry?: number;
  /** 1-based line of an NDJSON body */
  line?: number;
  reason:
    | 'invalid_json' | 'missing_field' | 'invalid_labels' | 'line_too_long' | 'invalid_utf8' | 'timestamp_too_old' | 'timestamp_too_new'
    | 'invalid_timestamp' | 'unsupported_action';
  message: string;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Checks a stream's label set; returns an error message or undefined. */
export function checkLabels(labels: Labels, limits: IngestLimits): string | undefined {
  const names = Object.keys(labels);
  if (names.length > limits.maxLabels) return `stream has ${names.length} labels, more than the limit of ${limits.maxLabels}`;
  for (const name of names) {
    if (!LABEL_NAME.test(name) || name.startsWith('__')) return `invalid label name "${name}": must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __`;
    const value = labels[name];
    if (typeof value !== 'string') return `label "${name}" must be a string`;
    if (value.length > limits.maxLabelValueLength) return `label "${name}" value is ${value.length} characters, more than the limit of ${limits.maxLabelValueLength}`;
  }
  return undefined;
}

/** Accepted timestamp window [minNs, maxNs] for entries arriving now. */
export function timestampWindow(limits: IngestLimits, nowMs = Date.now()): { minNs: bigint; maxNs: bigint } {
  return {
    minNs: BigInt(nowMs - limits.maxAgeMs) * 1_000_000n,
    maxNs: BigInt(nowMs + limits.maxFutureMs) * 1_000_000n,
  };
}

/**
 * Checks one entry; returns an IngestError or undefined.
 * `bodyHadBadUtf8` tells whether the request body failed UTF-8 validation: only then is a U+FFFD in a line
 * taken as the mark of a replaced invalid sequence.
 */
export function checkEntry(
  labels: Labels,
  entry: number,
  tsNs: bigint,
  line: string,
  limits: IngestLimits,
  window: { minNs: bigint; maxNs: bigint },
  bodyHadBadUtf8: boolean,
): IngestError | undefined {
  // length in UTF-16 units is ≤ UTF-8 bytes ≤ 3× it; only compute bytes when it may matter
  if (line.length * 3 > limits.maxLineBytes) {
    const bytes = Buffer.byteLength(line);
    if (bytes > limits.maxLineBytes) {
      return { stream: labelsToString(labels), entry, reason: 'line_too_long', message: `line is ${bytes} bytes, more than the limit of ${limits.maxLineBytes}` };
    }
  }
  if (tsNs < window.minNs) {
    return { stream: labelsToString(labels), entry, reason: 'timestamp_too_old', message: `timestamp ${nsToIso(tsNs)} is older than the accepted window (${nsToIso(window.minNs)})` };
  }
  if (tsNs > window.maxNs) {
    return { stream: labelsToString(labels), entry, reason: 'timestamp_too_new', message: `timestamp ${nsToIso(tsNs)} is too far in the future (after ${nsToIso(window.maxNs)})` };
  }
  if (bodyHadBadUtf8 && line.includes('\uFFFD')) {
    return { stream: labelsToString(labels), entry, reason: 'invalid_utf8', message: 'line is not valid UTF-8' };
  }
  return undefined;
}

export function bodyIsUtf8(body: Buffer): boolean {
  return isUtf8(body);
}

export function nsToIso(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ns) + 'ns' : d.toISOString();
}
