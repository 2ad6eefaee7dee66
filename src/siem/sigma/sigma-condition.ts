// Parses a Sigma detection condition (Sigma Rules Specification 2.1, "Condition"): `and`, `or`, `not`, parentheses,
// `1 of pattern*`, `all of pattern*`, `1 of them`, `all of them`; precedence from least to most binding: or, and, not,
// x of, ( ). Sigma 1.x aggregations (`| count() by x > 5`) and `near` are refused with the reason.

import type { ConditionNode } from './sigma-ast.ts';

export class ConditionError extends Error {}

interface Tok {
  text: string;
  pos: number;
}

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      out.push({ text: c, pos: i });
      i++;
      continue;
    }
    if (c === '|') {
      if (/^\|\s*near\b/.test(src.slice(i))) {
        throw new ConditionError(`Sigma 1.x "${src.slice(i).trim()}" is not supported: write it as a temporal correlation rule`);
      }
      throw new ConditionError(
        `Sigma 1.x aggregation "${src.slice(i).trim()}" is not supported: write it as a Sigma correlation rule (event_count, value_count) or a native threshold rule`,
      );
    }
    const start = i;
    while (i < src.length && !' \t\n\r()|'.includes(src[i]!)) i++;
    out.push({ text: src.slice(start, i), pos: start });
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[], private readonly src: string) {}

  parse(): ConditionNode {
    if (this.toks.length === 0) throw new ConditionError('empty condition');
    const node = this.or();
    if (this.i < this.toks.length) this.fail(`unexpected "${this.toks[this.i]!.text}"`);
    return node;
  }

  private peek(): string | undefined {
    return this.toks[this.i]?.text;
  }

  private fail(msg: string): never {
    const t = this.toks[this.i];
    throw new ConditionError(`${msg} at ${t ? `column ${t.pos + 1}` : 'the end'} of condition "${this.src}"`);
  }

  private or(): ConditionNode {
    let left = this.and();
    while (this.peek()?.toLowerCase() === 'or') {
      this.i++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): ConditionNode {
    let left = this.not();
    while (this.peek()?.toLowerCase() === 'and') {
      this.i++;
      left = { kind: 'and', left, right: this.not() };
    }
    return left;
  }

  private not(): ConditionNode {
    if (this.peek()?.toLowerCase() === 'not') {
      this.i++;
      return { kind: 'not', expr: this.not() };
    }
    return this.primary();
  }

  private primary(): ConditionNode {
    const t = this.peek();
    if (t === undefined) this.fail('expected a search identifier, "not", "(" or "1 of"/"all of"');
    if (t === '(') {
      this.i++;
      const inner = this.or();
      if (this.peek() !== ')') this.fail('expected ")"');
      this.i++;
      return inner;
    }
    const lower = t.toLowerCase();
    if (lower === ')' || lower === 'and' || lower === 'or') this.fail(`unexpected "${t}"`);
    if (lower === 'near') this.fail('"near" (Sigma 1.x) is not supported: write it as a temporal correlation rule');
    const next = this.toks[this.i + 1]?.text.toLowerCase();
    if (next === 'of' && (lower === '1' || lower === 'all' || lower === 'any' || /^\d+$/.test(lower))) {
      if (/^\d+$/.test(lower) && lower !== '1') this.fail(`"${t} of" is not Sigma: use "1 of" or "all of"`);
      this.i += 2;
      const target = this.peek();
      if (target === undefined || target === '(' || target === ')') this.fail('expected a search identifier pattern or "them" after "of"');
      this.i++;
      return { kind: 'of', quantifier: lower === 'all' ? 'all' : 'one', pattern: target.toLowerCase() === 'them' ? undefined : target };
    }
    this.i++;
    return { kind: 'ref', name: t };
  }
}

export function parseCondition(src: string): ConditionNode {
  return new Parser(tokenize(src), src).parse();
}

/** Search identifiers a `1 of`/`all of` target names: `them` = all not starting with `_`; a pattern's `*` is any run. */
export function expandPattern(pattern: string | undefined, names: readonly string[]): string[] {
  if (pattern === undefined) return names.filter((n) => !n.startsWith('_'));
  if (!pattern.includes('*')) return names.filter((n) => n === pattern);
  const parts = pattern.split('*');
  return names.filter((n) => {
    if (!n.startsWith(parts[0]!) || !n.endsWith(parts[parts.length - 1]!)) return false;
    let pos = parts[0]!.length;
    const end = n.length - parts[parts.length - 1]!.length;
    if (end < pos) return false;
    for (let k = 1; k < parts.length - 1; k++) {
      const at = n.indexOf(parts[k]!, pos);
      if (at < 0 || at + parts[k]!.length > end) return false;
      pos = at + parts[k]!.length;
    }
    return true;
  });
}
