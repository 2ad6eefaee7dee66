// The dashboard JSON model as the UI uses it: the shared shapes (src/dashboards/dashboard-json.ts, which the server
// validates), the UI's names for panel types and units, and the saved-version shapes of /api/v1/dashboards.

import type { Dashboard, PanelType } from '../../../src/dashboards/dashboard-json.ts';

export { GRID_COLUMNS, PANEL_TYPES } from '../../../src/dashboards/dashboard-json.ts';
export type { Dashboard, DashboardPanel, DashboardSummary, DashboardVariable, PanelGrid, PanelType } from '../../../src/dashboards/dashboard-json.ts';

export const PANEL_TYPE_NAMES: Record<PanelType, string> = {
  timeseries: 'Time series',
  bars: 'Bars',
  stat: 'Stat',
  table: 'Table',
  logs: 'Logs',
  security: 'Security summary',
};

export const UNITS = ['', 'short', 'percent', 'percentunit', 'bytes', 'lines/s', 'bytes/s', 'ms', 's', 'reqps'] as const;

/** GET /api/v1/dashboards/:uid: the dashboard with its version. */
export interface StoredDashboard extends Dashboard {
  version: number;
  updated: string;
}

export interface VersionEntry {
  version: number;
  updated: string;
  title: string;
}
