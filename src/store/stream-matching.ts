// Label matchers evaluated against a stream's labels, with Loki's semantics: regexes are RE2, fully anchored,
// and a missing label equals the empty string.

import { RE2JS } from 're2js';
import type { Matcher } from '../query/ast.ts';
import type { Labels } from '../model/record.ts';

export interface CompiledMatcher {
  name: string;
  test: (value: string) => boolean;
}

export function compileMatchers(matchers: Matcher[]): CompiledMatcher[] {
  return matchers.map((m) => {
    switch (m.op) {
      case '=':
        return { name: m.name, test: (v: string) => v === m.value };
      case '!=':
        return { name: m.name, test: (v: string) => v !== m.value };
      case '=~': {
        const re = RE2JS.compile(`^(?:${m.value})$`);
        return { name: m.name, test: (v: string) => re.matches(v) };
      }
      case '!~': {
        const re = RE2JS.compile(`^(?:${m.value})$`);
        return { name: m.name, test: (v: string) => !re.matches(v) };
      }
    }
  });
}

export function labelsMatch(compiled: CompiledMatcher[], labels: Labels): boolean {
  for (const m of compiled) if (!m.test(labels[m.name] ?? '')) return false;
  return true;
}
