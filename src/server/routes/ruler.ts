// The ruler API as Loki (and Cortex before it) answers it, so Grafana's alert-rule pages, lokitool and cortextool work:
// YAML rule groups by namespace under /loki/api/v1/rules (and the legacy /api/prom/rules), Prometheus' JSON rules and
// alerts under /prometheus/api/v1/ (with Prometheus 3's match[] and group_limit/group_next_token pagination). Writes
// go to `<rules_dir>/<tenant>/<namespace>.yaml` and take effect at once.
// The Alertmanager-style routes of alertmanager-api.ts are registered along with these.

import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../../ingest/body-decoding.ts';
import type { Alert } from '../../rules/alert-state.ts';
import { ruleState } from '../../rules/alert-state.ts';
import type { GroupStatus, RuleStatus } from '../../rules/group-evaluator.ts';
import { DEFAULT_INTERVAL_MS, formatRuleErrors, parseRuleGroup } from '../../rules/rule-file.ts';
import { RulerError, type RuleManager } from '../../rules/rule-manager.ts';
import { groupObject, namespaceFileName, renderYaml } from '../../rules/rule-namespaces.ts';
import { rfc3339 } from '../../rules/rfc3339.ts';
import { HttpError, sendJson, sendText, type Route, type ServerDeps } from '../http-server.ts';
import { alertmanagerRoutes } from './alertmanager-api.ts';
import { MatcherError, matchesAll, parseMatcherList, type LabelMatcher } from '../../rules/notify/label-matchers.ts';

const MAX_RULE_BODY = 4 * 1024 * 1024;
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** Go's strconv.FormatFloat(v, 'e', -1, 64), how Prometheus prints an alert's value (`1e+00`, `7.342e-02`). */
export function formatAlertValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const [mant, exp] = v.toExponential().split('e');
  const n = Number(exp);
  return `${mant}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
}

function sendYaml(res: ServerResponse, status: number, value: unknown): void {
  sendText(res, status, renderYaml(value), 'application/yaml');
}

/** Cortex's reply to a successful write. */
function sendAccepted(res: ServerResponse): void {
  sendJson(res, 202, { status: 'success', data: null, errorType: '', error: '' });
}

function alertJson(a: Alert): Record<string, unknown> {
  const o: Record<string, unknown> = { labels: a.labels, annotations: a.annotations, state: a.state, activeAt: rfc3339(a.activeAtMs), value: formatAlertValue(a.value) };
  if (a.keepFiringSinceMs !== undefined) o.keepFiringSince = rfc3339(a.keepFiringSinceMs);
  return o;
}

function activeAlerts(rs: RuleStatus): Alert[] {
  return [...rs.active.values()].filter((a) => a.state !== 'inactive');
}

function ruleJson(rs: RuleStatus, excludeAlerts: boolean): Record<string, unknown> {
  const r = rs.rule;
  const common = {
    name: r.name,
    query: r.expr,
    labels: r.labels,
    health: rs.health,
    lastError: rs.lastError || undefined,
    lastEvaluation: rs.lastEvaluationMs ? rfc3339(rs.lastEvaluationMs) : GO_ZERO_TIME,
    evaluationTime: rs.evaluationTimeS,
  };
  if (r.kind === 'record') return { ...common, type: 'recording' };
  return {
    state: ruleState(rs.active),
    ...common,
    duration: r.forMs / 1000,
    keepFiringFor: r.keepFiringForMs / 1000,
    annotations: r.annotations,
    alerts: excludeAlerts ? undefined : activeAlerts(rs).map(alertJson),
    type: 'alerting',
  };
}

function list(p: URLSearchParams, name: string): string[] {
  return [...p.getAll(name), ...p.getAll(name + '[]')];
}

/** `match[]` selectors (Prometheus 2.54+): a rule is kept when its configured labels satisfy any one of them. */
function ruleSelectors(p: URLSearchParams): LabelMatcher[][] {
  return p.getAll('match[]').map((sel) => {
    const t = sel.trim();
    try {
      if (!t.startsWith('{') || !t.endsWith('}')) throw new MatcherError('expected a label selector such as {severity="page"}');
      const ms = parseMatcherList(t);
      if (ms.length === 0) throw new MatcherError('a selector needs at least one matcher');
      return ms;
    } catch (e) {
      if (e instanceof MatcherError) throw new HttpError(400, `invalid parameter "match[]": ${JSON.stringify(sel)}: ${e.message}`);
      throw e;
    }
  });
}

/** The opaque page token of a group (Prometheus 3 `group_next_token`): a hash of its identity. */
function groupToken(g: GroupStatus): string {
  return createHash('sha1').update(`${g.tenant}\u0000${g.namespace}\u0000${g.group.name}`).digest('hex');
}

function groupJson(g: GroupStatus, p: URLSearchParams, selectors: LabelMatcher[][]): Record<string, unknown> | undefined {
  const type = p.get('type');
  if (type && type !== 'alert' && type !== 'record') throw new HttpError(400, `invalid parameter "type": expected alert or record, got "${type}"`);
  const names = list(p, 'rule_name');
  const excludeAlerts = p.get('exclude_alerts') === 'true';
  const rules = g.rules
    .filter((rs) => !type || (type === 'alert') === (rs.rule.kind === 'alert'))
    .filter((rs) => names.length === 0 || names.includes(rs.rule.name))
    .filter((rs) => selectors.length === 0 || selectors.some((ms) => matchesAll(ms, rs.rule.labels)))
    .map((rs) => ruleJson(rs, excludeAlerts));
  if (rules.length === 0 && (type || names.length > 0 || selectors.length > 0)) return undefined;
  return {
    name: g.group.name,
    file: g.namespace,
    rules,
    interval: (g.group.intervalMs || DEFAULT_INTERVAL_MS) / 1000,
    limit: g.group.limit,
    lastEvaluation: g.lastEvaluationMs ? rfc3339(g.lastEvaluationMs) : GO_ZERO_TIME,
    evaluationTime: g.evaluationTimeS,
  };
}

export function rulerRoutes(deps: ServerDeps): Route[] {
  const { auth } = deps;
  const manager = (): RuleManager => {
    if (!deps.ruler) throw new HttpError(503, 'the ruler is not running');
    return deps.ruler.manager;
  };
  const tenantOf = (req: IncomingMessage): string => auth.tenants(req, false)[0];

  const listAll: Route['handler'] = (req, res) => {
    const tenant = tenantOf(req);
    const out: Record<string, unknown> = {};
    for (const [ns, groups] of manager().namespacesOf(tenant)) out[ns] = groups.map(groupObject);
    sendYaml(res, 200, out);
  };
  const listNamespace: Route['handler'] = (req, res, { params }) => {
    const groups = manager().namespacesOf(tenantOf(req)).get(params.namespace);
    if (!groups) throw new HttpError(404, 'no rule groups found');
    sendYaml(res, 200, { [params.namespace]: groups.map(groupObject) });
  };
  const getGroup: Route['handler'] = (req, res, { params }) => {
    const group = manager().namespacesOf(tenantOf(req)).get(params.namespace)?.find((g) => g.name === params.group);
    if (!group) throw new HttpError(404, 'group does not exist');
    sendYaml(res, 200, groupObject(group));
  };
  const setGroup: Route['handler'] = async (req, res, { params }) => {
    const tenant = tenantOf(req);
    // the namespace becomes a file name (percent-encoded): it must be non-empty and fit one
    if (params.namespace.trim() === '' || namespaceFileName(params.namespace).length > 200) throw new HttpError(400, 'invalid namespace: expected a non-empty name of at most ~200 characters');
    const body = await readBody(req, req.headers['content-encoding'], MAX_RULE_BODY);
    const { group, errors } = parseRuleGroup(body.toString('utf8'), 'request body');
    if (!group) throw new HttpError(400, `invalid rule group: ${formatRuleErrors(errors).trimEnd()}`);
    if (params.group !== undefined && params.group !== group.name) throw new HttpError(400, `the group in the body is named ${JSON.stringify(group.name)}, the URL names ${JSON.stringify(params.group)}`);
    await rulerCall(() => manager().setGroup(tenant, params.namespace, group));
    sendAccepted(res);
  };
  const deleteGroup: Route['handler'] = async (req, res, { params }) => {
    const tenant = tenantOf(req);
    if (!(await rulerCall(() => manager().deleteGroup(tenant, params.namespace, params.group)))) throw new HttpError(404, 'group does not exist');
    sendAccepted(res);
  };
  const deleteNamespace: Route['handler'] = async (req, res, { params }) => {
    const tenant = tenantOf(req);
    if (!(await rulerCall(() => manager().deleteNamespace(tenant, params.namespace)))) throw new HttpError(404, 'group namespace does not exist');
    sendAccepted(res);
  };

  const routes: Route[] = [];
  for (const [prefix, name] of [['/loki/api/v1/rules', 'loki_rules'], ['/api/prom/rules', 'loki_rules_legacy']] as const) {
    routes.push(
      { method: 'GET', path: prefix, name, handler: listAll },
      { method: 'GET', path: `${prefix}/:namespace`, name: `${name}_namespace`, handler: listNamespace },
      { method: 'POST', path: `${prefix}/:namespace`, name: `${name}_set`, handler: setGroup },
      { method: 'DELETE', path: `${prefix}/:namespace`, name: `${name}_delete_namespace`, handler: deleteNamespace },
      { method: 'GET', path: `${prefix}/:namespace/:group`, name: `${name}_group`, handler: getGroup },
      { method: 'POST', path: `${prefix}/:namespace/:group`, name: `${name}_set`, handler: setGroup },
      { method: 'DELETE', path: `${prefix}/:namespace/:group`, name: `${name}_delete_group`, handler: deleteGroup },
    );
  }
  const promRules: Route['handler'] = (req, res, { url }) => {
    const tenants = auth.tenants(req, true);
    const p = url.searchParams;
    const groupNames = list(p, 'rule_group');
    const files = list(p, 'file');
    const selectors = ruleSelectors(p);
    // pagination as Prometheus 3 does it: group_limit groups per page, groupNextToken names the first of the next
    const limitParam = p.get('group_limit');
    const token = p.get('group_next_token');
    const limit = limitParam === null || limitParam === '' ? 0 : Number(limitParam);
    if (!Number.isInteger(limit) || limit < 0) throw new HttpError(400, `invalid parameter "group_limit": expected a non-negative integer, got "${limitParam}"`);
    if (token && limit === 0) throw new HttpError(400, 'invalid parameter "group_next_token": group_limit needs to be present in order to paginate over the groups');
    const matching = manager()
      .groupStatuses(tenants)
      .filter((g) => (groupNames.length === 0 || groupNames.includes(g.group.name)) && (files.length === 0 || files.includes(g.namespace)));
    const shaped: { g: GroupStatus; json: Record<string, unknown> }[] = [];
    for (const g of matching) {
      const json = groupJson(g, p, selectors);
      if (json) shaped.push({ g, json });
    }
    let start = 0;
    if (token) {
      start = shaped.findIndex((x) => groupToken(x.g) === token);
      if (start < 0) throw new HttpError(400, 'invalid parameter "group_next_token": the rule group that the token points to no longer exists');
    }
    const page = limit > 0 ? shaped.slice(start, start + limit) : shaped;
    const data: Record<string, unknown> = { groups: page.map((x) => x.json) };
    if (limit > 0 && start + limit < shaped.length) data.groupNextToken = groupToken(shaped[start + limit].g);
    sendJson(res, 200, { status: 'success', data });
  };
  const promAlerts: Route['handler'] = (req, res) => {
    const tenants = auth.tenants(req, true);
    const alerts = manager()
      .groupStatuses(tenants)
      .flatMap((g) => g.rules.flatMap((rs) => activeAlerts(rs).map(alertJson)));
    sendJson(res, 200, { status: 'success', data: { alerts } });
  };
  routes.push(
    { method: 'GET', path: '/prometheus/api/v1/rules', name: 'prometheus_rules', handler: promRules },
    { method: 'GET', path: '/api/prom/api/v1/rules', name: 'prometheus_rules_legacy', handler: promRules },
    { method: 'GET', path: '/prometheus/api/v1/alerts', name: 'prometheus_alerts', handler: promAlerts },
    { method: 'GET', path: '/api/prom/api/v1/alerts', name: 'prometheus_alerts_legacy', handler: promAlerts },
  );
  // the notification side (silences, Alertmanager-style alerts, notification log) is registered with the ruler
  return [...routes, ...alertmanagerRoutes(deps)];
}

/** Runs a ruler write, turning its refusals into HTTP errors. */
async function rulerCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof RulerError) throw new HttpError(e.status, e.message);
    throw e;
  }
}
