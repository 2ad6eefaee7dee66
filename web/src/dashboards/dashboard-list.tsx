// The list of the tenant's dashboards: search by title or tag, open one, create a new one, import a JSON export
// (pasted or from a file; the same uid is refused unless "Replace" is ticked).

import { useEffect, useState } from 'preact/hooks';
import { importDashboard, listDashboards, saveDashboard } from './dashboard-api.ts';
import type { DashboardSummary } from './dashboard-types.ts';

export function DashboardList({ search, onSearch, onOpen }: { search: string; onSearch: (s: string) => void; onOpen: (uid: string) => void }) {
  const [items, setItems] = useState<DashboardSummary[] | undefined>(undefined);
  const [error, setError] = useState('');
  const [importing, setImporting] = useState(false);
  const load = () => listDashboards().then(setItems, (e) => setError(e instanceof Error ? e.message : String(e)));
  useEffect(() => void load(), []);

  const needle = search.trim().toLowerCase();
  const shown = (items ?? []).filter((d) => !needle || d.title.toLowerCase().includes(needle) || d.tags.some((t) => t.toLowerCase().includes(needle)));

  const create = async () => {
    const uid = `d-${Math.random().toString(36).slice(2, 10)}`;
    try {
      await saveDashboard({ uid, title: 'New dashboard', tags: [], time: { from: 'now-1h', to: 'now' }, refresh: '', variables: [], panels: [] }, 0);
      onOpen(uid);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <div class="dashboard-list pad">
      <div class="row list-bar">
        <h1>Dashboards</h1>
        <span class="spacer" />
        <input type="search" aria-label="Search dashboards" placeholder="Search by title or tag" value={search} onInput={(e) => onSearch((e.target as HTMLInputElement).value)} />
        <button type="button" onClick={() => setImporting(!importing)} aria-expanded={importing}>
          Import
        </button>
        <button type="button" class="primary" onClick={create}>
          New dashboard
        </button>
      </div>
      {error && (
        <p class="error-banner" role="alert">
          {error}
        </p>
      )}
      {importing && (
        <ImportForm
          onDone={(uid) => {
            setImporting(false);
            onOpen(uid);
          }}
        />
      )}
      {items === undefined && !error && <p class="muted">Loading…</p>}
      {items !== undefined && (
        <table class="dashboards-table" aria-label="Dashboards">
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Tags</th>
              <th scope="col">Version</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((d) => (
              <tr key={d.uid}>
                <td>
                  <a
                    href={`?uid=${encodeURIComponent(d.uid)}`}
                    onClick={(e) => {
                      e.preventDefault();
                      onOpen(d.uid);
                    }}
                  >
                    {d.title}
                  </a>
                </td>
                <td>
                  {d.tags.map((t) => (
                    <button type="button" key={t} class="tag" onClick={() => onSearch(t)}>
                      {t}
                    </button>
                  ))}
                </td>
                <td>{d.version}</td>
                <td class="muted">{new Date(d.updated).toLocaleString()}</td>
              </tr>
            ))}
            {shown.length === 0 && (
              <tr>
                <td colSpan={4} class="muted">
                  {items.length ? 'No dashboard matches.' : 'No dashboards yet.'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </div>
  );
}

function ImportForm({ onDone }: { onDone: (uid: string) => void }) {
  const [text, setText] = useState('');
  const [replace, setReplace] = useState(false);
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      return setError(`Not JSON: ${(err as Error).message}`);
    }
    try {
      const r = await importDashboard(json, replace);
      onDone(r.uid);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <form class="import-form" onSubmit={submit} aria-label="Import a dashboard">
      <label>
        Dashboard JSON
        <textarea rows={8} spellcheck={false} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} placeholder='{"title": "…", "panels": […]}' />
      </label>
      <div class="row">
        <label>
          Or a file{' '}
          <input
            type="file"
            accept="application/json,.json"
            onChange={async (e) => {
              const f = (e.target as HTMLInputElement).files?.[0];
              if (f) setText(await f.text());
            }}
          />
        </label>
        <label>
          <input type="checkbox" checked={replace} onChange={(e) => setReplace((e.target as HTMLInputElement).checked)} /> Replace a dashboard with the same uid
        </label>
        <span class="spacer" />
        <button type="submit" class="primary">
          Import dashboard
        </button>
      </div>
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
