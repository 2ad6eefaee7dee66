// Evaluates one rule group at one timestamp: its rules in order (a recording rule's output is durable before the next
// rule runs, so later rules can read it), each alerting rule through the alert state machine. Errors stay with the
// rule that raised them (health "err", lastError) and never stop the others. The query and the write are injected, so
// the server, the backtest and tests drive the same code.

import type { IngestBatch, Labels } from '../model/record.ts';
import { evaluateAlerts, type Alert, type AlertTransition, type Sample } from './alert-state.ts';
import { recordedBatch } from './recording.ts';
import type { Rule, RuleGroup } from './rule-file.ts';

/** Runs a metric query at `tNs` for one tenant and returns its samples (a scalar is one sample without labels). */
export type QueryFn = (expr: string, tenant: string, tNs: bigint) => Promise<Sample[]>;
/** Appends recorded samples; resolves once durable. */
export type AppendFn = (batch: IngestBatch) => Promise<void>;

export interface RuleStatus {
  rule: Rule;
  health: 'unknown' | 'ok' | 'err';
  lastError: string;
  lastEvaluationMs: number;
  evaluationTimeS: number;
  /** alerting rules: the alerts by fingerprint (pending, firing, recently resolved) */
  active: Map<string, Alert>;
}

export interface GroupStatus {
  tenant: string;
  namespace: string;
  group: RuleGroup;
  rules: RuleStatus[];
  lastEvaluationMs: number;
  evaluationTimeS: number;
}

export interface RuleTransition extends AlertTransition {
  tenant: string;
  namespace: string;
  group: string;
  rule: string;
}

export interface EvalDeps {
  query: QueryFn;
  append: AppendFn;
  externalLabels?: Labels;
  externalURL?: string;
}

export function newGroupStatus(tenant: string, namespace: string, group: RuleGroup): GroupStatus {
  return {
    tenant,
    namespace,
    group,
    rules: group.rules.map((rule) => ({ rule, health: 'unknown', lastError: '', lastEvaluationMs: 0, evaluationTimeS: 0, active: new Map() })),
    lastEvaluationMs: 0,
    evaluationTimeS: 0,
  };
}

/** Evaluates every rule of the group at `tMs` (the query runs at `tMs - query_offset`); returns the alert transitions. */
export async function evaluateGroup(status: GroupStatus, tMs: number, deps: EvalDeps): Promise<RuleTransition[]> {
  const started = performance.now();
  const { group, tenant, namespace } = status;
  const queryNs = BigInt(tMs - group.queryOffsetMs) * 1_000_000n;
  const transitions: RuleTransition[] = [];
  for (const rs of status.rules) {
    const ruleStarted = performance.now();
    const rule = rs.rule;
    try {
      const samples = await deps.query(rule.expr, tenant, queryNs);
      if (rule.kind === 'record') {
        if (group.limit > 0 && samples.length > group.limit) throw new Error(`exceeded limit ${group.limit} with ${samples.length} series`);
        const batch = recordedBatch(tenant, rule, group.labels, samples, BigInt(tMs) * 1_000_000n);
        if (batch.entries > 0) await deps.append(batch);
      } else {
        const out: AlertTransition[] = [];
        try {
          evaluateAlerts(rule, rs.active, samples, { tMs, groupLabels: group.labels, limit: group.limit, externalLabels: deps.externalLabels, externalURL: deps.externalURL }, out);
        } finally {
          for (const t of out) transitions.push({ ...t, tenant, namespace, group: group.name, rule: rule.name });
        }
      }
      rs.health = 'ok';
      rs.lastError = '';
    } catch (e) {
      rs.health = 'err';
      rs.lastError = (e as Error).message;
    }
    rs.lastEvaluationMs = tMs;
    rs.evaluationTimeS = (performance.now() - ruleStarted) / 1000;
  }
  status.lastEvaluationMs = tMs;
  status.evaluationTimeS = (performance.now() - started) / 1000;
  return transitions;
}
