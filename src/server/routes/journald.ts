// systemd-journal-remote's upload endpoint: POST /upload with Content-Type application/vnd.fdo.journal (the Journal
// Export Format, streamed chunked by systemd-journal-upload). The body is parsed as it arrives and committed in
// batches, so an upload of any length needs bounded memory; replies are text/plain, as systemd-journal-upload prints them.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { AdapterResult } from '../../ingest/adapter.ts';
import { JournalExportParser } from '../../ingest/journald-export.ts';
import { StoreBusyError } from '../../store/store.ts';
import { HttpError, classifyError, sendText, type Route, type ServerDeps } from '../http-server.ts';
import { commitAdapterResult } from '../ingest-handler.ts';

const CONTENT_TYPE = 'application/vnd.fdo.journal';
const PROTOCOL = 'journald';
/** commit every this many entries or line bytes: bounds memory and keeps commits large enough to be cheap */
const FLUSH_ENTRIES = 5000;
const FLUSH_BYTES = 4 * 1024 * 1024;
/** how long one batch may wait for a busy store (reading pauses meanwhile: TCP back-pressure) before the upload fails */
const MAX_BUSY_WAIT_MS = 60_000;

export function journaldRoutes(deps: ServerDeps): Route[] {
  const upload = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      await receive(deps, req, res);
    } catch (e) {
      const { status, message, headers } = classifyError(e);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      // the rest of an unread upload is not wanted: close instead of draining it
      if (!req.readableEnded) res.setHeader('Connection', 'close');
      sendText(res, status, message + '\n');
    }
  };
  return [{ method: 'POST', path: '/upload', name: 'journald_upload', handler: upload }];
}

async function receive(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== CONTENT_TYPE) throw new HttpError(415, `Content-Type: ${CONTENT_TYPE} is required (got "${req.headers['content-type'] ?? ''}")`);
  const [tenant] = deps.auth.tenants(req, false);
  const parser = new JournalExportParser(tenant, deps.config.limits);
  let stored = 0;
  const refused: AdapterResult['errors'] = [];
  let refusedCount = 0;
  const flush = async () => {
    const result = parser.take();
    if (result.batch.entries === 0 && result.errors.length === 0) return;
    await commitPatiently(deps, result);
    stored += result.batch.entries;
    refusedCount += result.errors.length;
    for (const e of result.errors) if (refused.length < 5) refused.push(e);
  };
  const body = decoded(req);
  try {
    for await (const chunk of body.stream as AsyncIterable<Buffer>) {
      parser.push(chunk, Date.now());
      if (parser.fatal !== undefined) break;
      if (parser.entries >= FLUSH_ENTRIES || parser.bytes >= FLUSH_BYTES) await flush();
    }
  } catch (e) {
    // a corrupt compressed body is the client's error; anything else (the store) is not
    if (typeof (e as NodeJS.ErrnoException).code === 'string' && (e as NodeJS.ErrnoException).code!.startsWith('Z_')) {
      await flush();
      throw new HttpError(400, `could not decompress the ${body.encoding} body: ${(e as Error).message}; ${stored} entries before it were stored`);
    }
    throw e;
  }
  parser.end(Date.now());
  await flush();
  if (parser.fatal !== undefined) {
    deps.metrics.ingestRejected.inc({ reason: 'malformed_body', protocol: PROTOCOL });
    throw new HttpError(400, `malformed journal export at ${parser.fatal}; ${stored} entries before it were stored`);
  }
  // 202 and "OK." as systemd-journal-remote answers; refused entries (limits) are named but do not fail the upload:
  // systemd-journal-upload would only send them again from the same cursor
  let text = 'OK.\n';
  if (refusedCount > 0) {
    text = `OK. ${stored} entries stored, ${refusedCount} refused:\n` +
      refused.map((e) => `entry ${e.entry}${e.stream ? ` of ${e.stream}` : ''}: ${e.message} (${e.reason})\n`).join('') +
      (refusedCount > refused.length ? `… and ${refusedCount - refused.length} more\n` : '');
  }
  sendText(res, 202, text);
}

/** The request body, decompressed per Content-Encoding as it streams. */
function decoded(req: IncomingMessage): { stream: NodeJS.ReadableStream; encoding: string } {
  const encoding = String(req.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return { stream: req, encoding: 'identity' };
  const decoder = encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : encoding === 'br' ? createBrotliDecompress() : undefined;
  if (!decoder) throw new HttpError(415, `unsupported Content-Encoding "${encoding}": use gzip, deflate, br or none`);
  req.on('error', (e) => decoder.destroy(e));
  return { stream: req.pipe(decoder), encoding };
}

/**
 * Commits one batch; while the store is busy, waits as it asks and tries again (the request is not read meanwhile,
 * so the sender is slowed by TCP), up to MAX_BUSY_WAIT_MS, then fails the upload with 503 and Retry-After.
 */
async function commitPatiently(deps: ServerDeps, result: AdapterResult): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      await commitAdapterResult(deps, result, PROTOCOL);
      return;
    } catch (e) {
      if (!(e instanceof StoreBusyError) || Date.now() - started + e.retryAfterSeconds * 1000 > MAX_BUSY_WAIT_MS) throw e;
      await new Promise((resolve) => setTimeout(resolve, e.retryAfterSeconds * 1000));
    }
  }
}
