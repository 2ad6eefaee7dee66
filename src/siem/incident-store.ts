// Incidents and the alerts behind them, in memory and as JSON lines under the data dir (`incidents.jsonl`: the full
// incident after each change, the last line of an id wins; `alerts.jsonl`: every alert once). An alert opens an
// incident, or joins one: the incident of the alert it extends, or the open incident of the same rule and group whose
// last event is within the rule's suppression window. Status, assignee and notes are updated through the API.

import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ActionOutcome, AlertEvent, SiemAlert } from './alert.ts';
import type { Entities } from './entities.ts';
import type { RelatedGroup } from './actions/related-records.ts';
import { maxSeverity, parseSeverity, type Severity } from './severity.ts';

export const INCIDENT_STATUSES = ['new', 'triaged', 'in_progress', 'resolved', 'false_positive'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
const CLOSED: ReadonlySet<string> = new Set(['resolved', 'false_positive']);

export interface IncidentEventRef {
  stream: string;
  ts: string;
  step: string;
  alert_id: string;
}

export interface IncidentNote {
  ts_ms: number;
  author?: string;
  text: string;
}

export interface IncidentResponse extends ActionOutcome {
  alert_id: string;
  index: number;
  updated_ms: number;
}

export interface Incident {
  id: string;
  tenant: string;
  rule: string;
  kind: SiemAlert['kind'];
  title: string;
  severity: Severity;
  status: IncidentStatus;
  assignee?: string;
  group: Record<string, string>;
  /** rule + group: repeats of the same detection join the open incident */
  key: string;
  entities: Entities;
  /** linked records (stream + ts), first ones kept up to a cap; event_count counts them all */
  events: IncidentEventRef[];
  event_count: number;
  alerts: string[];
  first_seen: string;
  last_seen: string;
  created_ms: number;
  updated_ms: number;
  notes: IncidentNote[];
  responses: IncidentResponse[];
  enrichment?: Record<string, unknown>;
  /** related records found by the `related` enrichment of its alerts (per key and value, the newest search wins) */
  related?: RelatedGroup[];
  /** Sigma rules: their id, author, tags and references */
  sigma?: { id?: string; author?: string; references?: string[] };
  tags: string[];
}

export class IncidentError extends Error {
  constructor(readonly status: 400 | 404 | 409, message: string) {
    super(message);
  }
}

export interface IncidentFilter {
  status?: string;
  severity?: string;
  rule?: string;
  entity?: string;
  limit?: number;
}

export interface IncidentPatch {
  status?: string;
  assignee?: string | null;
  note?: { text: string; author?: string };
}

const MAX_EVENTS_PER_INCIDENT = 1000;
const MAX_ALERTS_PER_INCIDENT = 1000;
const MAX_ALERTS_IN_MEMORY = 10_000;
const MAX_ALERTS_FILE_BYTES = 64 * 1024 * 1024;

function nsMin(a: string, b: string): string {
  return BigInt(a) <= BigInt(b) ? a : b;
}
function nsMax(a: string, b: string): string {
  return BigInt(a) >= BigInt(b) ? a : b;
}

function mergeEntities(into: Entities, add: Entities): void {
  for (const k of ['user', 'ip', 'host'] as const) for (const v of add[k]) if (!into[k].includes(v) && into[k].length < 50) into[k].push(v);
}

export interface RecordOutcome {
  incident: Incident;
  /** the alert joined an existing incident */
  merged: boolean;
  /** the alert was recorded before (a replay after a restart): nothing changed */
  duplicate: boolean;
}

export class IncidentStore {
  private readonly incidents = new Map<string, Incident>();
  /** tenant + key → id of the newest incident with that key */
  private readonly byKey = new Map<string, string>();
  /** alert id → incident id */
  private readonly byAlert = new Map<string, string>();
  private readonly recent: SiemAlert[] = [];
  private linesWritten = 0;
  /** incidents changed by link() and not yet written: written by flush() (a noisy rule must not write per record) */
  private readonly dirty = new Set<string>();
  private readonly incidentsFile: string | undefined;
  private readonly alertsFile: string | undefined;

  /** @param dir where the JSON lines live; undefined keeps everything in memory (hunts, tests) */
  constructor(dir: string | undefined, private readonly clock: () => number = Date.now) {
    if (dir !== undefined) {
      mkdirSync(dir, { recursive: true });
      this.incidentsFile = path.join(dir, 'incidents.jsonl');
      this.alertsFile = path.join(dir, 'alerts.jsonl');
      this.load();
    }
  }

  private load(): void {
    if (this.incidentsFile !== undefined && existsSync(this.incidentsFile)) {
      const text = readFileSync(this.incidentsFile, 'utf8');
      let n = 0;
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        n++;
        let inc: Incident;
        try {
          inc = JSON.parse(line) as Incident;
        } catch {
          continue; // a torn last line after a crash: the previous version of that incident stands
        }
        this.index(inc);
      }
      this.linesWritten = n;
      if (n > 2 * this.incidents.size + 1000) this.compact();
    }
    if (this.alertsFile !== undefined && existsSync(this.alertsFile)) {
      const lines = readFileSync(this.alertsFile, 'utf8').split('\n');
      for (const line of lines.slice(-MAX_ALERTS_IN_MEMORY - 1)) {
        if (line.trim() === '') continue;
        try {
          this.recent.push(JSON.parse(line) as SiemAlert);
        } catch {
          // torn line
        }
      }
    }
  }

  private index(inc: Incident): void {
    this.incidents.set(inc.id, inc);
    this.byKey.set(inc.tenant + '\u0000' + inc.key, inc.id);
    for (const a of inc.alerts) this.byAlert.set(a, inc.id);
  }

  private persist(inc: Incident): void {
    this.dirty.delete(inc.id);
    if (this.incidentsFile === undefined) return;
    appendFileSync(this.incidentsFile, JSON.stringify(inc) + '\n');
    this.linesWritten++;
    if (this.linesWritten > 4 * this.incidents.size + 10_000) this.compact();
  }

  /** Rewrites the file with one line per incident (atomically: a temp file renamed over it). */
  private compact(): void {
    if (this.incidentsFile === undefined) return;
    const tmp = this.incidentsFile + '.tmp';
    writeFileSync(tmp, [...this.incidents.values()].map((i) => JSON.stringify(i) + '\n').join(''));
    renameSync(tmp, this.incidentsFile);
    this.linesWritten = this.incidents.size;
  }

  private persistAlert(alert: SiemAlert): void {
    this.recent.push(alert);
    if (this.recent.length > MAX_ALERTS_IN_MEMORY) this.recent.splice(0, this.recent.length - MAX_ALERTS_IN_MEMORY);
    if (this.alertsFile === undefined) return;
    try {
      if (statSync(this.alertsFile).size > MAX_ALERTS_FILE_BYTES) renameSync(this.alertsFile, this.alertsFile.replace(/\.jsonl$/, '.1.jsonl'));
    } catch {
      // no file yet
    }
    appendFileSync(this.alertsFile, JSON.stringify(alert) + '\n');
  }

  hasAlert(alertId: string): boolean {
    return this.byAlert.has(alertId);
  }

  /** Files an alert into an incident (new or existing) and stores it; sets alert.incident_id and alert.notify. */
  record(alert: SiemAlert, key: string, suppressMs: number): RecordOutcome {
    const known = this.byAlert.get(alert.alert_id);
    if (known !== undefined) return { incident: this.incidents.get(known)!, merged: true, duplicate: true };
    let target: Incident | undefined;
    if (alert.extends !== undefined) {
      const id = this.byAlert.get(alert.extends);
      target = id === undefined ? undefined : this.incidents.get(id);
    }
    if (target === undefined) {
      const id = this.byKey.get(alert.tenant + '\u0000' + key);
      const open = id === undefined ? undefined : this.incidents.get(id);
      const withinMs = open === undefined ? Infinity : Number((BigInt(alert.first_ts) - BigInt(open.last_seen)) / 1_000_000n);
      if (open !== undefined && !CLOSED.has(open.status) && withinMs <= suppressMs) {
        target = open;
        if (alert.extends === undefined) alert.notify = false;
      }
    }
    const now = this.clock();
    let merged = true;
    if (target === undefined) {
      merged = false;
      target = {
        id: 'inc-' + alert.alert_id.slice(0, 16),
        tenant: alert.tenant,
        rule: alert.rule,
        kind: alert.kind,
        title: alert.title,
        severity: alert.severity,
        status: 'new',
        group: alert.group,
        key,
        entities: { user: [], ip: [], host: [] },
        events: [],
        event_count: 0,
        alerts: [],
        first_seen: alert.first_ts,
        last_seen: alert.last_ts,
        created_ms: now,
        updated_ms: now,
        notes: [],
        responses: [],
        tags: alert.tags,
      };
      if (alert.kind !== 'native') target.sigma = { id: alert.id, author: alert.author, references: alert.references };
    }
    target.severity = maxSeverity(target.severity, alert.severity);
    target.first_seen = nsMin(target.first_seen, alert.first_ts);
    target.last_seen = nsMax(target.last_seen, alert.last_ts);
    target.event_count += alert.event_count;
    for (const e of alert.events) {
      if (target.events.length >= MAX_EVENTS_PER_INCIDENT) break;
      target.events.push({ stream: e.stream, ts: e.ts, step: e.step, alert_id: alert.alert_id });
    }
    if (target.alerts.length < MAX_ALERTS_PER_INCIDENT) target.alerts.push(alert.alert_id);
    mergeEntities(target.entities, alert.entities);
    target.updated_ms = now;
    alert.incident_id = target.id;
    this.index(target);
    this.byAlert.set(alert.alert_id, target.id);
    this.persist(target);
    this.persistAlert(alert);
    return { incident: target, merged, duplicate: false };
  }

  /** Links more records to an alert's incident without a new alert (repeats folded by suppression). */
  link(tenant: string, incidentId: string, events: readonly AlertEvent[], alertId: string): void {
    const inc = this.incidents.get(incidentId);
    if (inc === undefined || inc.tenant !== tenant) return;
    for (const e of events) {
      inc.event_count++;
      inc.last_seen = nsMax(inc.last_seen, e.ts);
      if (inc.events.length < MAX_EVENTS_PER_INCIDENT) inc.events.push({ stream: e.stream, ts: e.ts, step: e.step, alert_id: alertId });
    }
    inc.updated_ms = this.clock();
    this.dirty.add(inc.id);
  }

  /** Writes incidents changed by link() since the last flush. */
  flush(): void {
    for (const id of this.dirty) {
      const inc = this.incidents.get(id);
      if (inc !== undefined) this.persist(inc);
    }
    this.dirty.clear();
  }

  /** Records what an alert's actions did (responses waiting for approval can be approved later). */
  recordOutcomes(incidentId: string, alert: SiemAlert, outcomes: ActionOutcome[], enrichment: Record<string, unknown> | undefined): void {
    const inc = this.incidents.get(incidentId);
    if (inc === undefined) return;
    const now = this.clock();
    for (const o of outcomes) {
      if (o.action !== 'auto_response') continue;
      inc.responses.push({ ...o, alert_id: alert.alert_id, index: inc.responses.length, updated_ms: now });
    }
    if (enrichment !== undefined) inc.enrichment = { ...(inc.enrichment ?? {}), ...enrichment };
    if (alert.related !== undefined) {
      const fresh = new Set(alert.related.map((g) => `${g.key}\u0000${g.value}`));
      inc.related = [...(inc.related ?? []).filter((g) => !fresh.has(`${g.key}\u0000${g.value}`)), ...alert.related];
    }
    inc.updated_ms = now;
    this.persist(inc);
  }

  updateResponse(tenant: string, id: string, index: number, outcome: Partial<ActionOutcome>): Incident {
    const inc = this.get(tenant, id);
    const r = inc.responses[index];
    if (r === undefined) throw new IncidentError(404, `incident ${id} has no response ${index}`);
    Object.assign(r, outcome, { updated_ms: this.clock() });
    inc.updated_ms = this.clock();
    this.persist(inc);
    return inc;
  }

  get(tenant: string, id: string): Incident {
    const inc = this.incidents.get(id);
    if (inc === undefined || inc.tenant !== tenant) throw new IncidentError(404, `no incident ${JSON.stringify(id)}`);
    return inc;
  }

  list(tenant: string, f: IncidentFilter = {}): Incident[] {
    if (f.status !== undefined && !(INCIDENT_STATUSES as readonly string[]).includes(f.status)) {
      throw new IncidentError(400, `status: expected one of ${INCIDENT_STATUSES.join(', ')}, got ${JSON.stringify(f.status)}`);
    }
    const sev = f.severity === undefined ? undefined : parseSeverity(f.severity);
    if (f.severity !== undefined && sev === undefined) throw new IncidentError(400, `severity: expected informational, low, medium, high or critical, got ${JSON.stringify(f.severity)}`);
    const out: Incident[] = [];
    for (const inc of this.incidents.values()) {
      if (inc.tenant !== tenant) continue;
      if (f.status !== undefined && inc.status !== f.status) continue;
      if (sev !== undefined && inc.severity !== sev) continue;
      if (f.rule !== undefined && inc.rule !== f.rule) continue;
      if (f.entity !== undefined && !inc.entities.user.includes(f.entity) && !inc.entities.ip.includes(f.entity) && !inc.entities.host.includes(f.entity)) continue;
      out.push(inc);
    }
    out.sort((a, b) => b.updated_ms - a.updated_ms || (a.id < b.id ? -1 : 1));
    return out.slice(0, f.limit ?? 100);
  }

  update(tenant: string, id: string, patch: IncidentPatch): Incident {
    const inc = this.get(tenant, id);
    if (patch.status !== undefined) {
      if (!(INCIDENT_STATUSES as readonly string[]).includes(patch.status)) {
        throw new IncidentError(400, `status: expected one of ${INCIDENT_STATUSES.join(', ')}, got ${JSON.stringify(patch.status)}`);
      }
      inc.status = patch.status as IncidentStatus;
    }
    if (patch.assignee !== undefined) {
      if (patch.assignee === null || patch.assignee === '') delete inc.assignee;
      else inc.assignee = patch.assignee;
    }
    if (patch.note !== undefined) {
      if (patch.note.text.trim() === '') throw new IncidentError(400, 'note: text must not be empty');
      inc.notes.push({ ts_ms: this.clock(), text: patch.note.text, ...(patch.note.author ? { author: patch.note.author } : {}) });
    }
    inc.updated_ms = this.clock();
    this.persist(inc);
    return inc;
  }

  /** Recent alerts of a tenant, newest first. */
  alerts(tenant: string, opts: { limit?: number; rule?: string; incident?: string } = {}): SiemAlert[] {
    const out: SiemAlert[] = [];
    for (let i = this.recent.length - 1; i >= 0 && out.length < (opts.limit ?? 100); i--) {
      const a = this.recent[i]!;
      if (a.tenant !== tenant) continue;
      if (opts.rule !== undefined && a.rule !== opts.rule) continue;
      if (opts.incident !== undefined && a.incident_id !== opts.incident) continue;
      out.push(a);
    }
    return out;
  }

  get size(): number {
    return this.incidents.size;
  }
}
