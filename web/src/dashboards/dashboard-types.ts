// The dashboard JSON model as the UI reads and writes it (the server validates it: src/dashboards/dashboard-model.ts,
// docs/ui.md "Dashboard JSON"), plus the list entry and saved-version shapes of /api/v1/dashboards.

export const PANEL_TYPES = ['timeseries', 'bars', 'stat', 'table', 'logs', 'security'] as const;
export type PanelType = (typeof PANEL_TYPES)[number];

export const PANEL_TYPE_NAMES: Record<PanelType, string> = {
  timeseries: 'Time series',
  bars: 'Bars',
  stat: 'Stat',
  table: 'Table',
  logs: 'Logs',
  security: 'Security summary',
};

export const UNITS = ['', 'short', 'percent', 'percentunit', 'bytes', 'lines/s', 'bytes/s', 'ms', 's', 'reqps'] as const;

export const GRID_COLUMNS = 24;

export interface DashboardVariable {
  name: string;
  label?: string;
  query: string;
  selector?: string;
  multi: boolean;
  include_all: boolean;
}

export interface PanelGrid {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface DashboardPanel {
  id: number;
  title: string;
  type: PanelType;
  query: string;
  legend?: string;
  unit?: string;
  grid: PanelGrid;
}

export interface Dashboard {
  uid: string;
  title: string;
  tags: string[];
  time: { from: string; to: string };
  refresh: string;
  variables: DashboardVariable[];
  panels: DashboardPanel[];
}

/** GET /api/v1/dashboards/:uid: the dashboard with its version. */
export interface StoredDashboard extends Dashboard {
  version: number;
  updated: string;
}

export interface DashboardSummary {
  uid: string;
  title: string;
  tags: string[];
  version: number;
  updated: string;
}

export interface VersionEntry {
  version: number;
  updated: string;
  title: string;
}
