// The application shell: asks for an API key when the server wants one (kept in sessionStorage), offers the
// tenants the key may act as, the theme switch and saved queries, the navigation between pages, and the page the
// URL names (`/ui/<page>`, see shell/page-props.ts).

import { useEffect, useState } from 'preact/hooks';
import { ApiError, apiKey, getJson, setApiKey } from './api/client.ts';
import { SavedMenu } from './components/saved-menu.tsx';
import { AlertsPage } from './alerts/alerts-page.tsx';
import { DashboardsPage } from './dashboards/dashboards-page.tsx';
import { DetectionsPage } from './detections/detections-page.tsx';
import { ExplorePage } from './explore/explore-page.tsx';
import { PAGES, PAGE_TITLES, pageFromPath, type PageName, type PageProps } from './shell/page-props.ts';
import { applyTheme, initialTheme, type Theme } from './state/theme.ts';

interface Session {
  authRequired: boolean;
  tenants: string[];
}

type Phase = { kind: 'loading' } | { kind: 'signin'; error: string } | { kind: 'failed'; error: string } | { kind: 'ready'; session: Session };

export function App() {
  // applied while the first render is computed, not in an effect after it: no frame in the wrong theme
  const [theme, setTheme] = useState<Theme>(() => {
    const t = initialTheme();
    applyTheme(t, false);
    return t;
  });
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });

  const check = () =>
    getJson<Session>('/ui/api/session')
      .then((session) => setPhase({ kind: 'ready', session }))
      .catch((e) => {
        if (e instanceof ApiError && e.status === 401) setPhase({ kind: 'signin', error: apiKey() ? e.message : '' });
        else setPhase({ kind: 'failed', error: e instanceof Error ? e.message : String(e) });
      });
  useEffect(() => void check(), []);

  const toggleTheme = () => {
    const next = theme === 'dark' ? 'light' : 'dark';
    setTheme(next);
    applyTheme(next, true);
  };

  if (phase.kind === 'loading') return <p class="pad muted">Loading…</p>;
  if (phase.kind === 'failed')
    return (
      <p class="pad error-text" role="alert">
        Sightline did not answer: {phase.error}
      </p>
    );
  if (phase.kind === 'signin') return <SignIn error={phase.error} onKey={(k) => (setApiKey(k), setPhase({ kind: 'loading' }), void check())} />;

  const { session } = phase;
  const page = pageFromPath(location.pathname);
  const Page = PAGE_COMPONENTS[page];
  return (
    <Page
      theme={theme}
      tenants={session.tenants}
      header={({ onHelp, currentSearch, onOpen, tenant, onTenant }) => (
        <header class="topbar">
          <span class="brand">
            <span class="logo" aria-hidden="true">
              ◉
            </span>{' '}
            Sightline
          </span>
          <nav aria-label="Pages">
            {PAGES.map((p) => (
              <a key={p} href={pageHref(p, tenant)} aria-current={p === page ? 'page' : undefined}>
                {PAGE_TITLES[p]}
              </a>
            ))}
          </nav>
          <span class="spacer" />
          <TenantPicker tenants={session.tenants} authRequired={session.authRequired} tenant={tenant} onTenant={onTenant} />
          {currentSearch && onOpen && <SavedMenu currentSearch={currentSearch} onOpen={onOpen} />}
          {onHelp && (
            <button type="button" class="icon" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" onClick={onHelp}>
              ?
            </button>
          )}
          <button type="button" class="icon" aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'} title="Switch theme" onClick={toggleTheme}>
            {theme === 'dark' ? '☀' : '☾'}
          </button>
          {session.authRequired && (
            <button
              type="button"
              onClick={() => {
                setApiKey('');
                setPhase({ kind: 'signin', error: '' });
              }}
            >
              Sign out
            </button>
          )}
        </header>
      )}
    />
  );
}

const PAGE_COMPONENTS: Record<PageName, (props: PageProps) => preact.JSX.Element> = {
  explore: ExplorePage,
  dashboards: DashboardsPage,
  alerts: AlertsPage,
  detections: DetectionsPage,
};

/** Links between pages keep the tenant being read. */
function pageHref(page: PageName, tenant: string): string {
  return tenant ? `/ui/${page}?org=${encodeURIComponent(tenant)}` : `/ui/${page}`;
}

function SignIn({ error, onKey }: { error: string; onKey: (key: string) => void }) {
  const [key, setKey] = useState('');
  return (
    <main class="signin">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (key.trim()) onKey(key.trim());
        }}
      >
        <h1>
          <span class="logo" aria-hidden="true">
            ◉
          </span>{' '}
          Sightline
        </h1>
        <p>This server needs an API key. It is kept for this browser tab only.</p>
        <label>
          API key
          <input type="password" autoComplete="current-password" autoFocus value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} />
        </label>
        {error && (
          <p class="error-text" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary">
          Sign in
        </button>
      </form>
    </main>
  );
}

function TenantPicker({ tenants, authRequired, tenant, onTenant }: { tenants: string[]; authRequired: boolean; tenant: string; onTenant: (t: string) => void }) {
  const [draft, setDraft] = useState(tenant);
  useEffect(() => setDraft(tenant), [tenant]);
  if (authRequired) {
    if (tenants.length < 2) return null;
    return (
      <label class="tenant">
        Tenant{' '}
        <select aria-label="Tenant" value={tenant} onChange={(e) => onTenant((e.target as HTMLSelectElement).value)}>
          {tenants.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
    );
  }
  // without authentication any tenant may be read: a free field (`a|b` reads several)
  return (
    <form
      class="tenant"
      onSubmit={(e) => {
        e.preventDefault();
        onTenant(draft.trim());
      }}
    >
      <label>
        Tenant <input aria-label="Tenant" placeholder="default" size={10} value={draft} onInput={(e) => setDraft((e.target as HTMLInputElement).value)} onBlur={() => draft.trim() !== tenant && onTenant(draft.trim())} />
      </label>
    </form>
  );
}
