// `lookup` processor: enriches events from a CSV table: the value of an event field is looked up in the table's key
// column and the row's other columns become fields. The table is loaded at build (a bad file fails the config) and
// re-read when the file changes.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigNode } from '../../config/config-node.ts';
import { parseCsv, CsvError } from '../csv-table.ts';
import type { PipelineEvent } from '../event.ts';
import { FileReloader } from '../file-reloader.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorContext, type ProcessorEnv, type ProcessorType } from '../processor.ts';

/** key → the (field name, value) pairs of its row */
type Table = Map<string, [string, string][]>;

interface TableSpec {
  keyColumn: string | undefined;
  columns: string[] | undefined;
  target: string;
  ignoreCase: boolean;
}

/** Reads a lookup table; errors name the file and line. */
export function loadTable(path: string, spec: TableSpec): Table {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let rows;
  try {
    rows = parseCsv(text);
  } catch (e) {
    if (e instanceof CsvError) throw new Error(`${path}:${e.line}: ${e.message}`);
    throw e;
  }
  if (rows.length === 0) throw new Error(`${path}: empty file (expected a header row naming the columns)`);
  const header = rows[0]!.values.map((h) => h.trim());
  const keyColumn = spec.keyColumn ?? header[0]!;
  const keyIndex = header.indexOf(keyColumn);
  if (keyIndex === -1) throw new Error(`${path}:1: no column ${JSON.stringify(keyColumn)} in the header (columns: ${header.join(', ')})`);
  const wanted = spec.columns ?? header.filter((_, i) => i !== keyIndex);
  const indexes = wanted.map((c) => {
    const i = header.indexOf(c);
    if (i === -1) throw new Error(`${path}:1: no column ${JSON.stringify(c)} in the header (columns: ${header.join(', ')})`);
    return i;
  });
  const prefix = spec.target === '' ? '' : `${spec.target}.`;
  const names = wanted.map((c) => prefix + c);
  const table: Table = new Map();
  for (let r = 1; r < rows.length; r++) {
    const { values } = rows[r]!;
    let key = (values[keyIndex] ?? '').trim();
    if (key === '') continue;
    if (spec.ignoreCase) key = key.toLowerCase();
    if (table.has(key)) continue; // the first row of a key wins
    const pairs: [string, string][] = [];
    for (let c = 0; c < indexes.length; c++) {
      const v = values[indexes[c]!];
      if (v !== undefined && v !== '') pairs.push([names[c]!, v]);
    }
    table.set(key, pairs);
  }
  return table;
}

export const lookupProcessor: ProcessorType = {
  type: 'lookup',
  description: 'adds the columns of a CSV table row whose key column matches a field',
  build(node: ConfigNode, env: ProcessorEnv): Processor {
    node.onlyKeys([...COMMON_PROCESSOR_KEYS, 'file', 'field', 'key_column', 'columns', 'target', 'ignore_case', 'overwrite', 'reload_interval']);
    const fileNode: ConfigNode = node.get('file');
    const path = resolve(env.configDir, fileNode.string());
    const field = node.get('field').string();
    const spec: TableSpec = {
      keyColumn: node.get('key_column').optionalString(),
      columns: node.get('columns').exists ? node.get('columns').stringList() : undefined,
      target: node.get('target').string(''),
      ignoreCase: node.get('ignore_case').boolean(false),
    };
    const overwrite = node.get('overwrite').boolean(true);
    const interval = node.get('reload_interval').durationMs(30_000);
    let table: FileReloader<Table> | undefined;
    try {
      table = new FileReloader(path, interval, (p) => loadTable(p, spec));
    } catch (e) {
      fileNode.fail((e as Error).message);
    }
    const t = table;
    return {
      process(events: PipelineEvent[], ctx: ProcessorContext): PipelineEvent[] {
        const problem = t.refresh(ctx.nowMs);
        if (problem !== undefined) ctx.warn(`lookup: ${problem}`);
        const rows = t.value;
        for (let i = 0; i < events.length; i++) {
          const fields = events[i]!.fields;
          const v = fields[field];
          if (v === undefined || v === null) continue;
          let key = typeof v === 'string' ? v : String(v);
          if (spec.ignoreCase) key = key.toLowerCase();
          const pairs = rows.get(key);
          if (pairs === undefined) continue;
          for (let k = 0; k < pairs.length; k++) {
            const [name, value] = pairs[k]!;
            if (overwrite || fields[name] === undefined) fields[name] = value;
          }
        }
        return events;
      },
    };
  },
};
