// `threat_intel` processor: tags events whose fields (or, optionally, line) hold a known indicator of compromise:
// an IP in a listed address or CIDR network, a host in a listed domain or one of its subdomains, a listed MD5/SHA-1/
// SHA-256. Lists are text files (one indicator a line, `#` comments) or CSV files (one column), loaded at build
// and re-read when they change. A match sets `threat.matched`, `.indicator`, `.type`, `.list`, `.field`, `.value`.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigNode } from '../../config/config-node.ts';
import { CsvError, parseCsv } from '../csv-table.ts';
import type { PipelineEvent } from '../event.ts';
import { FileReloader } from '../file-reloader.ts';
import { IndicatorIndex, parseIndicator, type Indicator, type IndicatorMatch, type IndicatorType } from '../indicator-index.ts';
import { parseIp } from '../ip-address.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorContext, type ProcessorEnv, type ProcessorType } from '../processor.ts';

const LIST_TYPES = ['auto', 'ip', 'domain', 'hash'] as const;

interface ListSpec {
  name: string;
  type: (typeof LIST_TYPES)[number];
  column: string | undefined;
  skipInvalid: boolean;
}

/** Reads one indicator list; a bad entry fails with file:line unless `on_invalid: skip`. */
export function loadIndicatorList(path: string, spec: ListSpec): Indicator[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const only: IndicatorType | undefined = spec.type === 'auto' ? undefined : spec.type;
  const entries: { line: number; text: string }[] = [];
  if (spec.column !== undefined) {
    let rows;
    try {
      rows = parseCsv(text);
    } catch (e) {
      if (e instanceof CsvError) throw new Error(`${path}:${e.line}: ${e.message}`);
      throw e;
    }
    const header = rows[0]?.values.map((h) => h.trim()) ?? [];
    const col = header.indexOf(spec.column);
    if (col === -1) throw new Error(`${path}:1: no column ${JSON.stringify(spec.column)} in the header (columns: ${header.join(', ')})`);
    for (let r = 1; r < rows.length; r++) {
      const v = rows[r]!.values[col]?.trim() ?? '';
      if (v !== '' && !v.startsWith('#')) entries.push({ line: rows[r]!.line, text: v });
    }
  } else {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      let l = lines[i]!;
      const hash = l.indexOf('#');
      if (hash !== -1) l = l.slice(0, hash);
      l = l.trim();
      if (l !== '') entries.push({ line: i + 1, text: l });
    }
  }
  const out: Indicator[] = [];
  let bad = 0;
  let firstBad = '';
  for (const e of entries) {
    const ind = parseIndicator(e.text, only);
    if (ind !== null) out.push(ind);
    else if (bad++ === 0) firstBad = `${path}:${e.line}: not ${only === undefined ? 'an IP address, CIDR network, domain or MD5/SHA-1/SHA-256 hash' : `a valid ${only} indicator`}: ${JSON.stringify(e.text.slice(0, 100))}`;
  }
  if (bad > 0 && !spec.skipInvalid) throw new Error(bad === 1 ? firstBad : `${firstBad} (and ${bad - 1} more bad entries; on_invalid: skip ignores them)`);
  return out;
}

function isTokenChar(c: number): boolean {
  return (c >= 48 && c <= 58) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 45 || c === 95;
}

/** Looks for indicators in free text: tokens of letters, digits, `.`, `-`, `_` and `:` (addresses with ports, IPv6). */
function matchLine(index: IndicatorIndex, line: string): { match: IndicatorMatch; value: string } | null {
  const n = line.length;
  let i = 0;
  while (i < n) {
    while (i < n && !isTokenChar(line.charCodeAt(i))) i++;
    const s = i;
    while (i < n && isTokenChar(line.charCodeAt(i))) i++;
    let e = i;
    while (e > s && (line.charCodeAt(e - 1) === 46 || line.charCodeAt(e - 1) === 58 || line.charCodeAt(e - 1) === 45)) e--;
    if (e - s < 4) continue;
    const token = line.slice(s, e);
    let m: IndicatorMatch | null = null;
    const ip = index.hasIps ? parseIp(token) : null;
    if (ip !== null) m = index.matchIp(ip);
    else if (index.hasHashes && (e - s === 32 || e - s === 40 || e - s === 64)) m = index.matchHash(token);
    if (m === null && ip === null && index.hasDomains && token.includes('.')) {
      const colon = token.indexOf(':');
      m = index.matchDomain(colon === -1 ? token : token.slice(0, colon));
    }
    if (m !== null) return { match: m, value: token };
  }
  return null;
}

export const threatIntelProcessor: ProcessorType = {
  type: 'threat_intel',
  description: 'tags events whose IPs, domains or file hashes appear in indicator-of-compromise lists',
  build(node: ConfigNode, env: ProcessorEnv): Processor {
    node.onlyKeys([...COMMON_PROCESSOR_KEYS, 'lists', 'fields', 'line', 'target', 'reload_interval']);
    const fields = node.get('fields').stringList([]);
    const scanLine = node.get('line').boolean(false);
    if (fields.length === 0 && !scanLine) node.fail('expected fields to check (fields: [client_ip, …]) or line: true');
    const target = node.get('target').string('threat');
    const interval = node.get('reload_interval').durationMs(300_000);
    const names = {
      matched: `${target}.matched`,
      indicator: `${target}.indicator`,
      type: `${target}.type`,
      list: `${target}.list`,
      field: `${target}.field`,
      value: `${target}.value`,
    };
    const listsNode = node.get('lists');
    if (!listsNode.exists) node.fail('lists: is required (expected a list of { name, file } entries)');
    const lists: FileReloader<Indicator[]>[] = [];
    const specs: ListSpec[] = [];
    const seen = new Set<string>();
    for (const item of listsNode.items()) {
      item.onlyKeys(['name', 'file', 'type', 'column', 'on_invalid']);
      const fileNode: ConfigNode = item.get('file');
      const path = resolve(env.configDir, fileNode.string());
      const name = item.get('name').string(path.split(/[\\/]/).pop()!.replace(/\.[^.]*$/, ''));
      if (seen.has(name)) item.get('name').fail(`duplicate list name ${JSON.stringify(name)}`);
      seen.add(name);
      const spec: ListSpec = {
        name,
        type: item.get('type').oneOf(LIST_TYPES, 'auto'),
        column: item.get('column').optionalString(),
        skipInvalid: item.get('on_invalid').oneOf(['error', 'skip'] as const, 'error') === 'skip',
      };
      try {
        lists.push(new FileReloader(path, interval, (p) => loadIndicatorList(p, spec)));
      } catch (e) {
        fileNode.fail((e as Error).message);
      }
      specs.push(spec);
    }
    const build = (): IndicatorIndex => {
      const index = new IndicatorIndex();
      for (let i = 0; i < lists.length; i++) for (const ind of lists[i]!.value) index.add(ind, specs[i]!.name);
      return index;
    };
    let index = build();
    let versions = lists.map((l) => l.version).join(',');

    return {
      process(events: PipelineEvent[], ctx: ProcessorContext): PipelineEvent[] {
        for (const l of lists) {
          const problem = l.refresh(ctx.nowMs);
          if (problem !== undefined) ctx.warn(`threat_intel: ${problem}`);
        }
        const now = lists.map((l) => l.version).join(',');
        if (now !== versions) {
          versions = now;
          index = build();
        }
        for (let i = 0; i < events.length; i++) {
          const ev = events[i]!;
          let match: IndicatorMatch | null = null;
          let where = '';
          let value = '';
          for (let f = 0; f < fields.length && match === null; f++) {
            const v = ev.fields[fields[f]!];
            if (typeof v !== 'string') continue;
            match = index.matchValue(v);
            if (match !== null) {
              where = fields[f]!;
              value = v;
            }
          }
          if (match === null && scanLine) {
            const m = matchLine(index, ev.line);
            if (m !== null) {
              match = m.match;
              where = 'line';
              value = m.value;
            }
          }
          if (match === null) continue;
          const out = ev.fields;
          out[names.matched] = true;
          out[names.indicator] = match.indicator;
          out[names.type] = match.type;
          out[names.list] = match.lists;
          out[names.field] = where;
          out[names.value] = value;
        }
        return events;
      },
    };
  },
};
