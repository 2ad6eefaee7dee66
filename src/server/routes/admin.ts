// Operational endpoints: readiness, Prometheus metrics and build information.

import { sendJson, sendText, type Route, type ServerDeps } from '../http-server.ts';
import { SIGHTLINE_VERSION } from '../../cli/version.ts';

export function adminRoutes(deps: ServerDeps): Route[] {
  return [
    { method: 'GET', path: '/ready', name: 'ready', handler: (_req, res) => sendText(res, 200, 'ready\n') },
    {
      method: 'GET',
      path: '/metrics',
      name: 'metrics',
      handler: (_req, res) => sendText(res, 200, deps.metrics.render(), 'text/plain; version=0.0.4; charset=utf-8'),
    },
    {
      method: 'GET',
      path: '/loki/api/v1/status/buildinfo',
      name: 'buildinfo',
      handler: (_req, res) =>
        sendJson(res, 200, { version: SIGHTLINE_VERSION, revision: '', branch: 'main', buildUser: '', buildDate: '', goVersion: '' }),
    },
  ];
}
