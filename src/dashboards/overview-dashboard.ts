// The built-in "Overview" dashboard, given to every tenant the first time it opens its dashboards (then its own to
// edit, version or delete). Label names follow the demo estate and Sightline's own conventions (`service`,
// `level`); latencies come from nginx's `rt=` (request time, seconds) in the gateway's access lines.

import type { Dashboard } from './dashboard-model.ts';

export const OVERVIEW_UID = 'overview';

const SEL = 'service=~"$service"';

/** Error lines as the guide counts them: the word "error" in the line, any case. */
const ERROR_FILTER = '|~ `(?i)error`';

export function overviewDashboard(): Dashboard {
  return {
    uid: OVERVIEW_UID,
    title: 'Overview',
    tags: ['built-in', 'overview'],
    time: { from: 'now-1h', to: 'now' },
    refresh: '1m',
    variables: [{ name: 'service', label: 'Service', query: 'service', multi: true, include_all: true }],
    panels: [
      { id: 1, title: 'Lines ingested', type: 'stat', query: `sum(count_over_time({${SEL}} [$__range]))`, unit: 'short', grid: { x: 0, y: 0, w: 6, h: 4 } },
      { id: 2, title: 'Error lines', type: 'stat', query: `sum(count_over_time({${SEL}} ${ERROR_FILTER} [$__range]))`, unit: 'short', grid: { x: 6, y: 0, w: 6, h: 4 } },
      { id: 3, title: 'Failed logins', type: 'stat', query: `sum(count_over_time({${SEL}} |= "Failed password" [$__range]))`, unit: 'short', grid: { x: 12, y: 0, w: 6, h: 4 } },
      { id: 4, title: 'Security summary', type: 'security', query: '', grid: { x: 18, y: 0, w: 6, h: 4 } },
      { id: 5, title: 'Ingest rate by service', type: 'timeseries', query: `sum by (service) (rate({${SEL}} [$__interval]))`, legend: '{{service}}', unit: 'lines/s', grid: { x: 0, y: 4, w: 12, h: 8 } },
      { id: 6, title: 'Volume by service', type: 'bars', query: `sum by (service) (bytes_over_time({${SEL}} [$__interval]))`, legend: '{{service}}', unit: 'bytes', grid: { x: 12, y: 4, w: 12, h: 8 } },
      {
        id: 7,
        title: 'Error rate by service',
        type: 'timeseries',
        query: `sum by (service) (count_over_time({${SEL}} ${ERROR_FILTER} [5m])) / sum by (service) (count_over_time({${SEL}} [5m]))`,
        legend: '{{service}}',
        unit: 'percentunit',
        grid: { x: 0, y: 12, w: 12, h: 8 },
      },
      { id: 8, title: 'Recent errors', type: 'logs', query: `{${SEL}, level="error"}`, grid: { x: 12, y: 12, w: 12, h: 8 } },
      {
        id: 9,
        title: 'Top error messages',
        type: 'table',
        // JSON (`"msg":"…"`) and logfmt (`msg="…"`) lines alike
        query: `topk(10, sum by (service, msg) (count_over_time({${SEL}, level="error"} | regexp \`(?:"msg":"|msg=")(?P<msg>[^"]+)"\` | msg!="" [$__range])))`,
        grid: { x: 0, y: 20, w: 12, h: 8 },
      },
      {
        id: 10,
        title: 'Slowest endpoints (p95 request time, nginx)',
        type: 'table',
        query:
          'topk(10, quantile_over_time(0.95, {service="api-gateway"} | regexp `"(?P<method>[A-Z]+) (?P<path>/[^ ?"]*)[^"]*" (?P<status>\\d+) .* rt=(?P<rt>[0-9.]+)` | unwrap rt [$__range]) by (method, path))',
        unit: 's',
        grid: { x: 12, y: 20, w: 12, h: 8 },
      },
    ],
  };
}
