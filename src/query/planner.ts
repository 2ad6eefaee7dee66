// Splits a log query into what the store evaluates (stream matchers, line filters on the original line) and
// the pipeline stages left for the TypeScript evaluators.

import type { LabelFilterExpr, LogQuery, PipelineStage } from './ast.ts';
import type { LineFilterPlan } from '../store/plan.ts';
import { DETECTED_LEVEL } from './detected-level.ts';

export interface LogQueryPlan {
  lineFilters: LineFilterPlan[];
  /** equality label filters seen before any parser: a prefilter the store can use (the stages still run them) */
  fieldEquals: { name: string; value: string }[];
  /** stages the store cannot run, in query order */
  stages: PipelineStage[];
  /** rows need `detected_level` (computed in TypeScript), so no path may skip the row-by-row evaluation */
  detectLevel: boolean;
}

const PUSHABLE: Record<string, LineFilterPlan['op'] | undefined> = {
  '|=': 'contains',
  '!=': 'not_contains',
  '|~': 'regex',
  '!~': 'not_regex',
};

export function planLogQuery(q: LogQuery): LogQueryPlan {
  const lineFilters: LineFilterPlan[] = [];
  const stages: PipelineStage[] = [];
  const fieldEquals: { name: string; value: string }[] = [];
  // label filters before any stage that adds or changes labels see only stream labels and structured metadata
  let labelsUntouched = true;
  // line filters see the original line until a stage rewrites it
  let lineRewritten = false;
  for (const stage of q.stages) {
    if (stage.kind === 'line_format' || stage.kind === 'decolorize') lineRewritten = true;
    if (stage.kind === 'label_filter' && labelsUntouched) {
      // a filter made only of equalities is answered exactly by the store (stream label, else metadata field)
      if (onlyEqualities(stage.expr)) {
        collectEqualities(stage.expr, fieldEquals);
        continue;
      }
      collectEqualities(stage.expr, fieldEquals);
    } else if (stage.kind !== 'line_filter') labelsUntouched = false;
    const op = stage.kind === 'line_filter' ? PUSHABLE[stage.op] : undefined;
    if (stage.kind === 'line_filter' && op && !stage.ip && !lineRewritten && !stage.values.some((v) => v.includes('\u0000'))) {
      // Loki's line filter regexes let `.` match a newline (multi-line entries): RE2's s flag, for the store's RE2 too
      const regex = op === 'regex' || op === 'not_regex';
      lineFilters.push({ op, values: regex ? stage.values.map((v) => `(?s)${v}`) : stage.values });
    } else {
      stages.push(stage);
    }
  }
  return { lineFilters, fieldEquals, stages, detectLevel: q.detectLevel === true };
}

function onlyEqualities(expr: LabelFilterExpr): boolean {
  if (expr.kind === 'and') return onlyEqualities(expr.left) && onlyEqualities(expr.right);
  return isPushableEquality(expr);
}

function isPushableEquality(expr: LabelFilterExpr): boolean {
  // detected_level is computed per row at query time, so the store cannot answer it
  return expr.kind === 'string' && expr.op === '=' && expr.value !== '' && !expr.name.startsWith('__') && expr.name !== DETECTED_LEVEL && /^[A-Za-z_][A-Za-z0-9_]*$/.test(expr.name);
}

/** The `name = "value"` leaves that every row passing `expr` must satisfy (the and-ed ones, not under an or). */
function collectEqualities(expr: LabelFilterExpr, out: { name: string; value: string }[]): void {
  if (expr.kind === 'and') {
    collectEqualities(expr.left, out);
    collectEqualities(expr.right, out);
  } else if (isPushableEquality(expr) && expr.kind === 'string') {
    out.push({ name: expr.name, value: expr.value });
  }
}
