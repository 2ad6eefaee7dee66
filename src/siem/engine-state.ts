// The detection engine's durable state under `<data_dir>/siem/`: `state.json`, a snapshot (every correlation's groups,
// the events waiting in the reorder buffer, the watermark), written to a temp file and renamed; and `events.wal`,
// the detection events accepted since that snapshot (one JSON line each, appended per batch). On start the snapshot is
// loaded and the log replayed; alerts fired again by the replay have the same ids and are recognized as duplicates.

import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** JSON with bigint values (timestamps) kept exact: written as {"$n":"…"}. */
export function encodeState(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? { $n: v.toString() } : v));
}

export function decodeState(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if (typeof o.$n === 'string' && Object.keys(o).length === 1) return BigInt(o.$n);
    }
    return v;
  });
}

export interface Snapshot {
  version: 1;
  watermarkNs: bigint;
  seq: number;
  /** machine key → { fingerprint, state } */
  machines: Record<string, { fingerprint: string; state: unknown }>;
  /** events waiting in the reorder buffer, with their producer's key */
  pending: unknown[];
  /** recent single-event alerts that repeats fold into */
  suppress: unknown[];
}

export class EngineStateFiles {
  readonly snapshotFile: string;
  readonly walFile: string;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.snapshotFile = path.join(dir, 'state.json');
    this.walFile = path.join(dir, 'events.wal');
  }

  readSnapshot(): Snapshot | undefined {
    if (!existsSync(this.snapshotFile)) return undefined;
    const s = decodeState(readFileSync(this.snapshotFile, 'utf8')) as Snapshot;
    return s.version === 1 ? s : undefined;
  }

  /** The logged events, oldest first; a torn last line (crash mid-write) is skipped. */
  readWal(): unknown[] {
    if (!existsSync(this.walFile)) return [];
    const out: unknown[] = [];
    for (const line of readFileSync(this.walFile, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        out.push(decodeState(line));
      } catch {
        // torn line
      }
    }
    return out;
  }

  appendWal(events: readonly unknown[]): void {
    if (events.length === 0) return;
    let text = '';
    for (const e of events) text += encodeState(e) + '\n';
    appendFileSync(this.walFile, text);
  }

  /** Writes the snapshot, then empties the log it supersedes. */
  writeSnapshot(s: Snapshot): void {
    const tmp = this.snapshotFile + '.tmp';
    writeFileSync(tmp, encodeState(s));
    renameSync(tmp, this.snapshotFile);
    writeFileSync(this.walFile, '');
  }
}
