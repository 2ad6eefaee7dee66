// Alertmanager label matchers (`severity="critical"`, `service=~"pay.*"`, `env!="dev"`, `team!~"a|b"`), used by
// routes, inhibition rules and silences. Regexes are RE2 (no ReDoS) and fully anchored, as Alertmanager anchors them.
// A matcher on a missing label sees the empty string.

import { RE2JS } from 're2js';
import type { Labels } from '../../model/record.ts';

export type MatcherOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  name: string;
  op: MatcherOp;
  value: string;
  /** compiled for =~ and !~ */
  re?: RE2JS;
}

export class MatcherError extends Error {}

const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(.*?))\s*$/;

function unquote(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

export function makeMatcher(name: string, op: MatcherOp, value: string): LabelMatcher {
  const m: LabelMatcher = { name, op, value };
  if (op === '=~' || op === '!~') {
    try {
      RE2JS.compile(value); // first on its own, so an error quotes what the user wrote
      m.re = RE2JS.compile(`^(?:${value})$`);
    } catch (e) {
      throw new MatcherError(`invalid regular expression ${JSON.stringify(value)}: ${(e as Error).message}`);
    }
  }
  return m;
}

/** One matcher in Alertmanager's text form. */
export function parseMatcher(text: string): LabelMatcher {
  const m = MATCHER.exec(text);
  if (!m) throw new MatcherError(`bad matcher ${JSON.stringify(text)}: expected name="value", name!="value", name=~"regex" or name!~"regex"`);
  const raw = m[3] !== undefined ? unquote(m[3]) : m[4] !== undefined ? unquote(m[4]) : m[5];
  return makeMatcher(m[1], m[2] as MatcherOp, raw);
}

/** `{a="1", b=~"x"}` or `a="1", b=~"x"` (as amtool and the silence API accept). */
export function parseMatcherList(text: string): LabelMatcher[] {
  let t = text.trim();
  if (t.startsWith('{') && t.endsWith('}')) t = t.slice(1, -1);
  const parts: string[] = [];
  let cur = '';
  let quote = '';
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (quote) {
      cur += c;
      if (c === '\\') cur += t[++i] ?? '';
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
      cur += c;
    } else if (c === ',') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) parts.push(cur);
  return parts.filter((p) => p.trim() !== '').map(parseMatcher);
}

export function matches(m: LabelMatcher, labels: Labels): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=': return v === m.value;
    case '!=': return v !== m.value;
    case '=~': return m.re!.matches(v);
    case '!~': return !m.re!.matches(v);
  }
}

export function matchesAll(ms: LabelMatcher[], labels: Labels): boolean {
  for (const m of ms) if (!matches(m, labels)) return false;
  return true;
}

export function formatMatcher(m: LabelMatcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}
