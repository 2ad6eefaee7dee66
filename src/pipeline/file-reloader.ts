// Re-reads a file when it changes, for processors whose tables come from files (lookup, threat_intel). The check
// is a stat at most every `intervalMs` of pipeline time, made from `process` (no timers, no watchers to leak); a
// file that fails to load keeps the previous contents and reports why.

import { statSync } from 'node:fs';

export class FileReloader<T> {
  /** the loaded contents */
  value: T;
  /** counts successful loads, so a caller that derives an index from several files knows when to rebuild it */
  version = 1;
  private lastCheck: number;
  private stamp: string;

  /**
   * `load` reads and parses the file (throwing with a message naming the problem); it is called once now, so a bad
   * file fails the build, and again whenever the file's size or modification time changes.
   */
  constructor(
    readonly path: string,
    private readonly intervalMs: number,
    private readonly load: (path: string) => T,
    nowMs = 0,
  ) {
    this.stamp = this.stat();
    this.value = load(path);
    this.lastCheck = nowMs;
  }

  /** Reloads when the check is due and the file changed; returns an error message when the new file was refused. */
  refresh(nowMs: number): string | undefined {
    if (this.intervalMs <= 0 || nowMs - this.lastCheck < this.intervalMs) return undefined;
    this.lastCheck = nowMs;
    const stamp = this.stat();
    if (stamp === this.stamp) return undefined;
    this.stamp = stamp;
    try {
      this.value = this.load(this.path);
      this.version++;
      return undefined;
    } catch (e) {
      return `${this.path}: not reloaded, keeping the previous contents: ${(e as Error).message}`;
    }
  }

  private stat(): string {
    try {
      const s = statSync(this.path);
      return `${s.size}:${s.mtimeMs}`;
    } catch {
      return 'missing';
    }
  }
}
