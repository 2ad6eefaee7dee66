// The `count:` of a sequence step: `">= 5"`, `"> 4"` or a bare number (at least that many). Only lower bounds: a step
// completes the moment its count is reached, which an upper bound could not decide before its window closed.

export interface CountThreshold {
  /** events needed to complete the step */
  min: number;
  /** as written, for messages */
  text: string;
}

const FORM = /^(>=|>|=>)?\s*(\d+)$/;

/** The threshold, or an error message saying what is accepted. */
export function parseCountThreshold(value: unknown): CountThreshold | string {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  const m = text === undefined ? null : FORM.exec(text);
  if (text === undefined || m === null) {
    return `expected a count such as ">= 5", "> 4" or 5 (quote it in YAML: a plain >= starts a folded block), got ${JSON.stringify(value)}`;
  }
  const n = Number(m[2]);
  const min = m[1] === '>' ? n + 1 : n;
  if (min < 1) return `a count must ask for at least one event, got ${JSON.stringify(text)}`;
  return { min, text };
}
