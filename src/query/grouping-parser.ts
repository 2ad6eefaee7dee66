// Label lists in metric queries: grouping `by (a, b)` / `without (a)` and vector matching `on (a)` / `group_left (b)`.
import type { Grouping } from './ast.ts';
import { oneOf, type TokenStream } from './token-stream.ts';

/** `(a, b, c)` or `()`. */
export function parseLabelList(ts: TokenStream): string[] {
  ts.expect('(');
  const labels: string[] = [];
  if (ts.accept(')')) return labels;
  for (;;) {
    labels.push(ts.expect('IDENTIFIER', labels.length === 0 ? oneOf('IDENTIFIER', ')') : 'IDENTIFIER').text);
    if (ts.accept(')')) return labels;
    ts.expect(',', oneOf(',', ')'));
  }
}

/** An optional `by (...)` or `without (...)`. */
export function parseGroupingOpt(ts: TokenStream): Grouping | undefined {
  if (!ts.atWord('by') && !ts.atWord('without')) return undefined;
  const without = ts.next().text === 'without';
  return { without, labels: parseLabelList(ts) };
}
