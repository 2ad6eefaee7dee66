// Test helpers for the pipeline stages: run stages over one line and read the result as plain data, and read
// Loghub sample files (../shared/data/loghub, see its README and LICENSE) at test time.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { PipelineStage } from '../../../src/query/ast.ts';
import { compilePipeline, type CompiledPipeline, type StageRow } from '../../../src/query/stages/pipeline.ts';

export const TS = 1700000000123456789n; // 2023-11-14T22:13:20.123456789Z

export interface Outcome {
  kept: boolean;
  line: string;
  labels: Record<string, string>;
}

export function rowOf(line: string, labels: Record<string, string> = {}, tsNs = TS): StageRow {
  return { line, tsNs, labels: new Map(Object.entries(labels)) };
}

export function outcome(kept: boolean, row: StageRow): Outcome {
  const labels: Record<string, string> = {};
  for (const k of [...row.labels.keys()].sort()) labels[k] = row.labels.get(k)!;
  return { kept, line: row.line, labels };
}

/** Compiles `stages` and runs them over one line. */
export function run(stages: PipelineStage[], line: string, labels: Record<string, string> = {}, tsNs = TS): Outcome {
  const row = rowOf(line, labels, tsNs);
  return outcome(compilePipeline(stages)(row), row);
}

/** Runs an already compiled pipeline (to check that state does not leak between rows). */
export function runCompiled(p: CompiledPipeline, line: string, labels: Record<string, string> = {}): Outcome {
  const row = rowOf(line, labels);
  return outcome(p(row), row);
}

const LOGHUB = join(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared/data/loghub');

export function loghubLines(system: string): string[] {
  const text = readFileSync(join(LOGHUB, system, `${system}_2k.log`), 'utf8');
  return text.split(/\r?\n/).filter((l) => l.length > 0);
}

/** The `_structured.csv` Loghub ships next to each sample: one record per line, header names as keys. */
export function loghubStructured(system: string): Record<string, string>[] {
  const text = readFileSync(join(LOGHUB, system, `${system}_2k.log_structured.csv`), 'utf8');
  const rows = parseCsv(text);
  const header = rows[0]!;
  return rows.slice(1).filter((r) => r.length === header.length).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]!])));
}

/** RFC 4180 CSV: quoted fields with doubled quotes, CRLF or LF line ends. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
