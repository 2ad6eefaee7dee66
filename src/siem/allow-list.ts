// Allow-lists (docs/siem.md, "Suppression and allow-lists"): entries that stop a record from being a rule's event.
// An entry holds when all it gives hold: `selector` (a LogQL stream selector over the record's stream labels), `field`
// with `values` (exact) or `cidr` (networks); a record matching any entry is dropped from the rule (and counted).
// Per native rule (`allow:`) and global (siem.yaml `allow:`, every rule). Parsed through ConfigNode: file:line errors.

import type { ConfigNode } from '../config/config-node.ts';
import type { Labels } from '../model/record.ts';
import { LogQLParseError, parseLogQuery } from '../query/parser.ts';
import { ipInRange, parseIpPattern, type IpRange } from '../query/stages/ip-match.ts';
import { compileMatchers, labelsMatch, type CompiledMatcher } from '../store/stream-matching.ts';

export interface AllowEntry {
  selector?: CompiledMatcher[];
  field?: string;
  values?: Set<string>;
  cidr?: IpRange[];
  /** file:line, for messages */
  where: string;
}

export type AllowList = readonly AllowEntry[];

/** Reads a field of the record (event fields, structured metadata, labels): undefined when absent. */
export type FieldLookup = (name: string) => string | undefined;

export function parseAllowList(node: ConfigNode): AllowEntry[] {
  if (!node.exists) return [];
  return node.items().map((item) => {
    item.onlyKeys(['selector', 'field', 'values', 'cidr']);
    const e: AllowEntry = { where: item.where() };
    const sel = item.get('selector');
    if (sel.exists) {
      const text = sel.string();
      try {
        const q = parseLogQuery(text);
        if (q.stages.length > 0) sel.fail(`expected a stream selector only (e.g. '{service="cron"}'), got stages after it: ${JSON.stringify(text)}`);
        e.selector = compileMatchers(q.selector);
      } catch (err) {
        if (err instanceof LogQLParseError) sel.fail(`invalid LogQL stream selector: ${err.message}`);
        throw err;
      }
    }
    const field = item.get('field');
    const values = item.get('values');
    const cidr = item.get('cidr');
    if (field.exists) {
      e.field = field.string();
      if (values.exists === cidr.exists) item.fail('field: needs values: (exact values) or cidr: (networks), one of them');
      if (values.exists) e.values = new Set(values.stringList());
      if (cidr.exists) {
        e.cidr = cidr.stringList().map((c) => {
          const r = c.includes('/') ? parseIpPattern(c) : null;
          return r ?? cidr.fail(`expected networks in CIDR notation (e.g. 10.0.0.0/8, fd00::/8), got ${JSON.stringify(c)}`);
        });
      }
    } else if (values.exists || cidr.exists) item.fail('values: and cidr: need field: (the field they test)');
    if (e.selector === undefined && e.field === undefined) item.fail('expected selector: and/or field: with values: or cidr:');
    return e;
  });
}

/** Whether a record is allowed (matches an entry) and so is not an event of the rule. */
export function isAllowed(list: AllowList, labels: Labels, lookup: FieldLookup): boolean {
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    if (e.selector !== undefined && !labelsMatch(e.selector, labels)) continue;
    if (e.field !== undefined) {
      const v = lookup(e.field);
      if (v === undefined) continue;
      if (e.values !== undefined && !e.values.has(v)) continue;
      if (e.cidr !== undefined && !e.cidr.some((r) => ipInRange(r, v.trim()))) continue;
    }
    return true;
  }
  return false;
}
