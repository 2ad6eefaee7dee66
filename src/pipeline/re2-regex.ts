// User regular expressions in the pipeline (regex, grok, multiline) are compiled with RE2 through re2js: linear-time
// matching, so no input can make a pattern backtrack for ever (no ReDoS). Compiled once at config load; a syntax error
// fails the config at the key that holds the pattern.

import { RE2JS } from 're2js';
import type { ConfigNode } from '../config/config-node.ts';

export { RE2JS };

/** Compiles `source` (RE2 syntax; Go's `(?P<name>…)` and `(?<name>…)` named groups) or fails at `node`. */
export function compileRe2(node: ConfigNode, source: string, what = 'regular expression'): RE2JS {
  try {
    return RE2JS.compile(source);
  } catch (e) {
    node.fail(`invalid ${what}: ${(e as Error).message}`);
  }
}

/** A compiled regex that reports capture positions. */
export class CaptureRegex {
  private readonly engine: { findSubmatchIndex(text: string): number[] | null };
  /** named groups: name and group number (1-based), in group order */
  readonly groups: { name: string; index: number }[];

  constructor(readonly re: RE2JS) {
    this.engine = re.re2() as unknown as { findSubmatchIndex(text: string): number[] | null };
    this.groups = Object.entries(re.namedGroups())
      .map(([name, index]) => ({ name, index }))
      .sort((a, b) => a.index - b.index);
  }

  /**
   * Leftmost match: [start0, end0, start1, end1, …] with -1 for groups that did not take part, or null. Goes straight
   * to RE2's submatch search, which is a few times faster than re2js's Matcher/exec wrappers.
   */
  find(text: string): number[] | null {
    // A failed capturing search tries every start offset; RE2's DFA says "no match" in one cheap pass. Worth it for a
    // regex that mostly misses (the other alternatives of %{JAVA_LOG}, a pattern list's later entries), a waste for
    // one that mostly matches: the recent miss/hit balance decides.
    if (this.missBalance > 0 && !this.re.test(text)) {
      if (this.missBalance < 16) this.missBalance++;
      return null;
    }
    const m = this.engine.findSubmatchIndex(text);
    if (m === null) {
      if (this.missBalance < 16) this.missBalance++;
    } else if (this.missBalance > -16) this.missBalance--;
    return m;
  }

  /** misses minus hits of the recent searches, clamped to ±16 */
  private missBalance = 0;
}
