// A Sigma correlation condition (`{gte: 100}`, `{gt: 100, lte: 200}`) as a test on a count, and whether it can be
// decided the moment an event arrives (lower bounds only) or only when the window closes (any upper bound or eq/neq).

import type { CountCondition } from '../sigma/sigma-ast.ts';

export function conditionHolds(c: CountCondition, n: number): boolean {
  if (c.gt !== undefined && !(n > c.gt)) return false;
  if (c.gte !== undefined && !(n >= c.gte)) return false;
  if (c.lt !== undefined && !(n < c.lt)) return false;
  if (c.lte !== undefined && !(n <= c.lte)) return false;
  if (c.eq !== undefined && n !== c.eq) return false;
  if (c.neq !== undefined && n === c.neq) return false;
  return true;
}

/** The least count that satisfies a lower-bound-only condition; undefined if it has another operator. */
export function lowerBound(c: CountCondition): number | undefined {
  if (c.lt !== undefined || c.lte !== undefined || c.eq !== undefined || c.neq !== undefined) return undefined;
  return Math.max(c.gt !== undefined ? Math.floor(c.gt) + 1 : 1, c.gte !== undefined ? Math.ceil(c.gte) : 1);
}

export function describeCondition(c: CountCondition): string {
  return Object.entries(c)
    .map(([k, v]) => `${k} ${v}`)
    .join(' and ');
}
