// Runs a rule's actions for a new alert: `alert` hands it to the alerting receivers (routing labels, annotations),
// `enrich` adds GeoIP/threat-intel findings and related records, `auto_response` renders its webhook and, unless dry-run or held for
// approval, sends it. Outcomes are values (sent, dry_run, pending_approval, manual, failed, skipped); nothing throws.

import type { AlertNotice, AlertSink } from '../../rules/alert-notice.ts';
import type { ActionOutcome, SiemAlert } from '../alert.ts';
import type { ActionSpec } from './action-spec.ts';
import type { Enricher } from './enrichment.ts';
import { renderTemplate } from './payload-template.ts';

export interface ActionDeps {
  /** the alerting service's sink (notification routes and receivers); undefined = alerts are only stored */
  alertSink?: AlertSink;
  enricher?: Enricher;
  /** the server's URL, for links in notifications */
  externalUrl?: () => string;
  /** wall clock (ms) */
  now: () => number;
  log: (message: string) => void;
}

/** How long a notified SIEM alert stays firing for the notification dispatcher (it resolves itself afterwards). */
const NOTICE_TTL_MS = 15 * 60_000;

export function alertNotice(alert: SiemAlert, spec: Extract<ActionSpec, { kind: 'alert' }> | undefined, nowMs: number, externalUrl: string): AlertNotice {
  const labels: Record<string, string> = { alertname: alert.title, siem_rule: alert.rule, severity: alert.severity, source: 'siem', ...(spec?.labels ?? {}) };
  for (const [k, v] of Object.entries(alert.group)) if (labels[k] === undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) labels[k] = v;
  // an extension is the same incident's later step (a mass download after the takeover): say so, or the receiver
  // shows the first alert again
  const step = alert.extends !== undefined ? alert.events[alert.events.length - 1]?.step : undefined;
  const annotations: Record<string, string> = {
    summary: alert.extends === undefined ? alert.title : `${alert.title}: extended by ${step ?? 'a later event'}`,
    ...(alert.extends !== undefined ? { extends: alert.extends } : {}),
    incident_id: alert.incident_id ?? '',
    event_count: String(alert.event_count),
    entities: JSON.stringify(alert.entities),
    ...(alert.description ? { description: alert.description } : {}),
    ...(alert.author ? { sigma_author: alert.author, sigma_id: alert.id ?? '' } : {}),
    ...(spec?.text ? { notify: spec.text } : {}),
    ...(spec?.annotations ?? {}),
  };
  const link = alert.incident_id && externalUrl ? `${externalUrl.replace(/\/$/, '')}/api/v1/siem/incidents/${alert.incident_id}` : '';
  return { labels, annotations, state: 'firing', startsAtMs: nowMs, endsAtMs: nowMs + NOTICE_TTL_MS, generatorURL: link, value: alert.event_count };
}

/** The webhook request an auto_response would make for this alert. */
export function responseRequest(spec: Extract<ActionSpec, { kind: 'auto_response' }>, alert: SiemAlert): { method: string; url: string; body?: string; headers: Record<string, string> } {
  const data = { ...alert, incident: { id: alert.incident_id } };
  const json = (spec.headers['Content-Type'] ?? spec.headers['content-type'] ?? 'application/json').includes('json');
  const body = spec.body !== undefined ? renderTemplate(spec.body, data, json) : JSON.stringify({ rule: alert.rule, title: alert.title, severity: alert.severity, incident_id: alert.incident_id, group: alert.group, entities: alert.entities });
  return { method: spec.method, url: renderTemplate(spec.url!, data, false), body, headers: { 'Content-Type': 'application/json', ...spec.headers } };
}

export async function sendResponse(req: { method: string; url: string; body?: string; headers: Record<string, string> }, timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  try {
    const res = await fetch(req.url, { method: req.method, headers: { 'User-Agent': 'Sightline-SIEM', ...req.headers }, body: req.body, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    const text = (await res.text().catch(() => '')).slice(0, 300);
    return { ok: res.ok, detail: `HTTP ${res.status}${text ? ': ' + text : ''}` };
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, detail: `request failed: ${cause?.code ?? cause?.message ?? (e as Error).message}` };
  }
}

export async function runActions(alert: SiemAlert, specs: readonly ActionSpec[], deps: ActionDeps): Promise<{ outcomes: ActionOutcome[]; enrichment?: Record<string, unknown> }> {
  const outcomes: ActionOutcome[] = [];
  let enrichment: Record<string, unknown> | undefined;
  // enrichment first, so notifications and responses can carry it
  for (const spec of specs) {
    if (spec.kind !== 'enrich') continue;
    if (deps.enricher === undefined) {
      outcomes.push({ action: 'enrich', status: 'skipped', detail: 'no enricher configured' });
      continue;
    }
    const lookups = spec.enrichments.filter((e) => e !== 'related');
    if (lookups.length > 0) {
      enrichment = { ...(enrichment ?? {}), ...deps.enricher.enrich(alert, lookups) };
      outcomes.push({ action: 'enrich', status: 'done', detail: lookups.join(', ') });
    }
    if (spec.related !== undefined) {
      try {
        const related = await deps.enricher.related(alert, spec.related);
        alert.related = related;
        const records = related.reduce((n, g) => n + g.records.length, 0);
        const failed = related.filter((g) => g.error !== undefined && g.error.startsWith('query failed'));
        outcomes.push({
          action: 'enrich',
          name: 'related',
          status: failed.length > 0 ? 'failed' : 'done',
          detail: `related: ${records} records for ${related.length} values${failed.length > 0 ? `; ${failed.map((g) => `${g.key}=${g.value}: ${g.error}`).join('; ')}` : ''}`,
        });
      } catch (e) {
        outcomes.push({ action: 'enrich', name: 'related', status: 'failed', detail: `related: ${(e as Error).message}` });
      }
    }
  }
  if (enrichment !== undefined) alert.enrichment = enrichment;
  const alertSpecs = specs.filter((s): s is Extract<ActionSpec, { kind: 'alert' }> => s.kind === 'alert');
  // every alert is notified once, with the routing labels of its alert actions (none: the default labels)
  if (deps.alertSink === undefined) outcomes.push({ action: 'alert', status: 'skipped', detail: 'no alert sink configured: stored only' });
  else {
    const now = deps.now();
    const url = deps.externalUrl?.() ?? '';
    const notices = alertSpecs.length > 0 ? alertSpecs.map((s) => alertNotice(alert, s, now, url)) : [alertNotice(alert, undefined, now, url)];
    deps.alertSink.receive(alert.tenant, notices, now);
    outcomes.push({ action: 'alert', status: 'sent', detail: notices.map((n) => JSON.stringify(n.labels)).join(' ') });
  }
  for (const spec of specs) {
    if (spec.kind !== 'auto_response') continue;
    if (spec.url === undefined) {
      outcomes.push({ action: 'auto_response', name: spec.name, status: 'manual', detail: 'no webhook configured: to be done by hand' });
      continue;
    }
    const req = responseRequest(spec, alert);
    const shown = { method: req.method, url: req.url, body: req.body };
    if (spec.approval) outcomes.push({ action: 'auto_response', name: spec.name, status: 'pending_approval', request: shown });
    else if (spec.dryRun) outcomes.push({ action: 'auto_response', name: spec.name, status: 'dry_run', request: shown });
    else {
      const r = await sendResponse(req, spec.timeoutMs);
      if (!r.ok) deps.log(`auto_response ${spec.name} for ${alert.incident_id}: ${r.detail}`);
      outcomes.push({ action: 'auto_response', name: spec.name, status: r.ok ? 'sent' : 'failed', detail: r.detail, request: shown });
    }
  }
  alert.actions = outcomes;
  return { outcomes, enrichment };
}
