// The application shell: asks for an API key when the server wants one (kept in sessionStorage), offers the
// tenants the key may act as, the theme switch and saved queries, and shows the Explore page.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, apiKey, getJson, setApiKey } from './api/client.ts';
import { SavedMenu } from './components/saved-menu.tsx';
import { ExplorePage } from './explore/explore-page.tsx';
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
  return (
    <ExplorePage
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
            <a href="/ui/explore" aria-current="page">
              Explore
            </a>
          </nav>
          <span class="spacer" />
          <TenantPicker tenants={session.tenants} authRequired={session.authRequired} tenant={tenant} onTenant={onTenant} />
          <SavedMenu currentSearch={currentSearch} onOpen={onOpen} />
          <button type="button" class="icon" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" onClick={onHelp}>
            ?
          </button>
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
