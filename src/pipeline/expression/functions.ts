// The functions expressions may call. Each one compiles its argument closures into one closure, so a call costs
// no argument array at run time. All run in time linear in their inputs.

import type { PipelineEvent } from '../event.ts';
import { asNumber, asText, type Value } from './value.ts';

export type Evaluate = (e: PipelineEvent) => Value;

export interface FunctionDef {
  minArgs: number;
  maxArgs: number;
  /** for docs and `sightline pipeline processors` */
  signature: string;
  compile(args: Evaluate[]): Evaluate;
}

function textTest(test: (s: string, sub: string) => boolean): FunctionDef['compile'] {
  return ([a, b]) =>
    (e) => {
      const s = asText(a(e));
      const sub = asText(b(e));
      return s !== null && sub !== null && test(s, sub);
    };
}

const DEFS: [string, FunctionDef][] = [
  ['lower', { minArgs: 1, maxArgs: 1, signature: 'lower(s): s in lower case (null stays null)', compile: ([a]) => (e) => asText(a(e))?.toLowerCase() ?? null }],
  ['upper', { minArgs: 1, maxArgs: 1, signature: 'upper(s): s in upper case', compile: ([a]) => (e) => asText(a(e))?.toUpperCase() ?? null }],
  ['contains', { minArgs: 2, maxArgs: 2, signature: 'contains(s, sub): s contains the text sub', compile: textTest((s, sub) => s.includes(sub)) }],
  ['starts_with', { minArgs: 2, maxArgs: 2, signature: 'starts_with(s, prefix)', compile: textTest((s, p) => s.startsWith(p)) }],
  ['ends_with', { minArgs: 2, maxArgs: 2, signature: 'ends_with(s, suffix)', compile: textTest((s, p) => s.endsWith(p)) }],
  ['len', { minArgs: 1, maxArgs: 1, signature: 'len(s): length of s in characters (0 for null)', compile: ([a]) => (e) => asText(a(e))?.length ?? 0 }],
  ['to_number', { minArgs: 1, maxArgs: 1, signature: 'to_number(x): x as a number, or null if it is not one', compile: ([a]) => (e) => asNumber(a(e)) ?? null }],
  ['to_string', { minArgs: 1, maxArgs: 1, signature: 'to_string(x): x as text (null stays null)', compile: ([a]) => (e) => asText(a(e)) }],
  ['exists', { minArgs: 1, maxArgs: 1, signature: 'exists(x): x is present (not null)', compile: ([a]) => (e) => a(e) !== null }],
  [
    'concat',
    {
      minArgs: 1,
      maxArgs: 16,
      signature: 'concat(a, b, …): the texts joined (null counts as "")',
      compile: (args) => (e) => {
        let out = '';
        for (let i = 0; i < args.length; i++) out += asText(args[i](e)) ?? '';
        return out;
      },
    },
  ],
  [
    'coalesce',
    {
      minArgs: 1,
      maxArgs: 16,
      signature: 'coalesce(a, b, …): the first argument that is neither null nor ""',
      compile: (args) => (e) => {
        for (let i = 0; i < args.length; i++) {
          const v = args[i](e);
          if (v !== null && v !== '') return v;
        }
        return null;
      },
    },
  ],
];

export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map(DEFS);
