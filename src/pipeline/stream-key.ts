// The identity of an event's stream (tenant + labels) as a string, for per-stream state (sampling, rate limits,
// de-duplication) and for regrouping events into streams. Events of a batch come from a few streams, so the
// answers for the last few are reused after a cheap label-by-label comparison instead of sorting and printing.

import { labelsToString, type Labels } from '../model/record.ts';
import type { PipelineEvent } from './event.ts';

export function sameLabels(a: Labels, b: Labels): boolean {
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

interface Recent {
  tenant: string;
  /** a copy: the event's own labels may be changed later by another processor */
  labels: Labels;
  key: string;
}

/** streams remembered; a batch usually interleaves a few (one service's levels, a pod's stdout and stderr) */
const RECENT = 8;

export class StreamKeys {
  private readonly recent: Recent[] = [];
  private next = 0;
  private last: Recent | undefined;

  key(e: PipelineEvent): string {
    const last = this.last;
    if (last !== undefined && e.tenant === last.tenant && sameLabels(e.labels, last.labels)) return last.key;
    for (let i = 0; i < this.recent.length; i++) {
      const r = this.recent[i];
      if (r !== last && e.tenant === r.tenant && sameLabels(e.labels, r.labels)) {
        this.last = r;
        return r.key;
      }
    }
    const r: Recent = { tenant: e.tenant, labels: { ...e.labels }, key: e.tenant + '\u0000' + labelsToString(e.labels) };
    if (this.recent.length < RECENT) this.recent.push(r);
    else {
      this.recent[this.next] = r;
      this.next = (this.next + 1) % RECENT;
    }
    this.last = r;
    return r.key;
  }
}
