// The rules backtest behind `sightline rules eval`: loads records (native NDJSON: ts, labels, line, metadata) into a
// throwaway store in a temp directory, then evaluates every group on its step grid over the records' time span and
// reports each alert state change in time order. Recording rules write into the same throwaway store, so later rules
// can read them. Nobody is notified.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDbStore } from '../store/duckdb/duckdb-store.ts';
import { QueryEngine } from '../query/engine.ts';
import { parseNativeNdjson } from '../ingest/native-ndjson.ts';
import { DEFAULT_LIMITS } from '../ingest/limits.ts';
import { DEFAULT_TENANT } from '../model/record.ts';
import { engineQuery } from './engine-query.ts';
import { evaluateGroup, newGroupStatus, type RuleTransition } from './group-evaluator.ts';
import { DEFAULT_INTERVAL_MS, type RuleGroup } from './rule-file.ts';

export interface BacktestOptions {
  /** groups with the file (namespace) they came from */
  groups: { namespace: string; group: RuleGroup }[];
  /** the NDJSON text and its name for error messages */
  input: string;
  inputName: string;
  tenant?: string;
  /** evaluation step for every group; default each group's interval */
  stepMs?: number;
  /** override the span (default: first to last record) */
  fromMs?: number;
  toMs?: number;
  onTransition: (t: RuleTransition & { tMs: number }) => void;
  /** bad input lines (`name:line: why`; good ones are kept) and rule evaluation errors */
  onProblem?: (message: string) => void;
}

export interface BacktestSummary {
  records: number;
  rejected: number;
  evaluations: number;
  transitions: number;
  fromMs: number;
  toMs: number;
}

const LINES_PER_BATCH = 20_000;

export async function backtest(opts: BacktestOptions): Promise<BacktestSummary> {
  const tenant = opts.tenant ?? DEFAULT_TENANT;
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-backtest-'));
  const store = await DuckDbStore.open({ dataDir: dir, memoryLimitMb: 256, sealAgeMs: 3_600_000 });
  try {
    // old records are the point of a backtest: no age window
    const limits = { ...DEFAULT_LIMITS, maxAgeMs: Number.MAX_SAFE_INTEGER, maxFutureMs: Number.MAX_SAFE_INTEGER };
    const nowMs = Date.now();
    const lines = opts.input.split('\n');
    let minNs: bigint | undefined;
    let maxNs: bigint | undefined;
    let records = 0;
    let rejected = 0;
    for (let first = 0; first < lines.length; first += LINES_PER_BATCH) {
      const chunk = lines.slice(first, first + LINES_PER_BATCH).join('\n');
      const { batch, errors } = parseNativeNdjson(Buffer.from(chunk), { tenant, limits, nowMs });
      for (const e of errors) {
        rejected++;
        // the adapter numbers lines within the chunk: report the file's line
        const line = (e.line ?? 0) + first;
        opts.onProblem?.(`${opts.inputName}:${line}: ${e.message.replace(/^line \d+: /, '')}`);
      }
      for (const s of batch.streams) {
        for (const ts of s.ts) {
          if (minNs === undefined || ts < minNs) minNs = ts;
          if (maxNs === undefined || ts > maxNs) maxNs = ts;
        }
      }
      if (batch.entries > 0) await store.append(batch);
      records += batch.entries;
    }
    const fromMs = opts.fromMs ?? (minNs === undefined ? 0 : Number(minNs / 1_000_000n));
    const toMs = opts.toMs ?? (maxNs === undefined ? -1 : Number(maxNs / 1_000_000n));

    // every (time, group) evaluation, in time order; groups at the same time in file order
    const statuses = opts.groups.map((g) => newGroupStatus(tenant, g.namespace, g.group));
    const schedule: { tMs: number; index: number }[] = [];
    statuses.forEach((s, index) => {
      const step = opts.stepMs ?? (s.group.intervalMs || DEFAULT_INTERVAL_MS);
      for (let t = Math.ceil(fromMs / step) * step; t <= toMs; t += step) schedule.push({ tMs: t, index });
    });
    schedule.sort((a, b) => a.tMs - b.tMs || a.index - b.index);

    const engine = new QueryEngine(store);
    const deps = { query: engineQuery(engine), append: (b: Parameters<DuckDbStore['append']>[0]) => store.append(b) };
    let transitions = 0;
    for (const { tMs, index } of schedule) {
      const status = statuses[index];
      for (const t of await evaluateGroup(status, tMs, deps)) {
        transitions++;
        opts.onTransition({ ...t, tMs });
      }
      for (const rs of status.rules) {
        if (rs.health === 'err') opts.onProblem?.(`${status.namespace}: group ${JSON.stringify(status.group.name)}, rule ${JSON.stringify(rs.rule.name)} at ${new Date(tMs).toISOString()}: ${rs.lastError}`);
      }
    }
    return { records, rejected, evaluations: schedule.length, transitions, fromMs, toMs };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
