// The Sigma mapping file, in the spirit of pySigma processing pipelines: field name mappings (Sigma field → event
// field names), `expand` placeholders, and per logsource (product/category/service) a LogQL query whose selector picks
// the streams the rules run on and whose parser stages extract their fields. Without an entry for a rule's logsource,
// the default applies: product/category/service must equal labels of the same names where an event has them.

import { readFileSync } from 'node:fs';
import { ConfigError, ConfigNode } from '../../config/config-node.ts';
import type { LogQuery } from '../../query/ast.ts';
import { LogQLParseError, parseLogQuery } from '../../query/parser.ts';
import type { Logsource } from './sigma-ast.ts';

export interface LogsourceEntry {
  logsource: Logsource;
  /** the LogQL log query as written, and parsed */
  queryText: string;
  query: LogQuery;
  /** field mappings for the rules of this logsource, over the global ones */
  fields: Map<string, string[]>;
  /** `file:line` of the entry */
  where: string;
}

export interface LogsourceMapping {
  file: string;
  fields: Map<string, string[]>;
  placeholders: Map<string, string[]>;
  logsources: LogsourceEntry[];
}

export const EMPTY_MAPPING: LogsourceMapping = { file: '(default)', fields: new Map(), placeholders: new Map(), logsources: [] };

const LOGSOURCE_KEYS = ['product', 'category', 'service'] as const;

function fieldMap(node: ConfigNode): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!node.exists) return out;
  for (const [k, v] of node.entries()) {
    const names = v.stringList();
    if (names.length === 0) v.fail('expected a field name or a list of field names');
    out.set(k, names);
  }
  return out;
}

export function parseMapping(text: string, file: string): LogsourceMapping {
  const root = ConfigNode.parse(text, file);
  if (!root.exists) return { ...EMPTY_MAPPING, file };
  root.onlyKeys(['fields', 'placeholders', 'logsources']);
  const placeholders = new Map<string, string[]>();
  const ph = root.get('placeholders');
  if (ph.exists) for (const [k, v] of ph.entries()) placeholders.set(k, v.stringList());
  const logsources: LogsourceEntry[] = [];
  const ls = root.get('logsources');
  if (ls.exists) {
    for (const item of ls.items()) {
      item.onlyKeys(['logsource', 'query', 'fields']);
      const src = item.get('logsource');
      const logsource: Logsource = {};
      if (src.exists) {
        src.onlyKeys(LOGSOURCE_KEYS);
        for (const k of LOGSOURCE_KEYS) {
          const v = src.get(k).optionalString();
          if (v !== undefined) logsource[k] = v.toLowerCase();
        }
      }
      const qNode = item.get('query');
      const queryText = qNode.string();
      let query: LogQuery;
      try {
        query = parseLogQuery(queryText);
      } catch (e) {
        if (e instanceof LogQLParseError) qNode.fail(`invalid LogQL log query: ${e.message}`);
        throw e;
      }
      logsources.push({ logsource, queryText, query, fields: fieldMap(item.get('fields')), where: item.where() });
    }
  }
  return { file, fields: fieldMap(root.get('fields')), placeholders, logsources };
}

export function loadMapping(file: string): LogsourceMapping {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${file}: cannot read mapping file: ${(e as Error).message}`, file);
  }
  return parseMapping(text, file);
}

/** The most specific entry whose every given key equals the rule's logsource (ties: the first in the file). */
export function entryFor(mapping: LogsourceMapping, logsource: Logsource): LogsourceEntry | undefined {
  let best: LogsourceEntry | undefined;
  let bestKeys = -1;
  for (const e of mapping.logsources) {
    let keys = 0;
    let ok = true;
    for (const k of LOGSOURCE_KEYS) {
      const want = e.logsource[k];
      if (want === undefined) continue;
      if (logsource[k] !== want) {
        ok = false;
        break;
      }
      keys++;
    }
    if (ok && keys > bestKeys) {
      best = e;
      bestKeys = keys;
    }
  }
  return best;
}

/**
 * The event field names to try for a Sigma field: the logsource entry's mapping, else the global one, else the name
 * itself; a dotted name (`userIdentity.arn`) is also tried as LogQL's `| json` flattens it (`userIdentity_arn`).
 */
export function fieldCandidates(mapping: LogsourceMapping, entry: LogsourceEntry | undefined, name: string): string[] {
  const mapped = entry?.fields.get(name) ?? mapping.fields.get(name);
  const base = mapped ?? [name];
  const out = [...base];
  for (const n of base) {
    if (n.includes('.') || n.includes('-')) {
      const flat = n.replace(/[.-]/g, '_');
      if (!out.includes(flat)) out.push(flat);
    }
  }
  return out;
}
