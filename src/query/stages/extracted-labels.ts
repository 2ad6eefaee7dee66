// How parsers add labels: names are sanitized to Prometheus label syntax, a name already carried by the stream gets
// the `_extracted` suffix, and within one parse of a line the first occurrence of a key wins (Loki "Parser expression").
import type { RowState } from './stage.ts';
import { ERROR_DETAILS_LABEL, ERROR_LABEL, PRESERVE_ERROR_LABEL } from './pipeline-errors.ts';

const DUPLICATE_SUFFIX = '_extracted';

function isLabelChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/** A valid Prometheus/Loki label name: `[a-zA-Z_][a-zA-Z0-9_]*`. */
export function isValidLabelName(name: string): boolean {
  if (name.length === 0) return false;
  const c0 = name.charCodeAt(0);
  if (c0 >= 48 && c0 <= 57) return false;
  for (let i = 0; i < name.length; i++) if (!isLabelChar(name.charCodeAt(i))) return false;
  return true;
}

/**
 * Turns a raw key (JSON member, logfmt key) into a label name: surrounding whitespace is trimmed, every character
 * outside `[a-zA-Z0-9_]` becomes `_` (one per code point), and when `leading` is set a leading digit gets a `_` prefix.
 * Colons are replaced too: they are legal in metric names but not in label names.
 */
export function sanitizeLabelKey(key: string, leading: boolean): string {
  let k = key;
  if (k.length > 0 && (k.charCodeAt(0) <= 32 || k.charCodeAt(k.length - 1) <= 32)) k = k.trim();
  if (k.length === 0) return k;
  let clean = true;
  for (let i = 0; i < k.length; i++) {
    if (!isLabelChar(k.charCodeAt(i))) {
      clean = false;
      break;
    }
  }
  if (!clean) {
    let out = '';
    for (const ch of k) out += ch.length === 1 && isLabelChar(ch.charCodeAt(0)) ? ch : '_';
    k = out;
  }
  if (leading) {
    const c0 = k.charCodeAt(0);
    if (c0 >= 48 && c0 <= 57) k = '_' + k;
  }
  return k;
}

/** Labels that only the pipeline itself may set; a key with such a name in a log line is ignored. */
export function isReservedLabel(name: string): boolean {
  return name === ERROR_LABEL || name === ERROR_DETAILS_LABEL || name === PRESERVE_ERROR_LABEL;
}

/** Why a label name chosen in the query (parameter, capture, label_format target) is unusable, or null if fine. */
export function labelNameProblem(name: string): string | null {
  if (!isValidLabelName(name)) return `invalid label name ${JSON.stringify(name)}`;
  if (isReservedLabel(name)) return `label name ${JSON.stringify(name)} is reserved for pipeline errors`;
  return null;
}

/**
 * Adds a parsed label to the row. `seen` holds the names this parser already set for the current line (cleared by the
 * caller before each line) so that a repeated key keeps its first value.
 */
export function addParsedLabel(
  state: RowState,
  seen: Set<string>,
  labels: Map<string, string>,
  name: string,
  value: string,
): void {
  if (name.length === 0 || isReservedLabel(name)) return;
  let key = name;
  if (labels.has(key) && !state.created.has(key)) key += DUPLICATE_SUFFIX;
  if (seen.has(key)) return;
  seen.add(key);
  labels.set(key, value);
  state.created.add(key);
}

/** Sets a label produced by a formatting stage (label_format), remembering it as pipeline-created. */
export function setDerivedLabel(state: RowState, labels: Map<string, string>, name: string, value: string): void {
  if (!labels.has(name)) state.created.add(name);
  labels.set(name, value);
}

/** Label names and values found in one line, committed only when the whole line parsed. */
export interface PendingLabels {
  names: string[];
  values: string[];
  count: number;
}

export function newPending(): PendingLabels {
  return { names: [], values: [], count: 0 };
}

export function pushPending(p: PendingLabels, name: string, value: string): void {
  p.names[p.count] = name;
  p.values[p.count] = value;
  p.count++;
}
