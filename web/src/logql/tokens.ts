// A forgiving LogQL tokenizer for the query bar: never throws, covers every character of the input (unknown ones
// become `invalid`), and tells apart what the highlighter and autocomplete need (labels, stages, functions...).
// Pure: no DOM. The server's parser (src/query/) remains the judge of what is valid.

import { FUNCTION_NAMES, KEYWORD_NAMES, PIPELINE_FUNCTIONS, STAGE_NAMES } from './vocabulary.ts';

export type TokenType =
  | 'brace' // { }
  | 'paren' // ( )
  | 'bracket' // [ ]
  | 'comma'
  | 'operator' // = != =~ !~ == > >= < <= + - * / % ^
  | 'pipe' // | and the line filters |= |~ != !~ |> !> outside a selector
  | 'string'
  | 'number'
  | 'duration'
  | 'function'
  | 'keyword'
  | 'stage'
  | 'label'
  | 'identifier'
  | 'comment'
  | 'whitespace'
  | 'invalid';

export interface Token {
  type: TokenType;
  from: number;
  to: number;
  text: string;
  /** a string whose closing quote is missing (the user is typing it) */
  unterminated?: boolean;
}

const OPERATORS = ['|=', '|~', '|>', '!>', '!=', '!~', '=~', '==', '>=', '<=', '=', '>', '<', '|', '+', '-', '*', '/', '%', '^'];
const LINE_FILTER_OPS = new Set(['|=', '|~', '|>', '!>']);
const COMPARISONS = new Set(['=', '!=', '=~', '!~', '==', '>', '>=', '<', '<=']);
const DURATION = /^\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d|w|y)(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d|w|y))*(?![a-zA-Z0-9_])/;
const BYTES = /^\d+(?:\.\d+)?(?:[kKmMgGtTpPeE]i?)?[bB](?![a-zA-Z0-9_])/;
const NUMBER = /^(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)/;
const IDENT = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** Splits `src` into tokens covering it exactly; classification uses the surrounding tokens. */
export function tokenize(src: string): Token[] {
  const raw = lex(src);
  classify(raw);
  return raw;
}

function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const push = (type: TokenType, end: number, unterminated = false) => {
    const t: Token = { type, from: i, to: end, text: src.slice(i, end) };
    if (unterminated) t.unterminated = true;
    out.push(t);
    i = end;
  };
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      let j = i + 1;
      while (j < src.length && /\s/.test(src[j])) j++;
      push('whitespace', j);
    } else if (c === '#') {
      const nl = src.indexOf('\n', i);
      push('comment', nl < 0 ? src.length : nl);
    } else if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) push('string', src.length, true);
      else push('string', j + 1);
    } else if (c === '`') {
      const j = src.indexOf('`', i + 1);
      if (j < 0) push('string', src.length, true);
      else push('string', j + 1);
    } else if (c === '{' || c === '}') push('brace', i + 1);
    else if (c === '(' || c === ')') push('paren', i + 1);
    else if (c === '[' || c === ']') push('bracket', i + 1);
    else if (c === ',') push('comma', i + 1);
    else if (/[0-9.]/.test(c)) {
      const rest = src.slice(i);
      const d = DURATION.exec(rest);
      const n = d ? undefined : (BYTES.exec(rest) ?? NUMBER.exec(rest));
      if (d) push('duration', i + d[0].length);
      else push(n ? 'number' : 'invalid', i + (n ? n[0].length : 1));
    } else if (/[a-zA-Z_]/.test(c)) {
      const m = IDENT.exec(src.slice(i))!;
      push('identifier', i + m[0].length);
    } else {
      const op = OPERATORS.find((o) => src.startsWith(o, i));
      if (op) push('operator', i + op.length);
      else push('invalid', i + 1);
    }
  }
  return out;
}

function classify(tokens: Token[]): void {
  let braceDepth = 0;
  /** after a `|` outside a selector, until the query leaves the log pipeline (a `[` or `)`) */
  let inPipeline = false;
  let prev: Token | undefined;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.type === 'whitespace' || t.type === 'comment') continue;
    if (t.type === 'brace') braceDepth = Math.max(0, braceDepth + (t.text === '{' ? 1 : -1));
    else if (t.type === 'bracket' || (t.type === 'paren' && t.text === ')' && !inPipelineCall(tokens, k))) inPipeline = false;
    else if (t.type === 'operator' && braceDepth === 0) {
      if (t.text === '|' || LINE_FILTER_OPS.has(t.text)) {
        t.type = 'pipe';
        inPipeline = true;
      } else if ((t.text === '!=' || t.text === '!~') && prev && (prev.type === 'brace' || prev.type === 'string' || prev.type === 'pipe' || prev.type === 'stage')) {
        // a line filter: `{…} != "x"` (a label filter would follow a field name instead)
        t.type = 'pipe';
        inPipeline = true;
      }
    } else if (t.type === 'identifier') {
      const next = nextSignificant(tokens, k);
      if (braceDepth > 0) t.type = 'label';
      else if (inPipeline && prev?.type === 'pipe' && prev.text === '|' && STAGE_NAMES.has(t.text)) t.type = 'stage';
      else if (inPipeline && PIPELINE_FUNCTIONS.includes(t.text) && next?.text === '(') t.type = 'function';
      else if (KEYWORD_NAMES.has(t.text)) t.type = 'keyword';
      else if (!inPipeline && FUNCTION_NAMES.has(t.text)) t.type = 'function';
      else if (next && next.type === 'operator' && COMPARISONS.has(next.text)) t.type = 'label';
      else if (inPipeline || inGroupingList(tokens, k)) t.type = 'label';
    }
    prev = t;
  }
}

function nextSignificant(tokens: Token[], k: number): Token | undefined {
  for (let j = k + 1; j < tokens.length; j++) if (tokens[j].type !== 'whitespace' && tokens[j].type !== 'comment') return tokens[j];
  return undefined;
}

/** Whether the `)` at k closes a call inside a pipeline (`ip("…")`, `duration(x)`), which keeps the pipeline open. */
function inPipelineCall(tokens: Token[], k: number): boolean {
  let depth = 0;
  for (let j = k - 1; j >= 0; j--) {
    const t = tokens[j];
    if (t.type === 'paren') {
      if (t.text === ')') depth++;
      else if (depth === 0) {
        for (let i = j - 1; i >= 0; i--) {
          if (tokens[i].type === 'whitespace') continue;
          return tokens[i].type === 'function' && PIPELINE_FUNCTIONS.includes(tokens[i].text);
        }
        return false;
      } else depth--;
    }
  }
  return false;
}

/** Whether the identifier at k sits in a `by (…)` / `without (…)` list. */
function inGroupingList(tokens: Token[], k: number): boolean {
  for (let j = k - 1; j >= 0; j--) {
    const t = tokens[j];
    if (t.type === 'whitespace' || t.type === 'comma' || t.type === 'label' || t.type === 'identifier') continue;
    if (t.type === 'paren' && t.text === '(') {
      for (let i = j - 1; i >= 0; i--) {
        if (tokens[i].type === 'whitespace') continue;
        return tokens[i].type === 'keyword' && ['by', 'without', 'on', 'ignoring', 'group_left', 'group_right'].includes(tokens[i].text);
      }
    }
    return false;
  }
  return false;
}
