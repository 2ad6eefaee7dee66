// One dashboard panel: its title bar (with edit controls in edit mode, and "Explore" to open the query there),
// and its content fetched for the dashboard's range and variables: a chart, a stat, a table, log lines or the
// security summary. Errors from the server are shown in the panel, the others keep rendering.

import { useEffect, useMemo, useState } from 'preact/hooks';
import { isAbort } from '../api/client.ts';
import type { VectorSample } from '../api/loki-types.ts';
import { LogList } from '../explore/log-list.tsx';
import type { RowActions } from '../explore/log-details.tsx';
import type { LogRow } from '../explore/log-rows.ts';
import { highlighter } from '../explore/match-highlight.ts';
import { lineFilters, streamSelector } from '../logql/query-edit.ts';
import { DEFAULT_STATE, encodeState } from '../state/url-state.ts';
import type { Incident } from './dashboard-api.ts';
import type { DashboardPanel } from './dashboard-types.ts';
import { PanelChart, PALETTE } from './panel-chart.tsx';
import { fetchPanel, type PanelData } from './panel-data.ts';
import { formatValue, seriesName } from './panel-format.ts';

export interface PanelContext {
  /** the query with variables substituted */
  query: string;
  fromMs: number;
  toMs: number;
  stepS: number;
  /** bumps on refresh: refetch even when nothing else changed */
  tick: number;
  theme: string;
  tenant: string;
  /** the dashboard's range as the URL spells it, for links to Explore */
  range: { from: string; to: string };
}

type Phase = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ready'; data: PanelData };

export function PanelView({ panel, ctx, editing, onEdit, onRemove, onMove }: {
  panel: DashboardPanel;
  ctx: PanelContext;
  editing: boolean;
  onEdit: () => void;
  onRemove: () => void;
  onMove: (dx: number, dy: number, dw: number, dh: number) => void;
}) {
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  useEffect(() => {
    const ac = new AbortController();
    setPhase((p) => (p.kind === 'ready' ? p : { kind: 'loading' }));
    fetchPanel(panel.type, ctx.query, ctx.fromMs, ctx.toMs, ctx.stepS, ac.signal).then(
      (data) => setPhase({ kind: 'ready', data }),
      (e) => !isAbort(e) && setPhase({ kind: 'error', message: e instanceof Error ? e.message : String(e) }),
    );
    return () => ac.abort();
  }, [panel.type, ctx.query, ctx.fromMs, ctx.toMs, ctx.stepS, ctx.tick]);

  const exploreHref = `/ui/explore?${encodeState({ ...DEFAULT_STATE, query: ctx.query, from: ctx.range.from, to: ctx.range.to, tenant: ctx.tenant })}`;
  const { x, y, w, h } = panel.grid;
  return (
    <section
      class={`dash-panel dash-panel-${panel.type}`}
      aria-label={panel.title || 'Untitled panel'}
      data-panel-id={panel.id}
      data-state={phase.kind}
      style={{ gridColumn: `${x + 1} / span ${w}`, gridRow: `${y + 1} / span ${h}` }}
    >
      <header class="panel-title">
        <h2>{panel.title || <span class="muted">Untitled</span>}</h2>
        <span class="spacer" />
        {phase.kind === 'loading' && <span class="muted panel-loading">…</span>}
        {panel.type !== 'security' && !editing && (
          <a class="panel-explore" href={exploreHref} title="Open this query in Explore">
            Explore
          </a>
        )}
        {editing && (
          <span class="panel-tools">
            <button type="button" class="icon" aria-label={`Move ${panel.title} left`} onClick={() => onMove(-1, 0, 0, 0)} disabled={x === 0}>
              ←
            </button>
            <button type="button" class="icon" aria-label={`Move ${panel.title} right`} onClick={() => onMove(1, 0, 0, 0)} disabled={x + w >= 24}>
              →
            </button>
            <button type="button" class="icon" aria-label={`Move ${panel.title} up`} onClick={() => onMove(0, -1, 0, 0)} disabled={y === 0}>
              ↑
            </button>
            <button type="button" class="icon" aria-label={`Move ${panel.title} down`} onClick={() => onMove(0, 1, 0, 0)}>
              ↓
            </button>
            <button type="button" class="icon" aria-label={`Narrower ${panel.title}`} onClick={() => onMove(0, 0, -1, 0)} disabled={w <= 2}>
              ⇤
            </button>
            <button type="button" class="icon" aria-label={`Wider ${panel.title}`} onClick={() => onMove(0, 0, 1, 0)} disabled={x + w >= 24}>
              ⇥
            </button>
            <button type="button" class="icon" aria-label={`Shorter ${panel.title}`} onClick={() => onMove(0, 0, 0, -1)} disabled={h <= 2}>
              ⤒
            </button>
            <button type="button" class="icon" aria-label={`Taller ${panel.title}`} onClick={() => onMove(0, 0, 0, 1)}>
              ⤓
            </button>
            <button type="button" aria-label={`Edit ${panel.title}`} onClick={onEdit}>
              Edit
            </button>
            <button type="button" aria-label={`Remove ${panel.title}`} onClick={onRemove}>
              Remove
            </button>
          </span>
        )}
      </header>
      <div class="panel-body">
        {phase.kind === 'error' && (
          <p class="error-text panel-error" role="alert">
            {phase.message}
          </p>
        )}
        {phase.kind === 'ready' && <PanelContent panel={panel} data={phase.data} ctx={ctx} />}
      </div>
    </section>
  );
}

function PanelContent({ panel, data, ctx }: { panel: DashboardPanel; data: PanelData; ctx: PanelContext }) {
  switch (data.kind) {
    case 'matrix':
      return (
        <PanelChart
          series={data.series}
          startS={data.startS}
          endS={data.endS}
          stepS={data.stepS}
          bars={panel.type === 'bars'}
          unit={panel.unit}
          legend={panel.legend}
          theme={ctx.theme}
          label={`${panel.title}: ${data.series.length} series`}
        />
      );
    case 'vector':
      return panel.type === 'stat' ? <Stat samples={data.samples} panel={panel} /> : <VectorTable samples={data.samples} panel={panel} />;
    case 'logs':
      return <LogsPanel rows={data.rows} panel={panel} ctx={ctx} />;
    case 'security':
      return <SecuritySummary incidents={data.incidents} />;
  }
}

function Stat({ samples, panel }: { samples: VectorSample[]; panel: DashboardPanel }) {
  if (samples.length === 0) return <p class="stat-value muted" data-value="">No data</p>;
  if (samples.length === 1) {
    const v = Number(samples[0].value[1]);
    return (
      <p class="stat-value" data-value={String(v)}>
        {formatValue(v, panel.unit)}
      </p>
    );
  }
  return (
    <ul class="stat-list">
      {samples.map((s, i) => (
        <li key={i} data-value={s.value[1]}>
          <span class="swatch" style={{ background: PALETTE[i % PALETTE.length] }} />
          {seriesName(s.metric, panel.legend)} <b>{formatValue(Number(s.value[1]), panel.unit)}</b>
        </li>
      ))}
    </ul>
  );
}

function VectorTable({ samples, panel }: { samples: VectorSample[]; panel: DashboardPanel }) {
  const columns = useMemo(() => [...new Set(samples.flatMap((s) => Object.keys(s.metric)))].sort(), [samples]);
  const rows = useMemo(() => samples.slice().sort((a, b) => Number(b.value[1]) - Number(a.value[1])), [samples]);
  if (rows.length === 0) return <p class="muted panel-empty">No data in this range.</p>;
  return (
    <div class="panel-table-wrap">
      <table class="panel-table">
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
            <th scope="col" class="num">
              Value
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s, i) => (
            <tr key={i}>
              {columns.map((c) => (
                <td key={c} title={s.metric[c]}>
                  {s.metric[c] ?? ''}
                </td>
              ))}
              <td class="num" data-value={s.value[1]}>
                {formatValue(Number(s.value[1]), panel.unit)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function LogsPanel({ rows, panel, ctx }: { rows: LogRow[]; panel: DashboardPanel; ctx: PanelContext }) {
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set());
  const highlight = useMemo(() => highlighter(lineFilters(ctx.query)), [ctx.query]);
  // row actions continue in Explore, which has the room for them
  const go = (extra: Partial<typeof DEFAULT_STATE>) => {
    location.href = `/ui/explore?${encodeState({ ...DEFAULT_STATE, query: ctx.query, from: ctx.range.from, to: ctx.range.to, tenant: ctx.tenant, ...extra })}`;
  };
  const actions: RowActions = {
    onFilter: () => go({}),
    onToggleColumn: () => go({ view: 'table' }),
    onTrace: (id, row) => go({ trace: { id, atNs: row.tsNs } }),
    onContext: (row) => go({ context: { atNs: row.tsNs, stream: streamSelector(row.stream), search: '' } }),
    columns: [],
  };
  if (rows.length === 0) return <p class="muted panel-empty">No lines in this range.</p>;
  return (
    <LogList
      rows={rows}
      highlight={highlight}
      expanded={expanded}
      onToggle={(row) => {
        const next = new Set(expanded);
        if (!next.delete(row.key)) next.add(row.key);
        setExpanded(next);
      }}
      actions={actions}
      wrap={false}
      label={`${panel.title} lines`}
    />
  );
}

const OPEN = new Set(['new', 'triaged', 'in_progress']);
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'informational'];

function SecuritySummary({ incidents }: { incidents: Incident[] | undefined }) {
  if (incidents === undefined)
    return (
      <p class="muted security-off">
        SIEM detection is not enabled on this server (start it with <code>--siem</code>, see docs/siem.md), so there are no incidents to count.
      </p>
    );
  const open = incidents.filter((i) => OPEN.has(i.status));
  const bySeverity = SEVERITIES.map((s) => [s, open.filter((i) => i.severity === s).length] as const).filter(([, n]) => n > 0);
  return (
    <div class="security-summary">
      <p class="stat-value" data-value={String(open.length)}>
        {open.length} <span class="stat-unit">open incident{open.length === 1 ? '' : 's'}</span>
      </p>
      <p class="muted">
        {bySeverity.length ? bySeverity.map(([s, n]) => `${n} ${s}`).join(' · ') : 'none open'} · {incidents.length} in all ·{' '}
        <a href="/ui/detections">Detections</a>
      </p>
      <ul class="incident-list">
        {open.slice(0, 3).map((i) => (
          <li key={i.id} class={`sev-${i.severity}`}>
            {i.title}
          </li>
        ))}
      </ul>
    </div>
  );
}
