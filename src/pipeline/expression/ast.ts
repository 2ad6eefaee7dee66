// The syntax tree of a pipeline expression: plain data, produced by the parser and compiled to closures by the
// evaluator. Every node keeps its column for errors found after parsing.

export type Literal = string | number | boolean | null;

/** What a path reads from the event. `fields` paths name one field (`fields.a.b` is the field named "a.b"). */
export type PathRoot = 'line' | 'ts' | 'tenant' | 'error' | 'error_details' | 'labels' | 'fields';

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type Expr =
  | { kind: 'literal'; value: Literal; column: number }
  | { kind: 'path'; root: PathRoot; name?: string; column: number }
  | { kind: 'compare'; op: CompareOp; left: Expr; right: Expr; column: number }
  | { kind: 'match'; negated: boolean; subject: Expr; pattern: string; column: number }
  | { kind: 'in'; negated: boolean; subject: Expr; items: Literal[]; column: number }
  | { kind: 'and' | 'or'; left: Expr; right: Expr; column: number }
  | { kind: 'not'; operand: Expr; column: number }
  | { kind: 'call'; name: string; args: Expr[]; column: number };
