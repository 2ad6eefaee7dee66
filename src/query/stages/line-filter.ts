// Line filters: `|=` / `!=` substring, `|~` / `!~` RE2 regex (unanchored), `|>` / `!>` pattern. The values of one
// filter are `or` alternatives: a positive filter keeps a line matching any of them, a negative one a line matching none.
import type { LineFilterStage } from '../ast.ts';
import type { CompileContext, StageFn } from './stage.ts';
import { RE2JS, unanchoredMatcher, type TextMatcher } from './re2.ts';
import { compilePatternExpr, testPattern } from './pattern-expr.ts';
import { StageCompileError } from './pipeline-errors.ts';
import { lineHasIpInRanges, parseIpPattern, type IpRange } from './ip-match.ts';

function compileMatchers(ctx: CompileContext, stage: LineFilterStage): TextMatcher[] {
  switch (stage.op) {
    case '|=':
    case '!=':
      return stage.values.map((v) => (line: string) => line.includes(v));
    case '|~':
    case '!~':
      // Loki's docs: for line filters `.` also matches a newline (multi-line entries such as stack traces).
      return stage.values.map((v) => unanchoredMatcher(ctx, v, RE2JS.DOTALL));
    case '|>':
    case '!>':
      return stage.values.map((v) => {
        const expr = compilePatternExpr(ctx, v, false);
        return (line: string) => testPattern(expr, line);
      });
  }
}

/** `|= ip("…") or ip("…")` keeps a line with an address in any range; `!= ip(…)` one with none (Loki "Matching IP addresses"). */
function compileIpLineFilter(ctx: CompileContext, stage: LineFilterStage): StageFn {
  const ranges: IpRange[] = stage.values.map((pattern) => {
    const range = parseIpPattern(pattern);
    if (range === null) throw new StageCompileError(ctx, 'invalid_ip_pattern', `invalid ip pattern ${JSON.stringify(pattern)}: expected an address, a range a-b or a CIDR prefix`, pattern);
    return range;
  });
  if (stage.op === '!=') return (row) => !lineHasIpInRanges(ranges, row.line);
  if (stage.op === '|=') return (row) => lineHasIpInRanges(ranges, row.line);
  throw new StageCompileError(ctx, 'invalid_ip_pattern', `ip() line filters allow only |= and !=, not ${stage.op}`, stage.values.join(', '));
}

export function compileLineFilter(ctx: CompileContext, stage: LineFilterStage): StageFn {
  if (stage.ip) return compileIpLineFilter(ctx, stage);
  const negative = stage.op === '!=' || stage.op === '!~' || stage.op === '!>';
  if ((stage.op === '|=' || stage.op === '!=') && stage.values.length === 1) {
    const v = stage.values[0]!;
    return negative ? (row) => !row.line.includes(v) : (row) => row.line.includes(v);
  }
  const matchers = compileMatchers(ctx, stage);
  if (matchers.length === 1) {
    const m = matchers[0]!;
    return negative ? (row) => !m(row.line) : (row) => m(row.line);
  }
  const n = matchers.length;
  if (negative) {
    return (row) => {
      for (let i = 0; i < n; i++) if (matchers[i]!(row.line)) return false;
      return true;
    };
  }
  return (row) => {
    for (let i = 0; i < n; i++) if (matchers[i]!(row.line)) return true;
    return false;
  };
}
