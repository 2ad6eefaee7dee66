// Incidents of the tenant (GET /api/v1/siem/incidents), newest first: severity, title, status, assignee, the
// entities involved, how many events, when. Choosing one opens it (incident-view.tsx).

import type { Incident } from '../api/siem-api.ts';
import { ago, exactTime } from '../components/relative-time.ts';
import { IncidentLink } from './incident-link.tsx';

export function IncidentList({ incidents, onOpen }: { incidents: Incident[]; onOpen: (id: string) => void }) {
  if (!incidents.length) return <p class="muted">No incidents. Detections that fire open one here.</p>;
  return (
    <table class="data-table" aria-label="Incidents">
      <thead>
        <tr>
          <th scope="col">Severity</th>
          <th scope="col">Incident</th>
          <th scope="col">Status</th>
          <th scope="col">Assignee</th>
          <th scope="col">Entities</th>
          <th scope="col">Events</th>
          <th scope="col">Last seen</th>
        </tr>
      </thead>
      <tbody>
        {incidents.map((i) => (
          <tr key={i.id}>
            <td>
              <span class={`badge sev-${i.severity}`}>{i.severity}</span>
            </td>
            <td>
              <IncidentLink id={i.id} onOpen={onOpen}>
                {i.title}
              </IncidentLink>
            </td>
            <td>{i.status.replace('_', ' ')}</td>
            <td>{i.assignee ?? <span class="muted">nobody</span>}</td>
            <td>{[...i.entities.user, ...i.entities.ip, ...i.entities.host].slice(0, 4).join(', ')}</td>
            <td>{i.event_count}</td>
            <td title={exactTime(i.last_seen)}>{ago(i.last_seen)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
