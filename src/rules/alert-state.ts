// The state machine of one alerting rule, as Prometheus runs it: each evaluation's samples become alerts
// (labels = sample labels + templated rule labels + alertname); a new alert is pending, fires once it has been active
// for `for`, stays firing for `keep_firing_for` after its condition clears, then resolves; resolved alerts are kept 15
// minutes (so receivers that missed the resolve get it again), pending ones that clear are dropped. Pure: the caller
// supplies the time and persists the map.

import { labelsToString, sortLabels, type Labels } from '../model/record.ts';
import { expandAlertTemplate } from './alert-template.ts';
import type { AlertingRule } from './rule-file.ts';

export type AlertState = 'pending' | 'firing' | 'inactive';

export interface Alert {
  /** canonical text of `labels`, the alert's identity */
  fingerprint: string;
  labels: Labels;
  annotations: Record<string, string>;
  state: AlertState;
  value: number;
  activeAtMs: number;
  firedAtMs?: number;
  resolvedAtMs?: number;
  /** when the condition cleared while keep_firing_for holds the alert */
  keepFiringSinceMs?: number;
  lastSeenMs: number;
}

/** What an evaluation changed, for the timeline and the notifier. `inactive` = a pending alert that cleared. */
export interface AlertTransition {
  state: 'pending' | 'firing' | 'resolved' | 'inactive';
  alert: Alert;
}

export interface Sample {
  labels: Labels;
  value: number;
}

/** How long a resolved alert is kept (and re-sent), as in Prometheus. */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

export interface AlertEvalContext {
  tMs: number;
  /** group labels, under the rule's own */
  groupLabels: Labels;
  /** 0 = unlimited */
  limit: number;
  externalLabels?: Labels;
  externalURL?: string;
}

export class AlertLimitError extends Error {}

/**
 * Applies one evaluation's samples to the rule's alerts (mutated in place) and returns the transitions.
 * Throws (leaving `active` untouched) when two samples map to the same alert; on a limit breach the rule's alerts are
 * cleared (firing ones resolve) and AlertLimitError is thrown after the transitions are recorded in `out`.
 */
export function evaluateAlerts(rule: AlertingRule, active: Map<string, Alert>, samples: Sample[], ctx: AlertEvalContext, out: AlertTransition[] = []): AlertTransition[] {
  const { tMs } = ctx;
  const start = out.length;
  const seen = new Map<string, { labels: Labels; annotations: Record<string, string>; value: number }>();
  for (const s of samples) {
    const data = { labels: s.labels, value: s.value, externalLabels: ctx.externalLabels, externalURL: ctx.externalURL };
    const labels: Labels = { ...s.labels };
    delete labels.__name__;
    for (const [k, v] of Object.entries(ctx.groupLabels)) labels[k] = expandAlertTemplate(v, k, data);
    for (const [k, v] of Object.entries(rule.labels)) labels[k] = expandAlertTemplate(v, k, data);
    labels.alertname = rule.name;
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(rule.annotations)) annotations[k] = expandAlertTemplate(v, k, data);
    const sorted = sortLabels(labels);
    const fp = labelsToString(sorted);
    if (seen.has(fp)) throw new Error('vector contains metrics with the same labelset after applying alert labels');
    seen.set(fp, { labels: sorted, annotations, value: s.value });
  }

  const before = new Map<string, AlertState>();
  for (const [fp, a] of active) before.set(fp, a.state);

  for (const [fp, s] of seen) {
    const a = active.get(fp);
    if (a && a.state !== 'inactive') {
      a.value = s.value;
      a.annotations = s.annotations;
      a.lastSeenMs = tMs;
      continue;
    }
    active.set(fp, { fingerprint: fp, labels: s.labels, annotations: s.annotations, state: 'pending', value: s.value, activeAtMs: tMs, lastSeenMs: tMs });
  }

  for (const [fp, a] of active) {
    if (!seen.has(fp)) {
      let keepFiring = false;
      if (a.state === 'firing' && rule.keepFiringForMs > 0) {
        a.keepFiringSinceMs ??= tMs;
        keepFiring = tMs - a.keepFiringSinceMs < rule.keepFiringForMs;
      }
      if (a.state === 'pending' || (a.resolvedAtMs !== undefined && tMs - a.resolvedAtMs > RESOLVED_RETENTION_MS)) {
        active.delete(fp);
        if (a.state === 'pending') out.push({ state: 'inactive', alert: { ...a, state: 'inactive' } });
        continue;
      }
      if (!keepFiring && a.state !== 'inactive') {
        a.state = 'inactive';
        a.resolvedAtMs = tMs;
        a.keepFiringSinceMs = undefined;
        out.push({ state: 'resolved', alert: { ...a } });
      }
      continue;
    }
    a.keepFiringSinceMs = undefined;
    if (a.state === 'pending' && tMs - a.activeAtMs >= rule.forMs) {
      a.state = 'firing';
      a.firedAtMs = tMs;
    }
    const was = before.get(fp);
    if (a.state === 'firing' && was !== 'firing') out.push({ state: 'firing', alert: { ...a } });
    else if (a.state === 'pending' && was !== 'pending') out.push({ state: 'pending', alert: { ...a } });
  }

  if (ctx.limit > 0) {
    let n = 0;
    for (const a of active.values()) if (a.state !== 'inactive') n++;
    if (n > ctx.limit) {
      // Prometheus drops every alert of the rule; the ones that were firing resolve here so no receiver is left hanging
      out.length = start;
      for (const [fp, a] of active) {
        const was = before.get(fp);
        if (was === 'firing') out.push({ state: 'resolved', alert: { ...a, state: 'inactive', resolvedAtMs: tMs, keepFiringSinceMs: undefined } });
        else if (was === 'pending') out.push({ state: 'inactive', alert: { ...a, state: 'inactive' } });
        active.delete(fp);
      }
      throw new AlertLimitError(`exceeded limit of ${ctx.limit} with ${n} alerts`);
    }
  }
  return out;
}

/** The rule's state as the rules API reports it: firing if any alert fires, else pending if any is pending. */
export function ruleState(active: Map<string, Alert>): AlertState {
  let pending = false;
  for (const a of active.values()) {
    if (a.state === 'firing') return 'firing';
    if (a.state === 'pending') pending = true;
  }
  return pending ? 'pending' : 'inactive';
}
