// Autocomplete for the query bar (a CodeMirror completion source): label names and values from /labels and
// /label/<name>/values scoped by the selector typed so far, detected fields and their values, pipeline stages,
// functions and durations, per completion-context.ts. Server answers are cached for 30 s per question.

import { startCompletion, type Completion, type CompletionContext as CmContext, type CompletionResult } from '@codemirror/autocomplete';
import type { EditorView } from '@codemirror/view';
import { completionContext } from './completion-context.ts';
import { quote } from './query-edit.ts';
import { RANGE_FUNCTIONS, STAGES, VECTOR_FUNCTIONS } from './vocabulary.ts';

/** Questions the completion asks the server; each answers a list of names or values. */
export interface CompletionData {
  labels(selector: string): Promise<string[]>;
  labelValues(label: string, selector: string): Promise<string[]>;
  fields(selector: string): Promise<string[]>;
  fieldValues(field: string, selector: string): Promise<string[]>;
}

const TTL_MS = 30_000;

/** Wraps CompletionData with a time-limited cache; failures answer nothing (completion is best effort). */
export function cachedCompletionData(source: CompletionData, scope: () => string): CompletionData {
  const cache = new Map<string, { at: number; value: Promise<string[]> }>();
  const get = (key: string, load: () => Promise<string[]>) => {
    const k = `${scope()}\u0000${key}`;
    const hit = cache.get(k);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
    const value = load().catch(() => []);
    cache.set(k, { at: Date.now(), value });
    return value;
  };
  return {
    labels: (s) => get(`l${s}`, () => source.labels(s)),
    labelValues: (l, s) => get(`v${l}\u0000${s}`, () => source.labelValues(l, s)),
    fields: (s) => get(`f${s}`, () => source.fields(s)),
    fieldValues: (f, s) => get(`fv${f}\u0000${s}`, () => source.fieldValues(f, s)),
  };
}

const DURATIONS = ['1m', '5m', '10m', '15m', '30m', '1h', '6h', '1d'];

/** The selector of the whole query, for scoping field look-ups: `{app="a"}` of `{app="a"} | json | …`. */
function querySelector(doc: string): string {
  const m = /\{[^{}]*\}/.exec(doc);
  return m ? m[0] : '{}';
}

function valueOption(value: string, quoted: boolean, type: string): Completion {
  // inside an open string the value is escaped and the string closed (over a closing quote already there);
  // outside, quotes are added
  const body = quote(value);
  return {
    label: value,
    type,
    apply: (view: EditorView, _c: Completion, from: number, to: number) => {
      const end = quoted && view.state.sliceDoc(to, to + 1) === '"' ? to + 1 : to;
      const insert = quoted ? `${body.slice(1, -1)}"` : body;
      view.dispatch({ changes: { from, to: end, insert }, selection: { anchor: from + insert.length } });
    },
  };
}

export function logqlCompletion(data: CompletionData) {
  return async (cm: CmContext): Promise<CompletionResult | null> => {
    const doc = cm.state.doc.toString();
    const ctx = completionContext(doc, cm.pos);
    if (ctx.kind === 'none') return null;
    const explicitOrTyped = cm.explicit || ctx.from < ctx.to || /[{,|=~(\[]\s*$|"\s*$/.test(doc.slice(0, cm.pos));
    if (!explicitOrTyped) return null;
    const base = { from: ctx.from, to: ctx.to };
    switch (ctx.kind) {
      case 'label-name': {
        const names = await data.labels(ctx.selector);
        return {
          ...base,
          validFor: /^\w*$/,
          options: names.map((n) => ({
            label: n,
            type: 'property',
            apply: (view: EditorView, _c: Completion, from: number, to: number) => {
              view.dispatch({ changes: { from, to, insert: `${n}=` }, selection: { anchor: from + n.length + 1 } });
              // after this completion has closed, offer the label's values
              setTimeout(() => startCompletion(view));
            },
          })),
        };
      }
      case 'label-value': {
        const values = await data.labelValues(ctx.label, ctx.selector);
        return { ...base, options: values.map((v) => valueOption(v, ctx.quoted, 'text')) };
      }
      case 'pipeline': {
        const fields = await data.fields(querySelector(doc));
        return {
          ...base,
          validFor: /^\w*$/,
          options: [
            ...STAGES.map((s) => ({ label: s.name, type: 'keyword', detail: s.detail, boost: 2 })),
            ...fields.map((f) => ({ label: f, type: 'property', detail: 'field' })),
          ],
        };
      }
      case 'field-value': {
        const values = await data.fieldValues(ctx.field, querySelector(doc));
        return { ...base, options: values.map((v) => valueOption(v, ctx.quoted, 'text')) };
      }
      case 'grouping': {
        const selector = querySelector(doc);
        const [labels, fields] = await Promise.all([data.labels(selector), data.fields(selector)]);
        return { ...base, validFor: /^\w*$/, options: [...new Set([...labels, ...fields])].map((n) => ({ label: n, type: 'property' })) };
      }
      case 'duration':
        return { ...base, options: DURATIONS.map((d) => ({ label: d, type: 'constant' })) };
      case 'function':
        return {
          ...base,
          validFor: /^\w*$/,
          options: [
            { label: '{', type: 'keyword', detail: 'stream selector', apply: (view: EditorView, _c: Completion, from: number, to: number) => {
              view.dispatch({ changes: { from, to, insert: '{}' }, selection: { anchor: from + 1 } });
              setTimeout(() => startCompletion(view));
            } },
            ...RANGE_FUNCTIONS.map((f) => ({ label: f.name, type: 'function', detail: f.detail, apply: `${f.name}(` })),
            ...VECTOR_FUNCTIONS.map((f) => ({ label: f.name, type: 'function', detail: f.detail, apply: `${f.name}(` })),
          ],
        };
    }
  };
}
