// A bounded hunt for POST /api/v1/detections/backtest: the hunt's queries narrowed by the caller's LogQL selector
// (its matchers and line filters added to each), a cap on the records read (BacktestLimitError past it), and the
// alerts of only the rules asked for. Nobody is notified and nothing is stored (docs/detection.md "Backtest").

import type { LogQuery, Matcher, PipelineStage } from '../query/ast.ts';
import type { QueryEngine } from '../query/engine.ts';
import { parseLogQuery } from '../query/parser.ts';
import type { LogEntry } from '../query/log-query.ts';
import type { SiemAlert } from './alert.ts';
import { hunt } from './hunt.ts';
import { prefilterQuery } from './prefilter-query.ts';
import type { RuleSet } from './rule-set.ts';

/** Thrown when a backtest would read more records than allowed: the caller narrows the query or the range. */
export class BacktestLimitError extends Error {}

/** A bad `query`: it must be a stream selector, optionally followed by line filters. */
export class BacktestQueryError extends Error {}

export interface Narrowing {
  selector: Matcher[];
  filters: PipelineStage[];
}

/** Parses the narrowing query: `{host="web-1"}`, `{env="prod"} |= "sshd"`. */
export function parseNarrowing(text: string): Narrowing {
  let q: LogQuery;
  try {
    q = parseLogQuery(text);
  } catch (e) {
    throw new BacktestQueryError(`query: ${(e as Error).message}`);
  }
  for (const s of q.stages) {
    // only what can be added to every rule's store query without changing its meaning
    if (s.kind !== 'line_filter' || s.ip || s.op === '|>' || s.op === '!>') {
      throw new BacktestQueryError(`query: only a stream selector and line filters (|= != |~ !~) narrow a backtest; "${text}" has a ${s.kind === 'line_filter' ? `${s.op}${s.ip ? ' ip()' : ''} filter` : `| ${s.kind} stage`}`);
    }
  }
  return { selector: q.selector, filters: q.stages };
}

/** The hunt query with the narrowing's matchers added to its selector and its line filters appended. */
export function narrowQuery(query: string, n: Narrowing | undefined): string {
  if (n === undefined) return query;
  const q = parseLogQuery(query);
  return prefilterQuery({ ...q, selector: [...q.selector, ...n.selector], stages: [...q.stages, ...n.filters] });
}

export interface BacktestOptions {
  engine: Pick<QueryEngine, 'run'>;
  rules: RuleSet;
  tenant: string;
  fromNs: bigint;
  toNs: bigint;
  narrowing?: Narrowing;
  maxRecords: number;
  /** keep only alerts of these rules (an alert's `rule`); undefined keeps all */
  only?: ReadonlySet<string>;
}

export interface BacktestResult {
  alerts: SiemAlert[];
  /** records the rules were run over */
  records: number;
  windows: number;
  queries: string[];
}

export async function backtest(opts: BacktestOptions): Promise<BacktestResult> {
  let read = 0;
  const engine: Pick<QueryEngine, 'run'> = {
    run: async (req) => {
      const outcome = await opts.engine.run({ ...req, query: narrowQuery(req.query, opts.narrowing) });
      const { result } = outcome;
      if (result.resultType === 'streams') {
        let n = 0;
        for (const s of result.streams) n += (s.values as LogEntry[]).length;
        // a full page is thrown away and read again in halves: only the rows a hunt keeps count
        if (n < req.limit) read += n;
        if (read > opts.maxRecords) {
          throw new BacktestLimitError(`the backtest would read more than ${opts.maxRecords} records: narrow it with "query" (a stream selector) or a shorter start..end`);
        }
      }
      return outcome;
    },
  };
  const result = await hunt({ engine, rules: opts.rules, tenant: opts.tenant, fromNs: opts.fromNs, toNs: opts.toNs });
  const alerts = opts.only === undefined ? result.alerts : result.alerts.filter((a) => opts.only!.has(a.rule));
  return { alerts, records: result.records, windows: result.windows, queries: result.queries.map((q) => narrowQuery(q, opts.narrowing)) };
}
