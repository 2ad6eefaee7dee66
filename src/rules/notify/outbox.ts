// The persistent outbox: every notification is written (fsync'd) to `<data_dir>/alerting/outbox/<id>.json` before
// anything is sent, delivered per integration in the order it was queued, and deleted only once the peer accepted it.
// Failures are retried with exponential backoff and jitter (min_backoff doubling up to max_backoff, each wait drawn
// from [½, 1] of that) until max_age; permanent failures (4xx) are not retried. Entries survive restarts and
// receivers that are down for hours; each outcome is written to the notification history. When a config reload
// removes a receiver integration, its queued notifications are recorded as failed with that reason (failOrphans).

import { readdirSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../rules-state-file.ts';
import type { Notification } from './notification.ts';
import type { OutboxSettings } from './alerting-config.ts';
import { DeliveryError, type Integration } from './receivers/integration.ts';
import type { NotificationHistory } from './notification-history.ts';
import { redactSecrets } from './secret-value.ts';
import { systemClock, type Clock } from '../group-schedule.ts';

export interface OutboxEntry {
  id: string;
  receiver: string;
  type: string;
  index: number;
  notification: Notification;
  createdAtMs: number;
  attempts: number;
  nextAttemptAtMs: number;
  lastError?: string;
}

export type IntegrationLookup = (receiver: string, type: string, index: number) => Integration | undefined;

interface Lane {
  queue: OutboxEntry[];
  busy: boolean;
  timer?: unknown;
}

/** The wait before retry number `attempt` (1-based). */
export function backoffMs(attempt: number, s: OutboxSettings, random: () => number = Math.random): number {
  const base = Math.min(s.maxBackoffMs, s.minBackoffMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(base * (0.5 + random() / 2));
}

export class Outbox {
  private readonly lanes = new Map<string, Lane>();
  private seq = 0;
  private stopped = false;
  private readonly inflight = new Set<Promise<void>>();
  /** why an entry that was being attempted during a reload lost its receiver (by entry id) */
  private readonly orphanReasons = new Map<string, string>();
  /** notifications delivered, retried, failed and dropped since start (for /metrics) */
  readonly counters = { sent: 0, retries: 0, failed: 0, dropped: 0 };

  constructor(
    private readonly dir: string,
    private settings: OutboxSettings,
    private readonly lookup: IntegrationLookup,
    private readonly history: NotificationHistory,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Loads what a previous run left and starts delivering it. */
  start(): void {
    mkdirSync(this.dir, { recursive: true });
    const entries: OutboxEntry[] = [];
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith('.json')) {
        if (name.includes('.tmp-')) rmSync(path.join(this.dir, name), { force: true });
        continue;
      }
      try {
        entries.push(JSON.parse(readFileSync(path.join(this.dir, name), 'utf8')) as OutboxEntry);
      } catch {
        // a file torn before its rename cannot exist (atomic writes); anything else unreadable is skipped
      }
    }
    entries.sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const e of entries) this.lane(e).queue.push(e);
    for (const key of this.lanes.keys()) this.kick(key);
  }

  /** A reloaded config's retry settings (waits already scheduled are kept). */
  setSettings(settings: OutboxSettings): void {
    this.settings = settings;
  }

  /**
   * After a reload: every queued notification whose receiver integration no longer exists is recorded as failed,
   * with `reason`, and removed; the one being attempted right now is judged when its attempt ends. Returns how many.
   */
  failOrphans(reason: (e: OutboxEntry) => string): number {
    let n = 0;
    for (const [key, l] of this.lanes) {
      const keep: OutboxEntry[] = [];
      l.queue.forEach((e, i) => {
        if (this.lookup(e.receiver, e.type, e.index)) return void keep.push(e);
        if (i === 0 && l.busy) {
          // being attempted: judged when the attempt ends, with the reload's reason if it is then still orphaned
          this.orphanReasons.set(e.id, reason(e));
          return void keep.push(e);
        }
        this.counters.failed++;
        this.record(e, 'failed', reason(e));
        rmSync(this.file(e), { force: true });
        n++;
      });
      l.queue = keep;
      if (keep.length === 0 && l.timer !== undefined) {
        this.clock.clearTimeout(l.timer);
        l.timer = undefined;
      }
      if (keep.length === 0 && !l.busy) this.lanes.delete(key);
    }
    return n;
  }

  get pending(): number {
    let n = 0;
    for (const l of this.lanes.values()) n += l.queue.length;
    return n;
  }

  private laneKey(e: { receiver: string; type: string; index: number }): string {
    return `${e.receiver}\u0000${e.type}\u0000${e.index}`;
  }

  private lane(e: OutboxEntry): Lane {
    const key = this.laneKey(e);
    let l = this.lanes.get(key);
    if (!l) this.lanes.set(key, (l = { queue: [], busy: false }));
    return l;
  }

  /** Queues a notification durably: returns once it is on disk. */
  enqueue(receiver: string, type: string, index: number, notification: Notification): OutboxEntry {
    const now = this.clock.now();
    const id = `${String(now).padStart(15, '0')}-${String(this.seq++).padStart(9, '0')}-${Math.random().toString(36).slice(2, 8)}`;
    const e: OutboxEntry = { id, receiver, type, index, notification, createdAtMs: now, attempts: 0, nextAttemptAtMs: now };
    writeFileAtomic(this.file(e), JSON.stringify(e));
    this.lane(e).queue.push(e);
    this.kick(this.laneKey(e));
    return e;
  }

  private file(e: OutboxEntry): string {
    return path.join(this.dir, `${e.id}.json`);
  }

  private kick(key: string): void {
    const l = this.lanes.get(key);
    if (!l || l.busy || this.stopped || l.queue.length === 0) return;
    if (l.timer !== undefined) {
      this.clock.clearTimeout(l.timer);
      l.timer = undefined;
    }
    const head = l.queue[0];
    const wait = head.nextAttemptAtMs - this.clock.now();
    if (wait > 0) {
      l.timer = this.clock.setTimeout(() => {
        l.timer = undefined;
        this.kick(key);
      }, wait);
      return;
    }
    l.busy = true;
    const p = this.attempt(head).finally(() => {
      l.busy = false;
      this.inflight.delete(p);
      this.kick(key);
    });
    this.inflight.add(p);
  }

  private record(e: OutboxEntry, result: 'sent' | 'retrying' | 'failed' | 'dropped', error?: string): void {
    const n = e.notification;
    this.history.append({
      ts: new Date(this.clock.now()).toISOString(),
      tenant: n.tenant,
      receiver: e.receiver,
      integration: `${e.type}[${e.index}]`,
      groupKey: n.groupKey,
      status: n.status,
      alerts: n.alerts.length,
      firing: n.alerts.filter((a) => a.status === 'firing').length,
      resolved: n.alerts.filter((a) => a.status === 'resolved').length,
      result,
      attempt: e.attempts,
      error,
      id: e.id,
    });
  }

  private done(e: OutboxEntry): void {
    this.orphanReasons.delete(e.id);
    const l = this.lane(e);
    const i = l.queue.indexOf(e);
    if (i >= 0) l.queue.splice(i, 1);
    rmSync(this.file(e), { force: true });
  }

  private async attempt(e: OutboxEntry): Promise<void> {
    const integration = this.lookup(e.receiver, e.type, e.index);
    if (!integration) {
      // its receiver was removed from the config (by a reload, or before a restart): nobody is left to send it to
      this.counters.failed++;
      this.record(e, 'failed', this.orphanReasons.get(e.id) ?? `receiver ${JSON.stringify(e.receiver)} has no ${e.type}[${e.index}] in the alerting config any more`);
      this.done(e);
      return;
    }
    e.attempts++;
    try {
      await integration.send(e.notification, AbortSignal.timeout(integration.timeoutMs));
      this.counters.sent++;
      this.record(e, 'sent');
      this.done(e);
    } catch (err) {
      const message = redactSecrets(err instanceof Error ? err.message : String(err));
      const retry = err instanceof DeliveryError ? err.retry : true;
      const now = this.clock.now();
      if (!retry) {
        this.counters.failed++;
        this.record(e, 'failed', message);
        this.done(e);
        return;
      }
      const next = now + backoffMs(e.attempts, this.settings);
      if (next - e.createdAtMs > this.settings.maxAgeMs) {
        this.counters.dropped++;
        this.record(e, 'dropped', `gave up after ${e.attempts} attempts over max_age: ${message}`);
        this.done(e);
        return;
      }
      this.counters.retries++;
      e.nextAttemptAtMs = next;
      e.lastError = message;
      if (!this.stopped) writeFileAtomic(this.file(e), JSON.stringify(e));
      this.record(e, 'retrying', message);
    }
  }

  /** Stops delivering; waits for attempts in flight (what is left stays on disk for the next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const l of this.lanes.values()) if (l.timer !== undefined) this.clock.clearTimeout(l.timer);
    await Promise.all([...this.inflight]);
  }
}
