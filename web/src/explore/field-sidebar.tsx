// The fields list beside the results: every label and field the loaded lines carry, how often, and for the one
// selected its top values counted over the whole time range by a metric query (not just the loaded lines),
// each value with filter-for and filter-out.

import { useEffect, useState } from 'preact/hooks';
import { isAbort } from '../api/client.ts';
import { queryFieldTop } from '../api/loki-queries.ts';
import type { FilterOp } from '../logql/query-edit.ts';
import type { FieldInfo, FieldSource } from './log-rows.ts';

interface Props {
  fields: FieldInfo[];
  rowCount: number;
  selected: string | undefined;
  onSelect: (name: string | undefined) => void;
  query: string;
  fromMs: number;
  toMs: number;
  onFilter: (source: FieldSource, name: string, op: FilterOp, value: string) => void;
}

export function FieldSidebar({ fields, rowCount, selected, onSelect, query, fromMs, toMs, onFilter }: Props) {
  const [top, setTop] = useState<{ value: string; count: number }[] | undefined>();
  const [error, setError] = useState('');
  const field = fields.find((f) => f.name === selected);

  useEffect(() => {
    if (!selected || !query) return;
    const ctl = new AbortController();
    setTop(undefined);
    setError('');
    queryFieldTop(query, selected, fromMs, toMs, ctl.signal)
      .then(setTop)
      .catch((e) => !isAbort(e) && setError(e instanceof Error ? e.message : String(e)));
    return () => ctl.abort();
  }, [selected, query, fromMs, toMs]);

  const max = top?.reduce((m, t) => Math.max(m, t.count), 0) ?? 0;
  return (
    <nav class="fields" aria-label="Fields">
      <h2>Fields</h2>
      {fields.length === 0 && <p class="muted">Run a query to list its fields.</p>}
      <ul>
        {fields.map((f) => (
          <li key={f.name} class={f.name === selected ? 'on' : ''}>
            <button type="button" aria-pressed={f.name === selected} onClick={() => onSelect(f.name === selected ? undefined : f.name)} title={`${f.source}; ${f.distinct}${f.distinct >= 100 ? '+' : ''} distinct values in the loaded lines`}>
              <span class={`src src-${f.source}`} aria-label={f.source}>
                {f.source === 'label' ? 'L' : f.source === 'metadata' ? 'M' : 'P'}
              </span>
              <span class="fname">{f.name}</span>
              <span class="muted">{rowCount ? Math.round((f.count / Math.min(rowCount, 20_000)) * 100) : 0}%</span>
            </button>
            {f.name === selected && (
              <div class="field-stats" aria-label={`Top values of ${f.name}`}>
                <p class="muted">Top values over the whole range</p>
                {error && (
                  <p class="error-text" role="alert">
                    {error}
                  </p>
                )}
                {!top && !error && <p class="muted">Counting…</p>}
                {top?.length === 0 && <p class="muted">No values.</p>}
                {top?.map((t) => (
                  <div class="stat" key={t.value}>
                    <div class="stat-bar" style={{ width: `${max ? (t.count / max) * 100 : 0}%` }} />
                    <span class="stat-value" title={t.value}>
                      {t.value || '(empty)'}
                    </span>
                    <span class="stat-count">{t.count.toLocaleString('en-US')}</span>
                    <button type="button" class="icon" aria-label={`Filter for ${f.name}=${t.value}`} onClick={() => field && onFilter(field.source, f.name, '=', t.value)}>
                      ⊕
                    </button>
                    <button type="button" class="icon" aria-label={`Filter out ${f.name}=${t.value}`} onClick={() => field && onFilter(field.source, f.name, '!=', t.value)}>
                      ⊖
                    </button>
                  </div>
                ))}
              </div>
            )}
          </li>
        ))}
      </ul>
    </nav>
  );
}
