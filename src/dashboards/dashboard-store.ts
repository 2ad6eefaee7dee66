// Dashboards per tenant, versioned, on disk: `<data_dir>/dashboards/<tenant>/<uid>/<version>.json`, one file per
// saved version (the highest is current), each written atomically (temp file, fsync, rename). A save names the
// version it edits; a stale one is refused (409). A tenant seen for the first time gets the built-in Overview.

import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DashboardError, UID, validateDashboard, type Dashboard } from './dashboard-model.ts';
import type { DashboardSummary } from './dashboard-json.ts';
import { overviewDashboard } from './overview-dashboard.ts';

/** A saved version: the dashboard, its number and when it was saved. */
export interface StoredDashboard {
  dashboard: Dashboard;
  version: number;
  /** RFC 3339 */
  updated: string;
}

export type { DashboardSummary } from './dashboard-json.ts';

export interface DashboardStoreOptions {
  dataDir: string;
  /** versions kept per dashboard (older ones are removed on save) */
  maxVersions?: number;
  /** dashboards per tenant */
  maxDashboards?: number;
  /** a tenant's first look-up seeds the built-in Overview (default true) */
  seedOverview?: boolean;
}

const VERSION_FILE = /^(\d{1,9})\.json$/;

export class DashboardStore {
  private readonly root: string;
  private readonly maxVersions: number;
  private readonly maxDashboards: number;
  private readonly seedOverview: boolean;
  /** writes to one tenant are serialized: version checks and the dashboard count stay true while a save runs */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(opts: DashboardStoreOptions) {
    this.root = path.join(opts.dataDir, 'dashboards');
    this.maxVersions = opts.maxVersions ?? 50;
    this.maxDashboards = opts.maxDashboards ?? 1000;
    this.seedOverview = opts.seedOverview ?? true;
  }

  async list(tenant: string): Promise<DashboardSummary[]> {
    await this.ensureTenant(tenant);
    const out: DashboardSummary[] = [];
    for (const uid of await this.uids(tenant)) {
      const s = await this.latest(tenant, uid);
      if (s) out.push({ uid, title: s.dashboard.title, tags: s.dashboard.tags, version: s.version, updated: s.updated });
    }
    return out.sort((a, b) => a.title.localeCompare(b.title) || a.uid.localeCompare(b.uid));
  }

  async get(tenant: string, uid: string): Promise<StoredDashboard> {
    checkUid(uid);
    await this.ensureTenant(tenant);
    const s = await this.latest(tenant, uid);
    if (!s) throw new DashboardError(404, `dashboard "${uid}" not found`);
    return s;
  }

  async versions(tenant: string, uid: string): Promise<{ version: number; updated: string; title: string }[]> {
    checkUid(uid);
    await this.ensureTenant(tenant);
    const numbers = await this.versionNumbers(tenant, uid);
    if (numbers.length === 0) throw new DashboardError(404, `dashboard "${uid}" not found`);
    const out: { version: number; updated: string; title: string }[] = [];
    for (const n of numbers.reverse()) {
      const s = await this.read(tenant, uid, n);
      if (s) out.push({ version: s.version, updated: s.updated, title: s.dashboard.title });
    }
    return out;
  }

  async version(tenant: string, uid: string, n: number): Promise<StoredDashboard> {
    checkUid(uid);
    const s = await this.read(tenant, uid, n);
    if (!s) throw new DashboardError(404, `dashboard "${uid}" has no version ${n}`);
    return s;
  }

  /**
   * Saves a new version. `expected` is the version the edit started from: it must be the current one (0 or
   * undefined = create, refused when the uid exists). Returns the stored version.
   */
  save(tenant: string, dashboard: Dashboard, expected: number | undefined): Promise<StoredDashboard> {
    checkUid(dashboard.uid);
    return this.locked(tenant, async () => {
      await this.ensureTenant(tenant);
      const numbers = await this.versionNumbers(tenant, dashboard.uid);
      const current = numbers.length ? numbers[numbers.length - 1] : 0;
      if (current === 0 && expected) throw new DashboardError(404, `dashboard "${dashboard.uid}" not found (version ${expected} was given: it was deleted or never saved)`);
      if (current !== 0 && expected !== current) {
        throw new DashboardError(409, expected
          ? `version conflict: dashboard "${dashboard.uid}" is at version ${current}, this edit started from version ${expected}; reload it and apply the change again`
          : `dashboard "${dashboard.uid}" already exists (version ${current}): send its "version" to overwrite it`);
      }
      if (current === 0 && (await this.uids(tenant)).length >= this.maxDashboards) throw new DashboardError(413, `tenant "${tenant}" already has ${this.maxDashboards} dashboards, the limit`);
      const stored: StoredDashboard = { dashboard, version: current + 1, updated: new Date().toISOString() };
      const dir = this.dir(tenant, dashboard.uid);
      await mkdir(dir, { recursive: true });
      await writeAtomic(path.join(dir, `${stored.version}.json`), JSON.stringify(stored));
      for (const old of numbers.slice(0, Math.max(0, numbers.length + 1 - this.maxVersions))) await rm(path.join(dir, `${old}.json`), { force: true });
      return stored;
    });
  }

  delete(tenant: string, uid: string): Promise<void> {
    checkUid(uid);
    return this.locked(tenant, async () => {
      await this.ensureTenant(tenant);
      const dir = this.dir(tenant, uid);
      if ((await this.versionNumbers(tenant, uid)).length === 0) throw new DashboardError(404, `dashboard "${uid}" not found`);
      // renamed away first, so a crash half-way through the removal leaves no half-dashboard behind
      const trash = path.join(this.tenantDir(tenant), `.deleted-${uid}-${randomBytes(4).toString('hex')}`);
      await rename(dir, trash);
      await rm(trash, { recursive: true, force: true });
    });
  }

  private async locked<T>(tenant: string, fn: () => Promise<T>): Promise<T> {
    const before = this.locks.get(tenant) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const settled = run.catch(() => undefined);
    this.locks.set(tenant, settled);
    try {
      return await run;
    } finally {
      if (this.locks.get(tenant) === settled) this.locks.delete(tenant);
    }
  }

  private tenantDir(tenant: string): string {
    return path.join(this.root, tenant);
  }

  private dir(tenant: string, uid: string): string {
    return path.join(this.root, tenant, uid);
  }

  /** The tenant's directory; made (with the Overview in it) the first time the tenant is seen. */
  private async ensureTenant(tenant: string): Promise<void> {
    const dir = this.tenantDir(tenant);
    try {
      await readdir(dir);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    await mkdir(this.root, { recursive: true });
    // built in a temporary directory and renamed into place: a tenant never has half an Overview, and two first
    // requests racing leave one
    const tmp = path.join(this.root, `.new-${randomBytes(6).toString('hex')}`);
    await mkdir(tmp);
    if (this.seedOverview) {
      const overview = overviewDashboard();
      await mkdir(path.join(tmp, overview.uid));
      const stored: StoredDashboard = { dashboard: validateDashboard(overview), version: 1, updated: new Date().toISOString() };
      await writeAtomic(path.join(tmp, overview.uid, '1.json'), JSON.stringify(stored));
    }
    try {
      await rename(tmp, dir);
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    }
  }

  private async uids(tenant: string): Promise<string[]> {
    const entries = await readdir(this.tenantDir(tenant), { withFileTypes: true });
    return entries.filter((e) => e.isDirectory() && UID.test(e.name)).map((e) => e.name);
  }

  /** Saved version numbers, ascending; empty when the dashboard does not exist. */
  private async versionNumbers(tenant: string, uid: string): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(this.dir(tenant, uid));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: number[] = [];
    for (const n of names) {
      const m = VERSION_FILE.exec(n);
      if (m) out.push(Number(m[1]));
    }
    return out.sort((a, b) => a - b);
  }

  private async latest(tenant: string, uid: string): Promise<StoredDashboard | undefined> {
    const numbers = await this.versionNumbers(tenant, uid);
    return numbers.length ? this.read(tenant, uid, numbers[numbers.length - 1]) : undefined;
  }

  private async read(tenant: string, uid: string, n: number): Promise<StoredDashboard | undefined> {
    let text: string;
    try {
      text = await readFile(path.join(this.dir(tenant, uid), `${n}.json`), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    return JSON.parse(text) as StoredDashboard;
  }
}

function checkUid(uid: string): void {
  if (!UID.test(uid)) throw new DashboardError(400, `uid: expected 1 to 64 letters, digits, - or _, got ${JSON.stringify(uid.slice(0, 80))}`);
}

/** Writes a file so that a reader (or a crash) sees the old state or the whole new file, never part of it. */
async function writeAtomic(file: string, content: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  const dir = await open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
