// Compiles a LogQL pipeline (the stages after a stream selector) into one function run per row, in stage order,
// stopping at the first stage that drops the row. Stage compilers are looked up by AST kind in STAGE_COMPILERS.
import type { PipelineStage } from '../ast.ts';
import type { CompileContext, RowState, StageFn, StageRow } from './stage.ts';
import { compileLineFilter } from './line-filter.ts';
import { compileJsonParser } from './json-parser.ts';
import { compileLogfmtParser } from './logfmt-parser.ts';
import { compileRegexpParser } from './regexp-parser.ts';
import { compilePatternParser } from './pattern-parser.ts';
import { compileUnpackParser } from './unpack-parser.ts';
import { compileLabelFilter } from './label-filter.ts';
import { compileLineFormat } from './line-format.ts';
import { compileLabelFormat } from './label-format.ts';
import { compileDropKeep } from './drop-keep.ts';
import { compileDecolorize } from './decolorize.ts';

export type { StageRow } from './stage.ts';
export { StageCompileError } from './pipeline-errors.ts';

/**
 * Runs the pipeline on a row: mutates `row.line` / `row.labels` in place, returns false to drop the row.
 * `created` names the labels the pipeline's stages created on the row it ran last (parsed labels, label_format
 * targets); every other label of that row came from the stream or its structured metadata.
 */
export interface CompiledPipeline {
  (row: StageRow): boolean;
  readonly created: ReadonlySet<string>;
}

type StageCompiler<K extends PipelineStage['kind']> = (ctx: CompileContext, stage: Extract<PipelineStage, { kind: K }>) => StageFn;

/** One entry per stage kind: adding a stage = one file + one line here. */
export const STAGE_COMPILERS: { [K in PipelineStage['kind']]: StageCompiler<K> } = {
  line_filter: compileLineFilter,
  json: compileJsonParser,
  logfmt: compileLogfmtParser,
  regexp: compileRegexpParser,
  pattern: compilePatternParser,
  unpack: (ctx) => compileUnpackParser(ctx),
  label_filter: compileLabelFilter,
  line_format: compileLineFormat,
  label_format: compileLabelFormat,
  drop: compileDropKeep,
  keep: compileDropKeep,
  decolorize: () => compileDecolorize(),
};

function compileStage(ctx: CompileContext, stage: PipelineStage): StageFn {
  const compiler = STAGE_COMPILERS[stage.kind] as StageCompiler<typeof stage.kind>;
  return compiler(ctx, stage as never);
}

/**
 * Compiles the stages once (regexes, templates, patterns). Throws StageCompileError for an invalid stage.
 * The returned function is not re-entrant across concurrent rows (stages reuse scratch buffers), which JS's
 * single thread guarantees for synchronous callers.
 */
export function compilePipeline(stages: PipelineStage[]): CompiledPipeline {
  const state: RowState = { created: new Set() };
  const fns: StageFn[] = stages.map((stage, index) => compileStage({ index, kind: stage.kind, state }, stage));
  const n = fns.length;
  const created = state.created;
  if (n === 0) return Object.assign(() => true, { created });
  const run = (row: StageRow): boolean => {
    if (created.size > 0) created.clear();
    for (let i = 0; i < n; i++) if (!fns[i]!(row)) return false;
    return true;
  };
  return Object.assign(run, { created });
}
