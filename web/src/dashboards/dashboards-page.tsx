// The Dashboards page: the tenant's dashboard list, or one dashboard (`?uid=`), with every state in the URL
// (dashboard-url.ts) so a view can be shared. Back and forward move between the states.

import { useEffect, useState } from 'preact/hooks';
import { setTenant } from '../api/client.ts';
import { defaultTenant, type PageProps } from '../shell/page-props.ts';
import { getDashboard } from './dashboard-api.ts';
import { decodeDashboardUrl, encodeDashboardUrl, type DashboardUrlState } from './dashboard-url.ts';
import type { StoredDashboard } from './dashboard-types.ts';
import { DashboardList } from './dashboard-list.tsx';
import { DashboardView, type ViewState } from './dashboard-view.tsx';
import '../styles/dashboards.css';

type Loaded = { kind: 'none' } | { kind: 'loading'; uid: string } | { kind: 'error'; uid: string; message: string } | { kind: 'ready'; stored: StoredDashboard };

export function DashboardsPage({ tenants, header, theme }: PageProps) {
  const [url, setUrl] = useState<DashboardUrlState>(() => {
    const s = decodeDashboardUrl(location.search);
    return { ...s, tenant: defaultTenant(s.tenant, tenants) };
  });
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'none' });
  setTenant(url.tenant);

  const commit = (next: DashboardUrlState, replace = false) => {
    const href = `${location.pathname}${encodeDashboardUrl(next)}`;
    if (href !== location.pathname + location.search) (replace ? history.replaceState : history.pushState).call(history, null, '', href);
    setUrl(next);
  };

  useEffect(() => {
    const onPop = () => setUrl(decodeDashboardUrl(location.search));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  useEffect(() => {
    if (!url.uid) return setLoaded({ kind: 'none' });
    if (loaded.kind === 'ready' && loaded.stored.uid === url.uid) return;
    setLoaded({ kind: 'loading', uid: url.uid });
    getDashboard(url.uid).then(
      (stored) => {
        setLoaded({ kind: 'ready', stored });
        document.title = `${stored.title} · Dashboards · Sightline`;
      },
      (e) => setLoaded({ kind: 'error', uid: url.uid, message: e instanceof Error ? e.message : String(e) }),
    );
  }, [url.uid, url.tenant]);

  useEffect(() => {
    if (!url.uid) document.title = 'Dashboards · Sightline';
  }, [url.uid]);

  const view: ViewState = { range: url.from !== undefined && url.to !== undefined ? { from: url.from, to: url.to } : undefined, refresh: url.refresh, vars: url.vars };
  const onView = (v: ViewState) => commit({ ...url, from: v.range?.from, to: v.range?.to, refresh: v.refresh, vars: v.vars });
  const openList = () => commit({ uid: '', vars: {}, tenant: url.tenant, search: url.search });

  return (
    <div class="app dashboards-app">
      {header({ tenant: url.tenant, onTenant: (t) => commit({ uid: '', vars: {}, tenant: t, search: '' }) })}
      <main class="dashboards-main">
        {!url.uid && <DashboardList key={url.tenant} search={url.search} onSearch={(s) => commit({ ...url, search: s }, true)} onOpen={(uid) => commit({ uid, vars: {}, tenant: url.tenant, search: url.search })} />}
        {url.uid && loaded.kind === 'loading' && <p class="pad muted">Loading…</p>}
        {url.uid && loaded.kind === 'error' && (
          <div class="pad">
            <p class="error-banner" role="alert">
              {loaded.message}
            </p>
            <button type="button" onClick={openList}>
              All dashboards
            </button>
          </div>
        )}
        {url.uid && loaded.kind === 'ready' && loaded.stored.uid === url.uid && (
          <DashboardView
            key={`${loaded.stored.uid}`}
            stored={loaded.stored}
            theme={theme}
            tenant={url.tenant}
            view={view}
            onView={onView}
            onStored={(s) => (s ? setLoaded({ kind: 'ready', stored: s }) : setLoaded({ kind: 'none' }))}
            onClose={openList}
          />
        )}
      </main>
    </div>
  );
}
