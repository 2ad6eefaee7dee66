// The Detections page: the incidents (one opens with `?incident=<id>`: status, assignee, notes, linked events on a
// timeline, related records), the newest detection alerts, the ATT&CK coverage matrix and the detection rules with
// their tags and when they last fired.

import { useEffect, useState } from 'preact/hooks';
import { setTenant } from '../api/client.ts';
import { fetchCoverage, fetchDetectionAlerts, fetchIncidents, fetchRules } from '../api/siem-api.ts';
import { SectionBody } from '../components/section-body.tsx';
import { useResource } from '../components/use-resource.ts';
import { defaultTenant, type PageProps } from '../shell/page-props.ts';
import { AttackMatrix } from './attack-matrix.tsx';
import { DetectionRules } from './detection-rules.tsx';
import { IncidentList } from './incident-list.tsx';
import { IncidentView } from './incident-view.tsx';
import { RecentAlerts } from './recent-alerts.tsx';

const REFRESH_MS = 15_000;

interface DetectionsUrl {
  tenant: string;
  incident: string;
}

function readUrl(tenants: string[]): DetectionsUrl {
  const p = new URLSearchParams(location.search);
  return { tenant: defaultTenant(p.get('org') ?? '', tenants), incident: p.get('incident') ?? '' };
}

export function DetectionsPage({ tenants, header }: PageProps) {
  const [url, setUrl] = useState(() => readUrl(tenants));
  setTenant(url.tenant);
  const coverage = useResource(fetchCoverage, [url.tenant]);
  const incidents = useResource(fetchIncidents, [url.tenant]);
  const rules = useResource(fetchRules, [url.tenant]);
  const alerts = useResource(() => fetchDetectionAlerts(1000), [url.tenant]);

  const go = (next: DetectionsUrl) => {
    const p = new URLSearchParams();
    if (next.tenant) p.set('org', next.tenant);
    if (next.incident) p.set('incident', next.incident);
    const qs = p.toString();
    history.pushState(null, '', qs ? `${location.pathname}?${qs}` : location.pathname);
    setUrl(next);
  };

  useEffect(() => {
    const onPop = () => setUrl(readUrl(tenants));
    addEventListener('popstate', onPop);
    const timer = setInterval(() => {
      incidents.reload();
      alerts.reload();
    }, REFRESH_MS);
    return () => {
      removeEventListener('popstate', onPop);
      clearInterval(timer);
    };
  }, [url.tenant]);
  useEffect(() => {
    document.title = url.incident ? `Incident ${url.incident} · Detections · Sightline` : 'Detections · Sightline';
  }, [url.incident]);

  return (
    <div class="app">
      {header({ tenant: url.tenant, onTenant: (t) => go({ tenant: t, incident: '' }) })}
      <main class="pad ops-page">
        <h1>Detections</h1>
        {url.incident ? (
          <IncidentView id={url.incident} tenant={url.tenant} onBack={() => go({ ...url, incident: '' })} onChanged={incidents.reload} />
        ) : (
          <>
            <section aria-labelledby="incidents">
              <h2 id="incidents">Incidents</h2>
              <SectionBody resource={incidents}>{(list) => <IncidentList incidents={list} onOpen={(id) => go({ ...url, incident: id })} />}</SectionBody>
            </section>
            <section aria-labelledby="recent-alerts">
              <h2 id="recent-alerts">Recent alerts</h2>
              <SectionBody resource={alerts}>{(list) => <RecentAlerts alerts={list} onOpen={(id) => go({ ...url, incident: id })} />}</SectionBody>
            </section>
            <section aria-labelledby="coverage">
              <h2 id="coverage">MITRE ATT&amp;CK coverage</h2>
              <SectionBody resource={coverage}>{(c) => <AttackMatrix coverage={c} />}</SectionBody>
            </section>
            <section aria-labelledby="detection-rules">
              <h2 id="detection-rules">Detection rules</h2>
              <SectionBody resource={rules}>{(r) => <DetectionRules reply={r} alerts={alerts.data ?? []} />}</SectionBody>
            </section>
          </>
        )}
      </main>
    </div>
  );
}
