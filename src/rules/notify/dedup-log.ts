// What each receiver was last told about each aggregation group (Alertmanager's notification log): the fingerprints
// of the firing and resolved alerts of the last notification and when it was queued. The dispatcher consults it
// before queueing a notification, so a restart, a re-sent alert or a rebuilt group never notifies twice; it is
// rewritten atomically (coalesced) in `<data_dir>/alerting/nflog.json`; entries older than 5 days are dropped.

import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../rules-state-file.ts';

export interface DedupEntry {
  firing: string[];
  resolved: string[];
  atMs: number;
}

const RETENTION_MS = 5 * 24 * 3_600_000;

export function dedupKey(tenant: string, groupKey: string, receiver: string, type: string, index: number): string {
  return JSON.stringify([tenant, groupKey, receiver, type, index]);
}

/**
 * Alertmanager's decision: notify a group the receiver has not seen only if something fires; otherwise when a new
 * alert fires, when everything it was told about has resolved, when (with send_resolved) an alert resolved, or
 * when repeat_interval has passed.
 */
export function needsUpdate(entry: DedupEntry | undefined, firing: Set<string>, resolved: Set<string>, sendResolved: boolean, repeatMs: number, nowMs: number): boolean {
  if (!entry) return firing.size > 0;
  const wasFiring = new Set(entry.firing);
  for (const f of firing) if (!wasFiring.has(f)) return true;
  if (firing.size === 0) return entry.firing.length > 0;
  if (sendResolved) {
    const wasResolved = new Set(entry.resolved);
    for (const r of resolved) if (!wasResolved.has(r)) return true;
  }
  return entry.atMs <= nowMs - repeatMs;
}

export class DedupLog {
  private readonly entries = new Map<string, DedupEntry>();
  private dirty = false;
  private scheduled = false;

  constructor(private readonly file: string) {}

  load(): void {
    try {
      const data = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, DedupEntry>;
      for (const [k, v] of Object.entries(data)) this.entries.set(k, v);
    } catch {
      // no log yet (or unreadable: start empty; the worst case is one repeated notification)
    }
  }

  get(key: string): DedupEntry | undefined {
    return this.entries.get(key);
  }

  /** Records a notification; the file is rewritten before the next turn of the event loop completes. */
  set(key: string, entry: DedupEntry): void {
    this.entries.set(key, entry);
    this.dirty = true;
    this.flushSoon();
  }

  private flushSoon(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  flush(): void {
    if (!this.dirty) return;
    this.dirty = false;
    // measured from the newest entry, so the log needs no clock of its own
    let newest = 0;
    for (const v of this.entries.values()) newest = Math.max(newest, v.atMs);
    for (const [k, v] of this.entries) if (v.atMs < newest - RETENTION_MS) this.entries.delete(k);
    writeFileAtomic(this.file, JSON.stringify(Object.fromEntries(this.entries)));
  }
}
