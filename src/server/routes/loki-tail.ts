// Loki's live tail, `GET /loki/api/v1/tail` over WebSocket: each session polls the store about once a second for
// entries newer than the last one it sent (the query's matchers, filters and pipeline, via the engine) and sends
// them as `{"streams":[…],"dropped_entries":…}` frames (3-element entries when the upgrade request carries
// `X-Loki-Response-Encoding-Flags: categorize-labels`). A slow client loses entries, reported as dropped.
// Browsers, which cannot send headers on a WebSocket, authenticate with a single-use ticket from
// `POST /ui/api/tail-ticket` passed as `?ticket=` (see tail-tickets.ts).

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import { labelsToString, type Labels } from '../../model/record.ts';
import type { QueryEngine } from '../../query/engine.ts';
import type { EntryLabels, LogEntry } from '../../query/log-query.ts';
import { parseExpr } from '../../query/parser.ts';
import { StoreBusyError } from '../../store/store.ts';
import { HttpError, sendJson, type Route, type ServerDeps } from '../http-server.ts';
import { TailTickets } from '../tail-tickets.ts';
import { CATEGORIZE_LABELS, encodingFlags, ParamError, parseLokiTime } from '../loki-params.ts';
import { HOUR_NS, nowNs } from './loki.ts';

const POLL_MS = 1000;
const MAX_DELAY_SECONDS = 5;
const MAX_LIMIT = 5000;
/** entries read per poll: a session catches up at this rate at most */
const BATCH = 5000;
/** bytes queued on the socket beyond which new entries are dropped instead of buffered */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** dropped entries reported per frame, as Loki caps its list */
const MAX_DROPPED_REPORTED = 100;
/** WebSocket close codes (RFC 6455 §7.4.1) */
const CLOSE_POLICY = 1008;
const CLOSE_ERROR = 1011;
const CLOSE_GOING_AWAY = 1001;

export interface TailParams {
  query: string;
  tenants: string[];
  startNs: bigint;
  limit: number;
  delayNs: bigint;
  /** `X-Loki-Response-Encoding-Flags: categorize-labels` on the upgrade request: 3-element entries, stream labels only */
  categorize: boolean;
}

interface TailEntry {
  labels: Labels;
  key: string;
  ts: bigint;
  line: string;
  extra: EntryLabels | undefined;
}

/** Validates the tail request's parameters (Loki's names and limits); throws ParamError with what was expected. */
export function parseTailParams(url: URL, tenants: string[], categorize = false): TailParams {
  const p = url.searchParams;
  const query = p.get('query');
  if (!query) throw new ParamError('missing parameter "query"');
  if (parseExpr(query).kind !== 'log') throw new ParamError('tail needs a log query (a stream selector and pipeline), not a metric query');
  const rawLimit = p.get('limit');
  const limit = rawLimit === null || rawLimit === '' ? 100 : Number(rawLimit);
  if (!Number.isInteger(limit) || limit <= 0 || limit > MAX_LIMIT) throw new ParamError(`invalid parameter "limit": expected an integer from 1 to ${MAX_LIMIT}, got "${rawLimit}"`);
  const rawDelay = p.get('delay_for');
  const delay = rawDelay === null || rawDelay === '' ? 0 : Number(rawDelay);
  if (!Number.isInteger(delay) || delay < 0) throw new ParamError(`invalid parameter "delay_for": expected whole seconds, got "${rawDelay}"`);
  if (delay > MAX_DELAY_SECONDS) throw new ParamError(`delay_for can't be greater than ${MAX_DELAY_SECONDS}`);
  const startNs = parseLokiTime(p.get('start') ?? undefined, nowNs() - HOUR_NS, 'start');
  return { query, tenants, startNs, limit, delayNs: BigInt(delay) * 1_000_000_000n, categorize };
}

/** One client's tail: a poll loop with a cursor (the newest timestamp sent and what was sent at it). */
class TailSession {
  private cursorNs: bigint;
  /** entries already sent at exactly cursorNs, so the next poll (which starts there) does not repeat them */
  private sentAtCursor = new Set<string>();
  private dropped: { labels: Labels; timestamp: string }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private first = true;
  private closed = false;

  constructor(private readonly ws: WebSocket, private readonly engine: QueryEngine, private readonly params: TailParams, private readonly onEnd: () => void) {
    this.cursorNs = params.startNs;
    ws.on('close', () => this.stop());
    ws.on('error', () => this.stop());
    this.schedule(0);
  }

  /** Stops polling and waits for a poll in progress, so the store can close after. */
  async close(code: number, reason: string): Promise<void> {
    this.stop();
    await this.inFlight;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code, reason);
  }

  private stop(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.onEnd();
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.poll().then(
        () => this.schedule(POLL_MS),
        (e: unknown) => {
          if (e instanceof StoreBusyError) return this.schedule(POLL_MS);
          const message = e instanceof Error ? e.message : String(e);
          void this.close(e instanceof ParamError || (e instanceof Error && e.name === 'LogQLParseError') ? CLOSE_POLICY : CLOSE_ERROR, closeReason(message));
        },
      );
    }, ms);
  }

  private async poll(): Promise<void> {
    const endNs = nowNs() - this.params.delayNs;
    if (endNs <= this.cursorNs) return;
    // the first read is the newest `limit` entries since start (Loki's best-effort look-back); later ones go forward
    const backward = this.first;
    const outcome = await this.engine.run({
      query: this.params.query,
      tenants: this.params.tenants,
      startNs: this.cursorNs,
      endNs,
      stepNs: 1_000_000_000n,
      instant: false,
      limit: backward ? this.params.limit : BATCH,
      direction: backward ? 'backward' : 'forward',
      categorizeLabels: this.params.categorize,
    });
    this.first = false;
    if (this.closed || outcome.result.resultType !== 'streams') return;
    const entries: TailEntry[] = [];
    for (const s of outcome.result.streams) {
      const key = labelsToString(s.labels);
      for (const [ts, line, extra] of s.values) {
        const t = BigInt(ts);
        if (t === this.cursorNs && this.sentAtCursor.has(key + '\u0000' + line)) continue;
        entries.push({ labels: s.labels, key, ts: t, line, extra });
      }
    }
    if (entries.length === 0) return;
    entries.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    const newest = entries[entries.length - 1].ts;
    if (newest > this.cursorNs) {
      this.cursorNs = newest;
      this.sentAtCursor = new Set();
    }
    for (const e of entries) if (e.ts === newest) this.sentAtCursor.add(e.key + '\u0000' + e.line);
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      for (const e of entries) if (this.dropped.length < MAX_DROPPED_REPORTED) this.dropped.push({ labels: e.labels, timestamp: e.ts.toString() });
      return;
    }
    this.send(entries);
  }

  private send(entries: TailEntry[]): void {
    const streams = new Map<string, { stream: Labels; values: LogEntry[] }>();
    for (const e of entries) {
      let s = streams.get(e.key);
      if (!s) streams.set(e.key, (s = { stream: e.labels, values: [] }));
      s.values.push(e.extra ? [e.ts.toString(), e.line, e.extra] : [e.ts.toString(), e.line]);
    }
    const frame = { streams: [...streams.values()], dropped_entries: this.dropped.length > 0 ? this.dropped : null };
    this.dropped = [];
    this.ws.send(JSON.stringify(frame));
  }
}

/** A close reason must fit in 123 bytes (RFC 6455 §5.5: control frame payload ≤ 125, 2 for the code). */
function closeReason(message: string): string {
  let out = message;
  while (Buffer.byteLength(out) > 123) out = out.slice(0, -1);
  return out;
}

/** The tail endpoint and its sessions; closing it ends every session before the store closes. */
export class LiveTail {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly sessions = new Set<TailSession>();
  readonly tickets = new TailTickets();

  constructor(private readonly deps: ServerDeps) {}

  routes(): Route[] {
    return [
      {
        method: 'GET',
        path: '/loki/api/v1/tail',
        name: 'loki_tail',
        handler: () => {
          throw new HttpError(400, 'this endpoint streams over WebSocket: connect with "Connection: Upgrade" and "Upgrade: websocket"');
        },
        upgrade: (req, socket, head, { url }) => this.upgrade(req, socket, head, url),
      },
      {
        // the key and tenant are checked here, with headers; the ticket carries the outcome to the upgrade
        method: 'POST',
        path: '/ui/api/tail-ticket',
        name: 'ui_tail_ticket',
        handler: (req, res) => {
          const grant = this.tickets.issue(this.deps.auth.tenants(req, true));
          res.setHeader('Cache-Control', 'no-store');
          sendJson(res, 200, grant);
        },
      },
    ];
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    // authentication failures refuse the handshake with an HTTP status, as for any other request; a ticket
    // stands for the headers a browser could not send
    const ticket = url.searchParams.get('ticket');
    const tenants = ticket !== null ? this.tickets.redeem(ticket) : this.deps.auth.tenants(req, true);
    let params: TailParams | undefined;
    let problem: string | undefined;
    try {
      params = parseTailParams(url, tenants, encodingFlags(req.headers).has(CATEGORIZE_LABELS));
    } catch (e) {
      if (!(e instanceof ParamError || (e instanceof Error && e.name === 'LogQLParseError'))) throw e;
      problem = e.message;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // a bad query is answered inside the protocol: browsers cannot read the body of a refused handshake
      if (!params) return ws.close(CLOSE_POLICY, closeReason(problem ?? 'bad request'));
      const session: TailSession = new TailSession(ws, this.deps.engine, params, () => this.sessions.delete(session));
      this.sessions.add(session);
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.sessions].map((s) => s.close(CLOSE_GOING_AWAY, 'server shutting down')));
    // a client that does not answer the close handshake within a second is cut off, so shutdown never hangs on it
    await Promise.all(
      [...this.wss.clients].map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            const timer = setTimeout(() => ws.terminate(), 1000);
            ws.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
    this.wss.close();
  }
}
