// The dashboards API (docs/http-api.md, "Dashboards"): list, get (= export), save with optimistic concurrency
// (`version` → 409 when stale), delete, versions, import. Scoped to the request's one tenant; bodies up to 1 MiB.

import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { DashboardError, validateDashboard } from '../../dashboards/dashboard-model.ts';
import { DashboardStore, type StoredDashboard } from '../../dashboards/dashboard-store.ts';
import { readJsonObject } from '../json-body.ts';
import { HttpError, sendJson, type Handler, type Route, type ServerDeps } from '../http-server.ts';

export const MAX_DASHBOARD_BYTES = 1024 * 1024;

/** `version` of a save: the version the edit started from (absent or 0 = a new dashboard). */
function expectedVersion(body: Record<string, unknown>): number | undefined {
  const v = body.version;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new HttpError(400, `version: expected the integer version the edit started from, got ${JSON.stringify(v)}`);
  return v;
}

/** The plain GET: the dashboard's own fields plus `version` and `updated` (importable as it is). */
function withMeta(s: StoredDashboard): Record<string, unknown> {
  return { ...s.dashboard, version: s.version, updated: s.updated };
}

/** Runs a store call, answering its errors (400 bad field, 404, 409 stale version, 413 too many) with their status. */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof DashboardError) throw new HttpError(e.status, e.message);
    throw e;
  }
}

export function dashboardRoutes(deps: ServerDeps, store = new DashboardStore({ dataDir: deps.config.dataDir })): Route[] {
  const tenantOf = (req: IncomingMessage): string => deps.auth.tenants(req, false)[0];

  const list: Handler = async (req, res) => {
    // `siem` tells the security panel whether incidents exist to be read (without a 404 to find out)
    sendJson(res, 200, { dashboards: await call(() => store.list(tenantOf(req))), siem: deps.siem !== undefined });
  };
  const get: Handler = async (req, res, { url, params }) => {
    const s = await call(() => store.get(tenantOf(req), params.uid));
    if (url.searchParams.get('export') === '1') {
      res.setHeader('Content-Disposition', `attachment; filename="${s.dashboard.uid}.json"`);
      sendJson(res, 200, s.dashboard);
    } else sendJson(res, 200, withMeta(s));
  };
  const put: Handler = async (req, res, { params }) => {
    const tenant = tenantOf(req);
    const body = await readJsonObject(req, MAX_DASHBOARD_BYTES, 'a JSON object (a dashboard)');
    const expected = expectedVersion(body);
    const dashboard = await call(async () => validateDashboard(body, params.uid));
    const s = await call(() => store.save(tenant, dashboard, expected));
    sendJson(res, expected ? 200 : 201, { uid: s.dashboard.uid, version: s.version, updated: s.updated });
  };
  const remove: Handler = async (req, res, { params }) => {
    await call(() => store.delete(tenantOf(req), params.uid));
    res.writeHead(204).end();
  };
  const versions: Handler = async (req, res, { params }) => {
    sendJson(res, 200, { uid: params.uid, versions: await call(() => store.versions(tenantOf(req), params.uid)) });
  };
  const version: Handler = async (req, res, { params }) => {
    const n = Number(params.n);
    if (!/^\d{1,9}$/.test(params.n) || n < 1) throw new HttpError(400, `version: expected a positive integer, got ${JSON.stringify(params.n)}`);
    sendJson(res, 200, withMeta(await call(() => store.version(tenantOf(req), params.uid, n))));
  };
  const importOne: Handler = async (req, res, { url }) => {
    const tenant = tenantOf(req);
    const body = await readJsonObject(req, MAX_DASHBOARD_BYTES, 'a JSON object (a dashboard)');
    // an export (or a plain GET's reply) carries no version to honour: import makes a new one
    const dashboard = await call(async () => validateDashboard({ ...body, version: undefined, updated: undefined }));
    if (!dashboard.uid) dashboard.uid = randomBytes(6).toString('hex');
    const overwrite = url.searchParams.get('overwrite') === '1';
    const s = await call(async () => {
      let expected: number | undefined;
      if (overwrite) expected = await store.get(tenant, dashboard.uid).then((cur) => cur.version, (e) => (e instanceof DashboardError && e.status === 404 ? undefined : Promise.reject(e)));
      return store.save(tenant, dashboard, expected);
    });
    sendJson(res, 201, { uid: s.dashboard.uid, version: s.version, updated: s.updated });
  };

  return [
    { method: 'GET', path: '/api/v1/dashboards', name: 'dashboards_list', handler: list },
    { method: 'POST', path: '/api/v1/dashboards/import', name: 'dashboards_import', handler: importOne },
    { method: 'GET', path: '/api/v1/dashboards/:uid', name: 'dashboards_get', handler: get },
    { method: 'PUT', path: '/api/v1/dashboards/:uid', name: 'dashboards_put', handler: put },
    { method: 'DELETE', path: '/api/v1/dashboards/:uid', name: 'dashboards_delete', handler: remove },
    { method: 'GET', path: '/api/v1/dashboards/:uid/versions', name: 'dashboards_versions', handler: versions },
    { method: 'GET', path: '/api/v1/dashboards/:uid/versions/:n', name: 'dashboards_version', handler: version },
  ];
}
