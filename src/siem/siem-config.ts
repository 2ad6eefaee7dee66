// The SIEM's config file (`siem.yaml`, docs/siem.md "Configuration"): which rule files and folders to load, the Sigma
// mapping file, the reorder window, memory bounds, the snapshot period, the enrichment data and the global allow-list. Relative paths
// resolve against the file's directory. Read through ConfigNode: errors are `file:line: path: expected …`.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, ConfigNode } from '../config/config-node.ts';
import { parseAllowList, type AllowEntry } from './allow-list.ts';

export interface SiemConfig {
  file: string;
  /** rule files and folders (native YAML, Sigma .yml) */
  rules: string[];
  mapping?: string;
  reorderWindowMs: number;
  maxGroupsPerRule: number;
  snapshotIntervalMs: number;
  /** tenants whose records the rules see (default: all) */
  tenants?: string[];
  geoipDatabases?: string[];
  threatIntelLists?: unknown[];
  /** records no rule sees as an event (docs/siem.md, "Suppression and allow-lists") */
  allow: AllowEntry[];
}

export const SIEM_DEFAULTS = { reorderWindowMs: 10_000, maxGroupsPerRule: 100_000, snapshotIntervalMs: 30_000 };

export function parseSiemConfig(text: string, file: string): SiemConfig {
  const root = ConfigNode.parse(text, file);
  root.onlyKeys(['rules', 'mapping', 'reorder_window', 'max_groups_per_rule', 'snapshot_interval', 'tenants', 'enrichment', 'allow']);
  const dir = path.dirname(path.resolve(file));
  const abs = (p: string) => path.resolve(dir, p);
  const rules = root.get('rules').stringList().map(abs);
  if (rules.length === 0) root.get('rules').fail('expected at least one rule file or folder');
  const enrich = root.get('enrichment');
  let geoipDatabases: string[] | undefined;
  let threatIntelLists: unknown[] | undefined;
  if (enrich.exists) {
    enrich.onlyKeys(['geoip_database', 'threat_intel_lists']);
    geoipDatabases = enrich.get('geoip_database').exists ? enrich.get('geoip_database').stringList().map(abs) : undefined;
    const lists = enrich.get('threat_intel_lists');
    if (lists.exists) {
      threatIntelLists = lists.items().map((item) => {
        // the threat_intel processor's list entries (docs/pipeline.md), checked again when the enricher builds it
        item.onlyKeys(['name', 'file', 'url', 'type', 'format', 'column', 'on_invalid', 'headers', 'headers_env', 'max_bytes', 'timeout']);
        const v = item.value as Record<string, unknown>;
        if (item.get('url').exists) {
          if (item.get('file').exists) item.fail('expected either file: or url: (one of them)');
          return { ...v, url: item.get('url').string() };
        }
        return { ...v, file: abs(item.get('file').string()) };
      });
    }
  }
  const mapping = root.get('mapping').optionalString();
  return {
    file,
    rules,
    mapping: mapping === undefined ? undefined : abs(mapping),
    reorderWindowMs: root.get('reorder_window').durationMs(SIEM_DEFAULTS.reorderWindowMs),
    maxGroupsPerRule: root.get('max_groups_per_rule').integer(SIEM_DEFAULTS.maxGroupsPerRule, 1, 100_000_000),
    snapshotIntervalMs: root.get('snapshot_interval').durationMs(SIEM_DEFAULTS.snapshotIntervalMs),
    tenants: root.get('tenants').exists ? root.get('tenants').stringList() : undefined,
    geoipDatabases,
    threatIntelLists,
    allow: parseAllowList(root.get('allow')),
  };
}

export function loadSiemConfig(file: string): SiemConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${file}: cannot read the SIEM config: ${(e as Error).message}`, file);
  }
  return parseSiemConfig(text, file);
}
