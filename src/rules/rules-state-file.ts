// Alert state that survives a restart: `<data_dir>/rules-state.json`, rewritten atomically (temp file, fsync, rename,
// fsync of the directory) after every evaluation that changed an alert's state. Rules are keyed by tenant, namespace,
// group, name and labels, so editing an expression keeps its alerts while renaming a rule starts it afresh.
// Writes are serialized and coalesced: a burst of changes costs one write.

import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Alert } from './alert-state.ts';
import { labelsToString, type Labels } from '../model/record.ts';

interface StateFileV1 {
  version: 1;
  savedAt: string;
  /** rule key → its alerts */
  rules: Record<string, Alert[]>;
}

export function ruleStateKey(tenant: string, namespace: string, group: string, rule: string, ruleLabels: Labels): string {
  return JSON.stringify([tenant, namespace, group, rule, labelsToString(ruleLabels)]);
}

/** Writes a file so that a crash leaves either the old or the new content, never a torn one. */
export function writeFileAtomic(file: string, text: string): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dfd = openSync(dir, 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

export class RulesStateFile {
  private dirty = false;
  private writing: Promise<void> | undefined;

  /** `snapshot` returns every rule's alerts at the time of the write. */
  constructor(readonly file: string, private readonly snapshot: () => Map<string, Alert[]>, private readonly onError: (e: Error) => void) {}

  /** The alerts saved by the previous run, by rule key (empty when there is no file; a damaged file is reported). */
  load(): Map<string, Alert[]> {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return new Map();
    }
    try {
      const parsed = JSON.parse(text) as StateFileV1;
      if (parsed.version !== 1 || typeof parsed.rules !== 'object' || parsed.rules === null) throw new Error('unknown format');
      const out = new Map<string, Alert[]>();
      for (const [key, alerts] of Object.entries(parsed.rules)) if (Array.isArray(alerts)) out.set(key, alerts.filter(isAlert));
      return out;
    } catch (e) {
      this.onError(new Error(`${this.file}: cannot read saved alert state (starting without it): ${(e as Error).message}`));
      return new Map();
    }
  }

  /** Schedules a write of the current state; resolves when a write that includes this change is on disk. */
  changed(): Promise<void> {
    this.dirty = true;
    if (!this.writing) this.writing = this.drain();
    return this.writing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        // let the other groups of this tick finish first: one write covers them all
        await new Promise<void>((r) => setImmediate(r));
        const rules: Record<string, Alert[]> = {};
        for (const [k, v] of this.snapshot()) if (v.length > 0) rules[k] = v;
        const body: StateFileV1 = { version: 1, savedAt: new Date().toISOString(), rules };
        try {
          writeFileAtomic(this.file, JSON.stringify(body));
        } catch (e) {
          this.onError(new Error(`${this.file}: cannot save alert state: ${(e as Error).message}`));
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  /** Waits for pending writes. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }
}

function isAlert(a: unknown): a is Alert {
  if (a === null || typeof a !== 'object') return false;
  const x = a as Record<string, unknown>;
  return typeof x.fingerprint === 'string' && typeof x.labels === 'object' && (x.state === 'pending' || x.state === 'firing' || x.state === 'inactive') && typeof x.activeAtMs === 'number';
}
