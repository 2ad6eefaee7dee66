// label_replace(v, dst, replacement, src, regex) with Prometheus semantics: the regex (RE2) must match the whole
// value of `src`; then `replacement` is expanded as Go's regexp.Expand does ($1, ${1}, $name, $$) into `dst`, and an
// empty result removes `dst`. Series that do not match pass unchanged.
import type { LabelReplace } from './ast.ts';
import type { Labels } from '../model/record.ts';
import { sortLabels } from '../model/record.ts';
import { RE2JS } from './stages/re2.ts';
import { seriesKey, type SeriesSet } from './series.ts';
import { QueryError } from './query-error.ts';

/** What a `$` reference may name: Go takes letters, digits and `_`, as many as there are (`$1x` means `${1x}`). */
const REF_NAME = /^[\p{L}\p{Nd}_]+/u;

export function labelReplace(node: LabelReplace, input: SeriesSet, steps: number): SeriesSet {
  let re: RE2JS;
  try {
    re = RE2JS.compile(`^(?:${node.regex})$`);
  } catch (e) {
    throw new QueryError(`invalid regular expression in label_replace(): ${JSON.stringify(node.regex)}: ${(e as Error).message}`);
  }
  const named = re.namedGroups();
  const out: SeriesSet = new Map();
  const copied = new Set<string>();
  for (const s of input.values()) {
    const labels = replaced(s.labels, node, re, named);
    const key = seriesKey(labels);
    const existing = out.get(key);
    if (existing === undefined) {
      out.set(key, labels === s.labels ? s : { labels, values: s.values });
      continue;
    }
    // two series now share a label set: fine on different steps, an error where both have a sample (Prometheus)
    if (!copied.has(key)) {
      out.set(key, { labels: existing.labels, values: Float64Array.from(existing.values) });
      copied.add(key);
    }
    const merged = out.get(key)!.values;
    for (let k = 0; k < steps; k++) {
      const v = s.values[k]!;
      if (Number.isNaN(v)) continue;
      if (!Number.isNaN(merged[k]!)) throw new QueryError(`label_replace: vector cannot contain metrics with the same labelset ${key}`);
      merged[k] = v;
    }
  }
  return out;
}

function replaced(labels: Labels, node: LabelReplace, re: RE2JS, named: Record<string, number>): Labels {
  const m = re.matcher(labels[node.src] ?? '');
  if (!m.matches()) return labels;
  const value = expand(node.replacement, (ref) => {
    const index = groupNumber(ref) ?? (Object.hasOwn(named, ref) ? named[ref] : undefined);
    if (index === undefined || index > m.groupCount()) return '';
    return m.group(index) ?? '';
  });
  const out: Labels = { ...labels };
  delete out[node.dst];
  if (value !== '') out[node.dst] = value;
  return sortLabels(out);
}

/** Go's regexp.Expand over a template; `group` resolves a reference name (or number) to its text. */
export function expand(template: string, group: (ref: string) => string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) return out + template.slice(i);
    out += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    const brace = template[i] === '{';
    const start = brace ? i + 1 : i;
    const name = REF_NAME.exec(template.slice(start))?.[0];
    // a malformed reference ($ followed by nothing usable, or an unclosed brace) is kept as literal text
    if (name === undefined || (brace && template[start + name.length] !== '}')) {
      out += '$';
      continue;
    }
    i = start + name.length + (brace ? 1 : 0);
    out += group(name);
  }
}

/** Go's rule for a numeric reference: ASCII digits, no leading zero, below 1e8; anything else is a group name. */
function groupNumber(ref: string): number | undefined {
  if (!/^[0-9]+$/.test(ref) || (ref.length > 1 && ref[0] === '0') || ref.length > 9) return undefined;
  const n = Number(ref);
  return n < 1e9 ? n : undefined;
}
