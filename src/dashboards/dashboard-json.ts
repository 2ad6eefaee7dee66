// The dashboard JSON model (docs/ui.md, "Dashboard JSON"): the shapes and constants the server validates
// (dashboard-model.ts) and the web UI reads and writes (web/src/dashboards/dashboard-types.ts). No imports, so the
// UI's bundle can take it as it is.

/** `security` shows the SIEM's incidents (`/api/v1/siem/incidents`) and takes no query. */
export const PANEL_TYPES = ['timeseries', 'bars', 'stat', 'table', 'logs', 'security'] as const;
export type PanelType = (typeof PANEL_TYPES)[number];

/** Grid columns across a dashboard (as Grafana's 24-column grid, so layouts carry over). */
export const GRID_COLUMNS = 24;

export interface DashboardVariable {
  name: string;
  label?: string;
  /** the label whose values the variable offers */
  query: string;
  /** a stream selector scoping the values (`{namespace="shop"}`) */
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
  /** auto-refresh interval (`30s`, `1m`…), empty = off */
  refresh: string;
  variables: DashboardVariable[];
  panels: DashboardPanel[];
}

/** A dashboard list entry of `GET /api/v1/dashboards`. */
export interface DashboardSummary {
  uid: string;
  title: string;
  tags: string[];
  version: number;
  updated: string;
}
