// Compiles a line_format / label_format template once and executes it per row, with text/template's semantics:
// the dot is the row's label map (a missing label reads as ""), the piped value is a command's last argument,
// arguments are checked against Go parameter types, `and` / `or` short-circuit, variables are scoped to the
// enclosing if/with/range, `range` walks arrays, maps (sorted keys) and integers. Failures throw TemplateExecError.
import type { StageRow } from '../stage.ts';
import type { TemplateFunc, ParamKind } from './functions.ts';
import { parseTemplate, TemplateSyntaxError, type NumberConst, type TArg, type TCommand, type TNode, type TPipe } from './parser.ts';
import { formatValue, goTypeName, isJsonArray, isJsonObject, isLabelMap, isTime, isTrue, printValue, TemplateExecError, type TValue } from './values.ts';

export { TemplateExecError, TemplateSyntaxError };

export interface CompiledTemplate {
  /** "line" for line_format, "label" for label_format: the template name in error messages, as in Loki. */
  name: string;
  source: string;
  nodes: TNode[];
  /** Set when the template has no actions: its output never changes. */
  constant: string | null;
  executor: Executor;
}

/** Line:column of an offset, for messages in Go's `template: name:line:col:` form. */
function where(source: string, pos: number): string {
  let line = 1;
  let col = 1;
  for (let i = 0; i < pos && i < source.length; i++) {
    if (source[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return `${line}:${col}`;
}

export function compileTemplate(source: string, name: string): CompiledTemplate {
  let nodes: TNode[];
  try {
    nodes = parseTemplate(source);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) {
      throw new TemplateSyntaxError(`template: ${name}:${where(source, err.pos)}: ${err.message}`, err.pos);
    }
    throw err;
  }
  let constant: string | null = null;
  if (nodes.every((n) => n.k === 'text')) constant = nodes.map((n) => (n.k === 'text' ? n.text : '')).join('');
  return { name, source, nodes, constant, executor: new Executor() };
}

/** Internal: carries the failing command so the message can name it like Go does. */
class Failure extends TemplateExecError {
  constructor(readonly cmd: TCommand, message: string) {
    super(message);
  }
}

const KIND_NAMES: Record<ParamKind, string> = { string: 'string', int: 'int', float: 'float64', bool: 'bool', time: 'time.Time', any: 'interface {}' };

function checkKind(v: TValue, kind: ParamKind): TValue {
  switch (kind) {
    case 'any': return v;
    case 'string': if (typeof v === 'string') return v; break;
    case 'int': if (typeof v === 'bigint') return v; break;
    case 'float': if (typeof v === 'number') return v; break;
    case 'bool': if (typeof v === 'boolean') return v; break;
    case 'time': if (v !== null && isTime(v)) return v; break;
  }
  if (v === null) throw new TemplateExecError(`invalid value; expected ${KIND_NAMES[kind]}`);
  throw new TemplateExecError(`wrong type for value; expected ${KIND_NAMES[kind]}; got ${goTypeName(v)}`);
}

/** A number constant as a value of the wanted parameter type (Go converts untyped constants at the call). */
function constant(c: NumberConst, kind: ParamKind): TValue {
  switch (kind) {
    case 'int':
      if (c.isInt) return c.int;
      throw new TemplateExecError(`expected integer; found ${c.text}`);
    case 'float':
      if (c.isFloat) return c.float;
      throw new TemplateExecError(`expected float; found ${c.text}`);
    case 'any':
      if (c.isFloat && !c.forceInt && /[.eEpP]/.test(c.text)) return c.float;
      return c.isInt ? c.int : c.float;
    default:
      throw new TemplateExecError(`expected ${KIND_NAMES[kind]}; found ${c.text}`);
  }
}

/** Walks the template tree for one row at a time; one instance per compiled template, reused across rows. */
class Executor {
  row: StageRow = { line: '', tsNs: 0n, labels: new Map() };
  /** variables in scope, innermost last; [0] is the root `$` */
  vars: { name: string; value: TValue }[] = [];

  field(dot: TValue, names: string[]): TValue {
    let v = dot;
    for (const name of names) {
      if (v !== null && isLabelMap(v)) v = v.get(name) ?? '';
      else if (v !== null && isJsonObject(v)) v = v.entries.get(name) ?? null;
      else throw new TemplateExecError(`can't evaluate field ${name} in type ${goTypeName(v)}`);
    }
    return v;
  }

  variable(name: string): TValue {
    for (let k = this.vars.length - 1; k >= 0; k--) if (this.vars[k]!.name === name) return this.vars[k]!.value;
    throw new TemplateExecError(`undefined variable: $${name}`);
  }

  /** Binds a pipeline's declaration (`$x :=`, `$x =`) to its value. */
  bind(decl: NonNullable<TPipe['decl']>, value: TValue): void {
    const name = decl.names[0]!;
    if (!decl.assign) {
      this.vars.push({ name, value });
      return;
    }
    for (let k = this.vars.length - 1; k >= 0; k--) {
      if (this.vars[k]!.name === name) {
        this.vars[k]!.value = value;
        return;
      }
    }
  }

  /** The elements `range` walks, as [key or index, element] pairs (Go sorts map keys); null for nothing to walk. */
  rangeItems(v: TValue): [TValue, TValue][] {
    if (v === null) return [];
    if (isJsonArray(v)) return v.map((x, i) => [BigInt(i), x]);
    if (isJsonObject(v)) return [...v.entries.keys()].sort().map((k) => [k, v.entries.get(k)!]);
    if (isLabelMap(v)) return [...v.keys()].sort().map((k) => [k, v.get(k)!]);
    if (typeof v === 'bigint') {
      const out: [TValue, TValue][] = [];
      for (let i = 0n; i < v; i++) out.push([i, i]);
      return out;
    }
    throw new TemplateExecError(`range can't iterate over ${formatValue(v)}`);
  }

  arg(node: TArg, kind: ParamKind, dot: TValue): TValue {
    switch (node.k) {
      case 'number':
        return constant(node, kind);
      case 'string':
        if (kind === 'string' || kind === 'any') return node.value;
        throw new TemplateExecError(`expected ${KIND_NAMES[kind]}; found ${JSON.stringify(node.value)}`);
      case 'bool':
        if (kind === 'bool' || kind === 'any') return node.value;
        throw new TemplateExecError(`expected ${KIND_NAMES[kind]}; found ${node.value}`);
      case 'nil':
        if (kind === 'any') return null;
        throw new TemplateExecError(`cannot assign nil to ${KIND_NAMES[kind]}`);
      case 'dot':
        return checkKind(dot, kind);
      case 'field':
        return checkKind(this.field(dot, node.names), kind);
      case 'func':
        return checkKind(this.call(node.name, node.fn, [], 0, dot, undefined), kind);
      case 'pipe':
        return checkKind(this.pipe(node.pipe, dot), kind);
      case 'var': {
        const v = this.variable(node.name);
        return checkKind(node.fields.length > 0 ? this.field(v, node.fields) : v, kind);
      }
    }
  }

  call(name: string, fn: TemplateFunc, args: TArg[], from: number, dot: TValue, final: TValue | undefined): TValue {
    const given = args.length - from + (final === undefined ? 0 : 1);
    if (fn.lazy) {
      if (given === 0) throw new TemplateExecError(`wrong number of args for ${name}: want at least 1 got 0`);
      let v: TValue = null;
      for (let k = from; k < args.length; k++) {
        v = this.arg(args[k]!, 'any', dot);
        if (name === 'and' ? !isTrue(v) : isTrue(v)) return v;
      }
      return final === undefined ? v : final;
    }
    const fixed = fn.params.length;
    if (fn.variadic !== undefined ? given < fixed : given !== fixed) {
      const want = fn.variadic !== undefined ? `at least ${fixed}` : String(fixed);
      throw new TemplateExecError(`wrong number of args for ${name}: want ${want} got ${given}`);
    }
    const values: TValue[] = [];
    for (let k = from; k < args.length; k++) {
      const idx = values.length;
      values.push(this.arg(args[k]!, idx < fixed ? fn.params[idx]! : fn.variadic!, dot));
    }
    if (final !== undefined) {
      const idx = values.length;
      values.push(checkKind(final, idx < fixed ? fn.params[idx]! : fn.variadic!));
    }
    try {
      return fn.call(values, this.row);
    } catch (err) {
      if (err instanceof TemplateExecError) throw new TemplateExecError(`error calling ${name}: ${err.message}`);
      throw err;
    }
  }

  command(cmd: TCommand, dot: TValue, final: TValue | undefined): TValue {
    const first = cmd.args[0]!;
    try {
      if (first.k === 'func') return this.call(first.name, first.fn, cmd.args, 1, dot, final);
      if (cmd.args.length > 1 || final !== undefined) {
        if (first.k === 'field') throw new TemplateExecError(`${first.names[first.names.length - 1]} is not a method but has arguments`);
        if (first.k === 'var' && first.fields.length > 0) throw new TemplateExecError(`${first.fields[first.fields.length - 1]} is not a method but has arguments`);
        throw new TemplateExecError(`can't give argument to non-function ${cmd.source.split(/\s+/)[0]}`);
      }
      return this.arg(first, 'any', dot);
    } catch (err) {
      if (err instanceof TemplateExecError && !(err instanceof Failure)) throw new Failure(cmd, err.message);
      throw err;
    }
  }

  pipe(pipe: TPipe, dot: TValue): TValue {
    let v: TValue | undefined;
    for (const cmd of pipe.cmds) v = this.command(cmd, dot, v);
    return v === undefined ? null : v;
  }

  list(nodes: TNode[], dot: TValue): string {
    let out = '';
    for (const node of nodes) {
      switch (node.k) {
        case 'text':
          out += node.text;
          break;
        case 'action': {
          const v = this.pipe(node.pipe, dot);
          // a declaration or assignment prints nothing
          if (node.pipe.decl) this.bind(node.pipe.decl, v);
          else out += printValue(v);
          break;
        }
        case 'if':
        case 'with': {
          const scope = this.vars.length;
          const v = this.pipe(node.pipe, dot);
          if (node.pipe.decl) this.bind(node.pipe.decl, v);
          if (isTrue(v)) out += this.list(node.then, node.k === 'with' ? v : dot);
          else if (node.otherwise !== null) out += this.list(node.otherwise, dot);
          this.vars.length = scope;
          break;
        }
        case 'range': {
          const scope = this.vars.length;
          let items: [TValue, TValue][];
          try {
            items = this.rangeItems(this.pipe(node.pipe, dot));
          } catch (err) {
            if (err instanceof TemplateExecError && !(err instanceof Failure)) throw new Failure(node.pipe.cmds[node.pipe.cmds.length - 1]!, err.message);
            throw err;
          }
          const decl = node.pipe.decl;
          for (const [key, elem] of items) {
            if (decl?.names.length === 1) this.vars.push({ name: decl.names[0]!, value: elem });
            else if (decl) this.vars.push({ name: decl.names[0]!, value: key }, { name: decl.names[1]!, value: elem });
            out += this.list(node.then, elem);
            this.vars.length = scope;
          }
          if (items.length === 0 && node.otherwise !== null) out += this.list(node.otherwise, dot);
          break;
        }
      }
    }
    return out;
  }
}

/**
 * Renders the template for a row, with `dot` as the data (the row's labels, or a snapshot of them).
 * Throws TemplateExecError with a Go-style message: `template: line:1:3: executing "line" at <div .a 0>: ...`.
 */
export function executeTemplate(t: CompiledTemplate, row: StageRow, dot: ReadonlyMap<string, string>): string {
  if (t.constant !== null) return t.constant;
  try {
    t.executor.row = row;
    t.executor.vars = [{ name: '', value: dot }];
    return t.executor.list(t.nodes, dot);
  } catch (err) {
    if (err instanceof Failure) {
      throw new TemplateExecError(`template: ${t.name}:${where(t.source, err.cmd.pos)}: executing "${t.name}" at <${err.cmd.source}>: ${err.message}`);
    }
    throw err;
  }
}
