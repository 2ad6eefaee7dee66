// `| label_format dst=src, dst="{{template}}"`: renames (`dst=src` moves the value and drops `src`; nothing happens
// when `src` is absent) and template assignments. Every template of one stage sees the labels as they were before
// the stage, as in Loki. A failing template leaves its label unchanged and sets `__error__="TemplateFormatErr"`.
import type { LabelFormatStage } from '../ast.ts';
import type { CompileContext, StageFn } from './stage.ts';
import { StageCompileError, setPipelineError } from './pipeline-errors.ts';
import { labelNameProblem, setDerivedLabel } from './extracted-labels.ts';
import { executeTemplate, TemplateExecError, type CompiledTemplate } from './template/eval.ts';
import { compileStageTemplate } from './line-format.ts';

interface Item {
  dst: string;
  src: string | null;
  tmpl: CompiledTemplate | null;
}

export function compileLabelFormat(ctx: CompileContext, stage: LabelFormatStage): StageFn {
  const state = ctx.state;
  const items: Item[] = [];
  const seen = new Set<string>();
  for (const it of stage.items) {
    const problem = labelNameProblem(it.dst);
    if (problem !== null) throw new StageCompileError(ctx, 'invalid_label_name', problem, it.dst);
    if (seen.has(it.dst)) {
      throw new StageCompileError(ctx, 'duplicate_label', `multiple label name '${it.dst}' not allowed in a single format operation`, it.dst);
    }
    seen.add(it.dst);
    if (it.template !== undefined) items.push({ dst: it.dst, src: null, tmpl: compileStageTemplate(ctx, it.template, 'label') });
    else items.push({ dst: it.dst, src: it.src ?? it.dst, tmpl: null });
  }
  const n = items.length;
  // Rendered values of the current row (null = template failed). All templates run before any label changes, so
  // each sees the labels as they were before the stage without copying them.
  const rendered: (string | null)[] = new Array<string | null>(n).fill(null);

  return (row) => {
    const labels = row.labels;
    let error: string | null = null;
    for (let i = 0; i < n; i++) {
      const tmpl = items[i]!.tmpl;
      if (tmpl === null) continue;
      try {
        rendered[i] = executeTemplate(tmpl, row, labels);
      } catch (err) {
        if (!(err instanceof TemplateExecError)) throw err;
        rendered[i] = null;
        error ??= err.message;
      }
    }
    for (let i = 0; i < n; i++) {
      const it = items[i]!;
      if (it.src !== null) {
        const v = labels.get(it.src);
        if (v === undefined) continue;
        if (it.src !== it.dst) labels.delete(it.src);
        setDerivedLabel(state, labels, it.dst, v);
      } else {
        const v = rendered[i];
        if (v !== null && v !== undefined) setDerivedLabel(state, labels, it.dst, v);
      }
    }
    if (error !== null) setPipelineError(labels, 'TemplateFormatErr', error);
    return true;
  };
}
