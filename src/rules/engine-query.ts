// The rules' query function over Sightline's own LogQL engine: an instant query at the evaluation time, its vector
// (or scalar, as one unlabelled sample) returned as samples.

import type { QueryEngine } from '../query/engine.ts';
import type { Sample } from './alert-state.ts';
import type { QueryFn } from './group-evaluator.ts';

export function engineQuery(engine: QueryEngine): QueryFn {
  return async (expr, tenant, tNs) => {
    const { result } = await engine.run({ query: expr, tenants: [tenant], startNs: tNs, endNs: tNs, stepNs: 1_000_000_000n, instant: true, limit: 100, direction: 'backward' });
    switch (result.resultType) {
      case 'vector':
        return result.samples.map((s): Sample => ({ labels: s.labels, value: s.value }));
      case 'scalar':
        return [{ labels: {}, value: result.value }];
      default:
        throw new Error(`rule expression returned ${result.resultType}, expected a vector or a scalar`);
    }
  };
}
