// Compiles a store selection into DuckDB SQL over the sources that may hold matching rows
// (sealed Parquet parts and the hot tables). The plan is the contract; this file is the DuckDB dialect.

import type { LineFilterPlan } from '../plan.ts';

/** One place rows live: a hot table or a set of Parquet part files, each with the stream ids worth reading. */
export interface Source {
  kind: 'table' | 'parquet';
  /** table name, or file paths for parquet */
  table?: string;
  files?: string[];
  streamIds: number[];
  /** narrower time bounds (inclusive) of one index block */
  minTs?: bigint;
  maxTs?: bigint;
}

export function sqlString(value: string): string {
  return "'" + value.replaceAll("'", "''") + "'";
}

function linePredicate(f: LineFilterPlan): string {
  const parts = f.values.map((v) => (f.op === 'contains' || f.op === 'not_contains' ? `contains(line, ${sqlString(v)})` : `regexp_matches(line, ${sqlString(v)})`));
  const any = parts.length === 1 ? parts[0] : '(' + parts.join(' OR ') + ')';
  return f.op === 'contains' || f.op === 'regex' ? any : `NOT ${any}`;
}

export function wherePredicate(streamIds: number[], fromNs: bigint, toNs: bigint, lineFilters: LineFilterPlan[], extra?: string): string {
  const conds = [`ts >= ${fromNs}`, `ts < ${toNs}`];
  if (extra) conds.push(extra);
  conds.push(streamIds.length === 1 ? `stream = ${streamIds[0]}` : `stream IN (${streamIds.join(',')})`);
  for (const f of lineFilters) conds.push(linePredicate(f));
  return conds.join(' AND ');
}

function fromClause(s: Source): string {
  if (s.kind === 'table') return s.table!;
  return `read_parquet([${s.files!.map(sqlString).join(', ')}])`;
}

/** `SELECT <columns> FROM src1 WHERE … UNION ALL SELECT … FROM src2 WHERE …` */
export function unionSelect(columns: string, sources: Source[], fromNs: bigint, toNs: bigint, lineFilters: LineFilterPlan[], extra?: string): string {
  return sources
    .map((s) => {
      const from = s.minTs !== undefined && s.minTs > fromNs ? s.minTs : fromNs;
      const to = s.maxTs !== undefined && s.maxTs + 1n < toNs ? s.maxTs + 1n : toNs;
      return `SELECT ${columns} FROM ${fromClause(s)} WHERE ${wherePredicate(s.streamIds, from, to, lineFilters, extra)}`;
    })
    .join('\nUNION ALL\n');
}

/**
 * SQL for `fieldEquals`: each condition holds through the stream's label (streams listed in `byLabel`) or through
 * the row's structured metadata.
 */
export function fieldPredicate(fields: { name: string; value: string; byLabel: number[] }[]): string {
  return fields
    .map((f) => {
      const meta = `json_extract_string(meta, ${sqlString('$."' + f.name + '"')}) = ${sqlString(f.value)}`;
      return f.byLabel.length === 0 ? meta : `(stream IN (${f.byLabel.join(',')}) OR ${meta})`;
    })
    .join(' AND ');
}
