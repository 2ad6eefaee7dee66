// The shared path of every HTTP ingest endpoint: authenticate, bound in-flight memory, read and decompress the
// body, run the protocol adapter, commit durably, then answer with the adapter's errors (valid entries are kept).

import type { IncomingMessage } from 'node:http';
import type { AdapterContext, AdapterResult } from '../ingest/adapter.ts';
import { readBody } from '../ingest/body-decoding.ts';
import type { IngestError } from '../ingest/limits.ts';
import { HttpError, type ServerDeps } from './http-server.ts';

export interface IngestOutcome<R extends AdapterResult = AdapterResult> {
  tenant: string;
  accepted: number;
  errors: IngestError[];
  /** entries seen, accepted or not */
  total: number;
  /** the adapter's whole result, for protocols whose reply needs more than the errors (e.g. per-item results) */
  result: R;
}

/** Bytes of request bodies being read or committed; past the cap new requests get 429 instead of memory. */
let inflightBytes = 0;
const MAX_INFLIGHT_BYTES = 256 * 1024 * 1024;

export async function ingestRequest<R extends AdapterResult = AdapterResult>(
  deps: ServerDeps,
  req: IncomingMessage,
  adapter: (body: Buffer, ctx: AdapterContext) => R,
  protocol: string,
  extraLabels?: Record<string, string>,
): Promise<IngestOutcome<R>> {
  const [tenant] = deps.auth.tenants(req, false);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (inflightBytes + declared > MAX_INFLIGHT_BYTES && inflightBytes > 0) {
    throw new HttpError(429, `server is busy: ${inflightBytes} bytes of requests in flight`, { 'Retry-After': '1' });
  }
  inflightBytes += declared;
  try {
    const body = await readBody(req, req.headers['content-encoding'], deps.config.limits.maxBodyBytes);
    const result = adapter(body, { tenant, limits: deps.config.limits, nowMs: Date.now(), extraLabels });
    if (result.fatal) {
      deps.metrics.ingestRejected.inc({ reason: 'malformed_body', protocol });
      throw new HttpError(400, result.fatal);
    }
    await commitAdapterResult(deps, result, protocol);
    return { tenant, accepted: result.batch.entries, errors: result.errors, total: result.batch.entries + result.errors.length, result };
  } finally {
    inflightBytes -= declared;
  }
}

/**
 * Commits an adapter's batch durably and counts it: the one way records reach the store, for HTTP and socket
 * protocols alike, through the pipelines when they are configured. Rejects with StoreBusyError when the store is
 * behind (the caller applies its protocol's back-pressure: 429/503, withheld acks, paused reads).
 */
export async function commitAdapterResult(deps: Pick<ServerDeps, 'store' | 'metrics' | 'pipeline' | 'siem'>, result: AdapterResult, protocol: string): Promise<void> {
  const { tenant } = result.batch;
  if (result.batch.entries > 0) {
    // without a pipelines file nothing is converted or copied: the batch goes straight to the store
    // (with one, the pipeline host's store hands what it stores to the SIEM itself, parsed fields included)
    if (deps.pipeline) await deps.pipeline.commit(result.batch);
    else {
      await deps.store.append(result.batch);
      deps.siem?.onCommitted(result.batch);
    }
  }
  deps.metrics.ingestEntries.inc({ tenant, protocol }, result.batch.entries);
  deps.metrics.ingestBytes.inc({ tenant, protocol }, result.batch.bytes);
  for (const e of result.errors) deps.metrics.ingestRejected.inc({ reason: e.reason, protocol });
}

/** One line per error (at most `max`), Loki-style, plus the total. */
export function describeErrors(outcome: IngestOutcome, max = 20): string {
  const lines = outcome.errors.slice(0, max).map((e) => {
    const where = [e.stream ? `stream ${e.stream}` : '', e.entry !== undefined ? `entry ${e.entry}` : '', e.line !== undefined && !e.message.startsWith('line ') ? `line ${e.line}` : '']
      .filter(Boolean)
      .join(', ');
    return `${where ? where + ': ' : ''}${e.message} (${e.reason})`;
  });
  if (outcome.errors.length > max) lines.push(`… and ${outcome.errors.length - max} more`);
  lines.push(`total ignored: ${outcome.errors.length} out of ${outcome.total}; accepted: ${outcome.accepted}`);
  return lines.join('\n');
}
