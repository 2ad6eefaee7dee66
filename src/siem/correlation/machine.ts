// The contract every correlation state machine keeps: events in (in time order, per input), firings out; a watermark
// to close windows and forget idle groups; a snapshot to survive restarts. Group keys and alert ids live here too.

import { createHash } from 'node:crypto';
import type { DetectionEvent, LinkedEvent } from '../detection-event.ts';

export interface Firing {
  groupKey: string;
  tenant: string;
  /** group-by values by (output) field name */
  group: Record<string, string>;
  events: LinkedEvent[];
  /** every event counted, kept or not */
  eventCount: number;
  firstTs: bigint;
  lastTs: bigint;
  /** set on a firing that extends the incident of this earlier alert (native `extend:`) */
  extendsAlert?: string;
}

export interface Machine {
  onEvent(ev: DetectionEvent, input: number, out: Firing[]): void;
  /** event time has reached `watermarkNs`: close windows that ended before it, drop idle groups */
  advance(watermarkNs: bigint, out: Firing[]): void;
  /** groups held, groups evicted at the cap, events without a group-by field */
  stats(): { groups: number; evicted: number; ungrouped: number };
  snapshot(): unknown;
  restore(state: unknown): void;
}

/** How each input's fields map onto the rule's group-by names (Sigma aliases rename per rule). */
export interface GroupSpec {
  names: string[];
  /** per input: the field to read for each name */
  fields: string[][];
}

export function groupSpec(names: string[], inputs: number, alias?: (input: number, name: string) => string): GroupSpec {
  const fields: string[][] = [];
  for (let i = 0; i < inputs; i++) fields.push(names.map((n) => (alias ? alias(i, n) : n)));
  return { names, fields };
}

/** The group key of an event for an input, or undefined when a group-by field is missing. */
export function groupKeyOf(spec: GroupSpec, ev: DetectionEvent, input: number): string | undefined {
  const fields = spec.fields[input]!;
  let key = ev.tenant;
  for (let i = 0; i < fields.length; i++) {
    const v = ev.fields[fields[i]!];
    if (v === undefined) return undefined;
    key += '\u0000' + v;
  }
  return key;
}

export function groupValues(spec: GroupSpec, ev: DetectionEvent, input: number): Record<string, string> {
  const out: Record<string, string> = {};
  const fields = spec.fields[input]!;
  for (let i = 0; i < fields.length; i++) out[spec.names[i]!] = ev.fields[fields[i]!]!;
  return out;
}

/** Deterministic: the same firing replayed after a restart gets the same id (and is recognized as a duplicate). */
export function alertId(ruleKey: string, f: Pick<Firing, 'groupKey' | 'firstTs' | 'lastTs'>): string {
  return createHash('sha256').update(`${ruleKey}\u0000${f.groupKey}\u0000${f.firstTs}\u0000${f.lastTs}`).digest('hex').slice(0, 20);
}

/** Appends events up to the cap. */
export function pushCapped(into: LinkedEvent[], add: readonly LinkedEvent[], cap: number): void {
  for (let i = 0; i < add.length && into.length < cap; i++) into.push(add[i]!);
}
