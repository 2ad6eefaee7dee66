// The SIEM APIs the Detections page reads (docs/siem.md): loaded rules, recent detection alerts, incidents (list,
// one with its alerts and their events, update status/assignee/notes) and the ATT&CK coverage.

import type { RelatedGroup } from '../../../src/siem/actions/related-groups.ts';
import { getJson, sendJson } from './client.ts';

export type { RelatedGroup, RelatedRecord } from '../../../src/siem/actions/related-groups.ts';

export type DetectionSource = 'native' | 'sigma' | 'sigma_correlation';

export interface DetectionRule {
  kind: DetectionSource;
  rule: string;
  title: string;
  severity: string;
  tags?: string[];
  file?: string;
}

export interface RuleFailure {
  file: string;
  line?: number;
  rule?: string;
  reason: string;
}

export interface RulesReply {
  loaded: number;
  failed: number;
  total: number;
  failures: RuleFailure[];
  rules: DetectionRule[];
}

export interface AlertEvent {
  ts: string;
  labels: Record<string, string>;
  stream: string;
  line: string;
  step: string;
  fields?: Record<string, string>;
}

export interface DetectionAlert {
  alert_id: string;
  kind: DetectionSource;
  rule: string;
  title: string;
  severity: string;
  first_ts: string;
  last_ts: string;
  event_count: number;
  events: AlertEvent[];
  tags: string[];
  /** the values it fired for (group_by) */
  group?: Record<string, string>;
  /** the alert whose incident this one extends */
  extends?: string;
  incident_id?: string;
  created_ms: number;
}

export const INCIDENT_STATUSES = ['new', 'triaged', 'in_progress', 'resolved', 'false_positive'] as const;

export interface Incident {
  id: string;
  rule: string;
  kind: DetectionSource;
  title: string;
  severity: string;
  status: string;
  assignee?: string;
  group: Record<string, string>;
  entities: { user: string[]; ip: string[]; host: string[] };
  event_count: number;
  first_seen: string;
  last_seen: string;
  notes: { ts_ms: number; author?: string; text: string }[];
  tags: string[];
  /** stored records sharing a trace_id, user or IP with the incident (the rule's `enrich: related`), per key and value */
  related?: RelatedGroup[];
}

export interface CoverageRule {
  id: string;
  title: string;
  source: 'sigma' | 'native';
  level: string;
  enabled: boolean;
}

export interface CoverageTechnique {
  id: string;
  subtechnique: string | null;
  name: string | null;
  tactics: string[];
  rules: CoverageRule[];
}

export interface Coverage {
  tactics: { id: string; name: string }[];
  techniques: CoverageTechnique[];
  rules_without_tags: number;
}

export function fetchRules(): Promise<RulesReply> {
  return getJson<RulesReply>('/api/v1/siem/rules');
}

export async function fetchDetectionAlerts(limit = 1000): Promise<DetectionAlert[]> {
  return (await getJson<{ alerts: DetectionAlert[] }>('/api/v1/siem/alerts', { limit })).alerts;
}

export async function fetchIncidents(): Promise<Incident[]> {
  return (await getJson<{ incidents: Incident[] }>('/api/v1/siem/incidents', { limit: 500 })).incidents;
}

export function fetchIncident(id: string): Promise<{ incident: Incident; alerts: DetectionAlert[] }> {
  return getJson(`/api/v1/siem/incidents/${encodeURIComponent(id)}`);
}

export interface IncidentUpdate {
  status?: string;
  assignee?: string | null;
  note?: string;
}

export async function updateIncident(id: string, patch: IncidentUpdate): Promise<Incident> {
  return (await sendJson<{ incident: Incident }>('POST', `/api/v1/siem/incidents/${encodeURIComponent(id)}`, patch)).incident;
}

export async function fetchCoverage(): Promise<Coverage> {
  return (await getJson<{ data: Coverage }>('/api/v1/detections/coverage')).data;
}
