// The `| pattern "<ip> - <_> <method>"` expression language: captures `<name>` (`<_>` is unnamed) between literals.
// Split here so the parser can refuse what Loki refuses: no named capture, or two captures with nothing between them.

export type PatternPart = { kind: 'literal'; text: string } | { kind: 'capture'; name: string };

const CAPTURE = /<([a-zA-Z_][a-zA-Z0-9_]*)>/g;

/** Splits a pattern into literals and captures; a `<` that does not open `<identifier>` is literal text. */
export function splitPattern(pattern: string): PatternPart[] {
  const parts: PatternPart[] = [];
  let last = 0;
  for (const match of pattern.matchAll(CAPTURE)) {
    if (match.index > last) parts.push({ kind: 'literal', text: pattern.slice(last, match.index) });
    parts.push({ kind: 'capture', name: match[1]! });
    last = match.index + match[0].length;
  }
  if (last < pattern.length) parts.push({ kind: 'literal', text: pattern.slice(last) });
  return parts;
}

/** Why a pattern-parser expression is invalid, or undefined when it is fine. */
export function patternSyntaxError(pattern: string): string | undefined {
  const parts = splitPattern(pattern);
  for (let i = 1; i < parts.length; i++) {
    const prev = parts[i - 1]!;
    const part = parts[i]!;
    if (prev.kind === 'capture' && part.kind === 'capture') {
      return `invalid pattern: consecutive captures <${prev.name}><${part.name}> must be separated by a literal`;
    }
  }
  if (!parts.some((p) => p.kind === 'capture' && p.name !== '_')) return 'invalid pattern: at least one named capture is required';
  return undefined;
}
