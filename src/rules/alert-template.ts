// Prometheus alert templates (annotations and alert labels): the Go text/template subset rules use, with the data
// Prometheus provides ($labels, $value, $externalLabels, $externalURL, .Labels, .Value...) and its functions
// (humanize*, title, toUpper, match, reReplaceAll, printf, eq/lt/..., and/or/not, index, len...). Missing labels read
// as "" (Prometheus runs templates with missingkey=zero). `query` and other functions that reach the store are not
// available: compiling a template that calls one fails, so `rules check` reports it.

import { RE2JS } from 're2js';
import { goSprint, goSprintf } from '../query/stages/template/go-fmt.ts';
import { formatValue, isLabelMap, isTrue, type LabelMap, type TValue } from '../query/stages/template/values.ts';
import { parseGoFloat } from '../query/stages/go-number.ts';
import type { Labels } from '../model/record.ts';
import { humanize, humanize1024, humanizeDuration, humanizePercentage, humanizeTimestamp } from './humanize.ts';
import { parsePromDuration } from './prom-duration.ts';

export interface TemplateData {
  labels: Labels;
  value: number;
  externalLabels?: Labels;
  externalURL?: string;
}

/** A template that does not parse, or fails while running; the message reads like Go's (`template: name:1:5: ...`). */
export class AlertTemplateError extends Error {}

type Arg =
  | { kind: 'var'; name: string; fields: string[] }
  | { kind: 'field'; fields: string[] }
  | { kind: 'dot' }
  | { kind: 'const'; value: TValue }
  | { kind: 'func'; name: string }
  | { kind: 'pipe'; pipe: Pipe; fields: string[] };

interface Command {
  args: Arg[];
  pos: number;
}

interface Pipe {
  decl?: string;
  cmds: Command[];
  pos: number;
}

type TNode =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipe }
  | { kind: 'if' | 'with'; pipe: Pipe; then: TNode[]; else: TNode[] };

export interface CompiledAlertTemplate {
  name: string;
  source: string;
  nodes: TNode[];
}

// ---------------------------------------------------------------- functions

type Fn = { min: number; max: number; call: (args: TValue[]) => TValue };

function toFloat(v: TValue, fn: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') {
    const r = parseGoFloat(v.trim());
    if (r.ok) return r.value;
  }
  throw new Error(`${fn}: cannot convert ${formatValue(v)} to a number`);
}

function toStr(v: TValue): string {
  return typeof v === 'string' ? v : formatValue(v);
}

function compare(a: TValue, b: TValue, fn: string): number {
  const numeric = (x: TValue) => typeof x === 'number' || typeof x === 'bigint';
  if (numeric(a) && numeric(b)) return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean' && (fn === 'eq' || fn === 'ne')) return a === b ? 0 : 1;
  throw new Error(`${fn}: incompatible types for comparison`);
}

/** A printf width or precision this large would only build a huge string: refused (templates are tenant input). */
function checkedFormat(format: string): string {
  for (const m of format.matchAll(/%[-+# 0]*(\d*)(?:\.(\d*))?/g)) {
    if (Number(m[1] || 0) > 1000 || Number(m[2] || 0) > 1000) throw new Error(`printf: width or precision over 1000 in ${JSON.stringify(format)}`);
  }
  return format;
}

const regexCache = new Map<string, RE2JS>();
function regex(source: string): RE2JS {
  let re = regexCache.get(source);
  if (!re) {
    re = RE2JS.compile(source);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(source, re);
  }
  return re;
}

function titleCase(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toUpperCase());
}

const FUNCTIONS: ReadonlyMap<string, Fn> = new Map<string, Fn>([
  ['humanize', { min: 1, max: 1, call: ([v]) => humanize(toFloat(v, 'humanize')) }],
  ['humanize1024', { min: 1, max: 1, call: ([v]) => humanize1024(toFloat(v, 'humanize1024')) }],
  ['humanizeDuration', { min: 1, max: 1, call: ([v]) => humanizeDuration(toFloat(v, 'humanizeDuration')) }],
  ['humanizePercentage', { min: 1, max: 1, call: ([v]) => humanizePercentage(toFloat(v, 'humanizePercentage')) }],
  ['humanizeTimestamp', { min: 1, max: 1, call: ([v]) => humanizeTimestamp(toFloat(v, 'humanizeTimestamp')) }],
  ['toTime', { min: 1, max: 1, call: ([v]) => ({ kind: 'time', ns: BigInt(Math.round(toFloat(v, 'toTime') * 1e6)) * 1000n, offsetSec: 0, zone: 'UTC' }) }],
  ['parseDuration', {
    min: 1, max: 1, call: ([v]) => {
      const ms = parsePromDuration(toStr(v));
      if (ms === undefined) throw new Error(`parseDuration: not a valid duration string: ${JSON.stringify(toStr(v))}`);
      return ms / 1000;
    },
  }],
  ['title', { min: 1, max: 1, call: ([v]) => titleCase(toStr(v)) }],
  ['toUpper', { min: 1, max: 1, call: ([v]) => toStr(v).toUpperCase() }],
  ['toLower', { min: 1, max: 1, call: ([v]) => toStr(v).toLowerCase() }],
  ['stripPort', {
    min: 1, max: 1, call: ([v]) => {
      const s = toStr(v);
      const m = /^\[(.*)\]:\d+$/.exec(s) ?? /^([^:]*):\d+$/.exec(s);
      return m ? m[1] : s;
    },
  }],
  ['stripDomain', {
    min: 1, max: 1, call: ([v]) => {
      const s = toStr(v);
      const port = /:\d+$/.exec(s)?.[0] ?? '';
      const host = s.slice(0, s.length - port.length);
      if (/^[\d.]+$/.test(host) || host.includes(':')) return s;
      return host.split('.')[0] + port;
    },
  }],
  ['match', { min: 2, max: 2, call: ([re, s]) => regex(toStr(re)).test(toStr(s)) }],
  ['reReplaceAll', { min: 3, max: 3, call: ([re, repl, s]) => regex(toStr(re)).matcher(toStr(s)).replaceAll(toStr(repl)) }],
  ['safeHtml', { min: 1, max: 1, call: ([v]) => toStr(v) }],
  ['urlquery', { min: 1, max: 99, call: (args) => encodeURIComponent(goSprint(args)).replace(/%20/g, '+') }],
  ['printf', { min: 1, max: 99, call: ([f, ...rest]) => goSprintf(checkedFormat(toStr(f)), rest) }],
  ['print', { min: 0, max: 99, call: (args) => goSprint(args) }],
  ['println', { min: 0, max: 99, call: (args) => args.map(formatValue).join(' ') + '\n' }],
  ['len', {
    min: 1, max: 1, call: ([v]) => {
      if (typeof v === 'string') return BigInt(Buffer.byteLength(v));
      if (isLabelMap(v)) return BigInt(v.size);
      throw new Error(`len of ${formatValue(v)}`);
    },
  }],
  ['index', {
    min: 2, max: 2, call: ([m, k]) => {
      if (!isLabelMap(m)) throw new Error(`index of untyped nil or non-map value`);
      return m.get(toStr(k)) ?? '';
    },
  }],
  ['eq', { min: 2, max: 99, call: ([a, ...bs]) => bs.some((b) => compare(a, b, 'eq') === 0) }],
  ['ne', { min: 2, max: 2, call: ([a, b]) => compare(a, b, 'ne') !== 0 }],
  ['lt', { min: 2, max: 2, call: ([a, b]) => compare(a, b, 'lt') < 0 }],
  ['le', { min: 2, max: 2, call: ([a, b]) => compare(a, b, 'le') <= 0 }],
  ['gt', { min: 2, max: 2, call: ([a, b]) => compare(a, b, 'gt') > 0 }],
  ['ge', { min: 2, max: 2, call: ([a, b]) => compare(a, b, 'ge') >= 0 }],
  ['not', { min: 1, max: 1, call: ([v]) => !isTrue(v) }],
  // and/or return the deciding operand, as Go's do (evaluated eagerly here: operands have no side effects)
  ['and', { min: 1, max: 99, call: (args) => args.find((a) => !isTrue(a)) ?? args[args.length - 1] }],
  ['or', { min: 1, max: 99, call: (args) => args.find((a) => isTrue(a)) ?? args[args.length - 1] }],
]);

/** Functions Prometheus offers that need the query engine or the web UI; named so the error says why. */
const UNSUPPORTED = new Set(['query', 'first', 'label', 'value', 'sortByLabel', 'strvalue', 'args', 'tmpl', 'graphLink', 'tableLink', 'pathPrefix', 'externalURL']);

// ---------------------------------------------------------------- lexer + parser

interface Tok {
  kind: 'text' | 'open' | 'close' | 'ident' | 'var' | 'field' | 'dot' | 'string' | 'number' | 'pipe' | 'lparen' | 'rparen' | 'declare' | 'eof';
  value: string;
  pos: number;
}

function lex(src: string, fail: (msg: string, pos: number) => never): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    let open = src.indexOf('{{', i);
    if (open < 0) open = src.length;
    let text = src.slice(i, open);
    const trimLeft = src.startsWith('{{- ', open) || src.startsWith('{{-\t', open) || src.startsWith('{{-\n', open);
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, '');
    if (text) toks.push({ kind: 'text', value: text, pos: i });
    if (open >= src.length) break;
    i = open + (trimLeft ? 3 : 2);
    // comments: {{/* ... */}}
    const rest = src.slice(i).trimStart();
    if (rest.startsWith('/*')) {
      const end = src.indexOf('*/', i);
      const close = end < 0 ? -1 : src.indexOf('}}', end);
      if (close < 0) fail('unclosed comment', open);
      const trimRight = src[close - 1] === '-' && /\s/.test(src[close - 2] ?? '');
      i = close + 2;
      if (trimRight) while (i < src.length && /[ \t\r\n]/.test(src[i])) i++;
      continue;
    }
    toks.push({ kind: 'open', value: '{{', pos: open });
    for (;;) {
      while (i < src.length && /[ \t\r\n]/.test(src[i])) i++;
      if (i >= src.length) fail('unclosed action', open);
      const c = src[i];
      if (c === '-' && src.startsWith('}}', i + 1) && /[ \t\r\n]/.test(src[i - 1])) {
        toks.push({ kind: 'close', value: '}}', pos: i });
        i += 3;
        while (i < src.length && /[ \t\r\n]/.test(src[i])) i++;
        break;
      }
      if (c === '}' && src[i + 1] === '}') {
        toks.push({ kind: 'close', value: '}}', pos: i });
        i += 2;
        break;
      }
      const start = i;
      if (c === '|') {
        toks.push({ kind: 'pipe', value: '|', pos: i++ });
      } else if (c === '(') {
        toks.push({ kind: 'lparen', value: '(', pos: i++ });
      } else if (c === ')') {
        toks.push({ kind: 'rparen', value: ')', pos: i++ });
        // a field chain right after a parenthesized pipeline: (index $labels "x").Foo
        if (src[i] === '.' && /[A-Za-z_]/.test(src[i + 1] ?? '')) {
          const m = /^(\.[A-Za-z_][A-Za-z0-9_]*)+/.exec(src.slice(i))!;
          toks.push({ kind: 'field', value: m[0].slice(1), pos: i });
          i += m[0].length;
        }
      } else if (c === ':' && src[i + 1] === '=') {
        toks.push({ kind: 'declare', value: ':=', pos: i });
        i += 2;
      } else if (c === '"') {
        let j = i + 1;
        let out = '';
        while (j < src.length && src[j] !== '"') {
          if (src[j] === '\n') fail('unterminated quoted string', start);
          if (src[j] === '\\') {
            const e = src[j + 1];
            const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };
            if (e in simple) {
              out += simple[e];
              j += 2;
            } else if (e === 'x' || e === 'u' || e === 'U') {
              const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
              const hex = src.slice(j + 2, j + 2 + n);
              if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) fail(`invalid escape in string`, j);
              out += String.fromCodePoint(parseInt(hex, 16));
              j += 2 + n;
            } else fail(`unknown escape sequence \\${e}`, j);
          } else out += src[j++];
        }
        if (j >= src.length) fail('unterminated quoted string', start);
        toks.push({ kind: 'string', value: out, pos: start });
        i = j + 1;
      } else if (c === '`') {
        const end = src.indexOf('`', i + 1);
        if (end < 0) fail('unterminated raw quoted string', start);
        toks.push({ kind: 'string', value: src.slice(i + 1, end), pos: start });
        i = end + 1;
      } else if (c === '$') {
        const m = /^\$[A-Za-z0-9_]*((\.[A-Za-z_][A-Za-z0-9_]*)*)/.exec(src.slice(i))!;
        toks.push({ kind: 'var', value: m[0], pos: i });
        i += m[0].length;
      } else if (c === '.') {
        const m = /^(\.[A-Za-z_][A-Za-z0-9_]*)+/.exec(src.slice(i));
        if (m) {
          toks.push({ kind: 'field', value: m[0].slice(1), pos: i });
          i += m[0].length;
        } else {
          toks.push({ kind: 'dot', value: '.', pos: i++ });
        }
      } else if (/[-+0-9]/.test(c)) {
        const m = /^[-+]?(0[xX][0-9a-fA-F_]+|[0-9_]*\.?[0-9_]+([eE][-+]?[0-9]+)?)/.exec(src.slice(i));
        if (!m || m[0] === '-' || m[0] === '+') fail(`bad number syntax: ${JSON.stringify(src.slice(i, i + 10))}`, i);
        toks.push({ kind: 'number', value: m[0], pos: i });
        i += m[0].length;
      } else if (/[A-Za-z_]/.test(c)) {
        const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
        toks.push({ kind: 'ident', value: m[0], pos: i });
        i += m[0].length;
      } else {
        fail(`unexpected ${JSON.stringify(c)} in command`, i);
      }
    }
  }
  toks.push({ kind: 'eof', value: '', pos: src.length });
  return toks;
}

function lineCol(src: string, pos: number): string {
  let line = 1;
  let col = 1;
  for (let k = 0; k < pos && k < src.length; k++) {
    if (src[k] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return `${line}:${col}`;
}

/** Parses a template; syntax errors, unknown functions and undefined variables throw AlertTemplateError. */
export function compileAlertTemplate(source: string, name: string): CompiledAlertTemplate {
  const fail = (msg: string, pos: number): never => {
    throw new AlertTemplateError(`template: ${name}:${lineCol(source, pos)}: ${msg}`);
  };
  const toks = lex(source, fail);
  let k = 0;
  const vars = new Set(['$', '$labels', '$value', '$externalLabels', '$externalURL']);
  const peek = () => toks[k];
  const next = () => toks[k++];

  const parseOperand = (): Arg | undefined => {
    const t = peek();
    switch (t.kind) {
      case 'var': {
        k++;
        const [name, ...fields] = t.value.split('.');
        if (!vars.has(name)) fail(`undefined variable "${name}"`, t.pos);
        return { kind: 'var', name, fields };
      }
      case 'field':
        k++;
        return { kind: 'field', fields: t.value.split('.') };
      case 'dot':
        k++;
        return { kind: 'dot' };
      case 'string':
        k++;
        return { kind: 'const', value: t.value };
      case 'number': {
        k++;
        const text = t.value.replace(/_/g, '');
        if (/^[-+]?(0[xX][0-9a-fA-F]+|\d+)$/.test(text)) return { kind: 'const', value: BigInt(text.replace(/^\+/, '')) };
        const n = Number(text);
        if (Number.isNaN(n)) fail(`bad number syntax: ${t.value}`, t.pos);
        return { kind: 'const', value: n };
      }
      case 'ident': {
        k++;
        if (t.value === 'true' || t.value === 'false') return { kind: 'const', value: t.value === 'true' };
        if (t.value === 'nil') return { kind: 'const', value: null };
        if (UNSUPPORTED.has(t.value)) fail(`function "${t.value}" is not available in Sightline alert templates (it needs the query engine or the web UI)`, t.pos);
        if (!FUNCTIONS.has(t.value)) fail(`function "${t.value}" not defined`, t.pos);
        return { kind: 'func', name: t.value };
      }
      case 'lparen': {
        k++;
        const pipe = parsePipe('rparen');
        const close = next();
        if (close.kind !== 'rparen') fail('unclosed left paren', t.pos);
        let fields: string[] = [];
        if (peek().kind === 'field') fields = next().value.split('.');
        return { kind: 'pipe', pipe, fields };
      }
      default:
        return undefined;
    }
  };

  const parsePipe = (end: 'close' | 'rparen'): Pipe => {
    const pos = peek().pos;
    let decl: string | undefined;
    if (peek().kind === 'var' && toks[k + 1].kind === 'declare') {
      decl = next().value;
      if (decl.includes('.')) fail(`unexpected "${decl}" in declaration`, pos);
      k++;
    }
    const cmds: Command[] = [];
    for (;;) {
      const cmdPos = peek().pos;
      const args: Arg[] = [];
      for (let a = parseOperand(); a; a = parseOperand()) args.push(a);
      if (args.length === 0) fail(`missing value for command`, cmdPos);
      if (args[0].kind !== 'func' && args.length > 1) fail(`can't give argument to non-function ${describeArg(args[0])}`, cmdPos);
      cmds.push({ args, pos: cmdPos });
      if (peek().kind === 'pipe') {
        k++;
        continue;
      }
      if (peek().kind !== end) fail(`unexpected ${JSON.stringify(peek().value || 'end of template')} in command`, peek().pos);
      break;
    }
    // a value can only be piped into a function
    for (let c = 1; c < cmds.length; c++) if (cmds[c].args[0].kind !== 'func') fail(`non executable command in pipeline stage ${c + 1}`, cmds[c].pos);
    if (decl) vars.add(decl);
    return { decl, cmds, pos };
  };

  type Stop = 'else' | 'end' | 'eof';
  const parseList = (): { nodes: TNode[]; stop: Stop; stopPos: number } => {
    const nodes: TNode[] = [];
    for (;;) {
      const t = next();
      if (t.kind === 'eof') return { nodes, stop: 'eof', stopPos: t.pos };
      if (t.kind === 'text') {
        nodes.push({ kind: 'text', text: t.value });
        continue;
      }
      // t is `{{`
      const head = peek();
      if (head.kind === 'ident' && (head.value === 'end' || head.value === 'else')) {
        k++;
        if (head.value === 'end') {
          if (next().kind !== 'close') fail('unexpected token after end', head.pos);
          return { nodes, stop: 'end', stopPos: head.pos };
        }
        return { nodes, stop: 'else', stopPos: head.pos };
      }
      if (head.kind === 'ident' && (head.value === 'if' || head.value === 'with')) {
        k++;
        nodes.push(parseControl(head.value, head.pos));
        continue;
      }
      if (head.kind === 'ident' && ['range', 'define', 'template', 'block', 'break', 'continue'].includes(head.value)) {
        fail(`"${head.value}" is not supported in alert templates`, head.pos);
      }
      const pipe = parsePipe('close');
      k++; // }}
      nodes.push({ kind: 'action', pipe });
    }
  };

  const parseControl = (kind: 'if' | 'with', pos: number): TNode => {
    const pipe = parsePipe('close');
    k++;
    const then = parseList();
    if (then.stop === 'eof') fail(`unexpected EOF: ${kind} without end`, pos);
    let elseNodes: TNode[] = [];
    if (then.stop === 'else') {
      if (peek().kind === 'ident' && (peek().value === 'if' || peek().value === 'with')) {
        // `{{else if x}}` nests an if that shares this one's {{end}}
        const inner = next();
        elseNodes = [parseControl(inner.value as 'if' | 'with', inner.pos)];
      } else {
        if (next().kind !== 'close') fail('unexpected token after else', then.stopPos);
        const rest = parseList();
        if (rest.stop !== 'end') fail(`expected end; found ${rest.stop === 'eof' ? 'EOF' : 'else'}`, rest.stopPos);
        elseNodes = rest.nodes;
      }
    }
    return { kind, pipe, then: then.nodes, else: elseNodes };
  };

  const top = parseList();
  if (top.stop !== 'eof') fail(`unexpected {{${top.stop}}}`, top.stopPos);
  return { name, source, nodes: top.nodes };
}

function describeArg(a: Arg): string {
  switch (a.kind) {
    case 'var': return [a.name, ...a.fields].join('.');
    case 'field': return '.' + a.fields.join('.');
    case 'dot': return '.';
    case 'const': return formatValue(a.value);
    case 'func': return a.name;
    case 'pipe': return '(...)';
  }
}

// ---------------------------------------------------------------- execution

/** The template's dot: Prometheus' struct with Labels, ExternalLabels, ExternalURL and Value. */
interface Root {
  kind: 'root';
  data: TemplateData;
}

type Val = TValue | Root;

function labelMap(l: Labels | undefined): LabelMap {
  return new Map(Object.entries(l ?? {}));
}

function field(v: Val, name: string): Val {
  if (typeof v === 'object' && v !== null && (v as Root).kind === 'root') {
    const d = (v as Root).data;
    switch (name) {
      case 'Labels': return labelMap(d.labels);
      case 'ExternalLabels': return labelMap(d.externalLabels);
      case 'ExternalURL': return d.externalURL ?? '';
      case 'Value': return d.value;
    }
    throw new Error(`can't evaluate field ${name} in type *template.tmplData`);
  }
  if (isLabelMap(v as TValue)) return (v as LabelMap).get(name) ?? '';
  throw new Error(`can't evaluate field ${name} in type ${v === null ? 'nil' : typeof v}`);
}

function plain(v: Val): TValue {
  if (typeof v === 'object' && v !== null && (v as Root).kind === 'root') return '{...}';
  return v as TValue;
}

/** Runs a compiled template over one alert's data; failures throw AlertTemplateError. */
export function executeAlertTemplate(t: CompiledAlertTemplate, data: TemplateData): string {
  const root: Root = { kind: 'root', data };
  const vars = new Map<string, Val>([
    ['$', root],
    ['$labels', labelMap(data.labels)],
    ['$value', data.value],
    ['$externalLabels', labelMap(data.externalLabels)],
    ['$externalURL', data.externalURL ?? ''],
  ]);
  const evalArg = (a: Arg, dot: Val): Val => {
    switch (a.kind) {
      case 'var': {
        let v = vars.get(a.name);
        if (v === undefined) throw new Error(`undefined variable: ${a.name}`);
        for (const f of a.fields) v = field(v, f);
        return v;
      }
      case 'field': {
        let v = dot;
        for (const f of a.fields) v = field(v, f);
        return v;
      }
      case 'dot': return dot;
      case 'const': return a.value;
      case 'func': return callFn(a.name, [], undefined);
      case 'pipe': {
        let v = evalPipe(a.pipe, dot);
        for (const f of a.fields) v = field(v, f);
        return v;
      }
    }
  };
  const callFn = (name: string, args: TValue[], piped: TValue | undefined): TValue => {
    const fn = FUNCTIONS.get(name)!;
    const all = piped === undefined ? args : [...args, piped];
    if (all.length < fn.min || all.length > fn.max) throw new Error(`wrong number of args for ${name}: want ${fn.min === fn.max ? fn.min : `${fn.min} or more`} got ${all.length}`);
    return fn.call(all);
  };
  const evalPipe = (p: Pipe, dot: Val): Val => {
    let piped: Val | undefined;
    for (const cmd of p.cmds) {
      const [head, ...rest] = cmd.args;
      if (head.kind === 'func') {
        piped = callFn(head.name, rest.map((a) => plain(evalArg(a, dot))), piped === undefined ? undefined : plain(piped));
      } else {
        piped = evalArg(head, dot);
      }
    }
    if (p.decl) vars.set(p.decl, piped!);
    return piped!;
  };
  const run = (nodes: TNode[], dot: Val): string => {
    let out = '';
    for (const n of nodes) {
      switch (n.kind) {
        case 'text':
          out += n.text;
          break;
        case 'action': {
          const v = evalPipe(n.pipe, dot);
          if (!n.pipe.decl) out += v === null ? '<no value>' : formatValue(plain(v));
          break;
        }
        case 'if':
        case 'with': {
          const v = evalPipe(n.pipe, dot);
          const truth = typeof v === 'object' && v !== null && (v as Root).kind === 'root' ? true : isTrue(v as TValue);
          if (truth) out += run(n.then, n.kind === 'with' ? v : dot);
          else out += run(n.else, dot);
          break;
        }
      }
    }
    return out;
  };
  try {
    return run(t.nodes, root);
  } catch (e) {
    throw new AlertTemplateError(`template: ${t.name}: error executing: ${(e as Error).message}`);
  }
}

/** templates are compiled once per (name, text): rules evaluate the same annotations every interval */
const compiledCache = new Map<string, CompiledAlertTemplate>();

/**
 * Expands a template as Prometheus does for annotations and alert labels: on any error the result is
 * `<error expanding template: ...>` instead of failing the evaluation.
 */
export function expandAlertTemplate(source: string, name: string, data: TemplateData): string {
  if (!source.includes('{{')) return source;
  try {
    const key = name + '\u0000' + source;
    let compiled = compiledCache.get(key);
    if (!compiled) {
      compiled = compileAlertTemplate(source, name);
      if (compiledCache.size > 10_000) compiledCache.clear();
      compiledCache.set(key, compiled);
    }
    return executeAlertTemplate(compiled, data);
  } catch (e) {
    return `<error expanding template: ${(e as Error).message}>`;
  }
}
