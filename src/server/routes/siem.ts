// The SIEM API (docs/siem.md, "HTTP API"): loaded rules and why others did not load, incidents (list, get, update
// status/assignee/notes, approve a held auto-response), recent alerts, and hunts over stored data. Every route is
// scoped to the request's tenant; the SIEM service does the work.

import type { IncomingMessage } from 'node:http';
import { IncidentError, type IncidentPatch } from '../../siem/incident-store.ts';
import type { SiemService } from '../../siem/siem-service.ts';
import type { RuleText } from '../../siem/rule-set.ts';
import { readJsonObject, timeRangeField } from '../json-body.ts';
import { HttpError, sendJson, type Route, type ServerDeps } from '../http-server.ts';

const MAX_BODY = 16 * 1024 * 1024;

function optString(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new HttpError(400, `${key}: expected a string`);
  return v;
}

function limitParam(url: URL): number | undefined {
  const v = url.searchParams.get('limit');
  if (v === null) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new HttpError(400, `limit: expected an integer from 1 to 10000, got ${JSON.stringify(v)}`);
  return n;
}

/** Runs a handler body, answering IncidentError with its status. */
async function incidentCall<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof IncidentError) throw new HttpError(e.status, e.message);
    throw e;
  }
}

function patchOf(body: Record<string, unknown>): IncidentPatch {
  const patch: IncidentPatch = {};
  const status = optString(body, 'status');
  if (status !== undefined) patch.status = status;
  if (body.assignee === null) patch.assignee = null;
  else {
    const a = optString(body, 'assignee');
    if (a !== undefined) patch.assignee = a;
  }
  const note = body.note;
  if (typeof note === 'string') patch.note = { text: note, author: optString(body, 'author') };
  else if (note !== undefined && note !== null) {
    if (typeof note !== 'object' || typeof (note as { text?: unknown }).text !== 'string') throw new HttpError(400, 'note: expected a string or {"text": "...", "author": "..."}');
    const n = note as { text: string; author?: unknown };
    patch.note = { text: n.text, author: typeof n.author === 'string' ? n.author : optString(body, 'author') };
  }
  if (patch.status === undefined && patch.assignee === undefined && patch.note === undefined) throw new HttpError(400, 'nothing to update: give status, assignee or note');
  return patch;
}

function ruleTexts(body: Record<string, unknown>): RuleText[] | undefined {
  const rules = body.rules;
  if (rules === undefined || rules === null) return undefined;
  if (!Array.isArray(rules)) throw new HttpError(400, 'rules: expected a list of {"name": "...", "text": "..."}');
  return rules.map((r, i) => {
    if (r === null || typeof r !== 'object' || typeof (r as RuleText).text !== 'string') throw new HttpError(400, `rules[${i}]: expected {"name": "...", "text": "<YAML>"}`);
    const name = (r as RuleText).name;
    return { name: typeof name === 'string' && name !== '' ? name : `rules[${i}]`, text: (r as RuleText).text };
  });
}

export function siemRoutes(deps: Pick<ServerDeps, 'auth'>, siem: SiemService): Route[] {
  const tenantOf = (req: IncomingMessage) => deps.auth.tenants(req, false)[0]!;
  return [
    {
      method: 'GET',
      path: '/api/v1/siem/rules',
      name: 'siem_rules',
      handler: (req, res) => {
        tenantOf(req);
        const rules = [
          ...siem.rules.native.map((r) => ({ kind: 'native', rule: r.name, title: r.title, severity: r.severity, tags: r.tags, file: r.file })),
          ...siem.rules.sigma.map((s) => ({ kind: 'sigma', rule: s.rule.id ?? s.rule.title, title: s.rule.title, severity: s.rule.level ?? 'medium', tags: s.rule.tags, author: s.rule.author, file: s.rule.file })),
          ...siem.rules.correlations.map((c) => ({ kind: 'sigma_correlation', rule: c.id ?? c.title, title: c.title, severity: c.level ?? 'medium', tags: c.tags, author: c.author, file: c.file })),
        ];
        sendJson(res, 200, { ...siem.ruleStatus(), rules });
      },
    },
    {
      method: 'POST',
      path: '/api/v1/siem/rules/reload',
      name: 'siem_rules_reload',
      handler: async (req, res) => {
        tenantOf(req);
        sendJson(res, 200, await siem.reload());
      },
    },
    {
      method: 'GET',
      path: '/api/v1/siem/incidents',
      name: 'siem_incidents',
      handler: async (req, res, { url }) => {
        const p = url.searchParams;
        const incidents = await incidentCall(() =>
          siem.incidents.list(tenantOf(req), { status: p.get('status') ?? undefined, severity: p.get('severity') ?? undefined, rule: p.get('rule') ?? undefined, entity: p.get('entity') ?? undefined, limit: limitParam(url) }),
        );
        sendJson(res, 200, { incidents });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/siem/incidents/:id',
      name: 'siem_incident',
      handler: async (req, res, { params }) => {
        const tenant = tenantOf(req);
        const incident = await incidentCall(() => siem.incidents.get(tenant, params.id!));
        sendJson(res, 200, { incident, alerts: siem.recentAlerts(tenant, { incident: incident.id, limit: 1000 }) });
      },
    },
    {
      method: 'POST',
      path: '/api/v1/siem/incidents/:id',
      name: 'siem_incident_update',
      handler: async (req, res, { params }) => {
        const tenant = tenantOf(req);
        const patch = patchOf(await readJsonObject(req, MAX_BODY));
        sendJson(res, 200, { incident: await incidentCall(() => siem.incidents.update(tenant, params.id!, patch)) });
      },
    },
    {
      method: 'POST',
      path: '/api/v1/siem/incidents/:id/responses/:index/approve',
      name: 'siem_response_approve',
      handler: async (req, res, { params }) => {
        const tenant = tenantOf(req);
        const index = Number(params.index);
        if (!Number.isInteger(index) || index < 0) throw new HttpError(400, `response index: expected a number, got ${JSON.stringify(params.index)}`);
        const body = await readJsonObject(req, MAX_BODY);
        sendJson(res, 200, { incident: await incidentCall(() => siem.approveResponse(tenant, params.id!, index, optString(body, 'approver'))) });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/siem/alerts',
      name: 'siem_alerts',
      handler: (req, res, { url }) => {
        const p = url.searchParams;
        sendJson(res, 200, { alerts: siem.recentAlerts(tenantOf(req), { limit: limitParam(url), rule: p.get('rule') ?? undefined, incident: p.get('incident') ?? undefined }) });
      },
    },
    {
      method: 'POST',
      path: '/api/v1/siem/hunt',
      name: 'siem_hunt',
      handler: async (req, res) => {
        const tenant = tenantOf(req);
        const body = await readJsonObject(req, MAX_BODY);
        const { startNs, endNs } = timeRangeField(body);
        const mapping = optString(body, 'mapping');
        const result = await siem.hunt(tenant, startNs, endNs, ruleTexts(body), mapping);
        sendJson(res, 200, { alerts: result.alerts, stats: { records: result.records, windows: result.windows, queries: result.queries, rules: result.rules } });
      },
    },
  ];
}
