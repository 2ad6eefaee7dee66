// Detection alerts as log records (docs/siem.md "Alerts as a LogQL stream"): each alert the live engine raises is
// appended to its tenant's store as one record of `{source="sightline", stream="detections", rule, severity}`, the
// line the alert object `sightline detect` prints. Writes are batched, retried while the store is busy, flushed at close.

import type { IngestBatch, Metadata, StreamEntries } from '../model/record.ts';
import type { SiemAlert } from './alert.ts';
import { toDetectionAlert } from './detection-alert.ts';

/** The stream labels every alert record carries (plus `rule` and `severity`). */
export const DETECTIONS_STREAM = { source: 'sightline', stream: 'detections' } as const;

/** Alert lines stay below this (events are left out from the end, counted in `events_omitted`). */
export const MAX_ALERT_LINE_BYTES = 64 * 1024;
/** Alerts waiting for the store at most; past it the oldest are dropped (counted). */
const MAX_PENDING = 100_000;

export interface AlertRecord {
  labels: Record<string, string>;
  tsNs: bigint;
  line: string;
  metadata: Metadata;
}

/** A structured-metadata name from a group-by key: `group_` + the key with characters LogQL cannot name as `_`. */
function groupKey(k: string): string {
  return 'group_' + k.replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * The record of one alert. Labels stay low-cardinality (the rule, its severity); the alert id, title, incident,
 * event count and group-by values are structured metadata. Its timestamp is the alert's last event (event time, so
 * the record sits beside the records it links).
 */
export function alertRecord(a: SiemAlert, maxLineBytes = MAX_ALERT_LINE_BYTES): AlertRecord {
  const obj = toDetectionAlert(a);
  let line = JSON.stringify(obj);
  if (Buffer.byteLength(line) > maxLineBytes) {
    const all = obj.events;
    let keep = all.length;
    // halve the linked events until the line fits (an alert with no events always fits: no user text but the group)
    while (keep > 0 && Buffer.byteLength(line) > maxLineBytes) {
      keep = Math.floor(keep / 2);
      line = JSON.stringify({ ...obj, events: all.slice(0, keep), events_omitted: all.length - keep });
    }
  }
  const metadata: Metadata = { alert_id: a.alert_id, title: a.title, kind: a.kind, event_count: String(a.event_count) };
  if (a.incident_id !== undefined) metadata.incident_id = a.incident_id;
  if (a.id !== undefined) metadata.rule_id = a.id;
  if (a.extends !== undefined) metadata.extends = a.extends;
  for (const [k, v] of Object.entries(a.group)) metadata[groupKey(k)] = v;
  return { labels: { ...DETECTIONS_STREAM, rule: a.rule, severity: a.severity }, tsNs: BigInt(a.last_ts), line, metadata };
}

/** Groups records into one batch per tenant, one stream entry per label set. */
export function alertBatches(alerts: readonly SiemAlert[]): IngestBatch[] {
  const byTenant = new Map<string, { batch: IngestBatch; streams: Map<string, StreamEntries> }>();
  for (const a of alerts) {
    const r = alertRecord(a);
    let t = byTenant.get(a.tenant);
    if (t === undefined) byTenant.set(a.tenant, (t = { batch: { tenant: a.tenant, streams: [], entries: 0, bytes: 0 }, streams: new Map() }));
    const key = `${r.labels.rule}\u0000${r.labels.severity}`;
    let s = t.streams.get(key);
    if (s === undefined) {
      s = { labels: r.labels, ts: [], lines: [], metadata: [] };
      t.streams.set(key, s);
      t.batch.streams.push(s);
    }
    s.ts.push(r.tsNs);
    s.lines.push(r.line);
    s.metadata.push(r.metadata);
    t.batch.entries++;
    t.batch.bytes += r.line.length;
  }
  return [...byTenant.values()].map((t) => t.batch);
}

export interface AlertRecordWriterOptions {
  /** the store's durable append (never the ingest path's SIEM hook: alert records are not evaluated by rules) */
  append: (batch: IngestBatch) => Promise<void>;
  log?: (message: string) => void;
  /** wait before retrying after a failed append (default 1s) */
  retryMs?: number;
}

export class AlertRecordWriter {
  readonly counters = { written: 0, retries: 0, dropped: 0 };
  private pending: SiemAlert[] = [];
  private running: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: AlertRecordWriterOptions) {}

  /** Queues an alert; it is appended on the next turn, together with the others raised by the same batch. */
  add(alert: SiemAlert): void {
    if (this.pending.length >= MAX_PENDING) {
      this.pending.shift();
      this.counters.dropped++;
    }
    this.pending.push(alert);
    if (this.running === undefined && this.retryTimer === undefined) this.running = this.drain();
  }

  private async drain(): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
    while (this.pending.length > 0) {
      const take = this.pending;
      this.pending = [];
      const failed: SiemAlert[] = [];
      for (const batch of alertBatches(take)) {
        try {
          await this.opts.append(batch);
          this.counters.written += batch.entries;
        } catch (e) {
          this.counters.retries++;
          this.opts.log?.(`${batch.entries} detection alert record(s) of tenant ${batch.tenant} not stored yet, retrying: ${(e as Error).message}`);
          for (const a of take) if (a.tenant === batch.tenant) failed.push(a);
        }
      }
      if (failed.length > 0) {
        this.pending = failed.concat(this.pending);
        if (!this.closed) {
          this.running = undefined;
          this.retryTimer = setTimeout(() => {
            this.retryTimer = undefined;
            if (this.running === undefined) this.running = this.drain();
          }, this.opts.retryMs ?? 1000);
          this.retryTimer.unref();
          return;
        }
        this.counters.dropped += this.pending.length;
        this.opts.log?.(`${this.pending.length} detection alert record(s) not stored at shutdown (they stay in alerts.jsonl)`);
        this.pending = [];
      }
    }
    this.running = undefined;
  }

  /** Resolves once every alert queued so far was appended (or is waiting for a retry). */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /** Appends what is queued (one attempt) and stops retrying. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer !== undefined) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    if (this.pending.length > 0 && this.running === undefined) this.running = this.drain();
    await this.idle();
  }

  renderMetrics(): string {
    const one = (name: string, help: string, v: number) => `# HELP ${name} ${help}\n# TYPE ${name} counter\n${name} ${v}\n`;
    return (
      one('sightline_siem_alert_records_written_total', 'Detection alerts appended to the log store as {stream="detections"} records.', this.counters.written) +
      one('sightline_siem_alert_records_retries_total', 'Appends of alert records that failed and were retried (store busy or failing).', this.counters.retries) +
      one('sightline_siem_alert_records_dropped_total', 'Alert records never stored (queue cap, or still failing at shutdown); alerts.jsonl keeps them.', this.counters.dropped)
    );
  }
}
