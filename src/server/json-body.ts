// Reading a request body that must be one JSON object (the SIEM, detections and dashboards APIs), and its time
// fields, with 400s that name the problem.

import type { IncomingMessage } from 'node:http';
import { readBody } from '../ingest/body-decoding.ts';
import { HttpError } from './http-server.ts';
import { parseLokiTime } from './loki-params.ts';

const HOUR_NS = 3_600_000_000_000n;

/** The body as an object; an empty body is `{}`. Bodies over maxBytes are refused by readBody (413). */
export async function readJsonObject(req: IncomingMessage, maxBytes: number, what = 'a JSON object'): Promise<Record<string, unknown>> {
  const body = await readBody(req, req.headers['content-encoding'], maxBytes);
  if (body.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new HttpError(400, `request body: malformed JSON: ${(e as Error).message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new HttpError(400, `request body: expected ${what}`);
  return v as Record<string, unknown>;
}

/** A time field as the text parseLokiTime reads (RFC 3339 or a Unix timestamp), undefined when absent. */
export function timeField(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw new HttpError(400, `${key}: expected RFC 3339 text or a Unix timestamp`);
}

/** `start`/`end` of a body that asks for a time range: end defaults to now, start to an hour before end. */
export function timeRangeField(body: Record<string, unknown>): { startNs: bigint; endNs: bigint } {
  const endNs = parseLokiTime(timeField(body, 'end'), BigInt(Date.now()) * 1_000_000n, 'end');
  const startNs = parseLokiTime(timeField(body, 'start'), endNs - HOUR_NS, 'start');
  if (endNs <= startNs) throw new HttpError(400, 'end must be after start');
  return { startNs, endNs };
}
