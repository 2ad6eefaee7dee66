// Recursive-descent parser of the pipeline expression language (grammar in docs/pipeline.md), with hard limits
// on source length, nesting depth and node count so that a config cannot make evaluation expensive.
//
//   or      := and (("or" | "||") and)*
//   and     := unary (("and" | "&&") unary)*
//   unary   := ("not" | "!") unary | compare
//   compare := operand [ ("==" | "!=" | "<" | "<=" | ">" | ">=") operand
//                      | ("=~" | "!~") STRING | ["not"] "in" "[" literal ("," literal)* "]" ]
//   operand := literal | "(" or ")" | NAME "(" [or ("," or)*] ")" | path
//   path    := "line" | "ts" | "tenant" | "error" | "error_details"
//            | ("labels" | "fields") ("." NAME | "[" STRING "]")+

import type { CompareOp, Expr, Literal, PathRoot } from './ast.ts';
import { ExpressionError } from './expression-error.ts';
import { FUNCTIONS } from './functions.ts';
import { tokenize, type Token } from './lexer.ts';

export const MAX_SOURCE_LENGTH = 4096;
export const MAX_DEPTH = 32;
export const MAX_NODES = 512;

const SCALAR_ROOTS: ReadonlySet<string> = new Set(['line', 'ts', 'tenant', 'error', 'error_details']);
const COMPARE_OPS: ReadonlySet<string> = new Set(['==', '!=', '<', '<=', '>', '>=']);
const KEYWORDS: ReadonlySet<string> = new Set(['and', 'or', 'not', 'in', 'true', 'false', 'null']);

export function parseExpression(source: string): Expr {
  if (source.length > MAX_SOURCE_LENGTH) throw new ExpressionError(`expression too long (${source.length} characters; the limit is ${MAX_SOURCE_LENGTH})`, MAX_SOURCE_LENGTH, source.slice(0, 80) + '…');
  if (source.trim() === '') throw new ExpressionError('empty expression', 1, source);
  return new Parser(source).parseAll();
}

class Parser {
  private readonly tokens: Token[];
  private pos = 0;
  private depth = 0;
  private nodes = 0;

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  parseAll(): Expr {
    const expr = this.parseOr();
    const t = this.peek();
    if (t.kind !== 'end') this.fail(`unexpected ${describe(t)} (expected an operator such as ==, and, or, or the end)`, t);
    return expr;
  }

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private next(): Token {
    return this.tokens[this.pos++];
  }

  private isOp(text: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === text;
  }

  private isWord(text: string): boolean {
    const t = this.peek();
    return t.kind === 'name' && t.text === text;
  }

  private expectOp(text: string, what: string): Token {
    const t = this.next();
    if (t.kind !== 'op' || t.text !== text) this.fail(`expected "${text}" ${what}, got ${describe(t)}`, t);
    return t;
  }

  private fail(message: string, at: Token | number): never {
    throw new ExpressionError(message, typeof at === 'number' ? at : at.column, this.source);
  }

  private node<T extends Expr>(e: T): T {
    if (++this.nodes > MAX_NODES) this.fail(`expression too large (more than ${MAX_NODES} terms)`, e.column);
    return e;
  }

  private enter(at: Token): void {
    if (++this.depth > MAX_DEPTH) this.fail(`expression nested too deeply (more than ${MAX_DEPTH} levels)`, at);
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isWord('or') || this.isOp('||')) {
      const op = this.next();
      left = this.node({ kind: 'or', left, right: this.parseAnd(), column: op.column });
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseUnary();
    while (this.isWord('and') || this.isOp('&&')) {
      const op = this.next();
      left = this.node({ kind: 'and', left, right: this.parseUnary(), column: op.column });
    }
    return left;
  }

  private parseUnary(): Expr {
    if (this.isWord('not') || this.isOp('!')) {
      const op = this.next();
      this.enter(op);
      const operand = this.parseUnary();
      this.depth--;
      return this.node({ kind: 'not', operand, column: op.column });
    }
    return this.parseCompare();
  }

  private parseCompare(): Expr {
    const left = this.parseOperand();
    const t = this.peek();
    if (t.kind === 'op' && COMPARE_OPS.has(t.text)) {
      this.next();
      return this.node({ kind: 'compare', op: t.text as CompareOp, left, right: this.parseOperand(), column: t.column });
    }
    if (t.kind === 'op' && (t.text === '=~' || t.text === '!~')) {
      this.next();
      const p = this.next();
      if (p.kind !== 'string') this.fail(`expected a regular expression in quotes after ${t.text}, got ${describe(p)}`, p);
      return this.node({ kind: 'match', negated: t.text === '!~', subject: left, pattern: p.text, column: t.column });
    }
    if (this.isWord('in') || (this.isWord('not') && this.tokens[this.pos + 1].kind === 'name' && this.tokens[this.pos + 1].text === 'in')) {
      const negated = this.isWord('not');
      if (negated) this.next();
      this.next();
      return this.node({ kind: 'in', negated, subject: left, items: this.parseList(), column: t.column });
    }
    return left;
  }

  private parseList(): Literal[] {
    this.expectOp('[', 'to start the list after in');
    const items: Literal[] = [];
    if (this.isOp(']')) {
      this.next();
      return items;
    }
    for (;;) {
      const t = this.peek();
      const lit = this.literal();
      if (lit === undefined) this.fail(`expected a literal (string, number, true, false or null) in the list, got ${describe(t)}`, t);
      this.next();
      if (++this.nodes > MAX_NODES) this.fail(`expression too large (more than ${MAX_NODES} terms)`, t);
      items.push(lit.value);
      const sep = this.next();
      if (sep.kind === 'op' && sep.text === ']') return items;
      if (sep.kind !== 'op' || sep.text !== ',') this.fail(`expected "," or "]" in the list, got ${describe(sep)}`, sep);
    }
  }

  /** The literal at the current token (not consumed), or undefined. A `-` directly before a number negates it. */
  private literal(): { value: Literal } | undefined {
    const t = this.peek();
    if (t.kind === 'string') return { value: t.text };
    if (t.kind === 'number') return { value: t.value! };
    if (t.kind === 'name' && (t.text === 'true' || t.text === 'false')) return { value: t.text === 'true' };
    if (t.kind === 'name' && t.text === 'null') return { value: null };
    return undefined;
  }

  private parseOperand(): Expr {
    const t = this.peek();
    const lit = this.literal();
    if (lit !== undefined) {
      this.next();
      return this.node({ kind: 'literal', value: lit.value, column: t.column });
    }
    if (t.kind === 'op' && t.text === '(') {
      this.next();
      this.enter(t);
      const inner = this.parseOr();
      this.depth--;
      this.expectOp(')', 'to close the "(" at column ' + t.column);
      return inner;
    }
    if (t.kind !== 'name' || KEYWORDS.has(t.text)) this.fail(`expected a value (a field such as labels.app, a string, a number, or a function call), got ${describe(t)}`, t);
    this.next();
    if (this.isOp('(')) return this.parseCall(t);
    if (SCALAR_ROOTS.has(t.text)) return this.node({ kind: 'path', root: t.text as PathRoot, column: t.column });
    if (t.text === 'labels' || t.text === 'fields') return this.parseMember(t);
    this.fail(`unknown name "${t.text}" (expected line, ts, tenant, error, error_details, labels.NAME, fields.NAME or a function call)`, t);
  }

  private parseMember(root: Token): Expr {
    const parts: string[] = [];
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const n = this.next();
        if (n.kind !== 'name') this.fail(`expected a name after "."`, n);
        parts.push(n.text);
      } else if (this.isOp('[')) {
        this.next();
        const s = this.next();
        if (s.kind !== 'string') this.fail(`expected a quoted name inside [ ], got ${describe(s)}`, s);
        this.expectOp(']', 'after the quoted name');
        parts.push(s.text);
      } else break;
    }
    if (parts.length === 0) this.fail(`expected ${root.text}.NAME or ${root.text}["NAME"]`, root);
    if (root.text === 'labels' && parts.length > 1) this.fail('a label name has no dots: write labels["a.b"] for an unusual name', root);
    return this.node({ kind: 'path', root: root.text as PathRoot, name: parts.join('.'), column: root.column });
  }

  private parseCall(name: Token): Expr {
    const fn = FUNCTIONS.get(name.text);
    if (!fn) this.fail(`unknown function "${name.text}" (known: ${[...FUNCTIONS.keys()].join(', ')})`, name);
    this.next();
    this.enter(name);
    const args: Expr[] = [];
    if (!this.isOp(')')) {
      for (;;) {
        args.push(this.parseOr());
        if (this.isOp(',')) {
          this.next();
          continue;
        }
        break;
      }
    }
    this.expectOp(')', `to close the call of ${name.text}`);
    this.depth--;
    if (args.length < fn.minArgs || args.length > fn.maxArgs) {
      const want = fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : fn.maxArgs === Infinity ? `at least ${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs}`;
      this.fail(`${name.text}() takes ${want} argument${want === '1' ? '' : 's'}, got ${args.length}`, name);
    }
    return this.node({ kind: 'call', name: name.text, args, column: name.column });
  }
}

function describe(t: Token): string {
  if (t.kind === 'end') return 'the end of the expression';
  if (t.kind === 'string') return `the string ${JSON.stringify(t.text)}`;
  return `"${t.text}"`;
}
