// Silences, as Alertmanager has them: per tenant, a set of label matchers with a start, an end, an author and a
// comment; an alert matched by an active silence is not notified. Created, updated and expired through the
// Alertmanager v2 API (and `sightline alerts silence`), kept in `<data_dir>/alerting/silences.json` (atomic rewrite on
// every change); expired silences are kept 5 days for the record, then dropped.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Labels } from '../../model/record.ts';
import { MatcherError, makeMatcher, matchesAll, type LabelMatcher } from './label-matchers.ts';
import { writeFileAtomic } from '../rules-state-file.ts';

export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export interface Silence {
  id: string;
  matchers: SilenceMatcher[];
  startsAtMs: number;
  endsAtMs: number;
  createdBy: string;
  comment: string;
  updatedAtMs: number;
}

export class SilenceError extends Error {}

const RETENTION_MS = 5 * 24 * 3_600_000;

export function silenceState(s: Silence, nowMs: number): 'pending' | 'active' | 'expired' {
  if (nowMs < s.startsAtMs) return 'pending';
  return nowMs < s.endsAtMs ? 'active' : 'expired';
}

function compile(ms: SilenceMatcher[]): LabelMatcher[] {
  return ms.map((m) => makeMatcher(m.name, m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=', m.value));
}

/** Narrows a silence as the API receives it (Alertmanager's postableSilence), with every problem named. */
export function validateSilence(body: unknown, nowMs: number): Omit<Silence, 'updatedAtMs'> & { idGiven: boolean } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new SilenceError('expected a JSON object with matchers, startsAt, endsAt, createdBy and comment');
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.matchers) || b.matchers.length === 0) throw new SilenceError('matchers: expected a non-empty list');
  const matchers: SilenceMatcher[] = b.matchers.map((m: unknown, i: number) => {
    const x = (m ?? {}) as Record<string, unknown>;
    if (typeof x.name !== 'string' || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(x.name)) throw new SilenceError(`matchers[${i}].name: expected a label name`);
    if (typeof x.value !== 'string') throw new SilenceError(`matchers[${i}].value: expected a string`);
    if (typeof x.isRegex !== 'boolean') throw new SilenceError(`matchers[${i}].isRegex: expected true or false`);
    if (x.isEqual !== undefined && typeof x.isEqual !== 'boolean') throw new SilenceError(`matchers[${i}].isEqual: expected true or false`);
    return { name: x.name, value: x.value, isRegex: x.isRegex, isEqual: x.isEqual !== false };
  });
  let compiled: LabelMatcher[];
  try {
    compiled = compile(matchers);
  } catch (e) {
    if (e instanceof MatcherError) throw new SilenceError(`matchers: ${e.message}`);
    throw e;
  }
  // a silence whose matchers all accept the empty label would silence everything
  if (compiled.every((m) => matchesAll([m], {}))) throw new SilenceError('matchers: at least one matcher must not match the empty string (this silence would mute every alert)');
  const time = (key: string): number => {
    const v = b[key];
    const ms = typeof v === 'string' ? Date.parse(v) : NaN;
    if (Number.isNaN(ms)) throw new SilenceError(`${key}: expected an RFC 3339 time, got ${JSON.stringify(v)}`);
    return ms;
  };
  const startsAtMs = b.startsAt === undefined ? nowMs : time('startsAt');
  const endsAtMs = time('endsAt');
  if (endsAtMs <= startsAtMs) throw new SilenceError('endsAt must be after startsAt');
  if (endsAtMs <= nowMs) throw new SilenceError('endsAt is in the past');
  if (typeof b.createdBy !== 'string' || b.createdBy.trim() === '') throw new SilenceError('createdBy: expected the author');
  if (typeof b.comment !== 'string' || b.comment.trim() === '') throw new SilenceError('comment: expected a comment saying why');
  const idGiven = typeof b.id === 'string' && b.id !== '';
  // a new silence that starts in the past starts now, as in Alertmanager
  return { id: idGiven ? (b.id as string) : randomUUID(), idGiven, matchers, startsAtMs: !idGiven && startsAtMs < nowMs ? nowMs : startsAtMs, endsAtMs, createdBy: b.createdBy, comment: b.comment };
}

export class SilenceStore {
  private readonly byTenant = new Map<string, Map<string, Silence>>();
  private readonly compiled = new Map<string, LabelMatcher[]>();

  constructor(private readonly file: string) {}

  load(): void {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return;
    }
    const data = JSON.parse(text) as Record<string, Silence[]>;
    for (const [tenant, list] of Object.entries(data)) {
      const m = new Map<string, Silence>();
      for (const s of list) m.set(s.id, s);
      this.byTenant.set(tenant, m);
    }
  }

  private save(): void {
    const out: Record<string, Silence[]> = {};
    for (const [t, m] of this.byTenant) if (m.size > 0) out[t] = [...m.values()];
    writeFileAtomic(this.file, JSON.stringify(out));
  }

  private gc(nowMs: number): boolean {
    let removed = false;
    for (const m of this.byTenant.values()) {
      for (const [id, s] of m) {
        if (s.endsAtMs + RETENTION_MS < nowMs) {
          m.delete(id);
          this.compiled.delete(id);
          removed = true;
        }
      }
    }
    return removed;
  }

  list(tenant: string, nowMs: number): Silence[] {
    if (this.gc(nowMs)) this.save();
    return [...(this.byTenant.get(tenant)?.values() ?? [])];
  }

  get(tenant: string, id: string): Silence | undefined {
    return this.byTenant.get(tenant)?.get(id);
  }

  /** Creates a silence, or updates the one with the body's id; returns its id. */
  upsert(tenant: string, body: unknown, nowMs: number): string {
    const v = validateSilence(body, nowMs);
    let m = this.byTenant.get(tenant);
    if (!m) this.byTenant.set(tenant, (m = new Map()));
    if (v.idGiven) {
      const old = m.get(v.id);
      if (!old) throw new SilenceError(`silence ${v.id} not found`);
      if (silenceState(old, nowMs) === 'expired') throw new SilenceError(`silence ${v.id} has expired and cannot be changed; create a new one`);
    }
    const s: Silence = { id: v.id, matchers: v.matchers, startsAtMs: v.startsAtMs, endsAtMs: v.endsAtMs, createdBy: v.createdBy, comment: v.comment, updatedAtMs: nowMs };
    m.set(s.id, s);
    this.compiled.delete(s.id);
    this.save();
    return s.id;
  }

  /** Ends a silence now; false when there is no such silence. */
  expire(tenant: string, id: string, nowMs: number): boolean {
    const s = this.byTenant.get(tenant)?.get(id);
    if (!s) return false;
    if (silenceState(s, nowMs) === 'expired') throw new SilenceError(`silence ${id} has already expired`);
    if (s.startsAtMs > nowMs) s.startsAtMs = nowMs;
    s.endsAtMs = nowMs;
    s.updatedAtMs = nowMs;
    this.save();
    return true;
  }

  /** Ids of the tenant's active silences that match these labels. */
  mutedBy(tenant: string, labels: Labels, nowMs: number): string[] {
    const m = this.byTenant.get(tenant);
    if (!m) return [];
    const out: string[] = [];
    for (const s of m.values()) {
      if (silenceState(s, nowMs) !== 'active') continue;
      let c = this.compiled.get(s.id);
      if (!c) this.compiled.set(s.id, (c = compile(s.matchers)));
      if (matchesAll(c, labels)) out.push(s.id);
    }
    return out;
  }
}
