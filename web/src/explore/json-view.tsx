// The raw JSON view: each entry as the API returned it (time, stream labels, structured metadata, parsed fields,
// line), one object per row (NDJSON, copyable as a whole); expanding a row pretty-prints it.

import { useCallback } from 'preact/hooks';
import { VirtualList } from '../components/virtual-list.tsx';
import { copyText } from '../components/copy.ts';
import { rowJson, type LogRow } from './log-rows.ts';

export function JsonView({ rows, expanded, onToggle }: { rows: LogRow[]; expanded: Set<string>; onToggle: (row: LogRow) => void }) {
  const getKey = useCallback((i: number) => rows[i].key, [rows]);
  return (
    <div class="json-view">
      <div class="table-toolbar">
        <button type="button" onClick={() => void copyText(rows.map(rowJson).join('\n'))}>
          Copy all as NDJSON
        </button>
      </div>
      <VirtualList
        class="json-rows"
        label="Log entries as JSON"
        count={rows.length}
        getKey={getKey}
        estimateSize={21}
        renderRow={(i) => {
          const row = rows[i];
          const open = expanded.has(row.key);
          const text = rowJson(row);
          return (
            <div class={`log-row json-row level-${row.level}`} onClick={() => !window.getSelection()?.toString() && onToggle(row)}>
              {open ? <pre>{JSON.stringify(JSON.parse(text), null, 2)}</pre> : <code>{text}</code>}
            </div>
          );
        }}
      />
    </div>
  );
}
