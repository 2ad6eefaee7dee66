// Checks regular expressions in a query at parse time with RE2 syntax (what Loki uses), so a bad regex
// is reported where it is written instead of failing later in an evaluator.
import { RE2JS } from 're2js';

/** Returns RE2's complaint about `pattern` (e.g. "error parsing regexp: missing closing ): `(foo`"), or undefined if it compiles. */
export function regexSyntaxError(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Number of named capture groups (`(?P<name>...)` or `(?<name>...)`); call only on a pattern that compiles. */
export function namedGroupCount(pattern: string): number {
  return Object.keys(RE2JS.compile(pattern).namedGroups()).length;
}
