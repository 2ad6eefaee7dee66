// One dashboard: its time picker, refresh interval and variables (all in the URL), the panels on a 24-column
// grid, and edit mode (add, remove, move, resize and edit panels, rename), saved as a new version (a stale
// version is refused by the server and said so), with the version list (restore) and JSON export.

import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError } from '../api/client.ts';
import { TimePicker } from '../explore/time-picker.tsx';
import { resolveRange, stepFor, type TimeRange } from '../state/time-range.ts';
import { deleteDashboard, exportJson, getDashboard, getVersion, listVersions, saveDashboard } from './dashboard-api.ts';
import { GRID_COLUMNS, type Dashboard, type DashboardPanel, type StoredDashboard, type VersionEntry } from './dashboard-types.ts';
import { pushDown } from './grid-layout.ts';
import { PanelEditor } from './panel-editor.tsx';
import { PanelView, type PanelContext } from './panel-view.tsx';
import { useVariableOptions, VariableBar } from './variable-bar.tsx';
import { defaultChoice, substitute, type VariableValues } from './variables.ts';

export const REFRESH_CHOICES = ['', '10s', '30s', '1m', '5m', '15m', '1h'];

/** Panel points across the range: the step is the round interval giving about this many. */
const POINTS = 100;

export interface ViewState {
  range?: TimeRange;
  refresh?: string;
  vars: VariableValues;
}

function refreshMs(r: string): number {
  const m = /^(\d+)([smh])$/.exec(r);
  return m ? Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'] : 0;
}

export function DashboardView({ stored, theme, tenant, view, onView, onStored, onClose }: {
  stored: StoredDashboard;
  theme: string;
  tenant: string;
  view: ViewState;
  onView: (v: ViewState) => void;
  onStored: (s: StoredDashboard | undefined) => void;
  onClose: () => void;
}) {
  const [draft, setDraft] = useState<Dashboard | undefined>(undefined);
  const [editingPanel, setEditingPanel] = useState<number | undefined>(undefined);
  const [message, setMessage] = useState<{ kind: 'error' | 'ok'; text: string } | undefined>(undefined);
  const [versions, setVersions] = useState<VersionEntry[] | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const [nowMs, setNowMs] = useState(() => Date.now());

  const dash = draft ?? stored;
  const range = view.range ?? dash.time;
  const refresh = view.refresh ?? dash.refresh;
  const { fromMs, toMs } = resolveRange(range, nowMs);
  const stepS = stepFor(toMs - fromMs, POINTS);
  const options = useVariableOptions(dash.variables, fromMs, toMs, tick);

  // variables the URL does not set take their default once their options are known
  const values = useMemo(() => {
    const out: VariableValues = {};
    for (const v of dash.variables) out[v.name] = view.vars[v.name]?.length ? view.vars[v.name] : defaultChoice(v, options[v.name] ?? []);
    return out;
  }, [dash.variables, view.vars, options]);

  useEffect(() => {
    const ms = refreshMs(refresh);
    if (!ms || draft) return;
    const timer = setInterval(() => {
      setNowMs(Date.now());
      setTick((t) => t + 1);
    }, ms);
    return () => clearInterval(timer);
  }, [refresh, !!draft]);

  const ctxFor = (p: DashboardPanel): PanelContext => ({
    query: substitute(p.query, dash.variables, values, { rangeS: (toMs - fromMs) / 1000, stepS }),
    fromMs,
    toMs,
    stepS,
    tick,
    theme,
    tenant,
    range,
  });

  const edit = (patch: (d: Dashboard) => Dashboard) => setDraft(patch(draft ?? structuredClone(stripMeta(stored))));
  const updatePanel = (id: number, f: (p: DashboardPanel) => DashboardPanel) => edit((d) => ({ ...d, panels: d.panels.map((p) => (p.id === id ? f(p) : p)) }));
  const addPanel = () => {
    const base = draft ?? stripMeta(stored);
    const id = Math.max(0, ...base.panels.map((p) => p.id)) + 1;
    const y = Math.max(0, ...base.panels.map((p) => p.grid.y + p.grid.h));
    const panel: DashboardPanel = { id, title: 'New panel', type: 'timeseries', query: 'sum(count_over_time({service=~".+"} [$__interval]))', grid: { x: 0, y, w: 12, h: 8 } };
    setDraft({ ...base, panels: [...base.panels, panel] });
    setEditingPanel(id);
  };

  const save = async () => {
    if (!draft) return;
    setMessage(undefined);
    try {
      const r = await saveDashboard(draft, stored.version);
      const fresh = await getDashboard(r.uid);
      setDraft(undefined);
      setVersions(undefined);
      onStored(fresh);
      setMessage({ kind: 'ok', text: `Saved as version ${r.version}.` });
    } catch (e) {
      const text = e instanceof ApiError && e.status === 409 ? `${e.message}. Your changes are still here: export them, or reload and edit again.` : e instanceof Error ? e.message : String(e);
      setMessage({ kind: 'error', text });
    }
  };

  const restore = async (n: number) => {
    try {
      const old = await getVersion(stored.uid, n);
      const r = await saveDashboard(stripMeta(old), stored.version);
      onStored(await getDashboard(r.uid));
      setVersions(undefined);
      setMessage({ kind: 'ok', text: `Version ${n} restored as version ${r.version}.` });
    } catch (e) {
      setMessage({ kind: 'error', text: e instanceof Error ? e.message : String(e) });
    }
  };

  const download = () => {
    const url = URL.createObjectURL(new Blob([exportJson(dash)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${dash.uid}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const remove = async () => {
    if (!confirm(`Delete the dashboard "${stored.title}" and all its versions?`)) return;
    try {
      await deleteDashboard(stored.uid);
      onStored(undefined);
      onClose();
    } catch (e) {
      setMessage({ kind: 'error', text: e instanceof Error ? e.message : String(e) });
    }
  };

  const panelBeingEdited = editingPanel === undefined ? undefined : dash.panels.find((p) => p.id === editingPanel);
  return (
    <div class="dashboard" data-uid={dash.uid} data-version={stored.version}>
      <div class="dashboard-bar">
        <button type="button" class="link" onClick={onClose}>
          Dashboards
        </button>
        <span class="muted">/</span>
        {draft ? (
          <input class="title-input" aria-label="Dashboard title" value={draft.title} onInput={(e) => edit((d) => ({ ...d, title: (e.target as HTMLInputElement).value }))} />
        ) : (
          <h1>{dash.title}</h1>
        )}
        <span class="muted version-tag">v{stored.version}</span>
        <span class="spacer" />
        <TimePicker range={range} onChange={(r) => (setNowMs(Date.now()), onView({ ...view, range: r }))} />
        <button type="button" class="icon" aria-label="Refresh now" title="Refresh now" onClick={() => (setNowMs(Date.now()), setTick((t) => t + 1))}>
          ⟳
        </button>
        <label class="refresh">
          <span class="sr-only">Auto refresh</span>
          <select aria-label="Auto refresh" value={refresh} onChange={(e) => onView({ ...view, refresh: (e.target as HTMLSelectElement).value })}>
            {REFRESH_CHOICES.map((r) => (
              <option key={r} value={r}>
                {r ? `every ${r}` : 'auto refresh off'}
              </option>
            ))}
          </select>
        </label>
        {draft ? (
          <>
            <button type="button" onClick={addPanel}>
              Add panel
            </button>
            <button type="button" onClick={() => (setDraft(undefined), setMessage(undefined))}>
              Discard
            </button>
            <button type="button" class="primary" onClick={save}>
              Save dashboard
            </button>
          </>
        ) : (
          <>
            <button type="button" onClick={() => edit((d) => d)}>
              Edit
            </button>
            <details class="menu more-menu" onToggle={(e) => (e.target as HTMLDetailsElement).open && !versions && listVersions(stored.uid).then(setVersions, () => setVersions([]))}>
              <summary aria-label="More actions">⋯</summary>
              <div class="menu-body">
                <button type="button" class="link" onClick={download}>
                  Export JSON
                </button>
                <button type="button" class="link danger" onClick={remove}>
                  Delete dashboard
                </button>
                <h3>Versions</h3>
                <ul class="versions" aria-label="Versions">
                  {(versions ?? []).map((v) => (
                    <li key={v.version}>
                      v{v.version} <span class="muted">{new Date(v.updated).toLocaleString()}</span>{' '}
                      {v.version === stored.version ? (
                        <span class="muted">current</span>
                      ) : (
                        <button type="button" class="link" aria-label={`Restore version ${v.version}`} onClick={() => void restore(v.version)}>
                          Restore
                        </button>
                      )}
                    </li>
                  ))}
                </ul>
              </div>
            </details>
          </>
        )}
      </div>
      <VariableBar variables={dash.variables} values={values} options={options} onChange={(name, chosen) => onView({ ...view, vars: { ...view.vars, [name]: chosen } })} />
      {message && (
        <p class={message.kind === 'error' ? 'error-banner' : 'ok-banner'} role={message.kind === 'error' ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      <div class={`panel-grid${draft ? ' editing' : ''}`} style={{ gridTemplateColumns: `repeat(${GRID_COLUMNS}, minmax(0, 1fr))` }}>
        {dash.panels.map((p) => (
          <PanelView
            key={p.id}
            panel={p}
            ctx={ctxFor(p)}
            editing={!!draft}
            onEdit={() => setEditingPanel(p.id)}
            onRemove={() => edit((d) => ({ ...d, panels: d.panels.filter((q) => q.id !== p.id) }))}
            onMove={(dx, dy, dw, dh) =>
              edit((d) => ({ ...d, panels: pushDown(d.panels.map((q) => (q.id === p.id ? { ...q, grid: moved(q.grid, dx, dy, dw, dh) } : q)), p.id) }))
            }
          />
        ))}
        {dash.panels.length === 0 && <p class="muted pad">No panels yet: Edit, then Add panel.</p>}
      </div>
      {panelBeingEdited && (
        <PanelEditor
          panel={panelBeingEdited}
          onCancel={() => setEditingPanel(undefined)}
          onApply={(p) => {
            updatePanel(p.id, () => p);
            setEditingPanel(undefined);
          }}
        />
      )}
    </div>
  );
}

function moved(g: DashboardPanel['grid'], dx: number, dy: number, dw: number, dh: number): DashboardPanel['grid'] {
  const w = Math.min(GRID_COLUMNS, Math.max(2, g.w + dw));
  const x = Math.min(GRID_COLUMNS - w, Math.max(0, g.x + dx));
  return { x, y: Math.max(0, g.y + dy), w, h: Math.max(2, g.h + dh) };
}

/** The dashboard without the stored version's metadata (what a save sends). */
function stripMeta(s: Dashboard & Partial<Pick<StoredDashboard, 'version' | 'updated'>>): Dashboard {
  const { uid, title, tags, time, refresh, variables, panels } = s;
  return { uid, title, tags, time, refresh, variables, panels };
}
