// A SIEM alert: what fired, for which group, and the records it links. The JSON shape is what `siem hunt` prints and
// the API returns: rule, title, severity, group, first_ts/last_ts (ns as strings), event_count, events (ts, labels,
// line, step), and for Sigma rules their id, author, tags and references (the Detection Rule License asks for author).

import { labelsToString, type Labels } from '../model/record.ts';
import type { LinkedEvent } from './detection-event.ts';
import type { Entities } from './entities.ts';
import type { RelatedGroup } from './actions/related-records.ts';
import type { Severity } from './severity.ts';

export interface AlertEvent {
  ts: string;
  /** the stream: its labels, and their canonical text */
  labels: Record<string, string>;
  stream: string;
  line: string;
  /** the event definition or rule it matched */
  step: string;
  fields?: Record<string, string>;
}

export interface SiemAlert {
  alert_id: string;
  tenant: string;
  kind: 'native' | 'sigma' | 'sigma_correlation';
  rule: string;
  title: string;
  description?: string;
  severity: Severity;
  group: Record<string, string>;
  first_ts: string;
  last_ts: string;
  event_count: number;
  events: AlertEvent[];
  entities: Entities;
  /** Sigma metadata (Detection Rule License 1.1: keep the author) */
  id?: string;
  author?: string;
  tags: string[];
  references?: string[];
  /** when this firing extends an earlier alert's incident (native `extend:`, or a suppressed repeat) */
  extends?: string;
  /** false for repeats folded into an open incident: nobody is notified again */
  notify: boolean;
  /** firings folded into this alert by `suppress: {by}` within its window (their events are counted in event_count) */
  suppressed_count?: number;
  incident_id?: string;
  /** wall-clock ms when it fired */
  created_ms: number;
  /** what the rule's actions did */
  actions?: ActionOutcome[];
  enrichment?: Record<string, unknown>;
  /** the `related` enrichment: stored records sharing a trace_id/user/IP with the alert (docs/siem.md) */
  related?: RelatedGroup[];
}

export interface ActionOutcome {
  action: 'alert' | 'auto_response' | 'enrich';
  name?: string;
  /** sent, dry_run, pending_approval, manual, failed, skipped, done */
  status: string;
  detail?: string;
  request?: { method: string; url: string; body?: string };
}

const streamTexts = new WeakMap<Labels, string>();

/** A stream's canonical text, remembered per labels object (one per stream and batch, many matches each). */
export function streamText(labels: Labels): string {
  let t = streamTexts.get(labels);
  if (t === undefined) streamTexts.set(labels, (t = labelsToString(labels)));
  return t;
}

export function alertEvents(events: readonly LinkedEvent[]): AlertEvent[] {
  return events.map((e) => {
    const out: AlertEvent = { ts: e.ref.tsNs.toString(), labels: e.ref.labels, stream: streamText(e.ref.labels), line: e.ref.line, step: e.step };
    // structured metadata and the fields the event's pipeline parsed
    const fields = e.ref.metadata !== undefined ? { ...e.ref.metadata, ...e.fields } : e.fields;
    if (Object.keys(fields).length > 0) out.fields = fields;
    return out;
  });
}
