// Calls to the dashboards API (/api/v1/dashboards, docs/http-api.md) and the SIEM incident list, through the UI's
// client (api/client.ts: key, tenant, ApiError with the server's message; 409 = someone saved a newer version).

import { getJson, sendJson } from '../api/client.ts';
import type { Dashboard, DashboardSummary, StoredDashboard, VersionEntry } from './dashboard-types.ts';

const base = (uid: string) => `/api/v1/dashboards/${encodeURIComponent(uid)}`;

export const listDashboards = () => getJson<{ dashboards: DashboardSummary[] }>('/api/v1/dashboards').then((r) => r.dashboards);
export const getDashboard = (uid: string) => getJson<StoredDashboard>(base(uid));
export const listVersions = (uid: string) => getJson<{ versions: VersionEntry[] }>(`${base(uid)}/versions`).then((r) => r.versions);
export const getVersion = (uid: string, n: number) => getJson<StoredDashboard>(`${base(uid)}/versions/${n}`);

/** Saves `dashboard` as an edit of `version` (0 = new); answers the new version. */
export const saveDashboard = (dashboard: Dashboard, version: number) =>
  sendJson<{ uid: string; version: number; updated: string }>('PUT', base(dashboard.uid), { ...dashboard, version: version || undefined });

export const deleteDashboard = (uid: string) => sendJson<void>('DELETE', base(uid));

export const importDashboard = (json: unknown, overwrite: boolean) =>
  sendJson<{ uid: string; version: number }>('POST', `/api/v1/dashboards/import${overwrite ? '?overwrite=1' : ''}`, json);

/** The dashboard's JSON as export writes it (no version), for download. */
export function exportJson(d: Dashboard): string {
  const { uid, title, tags, time, refresh, variables, panels } = d;
  return JSON.stringify({ uid, title, tags, time, refresh, variables, panels }, null, 2);
}

export interface Incident {
  id: string;
  title: string;
  severity: string;
  status: string;
  rule: string;
  event_count: number;
  last_seen: string;
}

/** Incidents of the tenant; undefined when the server runs no SIEM (the route is absent). */
export async function listIncidents(): Promise<Incident[] | undefined> {
  const { siem } = await getJson<{ siem?: boolean }>('/api/v1/dashboards');
  if (!siem) return undefined;
  return (await getJson<{ incidents: Incident[] }>('/api/v1/siem/incidents', { limit: 1000 })).incidents;
}
