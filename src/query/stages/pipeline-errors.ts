// Loki's pipeline error model: a failing stage never drops a row, it sets `__error__` (a fixed kind) and
// `__error_details__` (the message); only a string label filter can then filter on them. Also the compile-time error.
import type { CompileContext } from './stage.ts';

export const ERROR_LABEL = '__error__';
export const ERROR_DETAILS_LABEL = '__error_details__';
/** Loki's marker label; never extracted from a line. */
export const PRESERVE_ERROR_LABEL = '__preserve_error__';

export type PipelineErrorKind =
  | 'JSONParserErr'
  | 'LogfmtParserErr'
  | 'LabelFilterErr'
  | 'TemplateFormatErr';

/**
 * Records a stage failure on the row. The first error of a row wins: a later failing stage does not overwrite it, so
 * `__error__` names the stage that broke first (Loki's docs leave this open; the first cause is the useful one).
 */
export function setPipelineError(labels: Map<string, string>, kind: PipelineErrorKind, details: string): void {
  if (labels.has(ERROR_LABEL)) return;
  labels.set(ERROR_LABEL, kind);
  labels.set(ERROR_DETAILS_LABEL, details);
}

export function hasPipelineError(labels: Map<string, string>): boolean {
  return labels.has(ERROR_LABEL);
}

export type StageCompileErrorCode =
  | 'invalid_regex'
  | 'invalid_pattern'
  | 'invalid_template'
  | 'invalid_json_path'
  | 'invalid_ip_pattern'
  | 'invalid_label_name'
  | 'duplicate_label';

/** A pipeline stage that cannot be compiled (bad regex, template, pattern...). Thrown by `compilePipeline`. */
export class StageCompileError extends Error {
  readonly code: StageCompileErrorCode;
  /** Position of the stage in the pipeline, 0-based. */
  readonly stageIndex: number;
  readonly stageKind: string;
  /** The offending input (regex source, template text, pattern...). */
  readonly input: string;

  constructor(ctx: CompileContext, code: StageCompileErrorCode, message: string, input: string) {
    super(`stage ${ctx.index + 1} (${ctx.kind}): ${message}`);
    this.name = 'StageCompileError';
    this.code = code;
    this.stageIndex = ctx.index;
    this.stageKind = ctx.kind;
    this.input = input;
  }
}
