// PagerDuty receiver, Events API v2 (POST https://events.pagerduty.com/v2/enqueue): one event per aggregation group,
// `trigger` while any alert fires and `resolve` once all have resolved, with a stable dedup_key (the SHA-256 of the
// group key, as Alertmanager derives it) so PagerDuty folds repeats and resolves into one incident. Keys: routing_key
// (or routing_key_file / routing_key_env), url (default global pagerduty_url), client, client_url, severity
// (default: the alerts' common `severity` label when it is one of critical, error, warning, info; else error),
// source, component, group, class, send_resolved (default true), timeout, http_config.

import { createHash } from 'node:crypto';
import type { ReceiverType } from './integration.ts';
import { secretOf } from '../secret-value.ts';
import { notificationTitle, type Notification } from '../notification.ts';
import { httpOptions } from './http-config.ts';
import { postJson } from './http-post.ts';

const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

export interface PagerDutyOptions {
  client: string;
  clientUrl?: string;
  severity?: string;
  source?: string;
  component?: string;
  group?: string;
  class?: string;
}

export function pagerDutyDedupKey(groupKey: string): string {
  return createHash('sha256').update(groupKey).digest('hex');
}

/** The Events API v2 event of a notification. */
export function pagerDutyEvent(n: Notification, routingKey: string, o: PagerDutyOptions): Record<string, unknown> {
  const dedup_key = pagerDutyDedupKey(`${n.tenant}:${n.groupKey}`);
  if (n.status === 'resolved') return { routing_key: routingKey, event_action: 'resolve', dedup_key };
  const firing = n.alerts.filter((a) => a.status === 'firing');
  const resolved = n.alerts.filter((a) => a.status === 'resolved');
  const common = n.commonLabels.severity;
  const severity = o.severity ?? ((SEVERITIES as readonly string[]).includes(common ?? '') ? common! : 'error');
  const summary = notificationTitle(n) + (firing[0]?.annotations.summary ? `: ${firing[0].annotations.summary}` : '');
  const payload: Record<string, unknown> = {
    summary: summary.length > 1024 ? summary.slice(0, 1023) + '…' : summary,
    source: o.source ?? n.commonLabels.instance ?? n.commonLabels.service ?? o.client,
    severity,
    timestamp: firing[0]?.startsAt,
    custom_details: {
      num_firing: firing.length,
      num_resolved: resolved.length,
      firing: firing.map((a) => ({ labels: a.labels, annotations: a.annotations, startsAt: a.startsAt, value: a.value })),
      resolved: resolved.map((a) => ({ labels: a.labels, annotations: a.annotations, startsAt: a.startsAt, endsAt: a.endsAt })),
    },
  };
  for (const k of ['component', 'group', 'class'] as const) if (o[k] !== undefined) payload[k] = o[k];
  const event: Record<string, unknown> = { routing_key: routingKey, event_action: 'trigger', dedup_key, payload, client: o.client };
  const clientUrl = o.clientUrl ?? n.externalURL;
  if (clientUrl) event.client_url = clientUrl;
  const link = firing[0]?.generatorURL;
  if (link) event.links = [{ href: link, text: 'LogQL query' }];
  return event;
}

export const pagerDutyReceiver: ReceiverType = {
  type: 'pagerduty',
  configKey: 'pagerduty_configs',
  build(node, { receiver, index, global }) {
    node.onlyKeys(['routing_key', 'routing_key_file', 'routing_key_env', 'url', 'client', 'client_url', 'severity', 'source', 'component', 'group', 'class', 'send_resolved', 'timeout', 'http_config']);
    const key = secretOf(node, 'routing_key') ?? node.fail('needs routing_key, routing_key_file or routing_key_env (the Events API v2 integration key)');
    const url = node.get('url').string(global.pagerdutyUrl);
    const o: PagerDutyOptions = { client: node.get('client').string('Sightline') };
    o.clientUrl = node.get('client_url').optionalString();
    const sev = node.get('severity');
    if (sev.exists) o.severity = sev.oneOf(SEVERITIES);
    for (const k of ['source', 'component', 'group', 'class'] as const) o[k] = node.get(k).optionalString();
    const http = httpOptions(node);
    return {
      type: 'pagerduty',
      receiver,
      index,
      sendResolved: node.get('send_resolved').boolean(true),
      timeoutMs: http.timeoutMs,
      async send(n, signal) {
        await postJson(url, pagerDutyEvent(n, key(), o), http.headers(), signal, `pagerduty ${receiver}[${index}]`);
      },
    };
  },
};
