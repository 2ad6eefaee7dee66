// The live tail's state for the Explore page: runs a TailSession while a query is given, keeps the newest
// TAIL_BUFFER rows (older ones leave from the top), renders at most once per frame however fast lines come,
// holds new lines back while paused, and measures the rate.

import { useEffect, useRef, useState } from 'preact/hooks';
import { remember } from '../state/query-history.ts';
import { RateMeter, TailSession, type TailStatus } from './live-tail.ts';
import type { LogRow } from './log-rows.ts';

/** rows kept by the live tail */
export const TAIL_BUFFER = 10_000;

export interface LiveTail {
  rows: LogRow[];
  status: TailStatus | undefined;
  /** lines per second over the last 10 s */
  rate: number;
  paused: boolean;
  /** lines held back while paused */
  pending: number;
  pause: () => void;
  resume: () => void;
}

function appendBounded(prev: LogRow[], batch: LogRow[]): LogRow[] {
  if (!batch.length) return prev;
  const next = prev.concat(batch);
  return next.length > TAIL_BUFFER ? next.slice(next.length - TAIL_BUFFER) : next;
}

/** Tails `query` (empty = no tail); a change of `restartKey` (tenant, a new run) starts a new session. */
export function useLiveTail(query: string, restartKey: string): LiveTail {
  const [rows, setRows] = useState<LogRow[]>([]);
  const [status, setStatus] = useState<TailStatus | undefined>();
  const [paused, setPaused] = useState(false);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const held = useRef<LogRow[]>([]);
  const [pending, setPending] = useState(0);
  const meter = useRef(new RateMeter());
  const [rate, setRate] = useState(0);

  useEffect(() => {
    if (!query.trim()) return;
    setRows([]);
    held.current = [];
    setPending(0);
    meter.current = new RateMeter();
    const startedMs = Date.now() - 1000;
    let frame = 0;
    let incoming: LogRow[] = [];
    const flush = () => {
      frame = 0;
      const batch = incoming;
      incoming = [];
      if (pausedRef.current) {
        held.current = held.current.concat(batch).slice(-TAIL_BUFFER);
        setPending(held.current.length);
      } else setRows((prev) => appendBounded(prev, batch));
    };
    const session = new TailSession(query, {
      onRows: (batch) => {
        // the look-back (lines from before the tail started) is not part of the rate
        let arriving = 0;
        for (const r of batch) if (r.tsMs >= startedMs) arriving++;
        if (arriving) meter.current.add(arriving);
        incoming = incoming.concat(batch);
        // one render per frame however fast lines arrive
        if (!frame) frame = requestAnimationFrame(flush);
      },
      onStatus: setStatus,
    });
    session.start();
    remember(query);
    const tick = setInterval(() => setRate(meter.current.rate()), 1000);
    return () => {
      session.stop();
      cancelAnimationFrame(frame);
      clearInterval(tick);
      setStatus(undefined);
    };
  }, [query, restartKey]);

  return {
    rows,
    status,
    rate,
    paused,
    pending,
    pause: () => setPaused(true),
    resume: () => {
      setPaused(false);
      setRows((prev) => appendBounded(prev, held.current));
      held.current = [];
      setPending(0);
    },
  };
}
