// What a benchmarked server costs the machine: resident memory from /proc/<pid>/status (Linux) and the bytes its
// data directory takes on disk. Sampling is timer-driven and cheap; reading a vanished process yields undefined.

import { readFileSync, readdirSync, lstatSync } from 'node:fs';
import { join } from 'node:path';

export interface MemoryStatus {
  /** resident set size now (VmRSS), bytes */
  rssBytes: number;
  /** peak resident set size over the process lifetime (VmHWM), bytes */
  hwmBytes: number;
}

/** VmRSS and VmHWM of a process, or undefined when it is gone (or /proc is absent). */
export function readMemoryStatus(pid: number): MemoryStatus | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const rss = /^VmRSS:\s+(\d+) kB$/m.exec(text);
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(text);
  if (rss === null || hwm === null) return undefined;
  return { rssBytes: Number(rss[1]) * 1024, hwmBytes: Number(hwm[1]) * 1024 };
}

export interface RssSummary {
  samples: number;
  maxRssBytes: number;
  lastRssBytes: number;
  /** VmHWM when sampling stopped */
  hwmBytes: number;
}

/** Samples a process's VmRSS on a timer until stopped. */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  private samples = 0;
  private maxRss = 0;
  private lastRss = 0;
  private hwm = 0;

  constructor(private readonly pid: number, private readonly intervalMs = 250) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): RssSummary {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    return { samples: this.samples, maxRssBytes: this.maxRss, lastRssBytes: this.lastRss, hwmBytes: this.hwm };
  }

  private sample(): void {
    const s = readMemoryStatus(this.pid);
    if (s === undefined) return;
    this.samples++;
    this.lastRss = s.rssBytes;
    if (s.rssBytes > this.maxRss) this.maxRss = s.rssBytes;
    if (s.hwmBytes > this.hwm) this.hwm = s.hwmBytes;
  }
}

export interface DiskUsage {
  /** sum of file sizes */
  apparentBytes: number;
  /** blocks actually allocated (what `du` reports) */
  allocatedBytes: number;
  files: number;
}

/** Walks a directory tree (not following symlinks) and adds up its files. */
export function diskUsage(dir: string): DiskUsage {
  const out: DiskUsage = { apparentBytes: 0, allocatedBytes: 0, files: 0 };
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return; // vanished while walking (a store compacting): counted as gone
    }
    for (const name of names) {
      const p = join(d, name);
      let st;
      try {
        st = lstatSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) {
        out.files++;
        out.apparentBytes += st.size;
        out.allocatedBytes += st.blocks * 512;
      }
    }
  };
  walk(dir);
  return out;
}
