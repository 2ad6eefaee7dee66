// The newest detection alerts of the tenant (GET /api/v1/siem/alerts, already read for the rules' "last fired"):
// when, severity, rule title, the group it fired for, how many events, and the incident it joined, which opens
// there. An extension (a later step joined to an earlier alert's incident) says so.

import type { DetectionAlert } from '../api/siem-api.ts';
import { LabelChips } from '../components/label-chips.tsx';
import { ago, exactTime } from '../components/relative-time.ts';
import { IncidentLink } from './incident-link.tsx';

/** rows shown: the stream is for a glance, the incidents hold the rest */
const SHOWN = 50;

export function RecentAlerts({ alerts, onOpen }: { alerts: DetectionAlert[]; onOpen: (incidentId: string) => void }) {
  if (!alerts.length) return <p class="muted">No detection alerts yet.</p>;
  const newest = alerts.slice(0, SHOWN); // the API answers newest first
  return (
    <table class="data-table" aria-label="Recent detection alerts">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Severity</th>
          <th scope="col">Alert</th>
          <th scope="col">For</th>
          <th scope="col">Events</th>
          <th scope="col">Incident</th>
        </tr>
      </thead>
      <tbody>
        {newest.map((a) => (
          <tr key={a.alert_id}>
            <td title={exactTime(a.created_ms)}>{ago(a.created_ms)}</td>
            <td>
              <span class={`badge sev-${a.severity}`}>{a.severity}</span>
            </td>
            <td>
              {a.title}
              {a.extends !== undefined && <span class="muted"> (extends an earlier alert)</span>} <span class="muted small">{a.kind === 'native' ? a.rule : a.kind.replace('_', ' ')}</span>
            </td>
            <td>
              <LabelChips labels={a.group ?? {}} />
            </td>
            <td>{a.event_count}</td>
            <td>
              {a.incident_id ? (
                <IncidentLink id={a.incident_id} onOpen={onOpen}>
                  {a.incident_id}
                </IncidentLink>
              ) : (
                <span class="muted">none</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
