// Forwarding to external Prometheus Alertmanagers (`alertmanagers:` in the alerting config), the way Prometheus and
// Loki's ruler do it: alerts are POSTed as JSON to `<url>/api/v2/alerts` (labels, annotations, startsAt, endsAt,
// generatorURL) in batches of up to 64, each alert when its state changes and again every minute (a firing alert's
// endsAt four intervals ahead keeps it alive in Alertmanager; a resolved one is repeated for 15 minutes). An
// Alertmanager that is down misses nothing it needs: the next sends carry the current state. Alertmanager then does
// the grouping, silencing and notifying.

import type { AlertNotice } from '../alert-notice.ts';
import { rfc3339 } from '../rfc3339.ts';
import type { AlertmanagerTarget } from './alerting-config.ts';
import { alertFingerprint } from './notification.ts';
import { postJson } from './receivers/http-post.ts';
import { redactSecrets } from './secret-value.ts';
import { systemClock, type Clock } from '../group-schedule.ts';

const RESEND_MS = 60_000;
const BATCH = 64;
const FLUSH_DELAY_MS = 100;

interface Pending {
  tenant: string;
  alert: Record<string, unknown>;
}

export class AlertmanagerForwarder {
  /** when each alert (tenant, fingerprint, state) was last sent */
  private readonly lastSent = new Map<string, number>();
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inflight = new Set<Promise<void>>();
  private readonly lastErrorLog = new Map<string, number>();
  readonly counters = { sent: 0, errors: 0 };

  constructor(private targets: AlertmanagerTarget[], private readonly log: (m: string) => void, private readonly clock: Clock = systemClock) {}

  /** A reloaded config's Alertmanagers: batches already queued go to the new list. */
  setTargets(targets: AlertmanagerTarget[]): void {
    this.targets = targets;
  }

  receive(tenant: string, notices: AlertNotice[]): void {
    if (this.targets.length === 0) return;
    const now = this.clock.now();
    for (const n of notices) {
      const key = `${tenant}\u0000${alertFingerprint(n.labels)}\u0000${n.state}`;
      const last = this.lastSent.get(key);
      // on each change of state, then again every minute while the ruler keeps sending it (resolved ones for 15 minutes)
      if (last !== undefined && now - last < RESEND_MS) continue;
      this.lastSent.set(key, now);
      this.queue.push({ tenant, alert: { labels: n.labels, annotations: n.annotations, startsAt: rfc3339(n.startsAtMs), endsAt: rfc3339(n.endsAtMs), generatorURL: n.generatorURL } });
    }
    for (const [k, t] of this.lastSent) if (now - t > 20 * 60_000) this.lastSent.delete(k);
    if (this.queue.length >= BATCH) this.flush();
    else if (!this.timer && this.queue.length > 0) {
      this.timer = setTimeout(() => this.flush(), FLUSH_DELAY_MS);
      this.timer.unref();
    }
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const byTenant = new Map<string, Record<string, unknown>[]>();
    for (const p of this.queue.splice(0)) byTenant.set(p.tenant, [...(byTenant.get(p.tenant) ?? []), p.alert]);
    for (const [tenant, alerts] of byTenant) {
      for (let i = 0; i < alerts.length; i += BATCH) {
        for (const t of this.targets) {
          const p = this.send(t, tenant, alerts.slice(i, i + BATCH)).finally(() => this.inflight.delete(p));
          this.inflight.add(p);
        }
      }
    }
  }

  private async send(t: AlertmanagerTarget, tenant: string, alerts: Record<string, unknown>[]): Promise<void> {
    try {
      await postJson(`${t.url}/api/v2/alerts`, alerts, { 'X-Scope-OrgID': tenant, ...t.http.headers() }, AbortSignal.timeout(t.http.timeoutMs), `alertmanager ${new URL(t.url).host}`);
      this.counters.sent += alerts.length;
    } catch (e) {
      this.counters.errors++;
      // one line a minute per Alertmanager: a long outage must not flood the log
      const now = this.clock.now();
      if (now - (this.lastErrorLog.get(t.url) ?? 0) >= 60_000) {
        this.lastErrorLog.set(t.url, now);
        this.log(redactSecrets(`forwarding ${alerts.length} alerts failed (they are sent again with the next evaluations): ${(e as Error).message}`));
      }
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all([...this.inflight]);
  }
}
