// The alerting APIs the Alerts page reads: Prometheus-style rules and alerts (/prometheus/api/v1/…), the
// Alertmanager v2 silences (/alertmanager/api/v2/…) and the notification log (/api/v1/alerting/notifications).

import { getJson, sendJson } from './client.ts';

export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
  value: string;
}

export interface PromRule {
  name: string;
  query: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  health: string;
  lastError?: string;
  lastEvaluation: string;
  evaluationTime: number;
  type: 'alerting' | 'recording';
  state?: 'inactive' | 'pending' | 'firing';
  duration?: number;
  alerts?: PromAlert[];
}

export interface RuleGroup {
  name: string;
  file: string;
  interval: number;
  lastEvaluation: string;
  rules: PromRule[];
}

export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual?: boolean;
}

export interface Silence {
  id: string;
  status: { state: 'active' | 'pending' | 'expired' };
  matchers: SilenceMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

export interface NotificationEntry {
  ts: string;
  receiver: string;
  integration: string;
  status: string;
  alerts: number;
  result: string;
  attempt: number;
  error?: string;
  groupKey: string;
}

export async function fetchRuleGroups(): Promise<RuleGroup[]> {
  return (await getJson<{ data: { groups: RuleGroup[] } }>('/prometheus/api/v1/rules')).data.groups;
}

export async function fetchSilences(): Promise<Silence[]> {
  return getJson<Silence[]>('/alertmanager/api/v2/silences');
}

export async function fetchNotifications(limit = 100): Promise<NotificationEntry[]> {
  return (await getJson<{ data: { notifications: NotificationEntry[] } }>('/api/v1/alerting/notifications', { limit })).data.notifications;
}

export interface NewSilence {
  matchers: SilenceMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

export async function createSilence(s: NewSilence): Promise<string> {
  return (await sendJson<{ silenceID: string }>('POST', '/alertmanager/api/v2/silences', s)).silenceID;
}

export async function expireSilence(id: string): Promise<void> {
  await sendJson<undefined>('DELETE', `/alertmanager/api/v2/silence/${encodeURIComponent(id)}`);
}
