// OTLP/HTTP logs receiver (OTLP spec "OTLP/HTTP"): POST /v1/logs with protobuf or JSON bodies (gzip too). Success is
// 200 with an ExportLogsServiceResponse (partial_success when records were refused) in the request's encoding;
// failures are a google.rpc.Status in that encoding, with Retry-After on 429/503 so exporters back off.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseOtlpLogsJson } from '../../ingest/otlp-logs-json.ts';
import { encodeExportLogsResponse, encodeRpcStatus, parseOtlpLogsProtobuf } from '../../ingest/otlp-logs-protobuf.ts';
import { partialSuccessMessage } from '../../ingest/otlp-logs.ts';
import { HttpError, classifyError, sendJson, type Handler, type Route, type ServerDeps } from '../http-server.ts';
import { ingestRequest } from '../ingest-handler.ts';

type Encoding = 'protobuf' | 'json';

/** The body encoding named by Content-Type, or undefined for one OTLP/HTTP does not define. */
function requestEncoding(req: IncomingMessage): Encoding | undefined {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

export function otlpRoutes(deps: ServerDeps): Route[] {
  const exportLogs: Handler = async (req, res) => {
    const encoding = requestEncoding(req);
    if (!encoding) throw new HttpError(415, `unsupported Content-Type "${req.headers['content-type'] ?? ''}": OTLP/HTTP takes application/x-protobuf or application/json`);
    const adapter = encoding === 'protobuf' ? parseOtlpLogsProtobuf : parseOtlpLogsJson;
    const outcome = await ingestRequest(deps, req, adapter, encoding === 'protobuf' ? 'otlp_protobuf' : 'otlp_json');
    const rejected = outcome.errors.length;
    const message = rejected > 0 ? partialSuccessMessage(outcome.result) : '';
    if (encoding === 'protobuf') {
      const body = encodeExportLogsResponse(rejected, message);
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf', 'Content-Length': body.length });
      res.end(body);
    } else {
      // int64 fields are decimal strings in proto3 JSON
      sendJson(res, 200, rejected > 0 ? { partialSuccess: { rejectedLogRecords: String(rejected), errorMessage: message } } : {});
    }
  };
  return [{ method: 'POST', path: '/v1/logs', name: 'otlp_logs', handler: otlpReply(exportLogs) }];
}

/** google.rpc.Code per HTTP status (OTLP/HTTP "Failures"; the gRPC status mapping). */
const RPC_CODE_BY_STATUS: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 413: 3, 415: 3, 429: 8, 500: 13, 503: 14 };

/** Wraps the handler so every failure is answered as OTLP does: a Status message in the request's encoding. */
function otlpReply(handler: Handler): Handler {
  return async (req, res, ctx) => {
    try {
      await handler(req, res, ctx);
    } catch (e) {
      sendOtlpError(req, res, e);
      req.resume();
    }
  };
}

function sendOtlpError(req: IncomingMessage, res: ServerResponse, e: unknown): void {
  const { status, message, headers } = classifyError(e);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const code = RPC_CODE_BY_STATUS[status] ?? 2;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if (requestEncoding(req) === 'protobuf') {
    const body = encodeRpcStatus(code, message);
    res.writeHead(status, { 'Content-Type': 'application/x-protobuf', 'Content-Length': body.length });
    res.end(body);
  } else {
    sendJson(res, status, { code, message });
  }
}
