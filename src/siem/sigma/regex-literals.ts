// Literals every match of an RE2 regex contains, for the rule prefilter (rule-atoms.ts): the top level of the
// pattern read as a sequence of items (a character, escaped punctuation, a small class like [wW], a group that is an
// alternation of plain strings like (exe|dll)); a run of consecutive required items gives the strings one of which
// any match holds. Anything else (classes with ranges, `.`, `\d`, optional or repeated items, nested groups) ends a
// run. A top-level `|` gives nothing (a branch may lack the run). Syntax: https://github.com/google/re2/wiki/Syntax

/** A run longer than this many alternatives is cut (the cross product of classes and groups grows fast). */
const MAX_ALTERNATIVES = 16;
/** Classes of at most this many characters count as alternatives. */
const MAX_CLASS = 4;
/** Literals at least this long are "good enough": past it fewer alternatives is better than length. */
const GOOD_LENGTH = 4;

type Item = string[] | null; // alternatives, or null: not a known string

/** The index after a `\` escape starting at `i` (the backslash), and the character it stands for if it is one plain one. */
function escapeAt(src: string, i: number): { end: number; ch: string | undefined } {
  const n = src[i + 1];
  if (n === undefined) return { end: i + 1, ch: undefined };
  if (/[^A-Za-z0-9]/.test(n)) return { end: i + 2, ch: n.charCodeAt(0) < 128 ? n : undefined };
  let end = i + 2;
  if (n === 'x' || n === 'p' || n === 'P') {
    if (src[end] === '{') end = src.indexOf('}', end) + 1 || src.length;
    else end += n === 'x' ? 2 : 1;
  } else if (n === 'Q') {
    const e = src.indexOf('\\E', end);
    end = e < 0 ? src.length : e + 2;
  } else if (/[0-7]/.test(n)) {
    while (end < src.length && end < i + 4 && /[0-7]/.test(src[end]!)) end++;
  }
  return { end, ch: undefined }; // \d \s \w \b \x41 \pL \Q…\E \123: not one plain character (or not sure which)
}

/** A class `[...]` starting at `i`: its end and its characters when it is a short list without ranges or escapes. */
function classAt(src: string, i: number): { end: number; chars: string[] | undefined } {
  let j = i + 1;
  const negated = src[j] === '^';
  if (negated) j++;
  const chars: string[] = [];
  let plain = !negated;
  if (src[j] === ']') {
    chars.push(']');
    j++;
  }
  for (; j < src.length && src[j] !== ']'; j++) {
    const c = src[j]!;
    if (c === '\\') {
      plain = false;
      j = escapeAt(src, j).end - 1;
    } else if (c === '[' && src[j + 1] === ':') {
      plain = false;
      const e = src.indexOf(':]', j + 2);
      j = e < 0 ? src.length : e + 1;
    } else if (c === '-' && chars.length > 0 && src[j + 1] !== ']') {
      plain = false; // a range
    } else chars.push(c);
  }
  const ok = plain && chars.length > 0 && chars.length <= MAX_CLASS && chars.every((c) => c.charCodeAt(0) < 128);
  return { end: j + 1, chars: ok ? chars : undefined };
}

/** A group `(...)` starting at `i`: its end and, when it is an alternation of plain strings, those strings. */
function groupAt(src: string, i: number): { end: number; alts: string[] | undefined; flagsOnly: boolean } {
  let depth = 0;
  let j = i;
  for (; j < src.length; j++) {
    const c = src[j]!;
    if (c === '\\') j = escapeAt(src, j).end - 1;
    else if (c === '[') j = classAt(src, j).end - 1;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) break;
  }
  const end = j + 1;
  let body = src.slice(i + 1, j);
  if (/^\?[a-zA-Z-]*$/.test(body)) return { end, alts: undefined, flagsOnly: true }; // (?i): flags for what follows
  const prefix = /^\?(?:P?<[A-Za-z_][A-Za-z0-9_]*>|[a-zA-Z-]*:)/.exec(body);
  if (prefix !== null) body = body.slice(prefix[0].length);
  else if (body.startsWith('?')) return { end, alts: undefined, flagsOnly: false };
  const alts: string[] = [];
  let cur = '';
  for (let k = 0; k < body.length; k++) {
    const c = body[k]!;
    if (c === '|') {
      alts.push(cur);
      cur = '';
    } else if (c === '\\') {
      const e = escapeAt(body, k);
      if (e.ch === undefined) return { end, alts: undefined, flagsOnly: false };
      cur += e.ch;
      k = e.end - 1;
    } else if ('.^$*+?{}()[]'.includes(c) || c.charCodeAt(0) >= 128) return { end, alts: undefined, flagsOnly: false };
    else cur += c;
  }
  alts.push(cur);
  return { end, alts: alts.some((a) => a === '') ? undefined : alts, flagsOnly: false };
}

function score(alts: string[]): [number, number] {
  let min = Infinity;
  for (const a of alts) if (a.length < min) min = a.length;
  return [Math.min(min, GOOD_LENGTH), -alts.length];
}

/** Strings (lower-cased) one of which every match of `src` contains; [] when none is known. */
export function regexRequiredLiterals(src: string): string[] {
  const items: Item[] = [];
  for (let i = 0; i < src.length; ) {
    const c = src[i]!;
    if (c === '|') return [];
    if (c === '\\') {
      const e = escapeAt(src, i);
      items.push(e.ch === undefined ? null : [e.ch]);
      i = e.end;
    } else if (c === '[') {
      const k = classAt(src, i);
      items.push(k.chars ?? null);
      i = k.end;
    } else if (c === '(') {
      const g = groupAt(src, i);
      if (!g.flagsOnly) items.push(g.alts ?? null);
      i = g.end;
    } else if (c === '?' || c === '*' || c === '{') {
      // the item before is optional or counted: it is not required (as written once)
      if (items.length > 0) items[items.length - 1] = null;
      if (c === '{') i = src.indexOf('}', i) + 1 || src.length;
      else i++;
      if (src[i] === '?') i++; // lazy
    } else if (c === '+') {
      // required once, but what follows need not touch its first copy
      items.push(null);
      i++;
      if (src[i] === '?') i++;
    } else {
      items.push(c === '.' || c === '^' || c === '$' || c.charCodeAt(0) >= 128 ? null : [c]);
      i++;
    }
  }
  let best: string[] = [];
  let run: string[] | undefined;
  const close = () => {
    if (run !== undefined && run.length > 0 && (best.length === 0 || compare(score(run), score(best)) > 0)) best = run;
    run = undefined;
  };
  for (const raw of items) {
    // case does not matter to the scan (it folds): [sS] is one alternative, not two
    const item = raw === null ? null : [...new Set(raw.map((x) => x.toLowerCase()))];
    if (item === null) {
      close();
      continue;
    }
    if (run === undefined) {
      run = item.slice();
      continue;
    }
    if (run.length * item.length > MAX_ALTERNATIVES) {
      close();
      run = item.slice();
      continue;
    }
    const next = new Set<string>();
    for (const a of run) for (const b of item) next.add(a + b);
    run = [...next];
  }
  close();
  return best;
}

function compare(a: [number, number], b: [number, number]): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}
