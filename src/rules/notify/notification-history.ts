// The notification log you can query: one JSON line per delivery attempt outcome (sent, retrying, failed, dropped)
// with the tenant, receiver, integration, group, status, alert counts and error, appended to
// `<data_dir>/alerting/notifications.log` (rotated to `.1` past 16 MiB). Read back newest first, filtered, by the
// API (`GET /api/v1/alerting/notifications`) and `sightline alerts notifications`. Secrets never reach it: errors
// are redacted before they are recorded.

import { appendFileSync, readFileSync, renameSync, statSync } from 'node:fs';

export interface HistoryRecord {
  ts: string;
  tenant: string;
  receiver: string;
  integration: string;
  groupKey: string;
  status: 'firing' | 'resolved';
  alerts: number;
  firing: number;
  resolved: number;
  result: 'sent' | 'retrying' | 'failed' | 'dropped';
  attempt: number;
  error?: string;
  /** the notification's id in the outbox */
  id: string;
}

const MAX_BYTES = 16 * 1024 * 1024;

export interface HistoryQuery {
  tenant: string;
  receiver?: string;
  result?: string;
  limit: number;
}

export class NotificationHistory {
  private size = -1;

  constructor(private readonly file: string) {}

  append(r: HistoryRecord): void {
    const line = JSON.stringify(r) + '\n';
    if (this.size < 0) {
      try {
        this.size = statSync(this.file).size;
      } catch {
        this.size = 0;
      }
    }
    if (this.size + line.length > MAX_BYTES) {
      try {
        renameSync(this.file, this.file + '.1');
      } catch {
        // nothing to rotate
      }
      this.size = 0;
    }
    appendFileSync(this.file, line);
    this.size += Buffer.byteLength(line);
  }

  /** Newest first. */
  query(q: HistoryQuery): HistoryRecord[] {
    const out: HistoryRecord[] = [];
    for (const f of [this.file, this.file + '.1']) {
      let text: string;
      try {
        text = readFileSync(f, 'utf8');
      } catch {
        continue;
      }
      const lines = text.split('\n');
      for (let i = lines.length - 1; i >= 0 && out.length < q.limit; i--) {
        if (!lines[i]) continue;
        let r: HistoryRecord;
        try {
          r = JSON.parse(lines[i]) as HistoryRecord;
        } catch {
          continue; // a torn last line after a crash
        }
        if (r.tenant !== q.tenant) continue;
        if (q.receiver && r.receiver !== q.receiver) continue;
        if (q.result && r.result !== q.result) continue;
        out.push(r);
      }
      if (out.length >= q.limit) break;
    }
    return out;
  }
}
