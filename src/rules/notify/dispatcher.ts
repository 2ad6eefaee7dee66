// Alertmanager's dispatch, inside Sightline: alerts from the ruler enter the route tree, land in aggregation groups
// (per tenant, route and group_by values), and each group is flushed group_wait after it forms, then every
// group_interval. A flush drops silenced and inhibited alerts, asks the dedup log whether each receiver integration
// needs to hear about the group (new firing alert, resolve, or repeat_interval passed), queues the notification in
// the outbox and records it; sent resolved alerts then leave the group. Firing alerts the ruler stops re-sending
// resolve by themselves when their endsAt passes, as in Alertmanager. A route inside one of its
// `mute_time_intervals`, or outside all of its `active_time_intervals`, sends nothing at that flush and keeps its
// alerts (resolved ones too) for the first flush after. A reloaded config re-routes the current alerts (setConfig).

import { labelsToString, type Labels } from '../../model/record.ts';
import type { AlertNotice } from '../alert-notice.ts';
import { rfc3339 } from '../rfc3339.ts';
import type { AlertingConfig } from './alerting-config.ts';
import { dedupKey, needsUpdate, type DedupLog } from './dedup-log.ts';
import { inhibitedBy } from './inhibition.ts';
import { alertFingerprint, commonLabels, type Notification, type NotificationAlert } from './notification.ts';
import type { Outbox } from './outbox.ts';
import { groupLabels, matchRoutes, type Route } from './route-tree.ts';
import type { SilenceStore } from './silences.ts';
import { systemClock, type Clock } from '../group-schedule.ts';
import { intervalContains } from './time-intervals.ts';

const GO_ZERO_TIME = '0001-01-01T00:00:00Z';
/** resolved alerts are forgotten this long after they end */
const RESOLVED_KEEP_MS = 15 * 60_000;

export interface StoredAlert {
  fingerprint: string;
  labels: Labels;
  annotations: Record<string, string>;
  startsAtMs: number;
  endsAtMs: number;
  generatorURL: string;
  value: number;
  updatedAtMs: number;
}

interface AggregationGroup {
  tenant: string;
  route: Route;
  labels: Labels;
  key: string;
  alerts: Map<string, StoredAlert>;
  timer?: unknown;
}

export interface AlertStatus {
  alert: StoredAlert;
  state: 'active' | 'suppressed';
  silencedBy: string[];
  inhibitedBy: string[];
  receivers: string[];
}

export interface DispatcherDeps {
  outbox: Outbox;
  dedup: DedupLog;
  silences: SilenceStore;
  externalURL: () => string;
  clock?: Clock;
  log?: (message: string) => void;
}

export class Dispatcher {
  private readonly alerts = new Map<string, Map<string, StoredAlert>>();
  private readonly groups = new Map<string, AggregationGroup>();
  private readonly clock: Clock;
  private stopped = false;

  constructor(private config: AlertingConfig, private readonly deps: DispatcherDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  /**
   * Swaps in a reloaded config: the aggregation groups are rebuilt from the alerts not yet told (those in groups) and
   * the firing ones, through the new route tree. Unchanged routes keep their group keys, so the dedup log keeps
   * receivers from hearing again what they already know.
   */
  setConfig(config: AlertingConfig): void {
    const now = this.clock.now();
    const carried = new Map<string, { tenant: string; alert: StoredAlert }>();
    for (const g of this.groups.values()) {
      if (g.timer !== undefined) this.clock.clearTimeout(g.timer);
      for (const a of g.alerts.values()) carried.set(`${g.tenant}\u0000${a.fingerprint}`, { tenant: g.tenant, alert: a });
    }
    for (const [tenant, store] of this.alerts) for (const a of store.values()) if (a.endsAtMs > now) carried.set(`${tenant}\u0000${a.fingerprint}`, { tenant, alert: a });
    this.groups.clear();
    this.config = config;
    if (!config.route || this.stopped) return;
    for (const { tenant, alert } of carried.values()) for (const route of matchRoutes(config.route, alert.labels)) this.insert(tenant, route, alert, now);
  }

  /** The names of the time intervals that keep a route from sending now (mute intervals in force, or inactive). */
  mutedBy(route: Route, now: number): string[] {
    const out: string[] = [];
    for (const name of route.muteTimeIntervals) {
      const ti = this.config.timeIntervals.get(name);
      if (ti && intervalContains(ti, now)) out.push(name);
    }
    if (route.activeTimeIntervals.length > 0) {
      const active = route.activeTimeIntervals.some((name) => {
        const ti = this.config.timeIntervals.get(name);
        return ti !== undefined && intervalContains(ti, now);
      });
      if (!active) out.push(...route.activeTimeIntervals);
    }
    return out;
  }

  get groupCount(): number {
    return this.groups.size;
  }

  /** One rule group's alerts after an evaluation. */
  receive(tenant: string, notices: AlertNotice[]): void {
    if (this.stopped) return;
    const now = this.clock.now();
    let store = this.alerts.get(tenant);
    if (!store) this.alerts.set(tenant, (store = new Map()));
    for (const n of notices) {
      const fp = alertFingerprint(n.labels);
      const a: StoredAlert = { fingerprint: fp, labels: n.labels, annotations: n.annotations, startsAtMs: n.startsAtMs, endsAtMs: n.endsAtMs, generatorURL: n.generatorURL, value: n.value, updatedAtMs: now };
      store.set(fp, a);
      if (!this.config.route) continue;
      for (const route of matchRoutes(this.config.route, n.labels)) this.insert(tenant, route, a, now);
    }
    for (const [fp, a] of store) if (a.endsAtMs < now - RESOLVED_KEEP_MS) store.delete(fp);
  }

  private insert(tenant: string, route: Route, a: StoredAlert, now: number): void {
    const labels = groupLabels(route, a.labels);
    const key = `${route.key}:${labelsToString(labels)}`;
    const id = JSON.stringify([tenant, route.id, key]);
    let g = this.groups.get(id);
    if (!g) {
      g = { tenant, route, labels, key, alerts: new Map() };
      this.groups.set(id, g);
      // a group formed from alerts older than group_wait (a restart, a reload) flushes at once
      const wait = a.startsAtMs + route.groupWaitMs <= now ? 0 : route.groupWaitMs;
      this.schedule(id, g, wait);
    }
    g.alerts.set(a.fingerprint, a);
  }

  private schedule(id: string, g: AggregationGroup, ms: number): void {
    g.timer = this.clock.setTimeout(() => {
      g.timer = undefined;
      if (this.groups.get(id) !== g || this.stopped) return;
      try {
        this.flush(g);
      } catch (e) {
        this.deps.log?.(`alert dispatch failed for group ${g.key}: ${(e as Error).message}`);
      }
      if (g.alerts.size === 0) this.groups.delete(id);
      else this.schedule(id, g, g.route.groupIntervalMs);
    }, ms);
  }

  /** Whether an alert is muted now, and by what. */
  private mutes(tenant: string, a: StoredAlert, now: number, firing: StoredAlert[]): { silencedBy: string[]; inhibitedBy: string[] } {
    return {
      silencedBy: this.deps.silences.mutedBy(tenant, a.labels, now),
      inhibitedBy: this.config.inhibitRules.length ? inhibitedBy(this.config.inhibitRules, firing, a) : [],
    };
  }

  private firingOf(tenant: string, now: number): StoredAlert[] {
    return [...(this.alerts.get(tenant)?.values() ?? [])].filter((a) => a.endsAtMs > now);
  }

  private flush(g: AggregationGroup): void {
    const now = this.clock.now();
    // a muted route sends nothing and forgets nothing: its alerts wait for the first flush outside the mute
    if ((g.route.muteTimeIntervals.length > 0 || g.route.activeTimeIntervals.length > 0) && this.mutedBy(g.route, now).length > 0) return;
    const firingInTenant = this.firingOf(g.tenant, now);
    const active: StoredAlert[] = [];
    for (const a of g.alerts.values()) {
      const m = this.mutes(g.tenant, a, now, firingInTenant);
      if (m.silencedBy.length === 0 && m.inhibitedBy.length === 0) active.push(a);
    }
    const firing = active.filter((a) => a.endsAtMs > now);
    const resolved = active.filter((a) => a.endsAtMs <= now);
    const firingSet = new Set(firing.map((a) => a.fingerprint));
    const resolvedSet = new Set(resolved.map((a) => a.fingerprint));
    for (const integration of this.config.receivers.get(g.route.receiver) ?? []) {
      const key = dedupKey(g.tenant, g.key, integration.receiver, integration.type, integration.index);
      const entry = this.deps.dedup.get(key);
      if (!needsUpdate(entry, firingSet, resolvedSet, integration.sendResolved, g.route.repeatIntervalMs, now)) continue;
      const toSend = integration.sendResolved ? [...firing, ...resolved] : firing;
      if (toSend.length > 0) this.deps.outbox.enqueue(integration.receiver, integration.type, integration.index, this.notification(g, toSend, now));
      this.deps.dedup.set(key, { firing: [...firingSet], resolved: [...resolvedSet], atMs: now });
    }
    // resolved alerts have been told (or muted): they leave the group
    for (const [fp, a] of g.alerts) if (a.endsAtMs <= now) g.alerts.delete(fp);
  }

  private notification(g: AggregationGroup, alerts: StoredAlert[], now: number): Notification {
    const out: NotificationAlert[] = alerts.map((a) => {
      const firing = a.endsAtMs > now;
      return {
        status: firing ? 'firing' : 'resolved',
        labels: a.labels,
        annotations: a.annotations,
        startsAt: rfc3339(a.startsAtMs),
        endsAt: firing ? GO_ZERO_TIME : rfc3339(a.endsAtMs),
        generatorURL: a.generatorURL,
        fingerprint: a.fingerprint,
        value: Number.isFinite(a.value) ? a.value : undefined,
      };
    });
    const annotations = commonLabels(out.map((a) => a.annotations));
    return {
      tenant: g.tenant,
      receiver: g.route.receiver,
      status: out.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
      alerts: out,
      groupLabels: g.labels,
      commonLabels: commonLabels(out.map((a) => a.labels)),
      commonAnnotations: annotations,
      externalURL: this.deps.externalURL(),
      groupKey: g.key,
      truncatedAlerts: 0,
    };
  }

  /** The tenant's current (not yet ended) alerts with their silence/inhibition state and receivers, for the API. */
  alertStatuses(tenant: string): AlertStatus[] {
    const now = this.clock.now();
    const firing = this.firingOf(tenant, now);
    return firing.map((a) => {
      const m = this.mutes(tenant, a, now, firing);
      const receivers = this.config.route ? [...new Set(matchRoutes(this.config.route, a.labels).map((r) => r.receiver))] : [];
      return { alert: a, state: m.silencedBy.length || m.inhibitedBy.length ? 'suppressed' : 'active', ...m, receivers };
    });
  }

  stop(): void {
    this.stopped = true;
    for (const g of this.groups.values()) if (g.timer !== undefined) this.clock.clearTimeout(g.timer);
    this.groups.clear();
  }
}
