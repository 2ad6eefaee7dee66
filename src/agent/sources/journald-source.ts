// The `journald` source: follows `journalctl -o json --follow`, resuming after the cursor of the last delivered
// entry (checkpointed like a file offset). MESSAGE is the line, __REALTIME_TIMESTAMP the time, the unit or
// syslog identifier the `service` label, PRIORITY the `level`; the other fields become metadata (lower-cased).

import { spawn, type ChildProcess } from 'node:child_process';
import type { FieldValue, PipelineEvent } from '../../pipeline/event.ts';
import type { Checkpoints } from '../checkpoints.ts';
import { LineStreamSource } from './line-stream-source.ts';
import type { ArrivalClock } from './source.ts';

export interface JournaldSourceConfig {
  /** extra journalctl arguments: `--directory DIR`, `--unit x`, `--file F` … */
  args: string[];
  /** where to start without a cursor: `end` (new entries only) or `beginning` (the whole journal) */
  startAt: 'beginning' | 'end';
  journalctl: string;
  maxLineBytes: number;
}

/** syslog severities (PRIORITY) → the level names used across Sightline */
const LEVELS = ['critical', 'critical', 'critical', 'error', 'warn', 'info', 'info', 'debug'];

/** fields that are journald's own bookkeeping, not the entry's content */
const SKIPPED = new Set(['MESSAGE', '__CURSOR', '__REALTIME_TIMESTAMP', '__MONOTONIC_TIMESTAMP', '_BOOT_ID', '__SEQNUM', '__SEQNUM_ID', '_SOURCE_REALTIME_TIMESTAMP']);

export class JournaldSource extends LineStreamSource {
  private child: ChildProcess | undefined;
  private stopped = false;
  private readonly cursorOf = new WeakMap<PipelineEvent, string>();

  constructor(name: string, labels: Record<string, string>, clock: ArrivalClock, private readonly cfg: JournaldSourceConfig, private readonly checkpoints: Checkpoints, private readonly log: (m: string) => void) {
    super(name, labels, clock, cfg.maxLineBytes, (line) => this.entryToEvent(line));
  }

  async start(): Promise<void> {
    const cursor = this.checkpoints.cursor(this.name);
    const args = ['-o', 'json', '--follow', '--no-pager', ...this.cfg.args];
    if (cursor) args.push('--after-cursor', cursor);
    else if (this.cfg.startAt === 'end') args.push('--lines', '0');
    else args.push('--lines', 'all');
    const child = spawn(this.cfg.journalctl, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.attach(child.stdout!);
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.on('error', (e) => this.log(`source ${this.name}: cannot run ${this.cfg.journalctl}: ${e.message}`));
    child.on('exit', (code) => {
      if (!this.stopped) this.log(`source ${this.name}: journalctl exited with ${code}: ${err.trim().slice(0, 300)}`);
    });
  }

  override close(): void {
    this.stopped = true;
    this.child?.kill('SIGTERM');
    super.close();
  }

  protected override onAcknowledge(events: PipelineEvent[]): void {
    for (let i = events.length - 1; i >= 0; i--) {
      const c = this.cursorOf.get(events[i]);
      if (c) {
        this.checkpoints.setCursor(this.name, c);
        return;
      }
    }
  }

  private entryToEvent(text: string): PipelineEvent | undefined {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(text) as Record<string, unknown>;
    } catch {
      this.log(`source ${this.name}: journalctl printed a line that is not JSON, skipped: ${text.slice(0, 120)}`);
      return undefined;
    }
    const labels = { ...this.labels };
    const service = str(entry.SYSLOG_IDENTIFIER) ?? str(entry._SYSTEMD_UNIT) ?? str(entry._COMM);
    if (service) labels.service = service;
    const host = str(entry._HOSTNAME);
    if (host) labels.host = host;
    const priority = Number(str(entry.PRIORITY));
    if (Number.isInteger(priority) && priority >= 0 && priority <= 7) labels.level = LEVELS[priority];
    const fields: Record<string, FieldValue> = {};
    for (const [k, v] of Object.entries(entry)) {
      if (SKIPPED.has(k) || k === 'SYSLOG_IDENTIFIER' || k === '_HOSTNAME' || k === 'PRIORITY') continue;
      const s = str(v);
      if (s !== undefined) fields[k.replace(/^_+/, '').toLowerCase()] = s;
    }
    const us = str(entry.__REALTIME_TIMESTAMP);
    const e: PipelineEvent = { tenant: '', ts: us && /^\d+$/.test(us) ? BigInt(us) * 1000n : this.clock.next(), line: str(entry.MESSAGE) ?? '', labels, fields };
    const cursor = str(entry.__CURSOR);
    if (cursor) this.cursorOf.set(e, cursor);
    return e;
  }
}

/** journalctl prints text as strings, binary fields as arrays of bytes, and repeated fields as arrays of those. */
function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((b) => typeof b === 'number')) return Buffer.from(v as number[]).toString('utf8');
  if (Array.isArray(v) && v.length > 0) return str(v[0]);
  return undefined;
}
