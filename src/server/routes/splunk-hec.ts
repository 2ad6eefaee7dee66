// Splunk HTTP Event Collector: /services/collector/event (and its /services/collector, /event/1.0 aliases),
// /services/collector/raw, /services/collector/health and /services/collector/ack. Token auth with
// `Authorization: Splunk <api key>`; every reply is Splunk's `{"text", "code"}` shape with Splunk's status codes.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyError } from '../../ingest/body-decoding.ts';
import { HEC, splunkHecEventAdapter, splunkHecRawAdapter, type HecDefaults, type HecResult } from '../../ingest/splunk-hec.ts';
import type { AdapterContext } from '../../ingest/adapter.ts';
import { StoreBusyError } from '../../store/store.ts';
import { AuthError } from '../auth.ts';
import { HttpError, sendJson, type Handler, type Route, type ServerDeps } from '../http-server.ts';
import { ingestRequest } from '../ingest-handler.ts';

/**
 * Indexer acknowledgement ids: every reply comes after the commit, so an ack is true as soon as it is issued.
 * One process-wide counter gives ids unique within every channel.
 */
let nextAckId = 0;

function defaultsFrom(url: URL): HecDefaults {
  const d: HecDefaults = {};
  for (const k of ['host', 'source', 'sourcetype', 'index'] as const) {
    const v = url.searchParams.get(k);
    if (v !== null && v !== '') d[k] = v;
  }
  return d;
}

function channelOf(req: IncomingMessage, url: URL): string | undefined {
  const h = req.headers['x-splunk-request-channel'];
  const v = (Array.isArray(h) ? h[0] : h) ?? url.searchParams.get('channel') ?? undefined;
  return v === '' ? undefined : v;
}

export function splunkHecRoutes(deps: ServerDeps): Route[] {
  const ingest = (adapter: (defaults: HecDefaults) => (body: Buffer, ctx: AdapterContext) => HecResult, protocol: string): Handler => async (req, res, { url }) => {
    const channel = channelOf(req, url);
    const outcome = await ingestRequest(deps, req, adapter(defaultsFrom(url)), protocol);
    const invalid = outcome.result.invalid;
    if (invalid) {
      // Splunk names the refused event; the events before it were indexed. `detail` is Sightline's explanation.
      const body: Record<string, unknown> = { text: invalid.text, code: invalid.code };
      if (invalid.code !== HEC.noData.code) body['invalid-event-number'] = invalid.event;
      body.detail = invalid.detail;
      sendJson(res, 400, body);
      return;
    }
    sendJson(res, 200, channel === undefined ? { text: HEC.success.text, code: HEC.success.code } : { text: HEC.success.text, code: HEC.success.code, ackId: nextAckId++ });
  };
  const event = ingest(splunkHecEventAdapter, 'splunk_hec_event');
  const raw = ingest(splunkHecRawAdapter, 'splunk_hec_raw');

  const health: Handler = (_req, res) => sendJson(res, 200, { text: 'HEC is healthy', code: 17 });

  const ack: Handler = async (req, res, { url }) => {
    deps.auth.tenants(req, false);
    if (channelOf(req, url) === undefined) throw new HecError(400, 10, 'Data channel is missing');
    let text = '';
    for await (const chunk of req) {
      text += String(chunk);
      if (text.length > 1 << 20) throw new HecError(400, 6, 'Invalid data format');
    }
    let ids: unknown;
    try {
      ids = (JSON.parse(text) as { acks?: unknown }).acks;
    } catch {
      throw new HecError(400, 6, 'Invalid data format');
    }
    if (!Array.isArray(ids) || !ids.every((i) => Number.isInteger(i) && i >= 0)) throw new HecError(400, 6, 'Invalid data format');
    const acks: Record<string, boolean> = {};
    for (const i of ids as number[]) acks[String(i)] = i < nextAckId;
    sendJson(res, 200, { acks });
  };

  const routes: Route[] = [
    { method: 'POST', path: '/services/collector', name: 'hec_event', handler: event },
    { method: 'POST', path: '/services/collector/event', name: 'hec_event', handler: event },
    { method: 'POST', path: '/services/collector/event/1.0', name: 'hec_event', handler: event },
    { method: 'POST', path: '/services/collector/raw', name: 'hec_raw', handler: raw },
    { method: 'POST', path: '/services/collector/raw/1.0', name: 'hec_raw', handler: raw },
    { method: 'GET', path: '/services/collector/health', name: 'hec_health', handler: health },
    { method: 'GET', path: '/services/collector/health/1.0', name: 'hec_health', handler: health },
    { method: 'POST', path: '/services/collector/ack', name: 'hec_ack', handler: ack },
  ];
  return routes.map((r) => ({ ...r, handler: hecReply(r.handler) }));
}

class HecError extends Error {
  constructor(readonly status: number, readonly code: number, message: string) {
    super(message);
  }
}

function hecReply(handler: Handler): Handler {
  return async (req, res, ctx) => {
    try {
      await handler(req, res, ctx);
    } catch (e) {
      sendHecError(req, res, e);
      req.resume();
    }
  };
}

/** Sightline failures in Splunk's terms (HEC error codes 2, 3, 4, 6, 8, 9). */
function sendHecError(req: IncomingMessage, res: ServerResponse, e: unknown): void {
  let status = 500;
  let code = 8;
  let text = 'Internal server error';
  let detail: string | undefined;
  const headers: Record<string, string> = {};
  if (e instanceof HecError) {
    status = e.status;
    code = e.code;
    text = e.message;
  } else if (e instanceof AuthError) {
    detail = e.message;
    if (e.status === 401 && !req.headers.authorization) {
      status = 401;
      code = 2;
      text = 'Token is required';
      headers['WWW-Authenticate'] = 'Splunk';
    } else if (e.status === 401 && !/^(splunk|bearer|basic|apikey)\s/i.test(req.headers.authorization ?? '')) {
      status = 401;
      code = 3;
      text = 'Invalid authorization';
    } else {
      status = 403;
      code = 4;
      text = 'Invalid token';
    }
  } else if (e instanceof StoreBusyError || (e instanceof HttpError && (e.status === 429 || e.status === 503))) {
    status = 503;
    code = 9;
    text = 'Server is busy';
    detail = e.message;
    headers['Retry-After'] = String(e instanceof StoreBusyError ? e.retryAfterSeconds : (e.headers['Retry-After'] ?? '1'));
  } else if (e instanceof HttpError || e instanceof BodyError) {
    status = e.status;
    code = 6;
    text = 'Invalid data format';
    detail = e.message;
  } else if (e instanceof Error) {
    detail = e.message;
    process.stderr.write(`sightline: request failed: ${e.stack ?? e.message}\n`);
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  sendJson(res, status, detail === undefined ? { text, code } : { text, code, detail });
}
