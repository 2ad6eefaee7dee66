// `| regexp "<re>"`: the first (unanchored) RE2 match of the line sets one label per named group
// (`(?P<name>re)` or `(?<name>re)`); a group that did not take part gets an empty value. No match adds nothing.
import type { RegexpParserStage } from '../ast.ts';
import type { CompileContext, StageFn } from './stage.ts';
import { StageCompileError } from './pipeline-errors.ts';
import { addParsedLabel, labelNameProblem } from './extracted-labels.ts';
import { compileRe2 } from './re2.ts';

export function compileRegexpParser(ctx: CompileContext, stage: RegexpParserStage): StageFn {
  const re = compileRe2(ctx, stage.pattern);
  const groups = re.namedGroups();
  const names: string[] = [];
  const indexes: number[] = [];
  for (const [name, index] of Object.entries(groups)) {
    const problem = labelNameProblem(name);
    if (problem !== null) throw new StageCompileError(ctx, 'invalid_label_name', `capture ${JSON.stringify(name)}: ${problem}`, stage.pattern);
    names.push(name);
    indexes.push(index);
  }
  if (names.length === 0) {
    throw new StageCompileError(ctx, 'invalid_regex', 'at least one named capture must be supplied', stage.pattern);
  }
  const state = ctx.state;
  const seen = new Set<string>();
  const n = names.length;
  const m = re.matcher('');
  return (row) => {
    m.resetMatcherInput(row.line);
    if (!m.find()) return true;
    seen.clear();
    for (let i = 0; i < n; i++) addParsedLabel(state, seen, row.labels, names[i]!, m.group(indexes[i]!) ?? '');
    return true;
  };
}
