// Parser for the Go text/template subset: builds the template tree (text, actions, if/else if/else, with, range,
// variable declarations) from the lexer's tokens and resolves function and variable names at compile time, as
// text/template does (`function "x" not defined`, `undefined variable "$x"`).
import { parseGoFloat, parseGoIntBase0 } from '../go-number.ts';
import { TEMPLATE_FUNCTIONS, type TemplateFunc } from './functions.ts';
import { lexTemplate, TemplateSyntaxError, type Token } from './lexer.ts';

export { TemplateSyntaxError };

export interface NumberConst {
  k: 'number';
  text: string;
  isInt: boolean;
  int: bigint;
  isFloat: boolean;
  float: number;
  /** Hex integers and character constants stay integers when passed as interface{} (Go's idealConstant). */
  forceInt: boolean;
}

export type TArg =
  | { k: 'field'; names: string[]; pos: number }
  | { k: 'dot'; pos: number }
  | { k: 'func'; name: string; fn: TemplateFunc; pos: number }
  | { k: 'string'; value: string; pos: number }
  | (NumberConst & { pos: number })
  | { k: 'bool'; value: boolean; pos: number }
  | { k: 'nil'; pos: number }
  | { k: 'pipe'; pipe: TPipe; pos: number }
  /** `$name.f.g`; the root `$` has the name '' */
  | { k: 'var'; name: string; fields: string[]; pos: number };

export interface TCommand {
  args: TArg[];
  pos: number;
  /** Source text of the command, for error messages (`at <div .a 0>`). */
  source: string;
}

export interface TPipe {
  cmds: TCommand[];
  pos: number;
  /** `$x := pipeline` declares, `$x = pipeline` assigns (names without `$`); range may declare two */
  decl?: { names: string[]; assign: boolean };
}

export type TNode =
  | { k: 'text'; text: string }
  | { k: 'action'; pipe: TPipe }
  | { k: 'if' | 'with' | 'range'; pipe: TPipe; then: TNode[]; otherwise: TNode[] | null };

function numberConst(text: string, pos: number): NumberConst {
  const c: NumberConst = { k: 'number', text, isInt: false, int: 0n, isFloat: false, float: 0, forceInt: false };
  const lower = text.toLowerCase().replace(/^[+-]/, '');
  const hexInt = lower.startsWith('0x') && !/[.p]/.test(lower);
  const asInt = /[.eEpP]/.test(text) && !hexInt ? null : parseGoIntBase0(text.replaceAll('_', ''));
  if (asInt !== null) {
    c.isInt = true;
    c.int = asInt;
    c.isFloat = true;
    c.float = Number(asInt);
    c.forceInt = hexInt;
    return c;
  }
  const f = parseGoFloat(text.replaceAll('_', ''));
  if (!f.ok) throw new TemplateSyntaxError(`illegal number syntax: ${JSON.stringify(text)}`, pos);
  c.isFloat = true;
  c.float = f.value;
  if (Number.isInteger(f.value) && Math.abs(f.value) < 2 ** 63) {
    c.isInt = true;
    c.int = BigInt(f.value);
  }
  return c;
}

class Parser {
  private i = 0;
  /** variables in scope, innermost last; the root `$` is '' */
  private vars: string[] = [''];
  constructor(private readonly tokens: Token[], private readonly src: string) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }

  private next(): Token {
    const t = this.tokens[this.i++];
    if (t === undefined) throw new TemplateSyntaxError('unexpected end of template', this.src.length);
    return t;
  }

  private expect(kind: Token['kind'], what: string): Token {
    const t = this.next();
    if (t.kind !== kind) throw new TemplateSyntaxError(`unexpected ${JSON.stringify(t.value)} in ${what}`, t.pos);
    return t;
  }

  /** Parses nodes until `{{end}}` / `{{else}}` (returned, with the `{{` and keyword consumed) or the end. */
  parseList(): { nodes: TNode[]; stop: 'end' | 'else' | 'eof'; stopPos: number } {
    const nodes: TNode[] = [];
    for (;;) {
      const t = this.peek();
      if (t === undefined) return { nodes, stop: 'eof', stopPos: this.src.length };
      if (t.kind === 'text') {
        this.i++;
        nodes.push({ k: 'text', text: t.value });
        continue;
      }
      this.expect('open', 'template');
      const kw = this.peek();
      if (kw?.kind === 'keyword') {
        switch (kw.value) {
          case 'end':
            this.i++;
            this.expect('close', 'end');
            return { nodes, stop: 'end', stopPos: kw.pos };
          case 'else':
            this.i++;
            return { nodes, stop: 'else', stopPos: kw.pos };
          case 'if':
          case 'with':
          case 'range':
            this.i++;
            nodes.push(this.parseConditional(kw.value, kw.pos));
            continue;
          default:
            throw new TemplateSyntaxError(`{{${kw.value}}} is not supported in LogQL templates`, kw.pos);
        }
      }
      const pipe = this.parsePipeline('command', 1);
      this.expect('close', 'command');
      nodes.push({ k: 'action', pipe });
    }
  }

  /**
   * After `{{if` / `{{with` / `{{range`: pipeline, body, optional else / else if chain, and the shared `{{end}}`.
   * Variables declared from the pipeline on are in scope until that `{{end}}`.
   */
  private parseConditional(kind: 'if' | 'with' | 'range', pos: number): TNode {
    const scope = this.vars.length;
    const pipe = this.parsePipeline(kind, kind === 'range' ? 2 : 1);
    this.expect('close', kind);
    const body = this.parseList();
    if (body.stop === 'eof') throw new TemplateSyntaxError(`unexpected EOF: missing {{end}} for {{${kind}}}`, pos);
    let otherwise: TNode[] | null = null;
    if (body.stop === 'else') {
      const chained = this.peek();
      if (chained?.kind === 'keyword' && (chained.value === 'if' || chained.value === 'with') && kind !== 'range') {
        // {{else if x}} ... {{end}}: the nested conditional consumes the shared {{end}}.
        this.i++;
        otherwise = [this.parseConditional(chained.value, chained.pos)];
      } else {
        this.expect('close', 'else');
        const rest = this.parseList();
        if (rest.stop !== 'end') throw new TemplateSyntaxError(`expected {{end}} for {{${kind}}}`, rest.stopPos);
        otherwise = rest.nodes;
      }
    }
    this.vars.length = scope;
    return { k: kind, pipe, then: body.nodes, otherwise };
  }

  /** `$x :=` / `$x =` / `$i, $v :=` at the start of a pipeline, up to `maxVars` names. */
  private parseDeclaration(maxVars: number): TPipe['decl'] {
    const names: string[] = [];
    let k = 0;
    for (;;) {
      const v = this.peek(k);
      if (v?.kind !== 'variable' || v.value.includes('.') || v.value === '') return undefined;
      names.push(v.value);
      const after = this.peek(k + 1);
      if (after?.kind === 'comma' && names.length < maxVars) {
        k += 2;
        continue;
      }
      if (after?.kind !== 'declare' && !(after?.kind === 'assign' && names.length === 1)) return undefined;
      this.i += k + 2;
      const assign = after.kind === 'assign';
      if (assign && !this.vars.includes(names[0]!)) throw new TemplateSyntaxError(`undefined variable "$${names[0]}"`, v.pos);
      return { names, assign };
    }
  }

  private parsePipeline(context: string, maxVars = 0): TPipe {
    const decl = maxVars > 0 ? this.parseDeclaration(maxVars) : undefined;
    const start = this.peek();
    const pipe: TPipe = { cmds: [], pos: start?.pos ?? this.src.length };
    if (decl) pipe.decl = decl;
    for (;;) {
      const cmd = this.parseCommand(context);
      // Go: only the first command of a pipeline may start with a constant or the dot.
      const head = cmd.args[0]!.k;
      if (pipe.cmds.length > 0 && (head === 'string' || head === 'number' || head === 'bool' || head === 'nil' || head === 'dot')) {
        throw new TemplateSyntaxError(`non executable command in pipeline stage ${pipe.cmds.length + 1}`, cmd.pos);
      }
      pipe.cmds.push(cmd);
      if (this.peek()?.kind !== 'pipe') break;
      this.i++;
    }
    // a declared variable is visible after its own pipeline
    if (decl && !decl.assign) this.vars.push(...decl.names);
    return pipe;
  }

  private parseCommand(context: string): TCommand {
    const args: TArg[] = [];
    const first = this.peek();
    const pos = first?.pos ?? this.src.length;
    for (;;) {
      const t = this.peek();
      if (t === undefined || t.kind === 'close' || t.kind === 'pipe' || t.kind === 'rparen') break;
      args.push(this.parseOperand());
    }
    if (args.length === 0) {
      const t = this.peek();
      throw new TemplateSyntaxError(t?.kind === 'pipe' ? 'missing command before "|"' : `missing value for ${context}`, t?.pos ?? pos);
    }
    const endTok = this.peek();
    const end = endTok ? endTok.pos : this.src.length;
    return { args, pos, source: this.src.slice(pos, end).trim() };
  }

  private parseOperand(): TArg {
    const t = this.next();
    switch (t.kind) {
      case 'field':
        return { k: 'field', names: t.value.split('.'), pos: t.pos };
      case 'dot':
        return { k: 'dot', pos: t.pos };
      case 'string':
        return { k: 'string', value: t.value, pos: t.pos };
      case 'bool':
        return { k: 'bool', value: t.value === 'true', pos: t.pos };
      case 'nil':
        return { k: 'nil', pos: t.pos };
      case 'number':
        return { ...numberConst(t.value, t.pos), pos: t.pos };
      case 'char': {
        const cp = BigInt(t.value.codePointAt(0)!);
        return { k: 'number', text: `'${t.value}'`, isInt: true, int: cp, isFloat: true, float: Number(cp), forceInt: true, pos: t.pos };
      }
      case 'ident': {
        const fn = TEMPLATE_FUNCTIONS.get(t.value);
        if (fn === undefined) throw new TemplateSyntaxError(`function ${JSON.stringify(t.value)} not defined`, t.pos);
        return { k: 'func', name: t.value, fn, pos: t.pos };
      }
      case 'variable': {
        const [name, ...fields] = t.value.split('.');
        if (!this.vars.includes(name!)) throw new TemplateSyntaxError(`undefined variable "$${name}"`, t.pos);
        return { k: 'var', name: name!, fields, pos: t.pos };
      }
      case 'lparen': {
        const pipe = this.parsePipeline('parenthesized pipeline');
        this.expect('rparen', 'parenthesized pipeline');
        return { k: 'pipe', pipe, pos: t.pos };
      }
      default:
        throw new TemplateSyntaxError(`unexpected ${JSON.stringify(t.value)} in operand`, t.pos);
    }
  }
}

/** Parses a template; throws TemplateSyntaxError (with the source offset) when it is malformed. */
export function parseTemplate(src: string): TNode[] {
  const parser = new Parser(lexTemplate(src), src);
  const list = parser.parseList();
  if (list.stop !== 'eof') throw new TemplateSyntaxError(`unexpected {{${list.stop}}}`, list.stopPos);
  return list.nodes;
}
