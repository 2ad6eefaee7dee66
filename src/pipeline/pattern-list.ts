// The `pattern` / `patterns` config keys shared by the regex and grok parsers: one pattern, or a list tried in order.

import type { ConfigNode } from '../config/config-node.ts';

/** Reads `pattern` (one) or `patterns` (a list tried in order); exactly one of them. */
export function readPatternList(node: ConfigNode): { source: string; node: ConfigNode }[] {
  const one = node.get('pattern');
  const many = node.get('patterns');
  if (one.exists && many.exists) many.fail('expected either `pattern` or `patterns`, not both');
  if (one.exists) return [{ source: one.string(), node: one }];
  if (!many.exists) one.fail('is required (expected a pattern, or `patterns` with a list)');
  if (!many.isList) return [{ source: many.string(), node: many }];
  const items = many.items();
  if (items.length === 0) many.fail('expected at least one pattern');
  return items.map((item) => ({ source: item.string(), node: item }));
}
