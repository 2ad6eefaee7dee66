// Splits a log query into what the store evaluates (stream matchers, line filters on the original line) and
// the pipeline stages left for the TypeScript evaluators.

import type { LogQuery, PipelineStage } from './ast.ts';
import type { LineFilterPlan } from '../store/plan.ts';

export interface LogQueryPlan {
  lineFilters: LineFilterPlan[];
  /** stages the store cannot run, in query order */
  stages: PipelineStage[];
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
  // line filters see the original line until a stage rewrites it
  let lineRewritten = false;
  for (const stage of q.stages) {
    if (stage.kind === 'line_format' || stage.kind === 'decolorize') lineRewritten = true;
    const op = stage.kind === 'line_filter' ? PUSHABLE[stage.op] : undefined;
    if (stage.kind === 'line_filter' && op && !lineRewritten && !stage.values.some((v) => v.includes('\u0000'))) {
      lineFilters.push({ op, values: stage.values });
    } else {
      stages.push(stage);
    }
  }
  return { lineFilters, stages };
}
