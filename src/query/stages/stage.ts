// What a compiled pipeline stage is: a function over one row that may rewrite the line and labels in place.
// Stages are built once per query by their compiler; per row they allocate only what their output needs.

/** One log entry flowing through a pipeline. `labels` holds stream labels, structured metadata and parsed labels. */
export interface StageRow {
  line: string;
  tsNs: bigint;
  labels: Map<string, string>;
}

/** Runs one stage over a row: mutates `row.line` / `row.labels` in place, returns false to drop the row. */
export type StageFn = (row: StageRow) => boolean;

/** Per-pipeline state shared by its stages; reset at the start of every row. */
export interface RowState {
  /**
   * Names of labels that stages of this pipeline created on the current row. A label present in the row but not in
   * this set came from the stream (or its structured metadata), so a parser extracting the same name must use the
   * `_extracted` suffix instead of overwriting it (Loki "Parser expression" docs).
   */
  created: Set<string>;
}

/** Given to each stage compiler: where the stage sits in the pipeline (for error messages) and the shared row state. */
export interface CompileContext {
  index: number;
  kind: string;
  state: RowState;
}
