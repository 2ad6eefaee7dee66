// What the query bar should offer at the cursor: label names inside a selector, a label's values after its
// operator, pipeline stages and field names after `|`, field values after a label filter's operator, labels in
// `by (…)`, durations in `[…]`, functions where an expression starts. Pure: text and cursor in, a context out.

import { tokenize, type Token } from './tokens.ts';

export type CompletionContext =
  | { kind: 'label-name'; from: number; to: number; selector: string }
  | { kind: 'label-value'; from: number; to: number; label: string; quoted: boolean; selector: string }
  | { kind: 'pipeline'; from: number; to: number }
  | { kind: 'field-value'; from: number; to: number; field: string; quoted: boolean }
  | { kind: 'grouping'; from: number; to: number }
  | { kind: 'duration'; from: number; to: number }
  | { kind: 'function'; from: number; to: number }
  | { kind: 'none' };

const MATCH_OPS = new Set(['=', '!=', '=~', '!~']);
const FIELD_OPS = new Set(['=', '!=', '=~', '!~', '==']);

export function completionContext(text: string, pos: number): CompletionContext {
  const before = text.slice(0, pos);
  const tokens = tokenize(before).filter((t) => t.type !== 'whitespace' && t.type !== 'comment');
  const endsInSpace = /\s$/.test(before);
  let last = tokens[tokens.length - 1];

  // the word (or open string) being typed, and what precedes it
  let from = pos;
  let partial: Token | undefined;
  if (last && !endsInSpace && last.to === pos && ['identifier', 'label', 'stage', 'function', 'keyword', 'duration', 'number'].includes(last.type)) {
    partial = last;
    from = last.from;
  } else if (last?.type === 'string' && last.unterminated) {
    partial = last;
    from = last.from + 1;
  }
  const prior = partial ? tokens.slice(0, -1) : tokens;
  last = prior[prior.length - 1];
  const state = scan(prior);
  const quoted = partial?.type === 'string';
  if (partial && partial.type === 'string' && !last) return { kind: 'none' };

  if (state.braceDepth > 0) {
    const selector = openSelector(prior);
    if (!last || (last.type === 'brace' && last.text === '{') || last.type === 'comma') {
      return quoted ? { kind: 'none' } : { kind: 'label-name', from, to: pos, selector };
    }
    if (last.type === 'operator' && MATCH_OPS.has(last.text)) {
      const name = prior[prior.length - 2];
      if (name?.type === 'label') return { kind: 'label-value', from, to: pos, label: name.text, quoted, selector };
    }
    return { kind: 'none' };
  }
  if (state.bracketOpen) return quoted ? { kind: 'none' } : { kind: 'duration', from, to: pos };
  if (state.parens[state.parens.length - 1] === 'group' && (last?.type === 'comma' || (last?.type === 'paren' && last.text === '('))) {
    return quoted ? { kind: 'none' } : { kind: 'grouping', from, to: pos };
  }
  if (last?.type === 'pipe' && last.text === '|') return quoted ? { kind: 'none' } : { kind: 'pipeline', from, to: pos };
  if (state.inPipeline && last && ((last.type === 'keyword' && (last.text === 'and' || last.text === 'or')) || last.type === 'comma')) {
    return quoted ? { kind: 'none' } : { kind: 'pipeline', from, to: pos };
  }
  if (state.inPipeline && last?.type === 'operator' && FIELD_OPS.has(last.text)) {
    const name = prior[prior.length - 2];
    if (name && (name.type === 'label' || name.type === 'identifier')) return { kind: 'field-value', from, to: pos, field: name.text, quoted };
  }
  if (quoted) return { kind: 'none' };
  const startsExpression =
    !last ||
    (last.type === 'paren' && last.text === '(') ||
    (last.type === 'comma' && state.parens[state.parens.length - 1] === 'call') ||
    (last.type === 'operator' && !state.inPipeline) ||
    (last.type === 'keyword' && ['and', 'or', 'unless', 'bool'].includes(last.text) && !state.inPipeline) ||
    (last.type === 'paren' && last.text === ')' && prior[prior.length - 2] !== undefined && state.afterGrouping);
  if (startsExpression) return { kind: 'function', from, to: pos };
  return { kind: 'none' };
}

interface ScanState {
  braceDepth: number;
  bracketOpen: boolean;
  inPipeline: boolean;
  /** open parentheses: a call's arguments, or a `by (…)`-style label list */
  parens: ('call' | 'group')[];
  /** the last token closed a `by (…)` list: `sum by (x) (` comes next */
  afterGrouping: boolean;
}

function scan(tokens: Token[]): ScanState {
  const s: ScanState = { braceDepth: 0, bracketOpen: false, inPipeline: false, parens: [], afterGrouping: false };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    s.afterGrouping = false;
    if (t.type === 'brace') s.braceDepth = Math.max(0, s.braceDepth + (t.text === '{' ? 1 : -1));
    else if (t.type === 'bracket') {
      s.bracketOpen = t.text === '[';
      s.inPipeline = false;
    } else if (t.type === 'pipe') s.inPipeline = true;
    else if (t.type === 'paren') {
      if (t.text === '(') s.parens.push(i > 0 && tokens[i - 1].type === 'keyword' && isGroupingKeyword(tokens[i - 1].text) ? 'group' : 'call');
      else {
        const closed = s.parens.pop();
        s.afterGrouping = closed === 'group';
        if (!(i > 0 && s.inPipeline && closed === 'call' && pipelineCallOpen(tokens, i))) s.inPipeline = false;
      }
    }
  }
  return s;
}

function isGroupingKeyword(word: string): boolean {
  return word === 'by' || word === 'without' || word === 'on' || word === 'ignoring' || word === 'group_left' || word === 'group_right';
}

/** Whether the `)` at i closes `ip(…)`/`duration(…)` inside a pipeline (the pipeline goes on). */
function pipelineCallOpen(tokens: Token[], i: number): boolean {
  let depth = 0;
  for (let j = i - 1; j >= 0; j--) {
    if (tokens[j].type !== 'paren') continue;
    if (tokens[j].text === ')') depth++;
    else if (depth-- === 0) return j > 0 && tokens[j - 1].type === 'function' && ['ip', 'duration', 'duration_seconds', 'bytes'].includes(tokens[j - 1].text);
  }
  return false;
}

/** The selector around the cursor with the matchers typed so far and complete (for scoping label look-ups), e.g. `{app="a"}`. */
function openSelector(prior: Token[]): string {
  let open = -1;
  for (let i = prior.length - 1; i >= 0; i--) {
    if (prior[i].type === 'brace' && prior[i].text === '{') {
      open = i;
      break;
    }
  }
  if (open < 0) return '{}';
  const matchers: string[] = [];
  const inner = prior.slice(open + 1);
  for (let i = 0; i + 2 < inner.length; i++) {
    const [name, op, value] = [inner[i], inner[i + 1], inner[i + 2]];
    if (name.type === 'label' && op.type === 'operator' && MATCH_OPS.has(op.text) && value.type === 'string' && !value.unterminated) {
      matchers.push(`${name.text}${op.text}${value.text}`);
      i += 2;
    }
  }
  return `{${matchers.join(', ')}}`;
}
