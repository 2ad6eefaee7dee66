// Alertmanager's routing tree: an alert enters at the root route and descends into the first child whose matchers
// match (all matching children when they set `continue: true`); it is handled by the deepest routes that match, or by
// the root when no child does. Children inherit receiver, group_by and the three timers from their parent.

import type { Labels } from '../../model/record.ts';
import { formatMatcher, matchesAll, type LabelMatcher } from './label-matchers.ts';

export interface Route {
  /** unique id: child indices from the root, e.g. `0.2.1` */
  id: string;
  /** Alertmanager's route key: `{}/{severity="critical"}` (part of every group key) */
  key: string;
  receiver: string;
  /** label names the alerts are grouped by; `all` groups by every label (Alertmanager's `...`) */
  groupBy: string[];
  groupByAll: boolean;
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  matchers: LabelMatcher[];
  continue: boolean;
  /** names of time intervals during which this route sends nothing (not inherited, as in Alertmanager) */
  muteTimeIntervals: string[];
  /** names of time intervals outside which this route sends nothing; empty = always active */
  activeTimeIntervals: string[];
  routes: Route[];
}

/** Alertmanager's defaults. */
export const ROUTE_DEFAULTS = { groupWaitMs: 30_000, groupIntervalMs: 5 * 60_000, repeatIntervalMs: 4 * 3_600_000 };

export function routeKey(parentKey: string | undefined, matchers: LabelMatcher[]): string {
  const own = `{${matchers.map(formatMatcher).join(',')}}`;
  return parentKey === undefined ? own : `${parentKey}/${own}`;
}

/** The routes that handle an alert with these labels. */
export function matchRoutes(route: Route, labels: Labels): Route[] {
  if (!matchesAll(route.matchers, labels)) return [];
  const all: Route[] = [];
  for (const child of route.routes) {
    const found = matchRoutes(child, labels);
    all.push(...found);
    if (found.length > 0 && !child.continue) break;
  }
  return all.length > 0 ? all : [route];
}

/** The labels a route groups an alert by. */
export function groupLabels(route: Route, labels: Labels): Labels {
  if (route.groupByAll) return { ...labels };
  const out: Labels = {};
  for (const name of route.groupBy) if (labels[name] !== undefined) out[name] = labels[name];
  return out;
}

/** Every route of the tree, depth first. */
export function allRoutes(route: Route): Route[] {
  return [route, ...route.routes.flatMap(allRoutes)];
}
