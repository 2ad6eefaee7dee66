// The `archive` output of the pipelines: events appended as NDJSON to `<dataDir>/archive/<tenant>/<YYYY-MM-DD>.ndjson`
// (UTC day of writing, so files rotate daily), synced to disk before `write` resolves, so an acknowledged push's
// archived events survive a crash like its stored ones. One object per line:
// {"ts": RFC3339Nano, "ts_ns": "…", "tenant", "labels", "line", "fields", "error"?, "error_details"?}.

import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { PipelineEvent } from '../pipeline/event.ts';
import { nsToRfc3339 } from '../pipeline/time-text.ts';

interface OpenFile {
  day: string;
  handle: Promise<FileHandle>;
  /** writes to one file are chained so lines never interleave */
  queue: Promise<void>;
}

/** A tenant id as one safe path segment (no separators, no `..`), reversible by decodeURIComponent. */
export function tenantDirName(tenant: string): string {
  return encodeURIComponent(tenant).replace(/\./g, '%2E') || '%00';
}

export function archiveLine(e: PipelineEvent): string {
  const o: Record<string, unknown> = { ts: nsToRfc3339(e.ts), ts_ns: String(e.ts), tenant: e.tenant, labels: e.labels, line: e.line, fields: e.fields };
  if (e.error) o.error = e.error;
  if (e.errorDetails) o.error_details = e.errorDetails;
  return JSON.stringify(o) + '\n';
}

export class ArchiveSink {
  private readonly files = new Map<string, OpenFile>();
  private closed = false;

  constructor(readonly dir: string, private readonly now: () => number = Date.now) {}

  /** The file today's events of `tenant` go to. */
  fileFor(tenant: string, day = new Date(this.now()).toISOString().slice(0, 10)): string {
    return path.join(this.dir, tenantDirName(tenant), `${day}.ndjson`);
  }

  async write(events: readonly PipelineEvent[]): Promise<void> {
    if (this.closed) throw new Error('archive is closed');
    const byTenant = new Map<string, string>();
    for (const e of events) byTenant.set(e.tenant, (byTenant.get(e.tenant) ?? '') + archiveLine(e));
    await Promise.all([...byTenant].map(([tenant, text]) => this.append(tenant, text)));
  }

  private append(tenant: string, text: string): Promise<void> {
    const day = new Date(this.now()).toISOString().slice(0, 10);
    let f = this.files.get(tenant);
    if (f === undefined || f.day !== day) {
      // opened without awaiting first, so concurrent writes of a new day share one file handle
      const previous = f;
      const file = this.fileFor(tenant, day);
      const opened: OpenFile = { day, handle: mkdir(path.dirname(file), { recursive: true }).then(() => open(file, 'a')), queue: previous?.queue ?? Promise.resolve() };
      opened.handle.catch(() => {
        if (this.files.get(tenant) === opened) this.files.delete(tenant);
      });
      this.files.set(tenant, opened);
      if (previous) void previous.queue.then(() => previous.handle).then((h) => h.close()).catch(() => undefined);
      f = opened;
    }
    const target = f;
    const done = target.queue.then(async () => {
      const handle = await target.handle;
      await handle.write(text);
      await handle.datasync();
    });
    // a failed write must not wedge the ones after it
    target.queue = done.catch(() => undefined);
    return done;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const f of this.files.values()) {
      await f.queue;
      await f.handle.then((h) => h.close()).catch(() => undefined);
    }
    this.files.clear();
  }
}
