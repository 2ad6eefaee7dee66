// The part of a LogQL log query the store can answer by itself (its stream selector and the line filters before any
// stage that rewrites the line), printed back as LogQL: what a hunt asks the query engine for before the rules run.

import type { LogQuery } from '../query/ast.ts';

export function prefilterQuery(q: LogQuery): string {
  let out = `{${q.selector.map((m) => `${m.name}${m.op}${JSON.stringify(m.value)}`).join(', ')}}`;
  for (const s of q.stages) {
    if (s.kind !== 'line_filter' || s.ip || s.op === '|>' || s.op === '!>') break;
    out += ` ${s.op} ${s.values.map((v) => JSON.stringify(v)).join(' or ')}`;
  }
  return out;
}
