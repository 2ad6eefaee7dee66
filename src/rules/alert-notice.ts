// What the rule evaluator hands to notification: the alerts of a group after each evaluation, in the shape
// Prometheus sends to Alertmanager (labels, annotations, startsAt, endsAt, generatorURL). Firing alerts carry an
// endsAt a few intervals ahead (they are re-sent every evaluation); resolved ones are re-sent with their resolve time
// for 15 minutes, so a receiver that was down still learns of the resolve.

import type { Labels } from '../model/record.ts';

export interface AlertNotice {
  labels: Labels;
  annotations: Record<string, string>;
  state: 'firing' | 'resolved';
  startsAtMs: number;
  endsAtMs: number;
  generatorURL: string;
  value: number;
}

/** Receives every group's alerts after each evaluation (the notification dispatcher; tests). */
export interface AlertSink {
  receive(tenant: string, notices: AlertNotice[], nowMs: number): void;
}

/** The link an alert carries back to its expression: the Loki range-query API over the last hour. */
export function generatorUrl(externalURL: string, expr: string): string {
  return `${externalURL.replace(/\/$/, '')}/loki/api/v1/query_range?query=${encodeURIComponent(expr)}`;
}
