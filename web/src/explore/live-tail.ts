// A live tail session: the Loki `/loki/api/v1/tail` WebSocket, authenticated by a single-use ticket that carries
// the key and tenant a browser WebSocket cannot send; where no WebSocket can be opened at all (a proxy that drops
// upgrades), a once-a-second poll of query_range from the newest entry seen. Rows are handed over oldest first.

import { getJson, tailUrl } from '../api/client.ts';
import type { QueryResponse, TailFrame } from '../api/loki-types.ts';
import { msToNs } from '../state/time-range.ts';
import { compareNs, rowsFromStreams, type LogRow } from './log-rows.ts';

export type TailTransport = 'websocket' | 'polling';

export interface TailStatus {
  state: 'connecting' | 'live' | 'error' | 'closed';
  transport: TailTransport;
  message?: string;
  /** entries the server reported dropped (a slow reader) */
  dropped: number;
}

export interface TailHandlers {
  onRows: (rows: LogRow[]) => void;
  onStatus: (s: TailStatus) => void;
}

const POLL_MS = 1000;
const LOOKBACK_MS = 3_600_000;
const INITIAL_LIMIT = 100;

export class TailSession {
  private ws: WebSocket | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private frame = 0;
  private status: TailStatus;
  /** polling cursor: newest timestamp delivered, and what was delivered at exactly that time */
  private cursorNs = '';
  private atCursor = new Set<string>();

  constructor(private readonly query: string, private readonly handlers: TailHandlers) {
    this.status = { state: 'connecting', transport: 'websocket', dropped: 0 };
  }

  start(): void {
    this.report({});
    void this.openSocket();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.close(1000);
    this.report({ state: 'closed' });
  }

  private report(patch: Partial<TailStatus>): void {
    this.status = { ...this.status, ...patch };
    this.handlers.onStatus(this.status);
  }

  private async openSocket(): Promise<void> {
    let target: string;
    try {
      target = await tailUrl({ query: this.query, limit: INITIAL_LIMIT, start: msToNs(Date.now() - LOOKBACK_MS) });
    } catch (e) {
      // the ticket was refused (a wrong key, a tenant the key may not read): the server's reason is the message
      if (!this.stopped) this.report({ state: 'error', message: e instanceof Error ? e.message : String(e) });
      return;
    }
    if (this.stopped) return;
    const ws = new WebSocket(target);
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.report({ state: 'live' });
    };
    ws.onmessage = (ev) => {
      let frame: TailFrame;
      try {
        frame = JSON.parse(String(ev.data)) as TailFrame;
      } catch {
        return;
      }
      const rows = rowsFromStreams(frame.streams ?? [], 'forward', `w${this.frame++}.`);
      if (rows.length) {
        const last = rows[rows.length - 1].tsNs;
        if (!this.cursorNs || compareNs(last, this.cursorNs) > 0) this.cursorNs = last;
        this.handlers.onRows(rows);
      }
      if (frame.dropped_entries?.length) this.report({ dropped: this.status.dropped + frame.dropped_entries.length });
    };
    ws.onclose = (ev) => {
      if (this.stopped) return;
      if (!opened) {
        // no WebSocket got through (a proxy without upgrades, or a ticket refused): poll with headers instead
        this.report({ transport: 'polling', state: 'connecting' });
        void this.poll();
        return;
      }
      this.report({ state: 'error', message: ev.reason || (opened ? 'the tail connection closed' : 'could not open the tail connection') });
    };
  }

  private async poll(): Promise<void> {
    if (this.stopped) return;
    const now = Date.now();
    const first = !this.cursorNs;
    try {
      const res = await getJson<QueryResponse>(
        '/loki/api/v1/query_range',
        first
          ? { query: this.query, start: msToNs(now - LOOKBACK_MS), end: msToNs(now + 1000), limit: INITIAL_LIMIT, direction: 'backward' }
          : { query: this.query, start: this.cursorNs, end: msToNs(now + 1000), limit: 5000, direction: 'forward' },
        { headers: { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' } },
      );
      if (this.stopped) return;
      if (res.data.resultType !== 'streams') throw new Error('live tail needs a log query');
      const rows = rowsFromStreams(res.data.result, 'forward', `p${this.frame++}.`);
      const fresh: LogRow[] = [];
      for (const r of rows) {
        const id = `${r.tsNs}\u0000${JSON.stringify(r.stream)}\u0000${r.line}`;
        if (r.tsNs === this.cursorNs && this.atCursor.has(id)) continue;
        if (!this.cursorNs || compareNs(r.tsNs, this.cursorNs) > 0) {
          this.cursorNs = r.tsNs;
          this.atCursor = new Set();
        }
        if (r.tsNs === this.cursorNs) this.atCursor.add(id);
        fresh.push(r);
      }
      if (first && !this.cursorNs) this.cursorNs = msToNs(now - LOOKBACK_MS);
      if (this.status.state !== 'live') this.report({ state: 'live', message: undefined });
      if (fresh.length) this.handlers.onRows(fresh);
    } catch (e) {
      this.report({ state: 'error', message: e instanceof Error ? e.message : String(e) });
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.poll(), POLL_MS);
  }
}

/** Lines per second over a sliding window, for the rate indicator. */
export class RateMeter {
  private events: { at: number; n: number }[] = [];
  constructor(private readonly windowMs = 10_000) {}

  add(n: number, at = Date.now()): void {
    this.events.push({ at, n });
    this.trim(at);
  }

  rate(at = Date.now()): number {
    this.trim(at);
    const n = this.events.reduce((s, e) => s + e.n, 0);
    return n / (this.windowMs / 1000);
  }

  private trim(at: number): void {
    while (this.events.length && at - this.events[0].at > this.windowMs) this.events.shift();
  }
}
