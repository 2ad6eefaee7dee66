// The trace view: every line of one request (its trace_id as a field or in the text) across services, in time
// order, with a waterfall of services on one time axis (each lane spans its first to last line; errors marked).

import { useEffect, useState } from 'preact/hooks';
import { isAbort } from '../api/client.ts';
import { queryLogs } from '../api/loki-queries.ts';
import { traceQueries } from '../logql/query-edit.ts';
import { msToNs, resolveRange, type TimeRange } from '../state/time-range.ts';
import { formatTimestamp } from '../state/time-range.ts';
import { nsToMs, serviceOf } from './log-rows.ts';
import { isErrorRow, offsetLabel, traceFlow, type TraceFlow } from './trace-flow.ts';

/** the window searched around the line the trace was opened from */
const AROUND_MS = 30 * 60_000;

interface Props {
  traceId: string;
  atNs: string;
  range: TimeRange;
  onClose: () => void;
  onExplore: (query: string) => void;
}

export function TracePanel({ traceId, atNs, range, onClose, onExplore }: Props) {
  const [flow, setFlow] = useState<TraceFlow | undefined>();
  const [error, setError] = useState('');
  useEffect(() => {
    const ctl = new AbortController();
    setFlow(undefined);
    setError('');
    const bounds = atNs ? { startNs: msToNs(nsToMs(atNs) - AROUND_MS), endNs: msToNs(nsToMs(atNs) + AROUND_MS) } : (() => {
      const r = resolveRange(range, Date.now());
      return { startNs: msToNs(r.fromMs), endNs: msToNs(r.toMs) };
    })();
    Promise.all(traceQueries(traceId).map((q, i) => queryLogs(q, bounds, 5000, 'forward', ctl.signal, `t${i}.`)))
      .then((results) => setFlow(traceFlow(results.map((r) => r.rows))))
      .catch((e) => !isAbort(e) && setError(e instanceof Error ? e.message : String(e)));
    return () => ctl.abort();
  }, [traceId, atNs]);

  const span = flow ? Math.max(flow.endMs - flow.startMs, 0.001) : 1;
  const pct = (ms: number) => `${(((ms - (flow?.startMs ?? 0)) / span) * 100).toFixed(3)}%`;
  return (
    <div class="panel" role="dialog" aria-label={`Trace ${traceId}`}>
      <header class="panel-head">
        <h2>
          Trace <code>{traceId}</code>
        </h2>
        {flow && (
          <span class="muted trace-summary">
            {flow.lanes.length} services · {flow.rows.length} lines · {offsetLabel(flow.endMs - flow.startMs).slice(1)}
          </span>
        )}
        <button type="button" onClick={() => onExplore(traceQueries(traceId)[1])}>
          Open in Explore
        </button>
        <button type="button" class="icon" aria-label="Close trace" onClick={onClose}>
          ✕
        </button>
      </header>
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
      {!flow && !error && <p class="muted">Loading…</p>}
      {flow && flow.rows.length === 0 && <p class="muted">No lines carry this id within 30 minutes of the line.</p>}
      {flow && flow.rows.length > 0 && (
        <>
          <div class="waterfall" role="table" aria-label="Services on one time axis">
            <div class="wf-axis" role="row">
              <span role="columnheader">Service</span>
              <span role="columnheader" class="wf-ticks">
                <span>{formatTimestamp(flow.startMs)}</span>
                <span>{offsetLabel(span / 2)}</span>
                <span>{offsetLabel(span)}</span>
              </span>
            </div>
            {flow.lanes.map((lane) => (
              <div class={`wf-row${lane.errors ? ' has-errors' : ''}`} role="row" key={lane.service} data-service={lane.service}>
                <span role="rowheader" class="wf-name" title={lane.service}>
                  {lane.service}
                  {lane.errors > 0 && <span class="wf-errors"> ✕ {lane.errors}</span>}
                </span>
                <span role="cell" class="wf-track">
                  <span class="wf-span" style={{ left: pct(lane.firstMs), width: `max(2px, calc(${pct(lane.lastMs)} - ${pct(lane.firstMs)}))` }} />
                  {lane.rows.map((r) => (
                    <i key={r.key} class={`wf-dot level-${r.level}${isErrorRow(r) ? ' error' : ''}`} style={{ left: pct(r.tsMs) }} title={`${offsetLabel(r.tsMs - flow.startMs)} ${r.line}`} />
                  ))}
                </span>
              </div>
            ))}
          </div>
          <ol class="trace-lines" aria-label="Lines of this request in time order">
            {flow.rows.map((r) => (
              <li key={r.key} class={`trace-line level-${r.level}${isErrorRow(r) ? ' error' : ''}`} data-service={serviceOf(r)}>
                <span class="offset">{offsetLabel(r.tsMs - flow.startMs)}</span>
                <span class="svc">{serviceOf(r)}</span>
                <span class="lvl">{r.level === 'unknown' ? '' : r.level}</span>
                <span class="line-text">{r.line}</span>
              </li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}
