// An error in a pipeline expression, with the 1-based column where it was found, so config errors can point at
// the character (`column 14: expected a string after =~`).

export class ExpressionError extends Error {
  constructor(
    readonly detail: string,
    /** 1-based column in the expression's source */
    readonly column: number,
    readonly source: string,
  ) {
    super(`column ${column}: ${detail}`);
  }

  /** The source with a caret under the column, for messages shown to people. */
  pointer(): string {
    return `  ${this.source}\n  ${' '.repeat(Math.max(0, this.column - 1))}^`;
  }
}
