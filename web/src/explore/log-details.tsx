// The expanded part of a log row: its stream labels, structured metadata and parsed fields, each with
// filter-for (=), filter-out (!=), copy and show-as-column; plus copy line/JSON, context and trace actions.

import type { Labels } from '../api/loki-types.ts';
import { copyText } from '../components/copy.ts';
import { CopyIcon } from '../components/icons.tsx';
import type { FilterOp } from '../logql/query-edit.ts';
import { formatTimestamp } from '../state/time-range.ts';
import { rowJson, traceIdOf, type FieldSource, type LogRow } from './log-rows.ts';

export interface RowActions {
  onFilter: (source: FieldSource, name: string, op: FilterOp, value: string) => void;
  onToggleColumn: (name: string) => void;
  onTrace: (id: string, row: LogRow) => void;
  onContext: (row: LogRow) => void;
  columns: string[];
}

const TRACE_FIELDS = new Set(['trace_id', 'traceId', 'traceid', 'traceID']);

function FieldRows({ title, source, labels, row, actions }: { title: string; source: FieldSource; labels: Labels; row: LogRow; actions: RowActions }) {
  const names = Object.keys(labels).sort();
  if (!names.length) return null;
  return (
    <>
      <tr class="details-section">
        <th colSpan={3} scope="rowgroup">
          {title}
        </th>
      </tr>
      {names.map((name) => {
        const value = labels[name];
        const shown = actions.columns.includes(name);
        return (
          <tr key={`${source}.${name}`} data-field={name}>
            <td class="details-actions">
              <button type="button" class="icon" aria-label={`Filter for ${name}=${value}`} title="Filter for value" onClick={() => actions.onFilter(source, name, '=', value)}>
                ⊕
              </button>
              <button type="button" class="icon" aria-label={`Filter out ${name}=${value}`} title="Filter out value" onClick={() => actions.onFilter(source, name, '!=', value)}>
                ⊖
              </button>
              <button type="button" class="icon" aria-label={`Copy ${name}`} title="Copy value" onClick={() => void copyText(value)}>
                <CopyIcon />
              </button>
              <button type="button" class={`icon${shown ? ' on' : ''}`} aria-pressed={shown} aria-label={`Table column ${name}`} title="Show as a column in the table" onClick={() => actions.onToggleColumn(name)}>
                ▥
              </button>
            </td>
            <th scope="row" class="details-name">
              {name}
            </th>
            <td class="details-value">
              {TRACE_FIELDS.has(name) ? (
                <a
                  href={`?trace=${encodeURIComponent(value)}`}
                  class="trace-link"
                  onClick={(e) => {
                    e.preventDefault();
                    actions.onTrace(value, row);
                  }}
                >
                  {value}
                </a>
              ) : (
                value
              )}
            </td>
          </tr>
        );
      })}
    </>
  );
}

export function LogDetails({ row, actions }: { row: LogRow; actions: RowActions }) {
  const traceId = traceIdOf(row);
  return (
    <div class="details" onClick={(e) => e.stopPropagation()}>
      <div class="details-toolbar">
        <span class="muted" title={`${row.tsNs} ns`}>
          {formatTimestamp(row.tsMs)} · {new Date(row.tsMs).toISOString()}
        </span>
        <button type="button" onClick={() => void copyText(row.line)}>
          Copy line
        </button>
        <button type="button" onClick={() => void copyText(rowJson(row))}>
          Copy JSON
        </button>
        <button type="button" onClick={() => actions.onContext(row)}>
          Show context
        </button>
        {traceId && (
          <button type="button" onClick={() => actions.onTrace(traceId, row)}>
            Show trace
          </button>
        )}
      </div>
      <table class="details-table">
        <tbody>
          <FieldRows title="Labels" source="label" labels={row.stream} row={row} actions={actions} />
          <FieldRows title="Structured metadata" source="metadata" labels={row.metadata} row={row} actions={actions} />
          <FieldRows title="Parsed fields" source="parsed" labels={row.parsed} row={row} actions={actions} />
        </tbody>
      </table>
    </div>
  );
}
