// The public alert object of `sightline detect` and /api/v1/detections/* (docs/detection.md "Alert objects"): a
// SiemAlert with RFC 3339 times (nanosecond precision), events reduced to `ts`, `labels`, `line`, `step`, and for
// Sigma rules the `id`, `author`, `tags`, `references` the Detection Rule License 1.1 asks alerts to show.

import { nsToRfc3339 } from '../pipeline/time-text.ts';
import type { SiemAlert } from './alert.ts';
import type { Entities } from './entities.ts';

export interface DetectionAlertEvent {
  ts: string;
  labels: Record<string, string>;
  line: string;
  /** the event definition (native) or rule (Sigma) the record matched */
  step: string;
}

export interface DetectionAlert {
  rule: string;
  title: string;
  severity: string;
  group: Record<string, string>;
  first_ts: string;
  last_ts: string;
  event_count: number;
  events: DetectionAlertEvent[];
  kind: SiemAlert['kind'];
  tags: string[];
  id?: string;
  author?: string;
  references?: string[];
  description?: string;
  entities: Entities;
  alert_id: string;
  incident_id?: string;
  /** the alert whose incident this firing extends */
  extends?: string;
}

export function toDetectionAlert(a: SiemAlert): DetectionAlert {
  const out: DetectionAlert = {
    rule: a.rule,
    title: a.title,
    severity: a.severity,
    group: a.group,
    first_ts: nsToRfc3339(BigInt(a.first_ts)),
    last_ts: nsToRfc3339(BigInt(a.last_ts)),
    event_count: a.event_count,
    events: a.events.map((e) => ({ ts: nsToRfc3339(BigInt(e.ts)), labels: e.labels, line: e.line, step: e.step })),
    kind: a.kind,
    tags: a.tags,
    entities: a.entities,
    alert_id: a.alert_id,
  };
  if (a.kind !== 'native') {
    // DRL 1.1: a Sigma alert shows its rule's id, author and references; an absent id or author stays absent
    if (a.id !== undefined) out.id = a.id;
    if (a.author !== undefined) out.author = a.author;
    out.references = a.references ?? [];
  }
  if (a.description !== undefined) out.description = a.description;
  if (a.incident_id !== undefined) out.incident_id = a.incident_id;
  if (a.extends !== undefined) out.extends = a.extends;
  return out;
}

/** One line for people: `first_ts SEVERITY title [rule] group events=N` (+ the Sigma author and id). */
export function formatDetectionText(a: DetectionAlert): string {
  const group = Object.entries(a.group).map(([k, v]) => `${k}=${v}`).join(' ');
  const sigma = a.kind !== 'native' ? `${a.id ? ` id=${a.id}` : ''}${a.author ? ` author="${a.author}"` : ''}` : '';
  return `${a.first_ts} ${a.severity.toUpperCase()} ${a.title}${a.extends ? ' (extends an earlier alert)' : ''} [${a.rule}]${group ? ' ' + group : ''} events=${a.event_count} last=${a.last_ts}${sigma}`;
}
