// What flows from matching to correlation: a record that matched an event definition or a Sigma rule (or a firing of
// an inner correlation), with the fields rules group by, and references to the records behind it.

import type { Labels, Metadata } from '../model/record.ts';

/** A stored record, as an alert links it: its stream (labels), timestamp and line. */
export interface EventRef {
  tsNs: bigint;
  labels: Labels;
  line: string;
  metadata?: Metadata;
}

/** A record linked to an alert, with the step (event name or rule) it matched and its fields. */
export interface LinkedEvent {
  step: string;
  ref: EventRef;
  fields: Record<string, string>;
}

export interface DetectionEvent {
  tenant: string;
  tsNs: bigint;
  /** arrival order: ties on ts keep it */
  seq: number;
  /** which event source produced it (the engine's index) */
  source: number;
  /** fields to group by (event definitions: the row's labels after its pipeline; Sigma: the fields correlations read) */
  fields: Record<string, string>;
  /** the record (one), or the records of an inner correlation's firing */
  linked: LinkedEvent[];
}

/** Caps what one alert carries: beyond it events are counted, not kept. */
export const MAX_LINKED_EVENTS = 200;
