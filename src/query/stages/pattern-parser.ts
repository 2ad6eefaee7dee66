// `| pattern "<ip> - - [<ts>] ..."`: extracts the named captures of a Loki pattern expression (see pattern-expr.ts).
import type { PatternParserStage } from '../ast.ts';
import type { CompileContext, StageFn } from './stage.ts';
import { StageCompileError } from './pipeline-errors.ts';
import { addParsedLabel, labelNameProblem } from './extracted-labels.ts';
import { compilePatternExpr, matchPattern } from './pattern-expr.ts';

export function compilePatternParser(ctx: CompileContext, stage: PatternParserStage): StageFn {
  const expr = compilePatternExpr(ctx, stage.pattern, true);
  for (const name of expr.names) {
    const problem = name === null ? null : labelNameProblem(name);
    if (problem !== null) throw new StageCompileError(ctx, 'invalid_label_name', `capture <${name}>: ${problem}`, stage.pattern);
  }
  const state = ctx.state;
  const seen = new Set<string>();
  const captures: (string | null)[] = new Array<string | null>(expr.names.length).fill(null);
  return (row) => {
    const count = matchPattern(expr, row.line, captures);
    if (count === 0) return true;
    seen.clear();
    for (let i = 0; i < count; i++) {
      const name = expr.names[i];
      const value = captures[i];
      if (name != null && value != null) addParsedLabel(state, seen, row.labels, name, value);
    }
    return true;
  };
}
