// Context around a line: the lines before and after it in its own stream, with the line itself marked, and a
// search box that narrows the context to lines containing some text (a line filter on the stream's query).

import { useEffect, useMemo, useState } from 'preact/hooks';
import { isAbort } from '../api/client.ts';
import { queryLogs } from '../api/loki-queries.ts';
import { quote } from '../logql/query-edit.ts';
import { lineFilters } from '../logql/query-edit.ts';
import { msToNs } from '../state/time-range.ts';
import { LogList } from './log-list.tsx';
import type { RowActions } from './log-details.tsx';
import { compareNs, nsToMs, type LogRow } from './log-rows.ts';
import { highlighter } from './match-highlight.ts';

const WINDOW_MS = 24 * 3_600_000;

interface Props {
  atNs: string;
  stream: string;
  search: string;
  onSearch: (text: string) => void;
  onClose: () => void;
  actions: RowActions;
}

export function ContextPanel({ atNs, stream, search, onSearch, onClose, actions }: Props) {
  const [size, setSize] = useState(50);
  const [rows, setRows] = useState<LogRow[] | undefined>();
  const [error, setError] = useState('');
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [draft, setDraft] = useState(search);
  const query = search ? `${stream} |= ${quote(search)}` : stream;

  useEffect(() => {
    const ctl = new AbortController();
    setError('');
    const atMs = nsToMs(atNs);
    const after = (BigInt(atNs) + 1n).toString();
    Promise.all([
      // up to and including the line's own nanosecond (`end` is exclusive), newest first
      queryLogs(query, { startNs: msToNs(atMs - WINDOW_MS), endNs: after }, size + 1, 'backward', ctl.signal, 'b'),
      queryLogs(query, { startNs: after, endNs: msToNs(atMs + WINDOW_MS) }, size, 'forward', ctl.signal, 'a'),
    ])
      .then(([before, later]) => setRows([...before.rows.reverse(), ...later.rows]))
      .catch((e) => !isAbort(e) && setError(e instanceof Error ? e.message : String(e)));
    return () => ctl.abort();
  }, [query, atNs, size]);

  // the opened line, or where it would sit when the search hides it
  const markKey = useMemo(() => rows?.find((r) => r.tsNs === atNs)?.key ?? rows?.find((r) => compareNs(r.tsNs, atNs) > 0)?.key, [rows, atNs]);
  const highlight = useMemo(() => highlighter(lineFilters(query)), [query]);

  return (
    <div class="panel" role="dialog" aria-label="Context around a line">
      <header class="panel-head">
        <h2>Context</h2>
        <code class="muted">{stream}</code>
        <button type="button" class="icon" aria-label="Close context" onClick={onClose}>
          ✕
        </button>
      </header>
      <form
        class="panel-toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          onSearch(draft.trim());
        }}
      >
        <input type="search" aria-label="Search the context" placeholder="Lines containing…" value={draft} onInput={(e) => setDraft((e.target as HTMLInputElement).value)} />
        <button type="submit">Search</button>
        <label>
          Lines each side{' '}
          <select value={size} onChange={(e) => setSize(Number((e.target as HTMLSelectElement).value))}>
            {[20, 50, 200, 1000].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </form>
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
      {rows && (
        <div class="panel-list">
          <LogList
            rows={rows}
            highlight={highlight}
            expanded={expanded}
            onToggle={(r) => {
              const next = new Set(expanded);
              if (next.has(r.key)) next.delete(r.key);
              else next.add(r.key);
              setExpanded(next);
            }}
            actions={actions}
            wrap={true}
            markKey={markKey}
            label="Context lines"
          />
        </div>
      )}
    </div>
  );
}
