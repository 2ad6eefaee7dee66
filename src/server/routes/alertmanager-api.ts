// The Alertmanager v2 API subset Sightline's notification side answers, under `/alertmanager/api/v2` (the prefix
// Grafana Mimir and Loki-compatible tools use), so Grafana's Alertmanager data source and amtool
// (`--alertmanager.url=http://host:3100/alertmanager`) can list alerts and manage silences; plus the notification log
// at `/api/v1/alerting/notifications`. Everything is per tenant (X-Scope-OrgID).

import { readBody } from '../../ingest/body-decoding.ts';
import type { AlertingService } from '../../rules/notify/alerting-service.ts';
import { SilenceError, silenceState, type Silence } from '../../rules/notify/silences.ts';
import { MatcherError, matchesAll, parseMatcherList, type LabelMatcher } from '../../rules/notify/label-matchers.ts';
import { rfc3339 } from '../../rules/rfc3339.ts';
import { SIGHTLINE_VERSION } from '../../cli/version.ts';
import { HttpError, sendJson, type Route, type ServerDeps } from '../http-server.ts';

const PREFIX = '/alertmanager/api/v2';
const STARTED = new Date().toISOString();

function silenceJson(s: Silence, nowMs: number): Record<string, unknown> {
  return {
    id: s.id,
    status: { state: silenceState(s, nowMs) },
    updatedAt: rfc3339(s.updatedAtMs),
    matchers: s.matchers,
    startsAt: rfc3339(s.startsAtMs),
    endsAt: rfc3339(s.endsAtMs),
    createdBy: s.createdBy,
    comment: s.comment,
  };
}

function filters(p: URLSearchParams): LabelMatcher[] {
  try {
    return p.getAll('filter').flatMap((f) => parseMatcherList(f));
  } catch (e) {
    if (e instanceof MatcherError) throw new HttpError(400, `filter: ${e.message}`);
    throw e;
  }
}

function flag(p: URLSearchParams, name: string): boolean {
  const v = p.get(name);
  if (v === null || v === '') return true;
  if (v !== 'true' && v !== 'false') throw new HttpError(400, `invalid parameter "${name}": expected true or false`);
  return v === 'true';
}

export function alertmanagerRoutes(deps: ServerDeps): Route[] {
  const { auth } = deps;
  const alerting = (): AlertingService => {
    if (!deps.ruler) throw new HttpError(503, 'alerting is not running');
    return deps.ruler.alerting;
  };
  const tenantOf = (req: Parameters<Route['handler']>[0]): string => auth.tenants(req, false)[0];

  const createSilence: Route['handler'] = async (req, res) => {
    const tenant = tenantOf(req);
    const body = await readBody(req, req.headers['content-encoding'], 1024 * 1024);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw new HttpError(400, `malformed JSON: ${(e as Error).message}`);
    }
    try {
      const silenceID = alerting().silences.upsert(tenant, parsed, Date.now());
      sendJson(res, 200, { silenceID });
    } catch (e) {
      if (e instanceof SilenceError) throw new HttpError(e.message.endsWith('not found') ? 404 : 400, e.message);
      throw e;
    }
  };

  return [
    {
      method: 'GET',
      path: `${PREFIX}/status`,
      name: 'alertmanager_status',
      handler: (req, res) => {
        tenantOf(req);
        sendJson(res, 200, {
          cluster: { status: 'disabled', peers: [] },
          config: { original: '' },
          uptime: STARTED,
          versionInfo: { version: SIGHTLINE_VERSION, branch: '', buildDate: '', buildUser: '', goVersion: '', revision: '' },
        });
      },
    },
    {
      method: 'GET',
      path: `${PREFIX}/alerts`,
      name: 'alertmanager_alerts',
      handler: (req, res, { url }) => {
        const tenant = tenantOf(req);
        const p = url.searchParams;
        const ms = filters(p);
        const [active, silenced, inhibited] = [flag(p, 'active'), flag(p, 'silenced'), flag(p, 'inhibited')];
        const receiver = p.get('receiver');
        let receiverRe: RegExp | undefined;
        if (receiver) {
          if (!/^[\w .\-|]*$/.test(receiver)) throw new HttpError(400, 'receiver: only names and | alternatives are accepted');
          receiverRe = new RegExp(`^(?:${receiver})$`);
        }
        const out = alerting()
          .dispatcher.alertStatuses(tenant)
          .filter((s) => matchesAll(ms, s.alert.labels))
          .filter((s) => (s.state === 'active' ? active : (s.silencedBy.length > 0 && silenced) || (s.inhibitedBy.length > 0 && inhibited)))
          .filter((s) => !receiverRe || s.receivers.some((r) => receiverRe!.test(r)))
          .map((s) => ({
            annotations: s.alert.annotations,
            endsAt: rfc3339(s.alert.endsAtMs),
            fingerprint: s.alert.fingerprint,
            receivers: s.receivers.map((name) => ({ name })),
            startsAt: rfc3339(s.alert.startsAtMs),
            status: { inhibitedBy: s.inhibitedBy, silencedBy: s.silencedBy, state: s.state },
            updatedAt: rfc3339(s.alert.updatedAtMs),
            generatorURL: s.alert.generatorURL,
            labels: s.alert.labels,
          }));
        sendJson(res, 200, out);
      },
    },
    {
      // one route for both methods: the router keys exact paths by path alone
      method: 'GET|POST',
      path: `${PREFIX}/silences`,
      name: 'alertmanager_silences',
      handler: async (req, res, ctx) => {
        if (req.method === 'POST') return createSilence(req, res, ctx);
        const { url } = ctx;
        const tenant = tenantOf(req);
        const ms = filters(url.searchParams);
        const now = Date.now();
        const order = { active: 0, pending: 1, expired: 2 };
        const list = alerting()
          .silences.list(tenant, now)
          .filter((s) => ms.every((m) => s.matchers.some((sm) => sm.name === m.name && sm.value === m.value)))
          .sort((a, b) => order[silenceState(a, now)] - order[silenceState(b, now)] || b.endsAtMs - a.endsAtMs);
        sendJson(res, 200, list.map((s) => silenceJson(s, now)));
      },
    },
    {
      method: 'GET',
      path: `${PREFIX}/silence/:id`,
      name: 'alertmanager_silence',
      handler: (req, res, { params }) => {
        const s = alerting().silences.get(tenantOf(req), params.id);
        if (!s) throw new HttpError(404, `silence ${params.id} not found`);
        sendJson(res, 200, silenceJson(s, Date.now()));
      },
    },
    {
      method: 'DELETE',
      path: `${PREFIX}/silence/:id`,
      name: 'alertmanager_silence_expire',
      handler: (req, res, { params }) => {
        const tenant = tenantOf(req);
        try {
          if (!alerting().silences.expire(tenant, params.id, Date.now())) throw new HttpError(404, `silence ${params.id} not found`);
        } catch (e) {
          if (e instanceof SilenceError) throw new HttpError(400, e.message);
          throw e;
        }
        res.writeHead(200, { 'Content-Length': 0 });
        res.end();
      },
    },
    {
      // the alerting config in force and the outcome of its last reload (a failed one keeps the previous config)
      method: 'GET',
      path: '/api/v1/alerting/status',
      name: 'alerting_status',
      handler: (req, res) => {
        tenantOf(req);
        const a = alerting();
        const s = a.status;
        sendJson(res, 200, {
          status: 'success',
          data: {
            configFile: s.file,
            reloadable: a.reloadable,
            lastReloadSuccessful: s.lastReloadSuccessful,
            loadedAt: rfc3339(s.loadedAtMs),
            lastError: s.lastError ?? null,
            reloads: s.reloads,
            receivers: a.receiverNames,
            pending: a.outbox.pending,
          },
        });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/alerting/notifications',
      name: 'alerting_notifications',
      handler: (req, res, { url }) => {
        const tenant = tenantOf(req);
        const p = url.searchParams;
        const limit = p.get('limit') ? Number(p.get('limit')) : 100;
        if (!Number.isInteger(limit) || limit <= 0 || limit > 10_000) throw new HttpError(400, `invalid parameter "limit": expected an integer from 1 to 10000`);
        const result = p.get('result') ?? undefined;
        if (result && !['sent', 'retrying', 'failed', 'dropped'].includes(result)) throw new HttpError(400, 'invalid parameter "result": expected sent, retrying, failed or dropped');
        const a = alerting();
        sendJson(res, 200, { status: 'success', data: { pending: a.outbox.pending, notifications: a.history.query({ tenant, receiver: p.get('receiver') ?? undefined, result, limit }) } });
      },
    },
  ];
}
