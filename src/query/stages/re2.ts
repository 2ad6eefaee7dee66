// RE2 regular expressions (linear time, immune to ReDoS) through re2js, with the compile-time fast paths Loki-style
// engines use: a regex that is a plain literal, or an alternation of plain literals, becomes substring search.
import { RE2JS } from 're2js';
import { StageCompileError } from './pipeline-errors.ts';
import type { CompileContext } from './stage.ts';

export { RE2JS };

/** Compiles `source` with RE2 syntax; a syntax error becomes a StageCompileError naming the stage. */
export function compileRe2(ctx: CompileContext, source: string, flags = 0): RE2JS {
  try {
    return RE2JS.compile(source, flags);
  } catch (err) {
    let message = (err as Error).message;
    // re2js implements some flags by prefixing the source (`(?s)`); quote what the user wrote instead.
    if (flags !== 0) {
      try {
        RE2JS.compile(source);
      } catch (plain) {
        message = (plain as Error).message;
      }
    }
    throw new StageCompileError(ctx, 'invalid_regex', `invalid regular expression: ${message}`, source);
  }
}

const META = /[\\.+*?()|[\]{}^$]/;

/**
 * If `source` only matches fixed strings (`abc`, `abc|def`), returns them; otherwise null. An empty alternative
 * matches everywhere, so it disables the fast path.
 */
export function literalAlternatives(source: string): string[] | null {
  if (source.length === 0) return null;
  const parts = source.split('|');
  for (const p of parts) if (p.length === 0 || META.test(p)) return null;
  return parts;
}

/** Unanchored search (`|~`): true if the regex matches anywhere in the text. */
export type TextMatcher = (text: string) => boolean;

export function unanchoredMatcher(ctx: CompileContext, source: string, flags = 0): TextMatcher {
  const lits = literalAlternatives(source);
  if (lits !== null && (flags & RE2JS.CASE_INSENSITIVE) === 0) {
    if (lits.length === 1) {
      const lit = lits[0]!;
      return (text) => text.includes(lit);
    }
    return (text) => {
      for (let i = 0; i < lits.length; i++) if (text.includes(lits[i]!)) return true;
      return false;
    };
  }
  const re = compileRe2(ctx, source, flags);
  return (text) => re.test(text);
}

/**
 * Fully anchored match, as Prometheus label matchers and Loki label filters do (`=~`, `!~`). `.` does not match a
 * newline unless the regex enables `(?s)` (Loki "Log stream selector" docs).
 */
export function anchoredMatcher(ctx: CompileContext, source: string): TextMatcher {
  if (source === '.*') return (text) => !text.includes('\n');
  const lits = literalAlternatives(source);
  if (lits !== null) {
    if (lits.length === 1) {
      const lit = lits[0]!;
      return (text) => text === lit;
    }
    const set = new Set(lits);
    return (text) => set.has(text);
  }
  // Compile the bare source first so that a syntax error quotes what the user wrote.
  compileRe2(ctx, source);
  const re = compileRe2(ctx, `^(?:${source})$`);
  return (text) => re.test(text);
}
