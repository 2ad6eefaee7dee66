// The Explore page: query bar, time range, histogram, results as logs / table / JSON / patterns, the fields list
// with top values, live tail, and the context and trace panels. All of its state lives in the URL (url-state.ts)
// so every view can be shared; results are fetched from the Loki API whenever a query is run.

import type { EditorView } from '@codemirror/view';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { isAbort, setTenant } from '../api/client.ts';
import { detectedFieldValues, detectedFields, labelNames, labelValues, queryHistogram, queryLogs, queryMatrix, queryPatterns } from '../api/loki-queries.ts';
import type { MatrixSeries, Pattern } from '../api/loki-types.ts';
import { cachedCompletionData } from '../logql/completion-source.ts';
import { addFieldFilter, addLabelMatcher, isMetricQuery, lineFilters, streamSelector, type FilterOp } from '../logql/query-edit.ts';
import { readHistory, remember } from '../state/query-history.ts';
import { msToNs, resolveRange, stepFor } from '../state/time-range.ts';
import { decodeState, encodeState, LIMITS, VIEWS, type ExploreState, type View } from '../state/url-state.ts';
import { ContextPanel } from './context-panel.tsx';
import { FieldSidebar } from './field-sidebar.tsx';
import type { HistogramData } from './histogram-data.ts';
import { Histogram } from './histogram.tsx';
import { JsonView } from './json-view.tsx';
import { LabelBrowser } from './label-browser.tsx';
import type { RowActions } from './log-details.tsx';
import { LogList } from './log-list.tsx';
import { fieldsOf, type FieldSource, type LogRow } from './log-rows.ts';
import { highlighter } from './match-highlight.ts';
import { MetricChart } from './metric-chart.tsx';
import { PatternsView } from './patterns-view.tsx';
import { QueryEditor } from './query-editor.tsx';
import { TableView } from './table-view.tsx';
import { TimePicker } from './time-picker.tsx';
import { TracePanel } from './trace-panel.tsx';
import { HelpDialog } from '../components/help-dialog.tsx';
import { TailBar } from './tail-bar.tsx';
import { defaultTenant, type PageProps } from '../shell/page-props.ts';
import { useLiveTail } from './use-live-tail.ts';
import { QueryBuilder } from './query-builder.tsx';

const MODE_STORAGE = 'sightline.queryMode';

interface LogResults {
  rows: LogRow[];
  limit: number;
  ms: number;
}

const VIEW_NAMES: Record<View, string> = { logs: 'Logs', table: 'Table', json: 'JSON', patterns: 'Patterns' };

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

export function ExplorePage({ theme, tenants, header }: PageProps) {
  const [state, setState] = useState<ExploreState>(() => decodeState(location.search));
  const stateRef = useRef(state);
  stateRef.current = state;
  const [draft, setDraft] = useState(state.query);
  const draftRef = useRef(draft);
  draftRef.current = draft;
  const [external, setExternal] = useState({ text: state.query, rev: 0 });
  /** puts a query into the editor from outside it */
  const setQueryText = (q: string) => {
    draftRef.current = q;
    setDraft(q);
    setExternal((e) => ({ text: q, rev: e.rev + 1 }));
  };
  const [mode, setMode] = useState<'code' | 'builder'>(() => (localStorage.getItem(MODE_STORAGE) === 'builder' ? 'builder' : 'code'));
  const switchMode = (m: 'code' | 'builder') => {
    setMode(m);
    localStorage.setItem(MODE_STORAGE, m);
  };
  const [runId, setRunId] = useState(0);
  const [nowMs, setNowMs] = useState(() => Date.now());
  const editor = useRef<EditorView | null>(null);
  const [help, setHelp] = useState(false);
  // read by the key handler, which must see the dialog's state even before its effect re-registers
  const helpRef = useRef(help);
  helpRef.current = help;

  const [logs, setLogs] = useState<LogResults | undefined>();
  const [metric, setMetric] = useState<MatrixSeries[] | undefined>();
  const [histogram, setHistogram] = useState<HistogramData | undefined>();
  const [patterns, setPatterns] = useState<Pattern[] | undefined>();
  const [patternsError, setPatternsError] = useState('');
  const [loading, setLoading] = useState(false);
  const [histLoading, setHistLoading] = useState(false);
  const [error, setError] = useState('');
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [loadingMore, setLoadingMore] = useState(false);

  const tenant = defaultTenant(state.tenant, tenants);
  setTenant(tenant);
  const range = useMemo(() => resolveRange({ from: state.from, to: state.to }, nowMs), [state.from, state.to, nowMs]);
  const stepS = stepFor(range.toMs - range.fromMs);
  const rangeRef = useRef(range);
  rangeRef.current = range;

  /** Applies a change to the state and the URL: a new history entry for what the user would go "back" from. */
  const commit = (patch: Partial<ExploreState>, mode: 'push' | 'replace' = 'push') => {
    const next = { ...stateRef.current, ...patch };
    stateRef.current = next;
    setState(next);
    const url = `${location.pathname === '/' ? '/ui/explore' : location.pathname}${encodeState(next) ? `?${encodeState(next)}` : ''}`;
    // running the same view again (a refresh) is not a step to go back over
    if (mode === 'push' && url !== `${location.pathname}${location.search}`) history.pushState(null, '', url);
    else history.replaceState(null, '', url);
  };

  const run = (patch: Partial<ExploreState> = {}) => {
    const query = patch.query ?? draftRef.current;
    if (query !== draftRef.current) setQueryText(query);
    setNowMs(Date.now());
    commit({ ...patch, query });
    setRunId((n) => n + 1);
  };

  // the URL is the state: back/forward restore it
  useEffect(() => {
    if (location.pathname === '/') history.replaceState(null, '', `/ui/explore${location.search}`);
    const onPop = () => {
      const s = decodeState(location.search);
      stateRef.current = s;
      setState(s);
      setQueryText(s.query);
      setNowMs(Date.now());
      setRunId((n) => n + 1);
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  useEffect(() => {
    document.title = state.query ? `${state.query} · Sightline` : 'Explore · Sightline';
  }, [state.query]);

  // run the query: logs and histogram, or a metric query's series
  useEffect(() => {
    if (!state.query.trim() || state.live) {
      setLogs(undefined);
      setHistogram(undefined);
      setMetric(undefined);
      setError('');
      return;
    }
    const ctl = new AbortController();
    const started = performance.now();
    setLoading(true);
    setError('');
    setExpanded(new Set());
    const { fromMs, toMs } = range;
    if (isMetricQuery(state.query)) {
      setLogs(undefined);
      setHistogram(undefined);
      queryMatrix(state.query, fromMs, toMs, stepS, ctl.signal)
        .then((m) => {
          setMetric(m);
          remember(state.query);
        })
        .catch((e) => !isAbort(e) && setError(errorText(e)))
        .finally(() => !ctl.signal.aborted && setLoading(false));
      return () => ctl.abort();
    }
    setMetric(undefined);
    setHistLoading(true);
    queryLogs(state.query, { startNs: msToNs(fromMs), endNs: msToNs(toMs) }, state.limit, 'backward', ctl.signal)
      .then((r) => {
        setLogs({ rows: r.rows, limit: state.limit, ms: performance.now() - started });
        remember(state.query);
      })
      .catch((e) => {
        if (isAbort(e)) return;
        setLogs(undefined);
        setError(errorText(e));
      })
      .finally(() => !ctl.signal.aborted && setLoading(false));
    queryHistogram(state.query, fromMs, toMs, stepS, ctl.signal)
      .then(setHistogram)
      .catch((e) => !isAbort(e) && setHistogram(undefined))
      .finally(() => !ctl.signal.aborted && setHistLoading(false));
    return () => ctl.abort();
  }, [state.query, state.from, state.to, state.limit, state.tenant, state.live, runId]);

  // patterns are mined only when their tab is open
  useEffect(() => {
    if (state.view !== 'patterns' || !state.query.trim() || isMetricQuery(state.query) || state.live) return;
    const ctl = new AbortController();
    setPatterns(undefined);
    setPatternsError('');
    queryPatterns(state.query, range.fromMs, range.toMs, ctl.signal)
      .then(setPatterns)
      .catch((e) => !isAbort(e) && setPatternsError(errorText(e)));
    return () => ctl.abort();
  }, [state.view, state.query, state.from, state.to, state.tenant, state.live, runId]);

  const tail = useLiveTail(state.live ? state.query : '', `${state.tenant}\u0000${runId}`);

  // keyboard shortcuts
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '/' && !isTyping(e.target) && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        editor.current?.focus();
      } else if (e.key === '?' && !isTyping(e.target)) {
        e.preventDefault();
        helpRef.current = !helpRef.current;
        setHelp(helpRef.current);
      } else if (e.key === 'Escape') {
        if (helpRef.current) {
          helpRef.current = false;
          setHelp(false);
        } else if (stateRef.current.trace) commit({ trace: undefined });
        else if (stateRef.current.context) commit({ context: undefined });
      } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !isTyping(e.target)) {
        e.preventDefault();
        run();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [help]);

  const completionData = useMemo(
    () =>
      cachedCompletionData(
        {
          labels: (s) => labelNames(s, rangeRef.current.fromMs, rangeRef.current.toMs),
          labelValues: (l, s) => labelValues(l, s, rangeRef.current.fromMs, rangeRef.current.toMs),
          fields: (s) => detectedFields(s, rangeRef.current.fromMs, rangeRef.current.toMs),
          fieldValues: (f, s) => detectedFieldValues(f, s, rangeRef.current.fromMs, rangeRef.current.toMs),
        },
        // answers differ per tenant and time range
        () => `${stateRef.current.tenant}\u0000${stateRef.current.from}\u0000${stateRef.current.to}`,
      ),
    [],
  );

  const rows = state.live ? tail.rows : (logs?.rows ?? []);
  const fields = useMemo(() => fieldsOf(rows), [rows]);
  const builderFields = useMemo(() => fields.filter((f) => f.source !== 'label').map((f) => f.name), [fields]);
  const highlight = useMemo(() => highlighter(lineFilters(state.query)), [state.query]);

  const toggle = (row: LogRow) => {
    const next = new Set(expanded);
    if (next.has(row.key)) next.delete(row.key);
    else next.add(row.key);
    setExpanded(next);
  };

  const filter = (source: FieldSource, name: string, op: FilterOp, value: string) => {
    const base = stateRef.current.query || draftRef.current;
    run({ query: source === 'label' ? addLabelMatcher(base, name, op, value) : addFieldFilter(base, name, op, value) });
  };

  const actions: RowActions = {
    onFilter: filter,
    onToggleColumn: (name) => {
      const cols = stateRef.current.columns;
      commit({ columns: cols.includes(name) ? cols.filter((c) => c !== name) : [...cols, name] }, 'replace');
    },
    onTrace: (id, row) => commit({ trace: { id, atNs: row.tsNs }, context: undefined }),
    onContext: (row) => commit({ context: { atNs: row.tsNs, stream: streamSelector(row.stream), search: '' }, trace: undefined }),
    columns: state.columns,
  };

  const loadOlder = () => {
    if (!logs || !logs.rows.length) return;
    const oldest = logs.rows[logs.rows.length - 1].tsNs;
    setLoadingMore(true);
    // `end` is exclusive: everything strictly older than the oldest loaded line (lines at that very nanosecond
    // beyond the first page would need a cursor the API does not have)
    queryLogs(state.query, { startNs: msToNs(range.fromMs), endNs: oldest }, state.limit, 'backward', undefined, `m${logs.rows.length}.`)
      .then((r) => setLogs({ ...logs, rows: logs.rows.concat(r.rows), limit: logs.limit + state.limit }))
      .catch((e) => setError(errorText(e)))
      .finally(() => setLoadingMore(false));
  };

  const metricQuery = isMetricQuery(state.query);
  const pastQueries = readHistory();

  return (
    <div class="app">
      {header({
        onHelp: () => setHelp(true),
        currentSearch: () => encodeState(stateRef.current),
        onOpen: (search) => (location.href = `/ui/explore?${search}`),
        tenant,
        onTenant: (t) => run({ tenant: t, query: stateRef.current.query }),
      })}
      <section class="querybar" aria-label="Query bar">
        <details class="menu history-menu">
          <summary aria-label="Query history" title="Query history">
            ⟲
          </summary>
          <div class="menu-body">
            {pastQueries.length === 0 && <p class="muted">Queries you run appear here.</p>}
            <ul>
              {pastQueries.map((h) => (
                <li key={h}>
                  <button
                    type="button"
                    class="history-item"
                    onClick={(e) => {
                      (e.currentTarget as HTMLElement).closest('details')?.removeAttribute('open');
                      run({ query: h });
                    }}
                  >
                    <code>{h}</code>
                  </button>
                </li>
              ))}
            </ul>
          </div>
        </details>
        <div class="mode-switch" role="group" aria-label="Query mode">
          <button type="button" aria-pressed={mode === 'builder'} class={mode === 'builder' ? 'on' : ''} onClick={() => switchMode('builder')}>
            Builder
          </button>
          <button type="button" aria-pressed={mode === 'code'} class={mode === 'code' ? 'on' : ''} onClick={() => switchMode('code')}>
            Code
          </button>
        </div>
        <QueryEditor value={draft} external={external} onChange={setDraft} onRun={() => run()} data={completionData} viewRef={editor} />
        <TimePicker range={{ from: state.from, to: state.to }} onChange={(r) => run({ ...r, query: draftRef.current })} />
        <label class="limit">
          <span class="sr-only">Line limit</span>
          <select aria-label="Line limit" value={state.limit} onChange={(e) => run({ limit: Number((e.target as HTMLSelectElement).value) })}>
            {LIMITS.map((l) => (
              <option key={l} value={l}>
                {l.toLocaleString('en-US')} lines
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="primary" onClick={() => run()} disabled={loading && !state.live}>
          Run query
        </button>
        <button type="button" class={state.live ? 'live on' : 'live'} aria-pressed={state.live} onClick={() => run({ live: !state.live })} disabled={metricQuery}>
          Live
        </button>
      </section>
      {mode === 'builder' && <QueryBuilder query={draft} onQuery={setQueryText} fromMs={range.fromMs} toMs={range.toMs} fields={builderFields} />}
      {error && (
        <div class="error-banner" role="alert">
          {error}
        </div>
      )}
      {state.live ? (
        <TailBar tail={tail} />
      ) : (
        !metricQuery && state.query.trim() && !error && <Histogram data={histogram} stepS={stepS} loading={histLoading} theme={theme} onZoom={(from, to) => run({ from: String(from), to: String(to), query: stateRef.current.query })} />
      )}
      <div class="results-bar">
        {!metricQuery && (
          <div class="tabs" role="tablist" aria-label="Result view">
            {VIEWS.map((v) => (
              <button key={v} type="button" role="tab" aria-selected={state.view === v} class={state.view === v ? 'tab on' : 'tab'} onClick={() => commit({ view: v }, 'replace')}>
                {VIEW_NAMES[v]}
              </button>
            ))}
          </div>
        )}
        <span class="result-count muted" role="status">
          {loading ? 'Running…' : state.live ? '' : logs ? `${logs.rows.length.toLocaleString('en-US')} lines${logs.rows.length >= logs.limit ? ' (limit reached)' : ''} · ${Math.round(logs.ms)} ms` : metric ? `${metric.length} series` : ''}
        </span>
        <label class="wrap-toggle">
          <input type="checkbox" checked={state.wrap} onChange={() => commit({ wrap: !state.wrap }, 'replace')} /> Wrap lines
        </label>
      </div>
      <div class="workspace">
        {!metricQuery && state.query.trim() && (
          <FieldSidebar fields={fields} rowCount={rows.length} selected={state.field} onSelect={(f) => commit({ field: f }, 'replace')} query={state.query} fromMs={range.fromMs} toMs={range.toMs} onFilter={filter} />
        )}
        <main class="results" aria-busy={loading}>
          {!state.query.trim() && <LabelBrowser fromMs={range.fromMs} toMs={range.toMs} onPick={(q) => run({ query: q })} />}
          {metricQuery && metric && <MetricChart series={metric} stepS={stepS} startMs={range.fromMs} endMs={range.toMs} theme={theme} />}
          {!metricQuery && state.query.trim() && state.view === 'logs' && (
            <LogList rows={rows} highlight={highlight} expanded={expanded} onToggle={toggle} actions={actions} wrap={state.wrap} followEnd={state.live} label="Log lines" />
          )}
          {!metricQuery && state.query.trim() && state.view === 'table' && <TableView rows={rows} fields={fields} columns={state.columns} expanded={expanded} onToggle={toggle} actions={actions} />}
          {!metricQuery && state.query.trim() && state.view === 'json' && <JsonView rows={rows} expanded={expanded} onToggle={toggle} />}
          {!metricQuery && state.query.trim() && state.view === 'patterns' && (
            <PatternsView patterns={patterns} error={patternsError} onApply={(stage) => run({ query: `${stateRef.current.query.trimEnd()} ${stage}` })} />
          )}
          {!state.live && logs && logs.rows.length >= logs.limit && state.view !== 'patterns' && (
            <div class="load-more">
              <button type="button" onClick={loadOlder} disabled={loadingMore}>
                {loadingMore ? 'Loading…' : `Load ${state.limit.toLocaleString('en-US')} older lines`}
              </button>
            </div>
          )}
        </main>
        {state.trace && (
          <TracePanel traceId={state.trace.id} atNs={state.trace.atNs} range={{ from: state.from, to: state.to }} onClose={() => commit({ trace: undefined })} onExplore={(q) => run({ query: q, trace: undefined })} />
        )}
        {state.context && (
          <ContextPanel
            atNs={state.context.atNs}
            stream={state.context.stream}
            search={state.context.search}
            onSearch={(search) => commit({ context: { ...state.context!, search } }, 'replace')}
            onClose={() => commit({ context: undefined })}
            actions={actions}
          />
        )}
      </div>
      {help && <HelpDialog onClose={() => setHelp(false)} />}
    </div>
  );
}
