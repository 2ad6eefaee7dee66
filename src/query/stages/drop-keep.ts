// `| drop a, b="x"` removes labels (a matcher limits it to matching values; `drop __error__` clears the error, its
// details included, as the docs' example shows) and `| keep a, b="x"` removes every other label. `keep` never removes
// `__error__` / `__error_details__` (Loki docs).
import type { DropKeepStage } from '../ast.ts';
import type { CompileContext, StageFn } from './stage.ts';
import { ERROR_DETAILS_LABEL, ERROR_LABEL } from './pipeline-errors.ts';
import { compileValueMatcher } from './label-filter.ts';

interface CompiledItem {
  name: string;
  match: ((v: string) => boolean) | null;
}

function compileItems(ctx: CompileContext, stage: DropKeepStage): CompiledItem[] {
  return stage.items.map((item) => ({
    name: item.name,
    match: item.matcher ? compileValueMatcher(ctx, item.matcher.op, item.matcher.value) : null,
  }));
}

export function compileDropKeep(ctx: CompileContext, stage: DropKeepStage): StageFn {
  const items = compileItems(ctx, stage);
  if (stage.kind === 'drop') {
    const n = items.length;
    return (row) => {
      const labels = row.labels;
      for (let i = 0; i < n; i++) {
        const item = items[i]!;
        const v = labels.get(item.name);
        if (v === undefined) continue;
        if (item.match === null || item.match(v)) {
          labels.delete(item.name);
          if (item.name === ERROR_LABEL) labels.delete(ERROR_DETAILS_LABEL);
        }
      }
      return true;
    };
  }
  const plain = new Set<string>();
  const matchers = new Map<string, ((v: string) => boolean)[]>();
  for (const item of items) {
    if (item.match === null) plain.add(item.name);
    else {
      const list = matchers.get(item.name);
      if (list) list.push(item.match);
      else matchers.set(item.name, [item.match]);
    }
  }
  return (row) => {
    const labels = row.labels;
    // Deleting the current entry while iterating a Map is safe in JS.
    for (const [name, value] of labels) {
      if (plain.has(name) || name === ERROR_LABEL || name === ERROR_DETAILS_LABEL) continue;
      const list = matchers.get(name);
      let keep = false;
      if (list !== undefined) {
        for (const m of list) {
          if (m(value)) {
            keep = true;
            break;
          }
        }
      }
      if (!keep) labels.delete(name);
    }
    return true;
  };
}
