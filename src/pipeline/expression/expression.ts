// The entry points of the expression language: compile a source text once into a condition (for `if:`) or a
// value (for computed fields), and the same from a config node, where a mistake becomes
// `file:line: path: invalid expression: column N: …` with a caret under the column.

import type { ConfigNode } from '../../config/config-node.ts';
import type { PipelineEvent } from '../event.ts';
import { compileTest, compileValue } from './evaluator.ts';
import { ExpressionError } from './expression-error.ts';
import type { Evaluate } from './functions.ts';
import { parseExpression } from './parser.ts';
import type { Value } from './value.ts';

export { ExpressionError, type Value };

export interface Condition {
  readonly source: string;
  readonly test: (e: PipelineEvent) => boolean;
}

export interface ValueExpression {
  readonly source: string;
  readonly evaluate: Evaluate;
}

/** Throws ExpressionError. */
export function compileCondition(source: string): Condition {
  return { source, test: compileTest(parseExpression(source), source) };
}

/** Throws ExpressionError. */
export function compileValueExpression(source: string): ValueExpression {
  return { source, evaluate: compileValue(parseExpression(source), source) };
}

function fromNode<T>(node: ConfigNode, compile: (source: string) => T): T {
  const source = node.string();
  try {
    return compile(source);
  } catch (err) {
    if (err instanceof ExpressionError) node.fail(`invalid expression: ${err.message}\n${err.pointer()}`);
    throw err;
  }
}

/** The condition under `node` (e.g. an `if:` key), or undefined when the key is absent. */
export function readCondition(node: ConfigNode): Condition | undefined {
  return node.exists ? fromNode(node, compileCondition) : undefined;
}

export function readValueExpression(node: ConfigNode): ValueExpression {
  return fromNode(node, compileValueExpression);
}
