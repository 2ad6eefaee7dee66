// What the protocol benchmark needs from each ingestion protocol: an encoder from a batch of corpus streams to that
// protocol's bytes (one HTTP body, gRPC message, or a list of socket frames), and how those bytes travel.
// Encoders are pure; senders (http-sender, grpc-sender, forward-sender, syslog-sender) own the sockets.

import type { PushStream } from '../../demo/estate.ts';

/** One corpus body: Loki push streams (labels service, namespace, pod, level; metadata trace_id, span_id, user_id). */
export interface CorpusBatch {
  streams: PushStream[];
  /** entries in the batch */
  lines: number;
  /** bytes of line text (UTF-8) */
  rawBytes: number;
}

/** A batch in one protocol's encoding. */
export interface EncodedBatch {
  /** one request body or message (HTTP, gRPC), or the frames to write in order (Forward messages, syslog frames) */
  payload: Buffer | Buffer[];
  /** log records the server must store for this batch, counted the way the protocol splits them */
  entries: number;
  /** bytes on the wire (sum of the frames) */
  bytes: number;
  /** Fluent Forward: the `chunk` option of each frame, in order; the server acks each once it is stored */
  chunks?: string[];
}

export type Transport =
  | { kind: 'http'; path: string; headers: Record<string, string>; checkReply?: (status: number, body: string) => string | undefined }
  | { kind: 'grpc' }
  | { kind: 'forward' }
  | { kind: 'syslog-tcp' }
  | { kind: 'syslog-udp' };

export interface ProtocolDef {
  /** stable key in the results and for `--only` */
  name: string;
  /** what the table shows */
  title: string;
  encode(batch: CorpusBatch): EncodedBatch;
  transport: Transport;
}

/** Wraps a single buffer as an EncodedBatch. */
export function single(payload: Buffer, entries: number): EncodedBatch {
  return { payload, entries, bytes: payload.length };
}

/** Wraps frames as an EncodedBatch. */
export function frames(list: Buffer[], entries: number): EncodedBatch {
  let bytes = 0;
  for (const f of list) bytes += f.length;
  return { payload: list, entries, bytes };
}

/** The corpus's level label as an OpenTelemetry severity number (OTel logs data model, "SeverityNumber"). */
export const OTEL_SEVERITY: Record<string, number> = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 };

/** The corpus's level label as a syslog severity (RFC 5424 §6.2.1 table 2). */
export const SYSLOG_SEVERITY: Record<string, number> = { debug: 7, info: 6, warn: 4, error: 3, fatal: 2 };

/** RFC 3339 UTC time with microseconds from a Unix-nanosecond string (the corpus's timestamps are whole µs). */
export function nsToRfc3339(ns: string): string {
  const ms = Number(ns.slice(0, -6));
  const iso = new Date(ms).toISOString(); // 2026-11-25T05:36:51.388Z
  return `${iso.slice(0, 23)}${ns.slice(-6, -3)}Z`;
}
