// The Alerts page: alert rules by group with their state and active alerts (silence one from its row), the
// tenant's silences (expire them), and the notification log. Refreshed every REFRESH_MS and after every change.

import { useEffect, useState } from 'preact/hooks';
import { fetchNotifications, fetchRuleGroups, fetchSilences } from '../api/alerting-api.ts';
import { setTenant } from '../api/client.ts';
import { SectionBody as Section } from '../components/section-body.tsx';
import { useResource } from '../components/use-resource.ts';
import { defaultTenant, type PageProps } from '../shell/page-props.ts';
import { NotificationLog } from './notification-log.tsx';
import { RuleGroups } from './rule-groups.tsx';
import { SilenceForm } from './silence-form.tsx';
import { SilenceList } from './silence-list.tsx';

const REFRESH_MS = 15_000;

export function AlertsPage({ tenants, header }: PageProps) {
  const [tenant, setPageTenant] = useState(() => defaultTenant(new URLSearchParams(location.search).get('org') ?? '', tenants));
  setTenant(tenant);
  const rules = useResource(fetchRuleGroups, [tenant]);
  const silences = useResource(fetchSilences, [tenant]);
  const notifications = useResource(() => fetchNotifications(100), [tenant]);
  const [silencing, setSilencing] = useState<Record<string, string> | undefined>();
  const [notice, setNotice] = useState('');

  useEffect(() => {
    document.title = 'Alerts · Sightline';
    const timer = setInterval(() => {
      rules.reload();
      silences.reload();
      notifications.reload();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [tenant]);

  const onTenant = (t: string) => {
    history.replaceState(null, '', t ? `${location.pathname}?org=${encodeURIComponent(t)}` : location.pathname);
    setPageTenant(t);
  };
  const groups = rules.data ?? [];
  const firing = groups.flatMap((g) => g.rules).filter((r) => r.state === 'firing').length;
  const pending = groups.flatMap((g) => g.rules).filter((r) => r.state === 'pending').length;

  return (
    <div class="app">
      {header({ tenant, onTenant })}
      <main class="pad ops-page">
        <h1>Alerts</h1>
        <p class="muted" aria-live="polite">
          {rules.data ? `${groups.reduce((n, g) => n + g.rules.length, 0)} rules in ${groups.length} groups · ${firing} firing · ${pending} pending` : ''}
          {notice && <span class="notice"> · {notice}</span>}
        </p>
        <section aria-labelledby="alert-rules">
          <h2 id="alert-rules">Alert rules</h2>
          <Section resource={rules}>{(g) => <RuleGroups groups={g} tenant={tenant} silences={silences.data ?? []} onSilence={setSilencing} />}</Section>
        </section>
        <section aria-labelledby="silences">
          <h2 id="silences">Silences</h2>
          <Section resource={silences}>
            {(s) => (
              <SilenceList
                silences={s}
                onChange={() => {
                  silences.reload();
                  rules.reload();
                }}
              />
            )}
          </Section>
        </section>
        <section aria-labelledby="notifications">
          <h2 id="notifications">Notification log</h2>
          <Section resource={notifications}>{(n) => <NotificationLog entries={n} />}</Section>
        </section>
      </main>
      {silencing && (
        <SilenceForm
          labels={silencing}
          onCancel={() => setSilencing(undefined)}
          onDone={(id) => {
            setSilencing(undefined);
            setNotice(`silence ${id} created`);
            silences.reload();
            rules.reload();
          }}
        />
      )}
    </div>
  );
}
