// Where processed events go. `route` sets an event's outputs; an event without any goes to the store. The server
// delivers `store` to the store, `archive` to the archive files and `alert` to in-process subscribers; `drop`
// (or an empty list) means nowhere.

import type { PipelineEvent } from './event.ts';

export const KNOWN_OUTPUTS = ['store', 'archive', 'alert', 'drop'] as const;
export type OutputName = (typeof KNOWN_OUTPUTS)[number];

export const DEFAULT_OUTPUTS: readonly OutputName[] = ['store'];

export interface RoutedEvents {
  store: PipelineEvent[];
  archive: PipelineEvent[];
  alert: PipelineEvent[];
  /** events that go nowhere (`drop` or an empty list) */
  dropped: number;
}

export function splitByOutput(events: PipelineEvent[]): RoutedEvents {
  const routed: RoutedEvents = { store: [], archive: [], alert: [], dropped: 0 };
  let i = 0;
  // the common case, no route processor: everything to the store without copying
  while (i < events.length && events[i].outputs === undefined) i++;
  if (i === events.length) {
    routed.store = events;
    return routed;
  }
  for (let j = 0; j < i; j++) routed.store.push(events[j]);
  for (; i < events.length; i++) {
    const e = events[i];
    const outs = e.outputs;
    if (outs === undefined) {
      routed.store.push(e);
      continue;
    }
    let delivered = false;
    for (const o of outs) {
      if (o === 'store') routed.store.push(e);
      else if (o === 'archive') routed.archive.push(e);
      else if (o === 'alert') routed.alert.push(e);
      else continue;
      delivered = true;
    }
    if (!delivered) routed.dropped++;
  }
  return routed;
}

/** The outputs an event goes to, with the default spelled out. */
export function effectiveOutputs(e: PipelineEvent): readonly string[] {
  return e.outputs ?? DEFAULT_OUTPUTS;
}
