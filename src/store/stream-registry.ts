// The in-memory catalogue of streams (tenant + label set → numeric id) with each stream's time bounds.
// The store persists it; ids are global so a row's stream id alone fixes its tenant.

import type { Labels } from '../model/record.ts';
import { labelsToString, sortLabels } from '../model/record.ts';
import type { Matcher } from '../query/ast.ts';
import type { StreamInfo } from './plan.ts';
import { compileMatchers, labelsMatch } from './stream-matching.ts';

export interface RegisteredStream extends StreamInfo {
  key: string;
  /** time bounds of the stream's entries (0n/0n until the first entry) */
  minTs: bigint;
  maxTs: bigint;
  hasEntries: boolean;
}

export class StreamRegistry {
  private readonly byKey = new Map<string, RegisteredStream>();
  private readonly byId = new Map<number, RegisteredStream>();
  private readonly byTenant = new Map<string, RegisteredStream[]>();
  private nextId = 1;

  /** Registers a stream read back from storage. */
  load(id: number, tenant: string, labels: Labels): void {
    const key = tenant + '\u0000' + labelsToString(labels);
    const s: RegisteredStream = { id, tenant, labels: sortLabels(labels), key, minTs: 0n, maxTs: 0n, hasEntries: false };
    this.insert(s);
    if (id >= this.nextId) this.nextId = id + 1;
  }

  /** The stream's id, creating it if needed; `created` is true for a new stream (the caller persists it). */
  resolve(tenant: string, labels: Labels): { stream: RegisteredStream; created: boolean } {
    const key = tenant + '\u0000' + labelsToString(labels);
    const found = this.byKey.get(key);
    if (found) return { stream: found, created: false };
    const s: RegisteredStream = { id: this.nextId++, tenant, labels: sortLabels(labels), key, minTs: 0n, maxTs: 0n, hasEntries: false };
    this.insert(s);
    return { stream: s, created: true };
  }

  /** Forgets a stream whose creation could not be persisted. */
  forget(id: number): void {
    const s = this.byId.get(id);
    if (!s) return;
    this.byId.delete(id);
    this.byKey.delete(s.key);
    const list = this.byTenant.get(s.tenant);
    if (list) list.splice(list.indexOf(s), 1);
  }

  get(id: number): RegisteredStream | undefined {
    return this.byId.get(id);
  }

  /** Widens a stream's time bounds to include [minTs, maxTs]. */
  touch(id: number, minTs: bigint, maxTs: bigint): void {
    const s = this.byId.get(id);
    if (!s) return;
    if (!s.hasEntries || minTs < s.minTs) s.minTs = minTs;
    if (!s.hasEntries || maxTs > s.maxTs) s.maxTs = maxTs;
    s.hasEntries = true;
  }

  /** Streams of the tenants matching all matchers with entries overlapping [fromNs, toNs). */
  select(tenants: string[], matchers: Matcher[], fromNs: bigint, toNs: bigint): RegisteredStream[] {
    const compiled = compileMatchers(matchers);
    const out: RegisteredStream[] = [];
    for (const tenant of tenants) {
      for (const s of this.byTenant.get(tenant) ?? []) {
        if (!s.hasEntries || s.maxTs < fromNs || s.minTs >= toNs) continue;
        if (labelsMatch(compiled, s.labels)) out.push(s);
      }
    }
    return out;
  }

  all(): IterableIterator<RegisteredStream> {
    return this.byId.values();
  }

  get size(): number {
    return this.byId.size;
  }

  private insert(s: RegisteredStream): void {
    this.byKey.set(s.key, s);
    this.byId.set(s.id, s);
    let list = this.byTenant.get(s.tenant);
    if (!list) this.byTenant.set(s.tenant, (list = []));
    list.push(s);
  }
}
