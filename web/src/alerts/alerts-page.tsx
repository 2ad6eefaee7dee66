// The Alerts page (being built).

import { useState } from 'preact/hooks';
import { setTenant } from '../api/client.ts';
import { defaultTenant, type PageProps } from '../shell/page-props.ts';

export function AlertsPage({ tenants, header }: PageProps) {
  const [tenant, setPageTenant] = useState(() => defaultTenant(new URLSearchParams(location.search).get('org') ?? '', tenants));
  setTenant(tenant);
  return (
    <div class="app">
      {header({ tenant, onTenant: setPageTenant })}
      <main class="pad">
        <h1>Alerts</h1>
      </main>
    </div>
  );
}
