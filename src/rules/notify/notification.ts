// One notification: the alerts of an aggregation group sent to one receiver, in Alertmanager's data model (the
// payload of its webhook, version 4). Every receiver renders it in its own format. Also Alertmanager's alert
// fingerprint (FNV-1a 64 over sorted label pairs), so fingerprints match those Alertmanager itself shows.

import type { Labels } from '../../model/record.ts';

export interface NotificationAlert {
  status: 'firing' | 'resolved';
  labels: Labels;
  annotations: Record<string, string>;
  /** RFC 3339 */
  startsAt: string;
  /** RFC 3339; Go's zero time for firing alerts without an end */
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
  /** the rule expression's value at the last evaluation (Sightline's; not part of Alertmanager's payload) */
  value?: number;
}

export interface Notification {
  tenant: string;
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: NotificationAlert[];
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  groupKey: string;
  truncatedAlerts: number;
}

const OFFSET64 = 14695981039346656037n;
const PRIME64 = 1099511628211n;
const MASK64 = (1n << 64n) - 1n;
const SEPARATOR = 0xff;

/** Alertmanager's (Prometheus model) label-set fingerprint, as 16 hex digits. */
export function alertFingerprint(labels: Labels): string {
  let h = OFFSET64;
  const add = (byte: number) => {
    h ^= BigInt(byte);
    h = (h * PRIME64) & MASK64;
  };
  for (const name of Object.keys(labels).sort()) {
    for (const b of Buffer.from(name, 'utf8')) add(b);
    add(SEPARATOR);
    for (const b of Buffer.from(labels[name], 'utf8')) add(b);
    add(SEPARATOR);
  }
  return h.toString(16).padStart(16, '0');
}

/** Labels every alert of the list shares (same name, same value). */
export function commonLabels(sets: Labels[]): Labels {
  if (sets.length === 0) return {};
  const out: Labels = { ...sets[0] };
  for (const s of sets.slice(1)) for (const k of Object.keys(out)) if (s[k] !== out[k]) delete out[k];
  return out;
}

/** `[FIRING:2] HighErrorRate (payment warning)`: Alertmanager's default title. */
export function notificationTitle(n: Notification): string {
  const firing = n.alerts.filter((a) => a.status === 'firing').length;
  const head = n.status === 'firing' ? `[FIRING:${firing}]` : '[RESOLVED]';
  const name = n.groupLabels.alertname ?? n.commonLabels.alertname ?? '';
  const rest = Object.entries(n.groupLabels)
    .filter(([k]) => k !== 'alertname')
    .map(([, v]) => v);
  return [head, name, rest.length ? `(${rest.join(' ')})` : ''].filter(Boolean).join(' ');
}

/** The Alertmanager webhook payload (version 4) of a notification. */
export function webhookPayload(n: Notification, maxAlerts = 0): Record<string, unknown> {
  const alerts = maxAlerts > 0 ? n.alerts.slice(0, maxAlerts) : n.alerts;
  return {
    version: '4',
    groupKey: n.groupKey,
    truncatedAlerts: n.truncatedAlerts + (n.alerts.length - alerts.length),
    status: n.status,
    receiver: n.receiver,
    groupLabels: n.groupLabels,
    commonLabels: n.commonLabels,
    commonAnnotations: n.commonAnnotations,
    externalURL: n.externalURL,
    alerts: alerts.map((a) => ({ status: a.status, labels: a.labels, annotations: a.annotations, startsAt: a.startsAt, endsAt: a.endsAt, generatorURL: a.generatorURL, fingerprint: a.fingerprint })),
  };
}
