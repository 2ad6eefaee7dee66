// Where rules live on disk: `<rules_dir>/<tenant>/<namespace>.yaml` (or .yml), one rule file per namespace, as the
// Loki/Cortex ruler API names them. Namespace names may hold any character: in file names they are percent-encoded
// (`my alerts` → `my%20alerts.yaml`). Also renders groups back to YAML in the ruler's shape (what GET returns and what
// POST writes), with durations in Prometheus' form.

import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { formatPromDuration } from './prom-duration.ts';
import type { Rule, RuleGroup } from './rule-file.ts';
import { writeFileAtomic } from './rules-state-file.ts';

const TENANT_DIR = /^[a-zA-Z0-9!\-_.*'()]{1,150}$/;

export interface NamespaceFile {
  tenant: string;
  namespace: string;
  file: string;
}

export function namespaceFileName(namespace: string): string {
  return encodeURIComponent(namespace).replace(/\*/g, '%2A') + '.yaml';
}

function namespaceOf(fileName: string): string | undefined {
  const base = fileName.replace(/\.ya?ml$/, '');
  try {
    return decodeURIComponent(base);
  } catch {
    return base;
  }
}

/** Every rule file under `dir`, by tenant (sub-directories) and namespace (file name). */
export function listNamespaceFiles(dir: string): NamespaceFile[] {
  const out: NamespaceFile[] = [];
  let tenants: string[];
  try {
    tenants = readdirSync(dir);
  } catch {
    return out;
  }
  for (const tenant of tenants.sort()) {
    const tdir = path.join(dir, tenant);
    if (!TENANT_DIR.test(tenant) || tenant === '.' || tenant === '..' || !isDir(tdir)) continue;
    for (const name of readdirSync(tdir).sort()) {
      if (!/\.ya?ml$/.test(name) || name.startsWith('.')) continue;
      const file = path.join(tdir, name);
      if (!isFile(file)) continue;
      out.push({ tenant, namespace: namespaceOf(name)!, file });
    }
  }
  return out;
}

/** The tenant sub-directories of rules_dir (empty when it does not exist). */
export function listTenantDirs(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((t) => TENANT_DIR.test(t) && t !== '.' && t !== '..')
      .map((t) => path.join(dir, t))
      .filter(isDir);
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The file a namespace is written to (an existing .yml keeps its name). */
export function namespacePath(dir: string, tenant: string, namespace: string): string {
  const yaml = path.join(dir, tenant, namespaceFileName(namespace));
  const yml = yaml.replace(/\.yaml$/, '.yml');
  return !existsSync(yaml) && existsSync(yml) ? yml : yaml;
}

export function readNamespaceText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Writes a namespace's groups (removing the file when none are left). */
export function writeNamespace(dir: string, tenant: string, namespace: string, groups: RuleGroup[]): void {
  const file = namespacePath(dir, tenant, namespace);
  if (groups.length === 0) {
    rmSync(file, { force: true });
    return;
  }
  writeFileAtomic(file, renderRuleFile(groups));
}

function ruleObject(r: Rule): Record<string, unknown> {
  const o: Record<string, unknown> = r.kind === 'alert' ? { alert: r.name } : { record: r.name };
  o.expr = r.expr;
  if (r.kind === 'alert') {
    if (r.forMs > 0) o.for = formatPromDuration(r.forMs);
    if (r.keepFiringForMs > 0) o.keep_firing_for = formatPromDuration(r.keepFiringForMs);
  }
  if (Object.keys(r.labels).length > 0) o.labels = r.labels;
  if (r.kind === 'alert' && Object.keys(r.annotations).length > 0) o.annotations = r.annotations;
  return o;
}

/** A group as the ruler API shows it: name, interval, limit, query_offset, labels, rules (empty fields left out). */
export function groupObject(g: RuleGroup): Record<string, unknown> {
  const o: Record<string, unknown> = { name: g.name };
  if (g.intervalMs > 0) o.interval = formatPromDuration(g.intervalMs);
  if (g.limit > 0) o.limit = g.limit;
  if (g.queryOffsetMs > 0) o.query_offset = formatPromDuration(g.queryOffsetMs);
  if (Object.keys(g.labels).length > 0) o.labels = g.labels;
  o.rules = g.rules.map(ruleObject);
  return o;
}

export function renderYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}

export function renderRuleFile(groups: RuleGroup[]): string {
  return renderYaml({ groups: groups.map(groupObject) });
}
