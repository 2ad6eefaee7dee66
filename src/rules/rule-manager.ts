// The ruler inside the server: loads `<rules_dir>/<tenant>/*.yaml`, runs one aligned scheduler per group, keeps
// alert state across reloads and restarts (rules-state.json), reloads when the files change (fs.watch, debounced) or
// when the ruler API writes them, and hands every group's alerts to the notification sink after each evaluation.
// A malformed file is reported (`file:line: why`) and its last good version keeps running; other files are untouched.

import { mkdirSync, rmSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Labels } from '../model/record.ts';
import { RESOLVED_RETENTION_MS, type Alert } from './alert-state.ts';
import { generatorUrl, type AlertNotice, type AlertSink } from './alert-notice.ts';
import { evaluateGroup, newGroupStatus, type AppendFn, type GroupStatus, type QueryFn, type RuleTransition } from './group-evaluator.ts';
import { GroupRunner, groupOffsetMs, systemClock, type Clock } from './group-schedule.ts';
import { DEFAULT_INTERVAL_MS, formatRuleErrors, parseRuleFile, type RuleGroup } from './rule-file.ts';
import { groupObject, listNamespaceFiles, listTenantDirs, readNamespaceText, writeNamespace } from './rule-namespaces.ts';
import { RulesStateFile, ruleStateKey } from './rules-state-file.ts';

export interface RuleManagerOptions {
  rulesDir: string;
  /** where alert state is saved (rules-state.json in the data directory) */
  stateFile: string;
  query: QueryFn;
  append: AppendFn;
  sink?: AlertSink;
  /** base of the links alerts carry (generatorURL); can be changed later through RuleManager.externalURL */
  externalURL?: string;
  externalLabels?: Labels;
  /** error and reload messages */
  log?: (message: string) => void;
  clock?: Clock;
  /** watch rules_dir for changes (default true) */
  watch?: boolean;
  onTransitions?: (transitions: RuleTransition[]) => void;
}

/** A request the ruler cannot carry out, with the HTTP status that says why. */
export class RulerError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

interface LoadedNamespace {
  tenant: string;
  namespace: string;
  file: string;
  text: string;
  /** the last good version's groups (what runs) */
  groups: RuleGroup[];
  /** set while the file on disk does not parse */
  error?: string;
}

interface RunningGroup {
  status: GroupStatus;
  runner: GroupRunner;
  intervalMs: number;
  /** the group's definition as text: a change restarts the group */
  definition: string;
}

const RELOAD_DEBOUNCE_MS = 200;

function nsKey(tenant: string, namespace: string): string {
  return `${tenant}\u0000${namespace}`;
}

export class RuleManager {
  private readonly namespaces = new Map<string, LoadedNamespace>();
  private readonly running = new Map<string, RunningGroup>();
  private readonly state: RulesStateFile;
  private restored = new Map<string, Alert[]>();
  private readonly clock: Clock;
  private readonly log: (message: string) => void;
  private reloading: Promise<void> | undefined;
  private reloadAgain = false;
  private watchers = new Map<string, FSWatcher>();
  private debounce: NodeJS.Timeout | undefined;
  private stopped = false;
  /** evaluations done and failed rule evaluations, for /metrics */
  readonly counters = { evaluations: 0, ruleFailures: 0 };
  externalURL: string;

  constructor(private readonly opts: RuleManagerOptions) {
    this.externalURL = opts.externalURL ?? '';
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? ((m) => process.stderr.write(`sightline: ${m}\n`));
    this.state = new RulesStateFile(opts.stateFile, () => this.snapshot(), (e) => this.log(e.message));
  }

  get groupCount(): number {
    return this.running.size;
  }

  get rulesDir(): string {
    return this.opts.rulesDir;
  }

  async start(): Promise<void> {
    mkdirSync(this.opts.rulesDir, { recursive: true });
    this.restored = this.state.load();
    await this.reload();
    // alerts of rules that no longer exist are not carried further
    this.restored.clear();
    if (this.opts.watch !== false) this.watchDirs();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.debounce) clearTimeout(this.debounce);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    while (this.reloading) await this.reloading;
    await Promise.all([...this.running.values()].map((g) => g.runner.stop()));
    await this.state.flush();
  }

  /** Re-reads rules_dir; concurrent calls coalesce into one more pass. */
  reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      try {
        do {
          this.reloadAgain = false;
          await this.reloadOnce();
        } while (this.reloadAgain);
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  private async reloadOnce(): Promise<void> {
    const seen = new Set<string>();
    for (const f of listNamespaceFiles(this.opts.rulesDir)) {
      const key = nsKey(f.tenant, f.namespace);
      seen.add(key);
      const text = readNamespaceText(f.file);
      if (text === undefined) continue;
      const prev = this.namespaces.get(key);
      if (prev && prev.text === text && prev.file === f.file) continue;
      const parsed = parseRuleFile(text, f.file);
      if (parsed.errors.length > 0) {
        const message = formatRuleErrors(parsed.errors).trimEnd();
        this.log(`rule file ${f.file} has errors; ${prev && !prev.error ? 'its previous version keeps running' : 'its groups are not loaded'}:\n${message}`);
        this.namespaces.set(key, { ...f, text, groups: prev?.groups ?? [], error: message });
        continue;
      }
      if (prev?.error) this.log(`rule file ${f.file} loads again`);
      else if (prev) this.log(`rule file ${f.file} reloaded: ${parsed.groups.length} group${parsed.groups.length === 1 ? '' : 's'}`);
      this.namespaces.set(key, { ...f, text, groups: parsed.groups });
    }
    for (const key of [...this.namespaces.keys()]) if (!seen.has(key)) this.namespaces.delete(key);
    await this.syncGroups();
    if (this.opts.watch !== false && !this.stopped) this.watchDirs();
  }

  private async syncGroups(): Promise<void> {
    const desired = new Map<string, { ns: LoadedNamespace; group: RuleGroup }>();
    for (const ns of this.namespaces.values()) for (const group of ns.groups) desired.set(JSON.stringify([ns.tenant, ns.namespace, group.name]), { ns, group });
    let changed = false;
    for (const [key, old] of [...this.running]) {
      if (desired.has(key)) continue;
      await old.runner.stop();
      this.running.delete(key);
      changed = true;
    }
    for (const [key, { ns, group }] of desired) {
      const definition = JSON.stringify(groupObject(group));
      const old = this.running.get(key);
      if (old && old.definition === definition) continue;
      if (old) await old.runner.stop();
      if (this.stopped) return;
      const status = newGroupStatus(ns.tenant, ns.namespace, group);
      this.carryState(status, old?.status);
      const intervalMs = group.intervalMs || DEFAULT_INTERVAL_MS;
      const runner = new GroupRunner(intervalMs, groupOffsetMs(key, intervalMs), (t) => this.evaluate(status, intervalMs, t), this.clock);
      this.running.set(key, { status, runner, intervalMs, definition });
      runner.start();
      changed = true;
    }
    if (changed) void this.state.changed();
  }

  /** Gives the new group's rules the alerts of the same rules (by name and labels) in the old group or the saved state. */
  private carryState(status: GroupStatus, old: GroupStatus | undefined): void {
    const pool = new Map<string, Map<string, Alert>[]>();
    if (old) {
      for (const rs of old.rules) {
        if (rs.rule.kind !== 'alert') continue;
        const k = ruleStateKey(old.tenant, old.namespace, old.group.name, rs.rule.name, rs.rule.labels);
        pool.set(k, [...(pool.get(k) ?? []), rs.active]);
      }
    }
    for (const rs of status.rules) {
      if (rs.rule.kind !== 'alert') continue;
      const k = ruleStateKey(status.tenant, status.namespace, status.group.name, rs.rule.name, rs.rule.labels);
      const fromOld = pool.get(k)?.shift();
      if (fromOld) {
        rs.active = fromOld;
        continue;
      }
      const saved = this.restored.get(k);
      if (saved) {
        this.restored.delete(k);
        for (const a of saved) rs.active.set(a.fingerprint, { ...a, value: typeof a.value === 'number' ? a.value : NaN });
      }
    }
  }

  private async evaluate(status: GroupStatus, intervalMs: number, tMs: number): Promise<void> {
    const transitions = await evaluateGroup(status, tMs, { query: this.opts.query, append: this.opts.append, externalLabels: this.opts.externalLabels, externalURL: this.externalURL });
    this.counters.evaluations++;
    for (const rs of status.rules) if (rs.health === 'err') this.counters.ruleFailures++;
    if (transitions.length > 0) {
      void this.state.changed();
      this.opts.onTransitions?.(transitions);
    }
    try {
      this.opts.sink?.receive(status.tenant, this.notices(status, intervalMs, tMs), tMs);
    } catch (e) {
      this.log(`alerts of group ${JSON.stringify(status.group.name)} (${status.tenant}/${status.namespace}) could not be handed to notification: ${(e as Error).message}`);
    }
  }

  /** The group's firing alerts and its resolved ones still within retention, as Prometheus sends them on. */
  private notices(status: GroupStatus, intervalMs: number, tMs: number): AlertNotice[] {
    const out: AlertNotice[] = [];
    const validFor = 4 * Math.max(intervalMs, 60_000);
    const base = this.externalURL;
    for (const rs of status.rules) {
      if (rs.rule.kind !== 'alert') continue;
      for (const a of rs.active.values()) {
        if (a.state === 'pending') continue;
        if (a.state === 'inactive' && (a.resolvedAtMs === undefined || tMs - a.resolvedAtMs > RESOLVED_RETENTION_MS)) continue;
        out.push({
          labels: a.labels,
          annotations: a.annotations,
          state: a.state === 'firing' ? 'firing' : 'resolved',
          startsAtMs: a.activeAtMs,
          endsAtMs: a.state === 'firing' ? tMs + validFor : a.resolvedAtMs!,
          generatorURL: generatorUrl(base, rs.rule.expr),
          value: a.value,
        });
      }
    }
    return out;
  }

  private snapshot(): Map<string, Alert[]> {
    const out = new Map<string, Alert[]>();
    for (const g of this.running.values()) {
      const s = g.status;
      for (const rs of s.rules) {
        if (rs.rule.kind !== 'alert' || rs.active.size === 0) continue;
        const k = ruleStateKey(s.tenant, s.namespace, s.group.name, rs.rule.name, rs.rule.labels);
        out.set(k, [...(out.get(k) ?? []), ...rs.active.values()]);
      }
    }
    // saved alerts whose rules have not been loaded yet (start-up) are kept
    for (const [k, v] of this.restored) if (!out.has(k)) out.set(k, v);
    return out;
  }

  private watchDirs(): void {
    const dirs = new Set([this.opts.rulesDir]);
    for (const f of listNamespaceFiles(this.opts.rulesDir)) dirs.add(path.dirname(f.file));
    // tenant directories without files yet
    for (const d of listTenantDirs(this.opts.rulesDir)) dirs.add(d);
    for (const d of dirs) {
      if (this.watchers.has(d)) continue;
      try {
        const w = watch(d, () => this.scheduleReload());
        w.on('error', () => {
          w.close();
          this.watchers.delete(d);
        });
        this.watchers.set(d, w);
      } catch {
        // directory gone between listing and watching
      }
    }
    for (const [d, w] of this.watchers) {
      if (!dirs.has(d)) {
        w.close();
        this.watchers.delete(d);
      }
    }
  }

  private scheduleReload(): void {
    if (this.stopped) return;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.reload().catch((e: Error) => this.log(`rules reload failed: ${e.message}`));
    }, RELOAD_DEBOUNCE_MS);
    this.debounce.unref();
  }

  // ---------------------------------------------------------------- what the ruler API reads and writes

  /** A tenant's namespaces and their (last good) groups, sorted by namespace. */
  namespacesOf(tenant: string): Map<string, RuleGroup[]> {
    const out = new Map<string, RuleGroup[]>();
    const list = [...this.namespaces.values()].filter((n) => n.tenant === tenant).sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));
    for (const n of list) if (n.groups.length > 0) out.set(n.namespace, n.groups);
    return out;
  }

  /** The running groups of some tenants, by namespace then group order. */
  groupStatuses(tenants: string[]): GroupStatus[] {
    const out: GroupStatus[] = [];
    for (const g of this.running.values()) if (tenants.includes(g.status.tenant)) out.push(g.status);
    const order = (s: GroupStatus) => {
      const groups = this.namespaces.get(nsKey(s.tenant, s.namespace))?.groups ?? [];
      return groups.findIndex((g) => g.name === s.group.name);
    };
    return out.sort((a, b) => (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : order(a) - order(b)));
  }

  private writable(tenant: string, namespace: string): LoadedNamespace | undefined {
    const ns = this.namespaces.get(nsKey(tenant, namespace));
    if (ns?.error) throw new RulerError(409, `the rule file of namespace ${JSON.stringify(namespace)} has errors; fix ${ns.file} first:\n${ns.error}`);
    return ns;
  }

  /** Creates or replaces a group in a namespace (the file is rewritten), then reloads. */
  async setGroup(tenant: string, namespace: string, group: RuleGroup): Promise<void> {
    await this.reload();
    const ns = this.writable(tenant, namespace);
    const groups = [...(ns?.groups ?? [])];
    const i = groups.findIndex((g) => g.name === group.name);
    if (i >= 0) groups[i] = group;
    else groups.push(group);
    writeNamespace(this.opts.rulesDir, tenant, namespace, groups);
    await this.reload();
  }

  /** Deletes one group; false when there is no such group. */
  async deleteGroup(tenant: string, namespace: string, name: string): Promise<boolean> {
    await this.reload();
    const ns = this.writable(tenant, namespace);
    if (!ns || !ns.groups.some((g) => g.name === name)) return false;
    writeNamespace(this.opts.rulesDir, tenant, namespace, ns.groups.filter((g) => g.name !== name));
    await this.reload();
    return true;
  }

  /** Deletes a namespace's file; false when there is none. */
  async deleteNamespace(tenant: string, namespace: string): Promise<boolean> {
    await this.reload();
    const ns = this.namespaces.get(nsKey(tenant, namespace));
    if (!ns) return false;
    rmSync(ns.file, { force: true });
    await this.reload();
    return true;
  }
}
