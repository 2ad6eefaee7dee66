// `| line_format "{{.label}} ..."`: replaces the line with a rendered template (data: the row's labels; functions:
// template/functions.ts). A template that fails at run time keeps the line and sets `__error__="TemplateFormatErr"`.
import type { LineFormatStage } from '../ast.ts';
import type { CompileContext, StageFn } from './stage.ts';
import { StageCompileError, setPipelineError } from './pipeline-errors.ts';
import { compileTemplate, executeTemplate, TemplateExecError, TemplateSyntaxError, type CompiledTemplate } from './template/eval.ts';

/** Compiles a stage's template, turning a syntax error into a StageCompileError. */
export function compileStageTemplate(ctx: CompileContext, source: string, name: string): CompiledTemplate {
  try {
    return compileTemplate(source, name);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) throw new StageCompileError(ctx, 'invalid_template', err.message, source);
    throw err;
  }
}

export function compileLineFormat(ctx: CompileContext, stage: LineFormatStage): StageFn {
  const tmpl = compileStageTemplate(ctx, stage.template, 'line');
  return (row) => {
    try {
      row.line = executeTemplate(tmpl, row, row.labels);
    } catch (err) {
      if (!(err instanceof TemplateExecError)) throw err;
      setPipelineError(row.labels, 'TemplateFormatErr', err.message);
    }
    return true;
  };
}
