// The table view: chosen fields as columns (labels, structured metadata or parsed fields alike), one virtualized
// row per line, with a chooser listing every field the results carry. Expanding a row shows its details.

import { useCallback } from 'preact/hooks';
import { VirtualList } from '../components/virtual-list.tsx';
import { formatTimestamp } from '../state/time-range.ts';
import { LogDetails, type RowActions } from './log-details.tsx';
import { fieldValue, type FieldInfo, type LogRow } from './log-rows.ts';

interface Props {
  rows: LogRow[];
  fields: FieldInfo[];
  columns: string[];
  expanded: Set<string>;
  onToggle: (row: LogRow) => void;
  actions: RowActions;
}

export function TableView({ rows, fields, columns, expanded, onToggle, actions }: Props) {
  const getKey = useCallback((i: number) => rows[i].key, [rows]);
  const template = `24ch ${columns.map(() => 'minmax(6em, 1fr)').join(' ')} minmax(12em, 3fr)`;
  return (
    <div class="table-view">
      <div class="table-toolbar">
        <details class="menu">
          <summary>Columns ({columns.length})</summary>
          <div class="menu-body column-chooser" role="group" aria-label="Columns">
            {fields.length === 0 && <p class="muted">No fields in these results.</p>}
            {fields.map((f) => (
              <label key={f.name}>
                <input type="checkbox" checked={columns.includes(f.name)} onChange={() => actions.onToggleColumn(f.name)} /> {f.name}{' '}
                <span class="muted">({f.source})</span>
              </label>
            ))}
          </div>
        </details>
        {columns.length === 0 && <span class="muted">Choose columns, or use ▥ in a row's details.</span>}
      </div>
      <div class="table-head" style={{ gridTemplateColumns: template }} role="row">
        <span role="columnheader">Time</span>
        {columns.map((c) => (
          <span role="columnheader" key={c}>
            {c}
          </span>
        ))}
        <span role="columnheader">Line</span>
      </div>
      <VirtualList
        class="table-rows"
        label="Log table"
        count={rows.length}
        getKey={getKey}
        estimateSize={21}
        renderRow={(i) => {
          const row = rows[i];
          const open = expanded.has(row.key);
          return (
            <div class={`log-row level-${row.level}${open ? ' open' : ''}`}>
              <div class="table-row" style={{ gridTemplateColumns: template }} onClick={() => !window.getSelection()?.toString() && onToggle(row)}>
                <span class="ts">{formatTimestamp(row.tsMs)}</span>
                {columns.map((c) => (
                  <span key={c} class="cell" data-column={c}>
                    {fieldValue(row, c) ?? ''}
                  </span>
                ))}
                <span class="cell line-text">{row.line}</span>
              </div>
              {open && <LogDetails row={row} actions={actions} />}
            </div>
          );
        }}
      />
    </div>
  );
}
