// Where a query's line filters match in a line, for highlighting: `|= "text"` case-sensitively as Loki does,
// `|~ "re"` as a JavaScript regex (RE2's leading `(?i)`/`(?s)` flags become JS flags). Pure.

export interface Span {
  from: number;
  to: number;
}

export interface Highlighter {
  (line: string): Span[];
}

const MAX_SPANS = 200;

/** A function returning the sorted, non-overlapping spans the filters match in a line. */
export function highlighter(filters: { op: '|=' | '|~'; value: string }[]): Highlighter {
  const regexes: RegExp[] = [];
  const words: string[] = [];
  for (const f of filters) {
    if (f.op === '|=' && f.value) words.push(f.value);
    else if (f.op === '|~' && f.value) {
      const re = toJsRegex(f.value);
      if (re) regexes.push(re);
    }
  }
  if (!regexes.length && !words.length) return () => [];
  return (line) => {
    const spans: Span[] = [];
    for (const w of words) {
      for (let i = line.indexOf(w); i >= 0 && spans.length < MAX_SPANS; i = line.indexOf(w, i + w.length)) spans.push({ from: i, to: i + w.length });
    }
    for (const re of regexes) {
      re.lastIndex = 0;
      for (let m = re.exec(line); m && spans.length < MAX_SPANS; m = re.exec(line)) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        spans.push({ from: m.index, to: m.index + m[0].length });
      }
    }
    return mergeSpans(spans);
  };
}

export function mergeSpans(spans: Span[]): Span[] {
  if (spans.length < 2) return spans;
  spans.sort((a, b) => a.from - b.from || b.to - a.to);
  const out: Span[] = [{ ...spans[0] }];
  for (let i = 1; i < spans.length; i++) {
    const last = out[out.length - 1];
    if (spans[i].from <= last.to) last.to = Math.max(last.to, spans[i].to);
    else out.push({ ...spans[i] });
  }
  return out;
}

/** RE2 source to a global JS RegExp, or undefined when JavaScript cannot read it. */
export function toJsRegex(source: string): RegExp | undefined {
  let flags = 'g';
  let body = source;
  const inline = /^\(\?([imsU]+)\)/.exec(body);
  if (inline) {
    body = body.slice(inline[0].length);
    if (inline[1].includes('i')) flags += 'i';
    if (inline[1].includes('s')) flags += 's';
    if (inline[1].includes('m')) flags += 'm';
  }
  try {
    return new RegExp(body, flags);
  } catch {
    return undefined;
  }
}
