// The notification log (GET /api/v1/alerting/notifications): what was sent, to which receiver and integration,
// for how many alerts, and whether it got through (sent, retrying, failed, dropped), newest first.

import type { NotificationEntry } from '../api/alerting-api.ts';
import { ago, exactTime } from '../components/relative-time.ts';

export function NotificationLog({ entries, pending }: { entries: NotificationEntry[]; pending?: number }) {
  if (!entries.length) return <p class="muted">Nothing has been sent yet{pending ? ` (${pending} waiting)` : ''}.</p>;
  return (
    <table class="data-table" aria-label="Notifications">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Receiver</th>
          <th scope="col">Integration</th>
          <th scope="col">Alerts</th>
          <th scope="col">Attempt</th>
          <th scope="col">Result</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((n, i) => (
          <tr key={`${n.ts}-${i}`}>
            <td title={exactTime(n.ts)}>{ago(n.ts)}</td>
            <td>{n.receiver}</td>
            <td>{n.integration}</td>
            <td>
              {n.alerts} {n.status}
            </td>
            <td>{n.attempt}</td>
            <td>
              <span class={`badge badge-result-${n.result}`}>{n.result}</span>
              {n.error && <div class="error-text">{n.error}</div>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
