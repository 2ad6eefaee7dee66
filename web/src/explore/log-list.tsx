// The log view: one row per line (time, level, text with matches highlighted), virtualized, expandable into
// details. Used by Explore's results, the live tail (following its end) and the context panel.

import { useCallback } from 'preact/hooks';
import { VirtualList } from '../components/virtual-list.tsx';
import { formatTimestamp } from '../state/time-range.ts';
import { LogDetails, type RowActions } from './log-details.tsx';
import { LogLine } from './log-line.tsx';
import type { LogRow } from './log-rows.ts';
import type { Highlighter } from './match-highlight.ts';

export interface LogListProps {
  rows: LogRow[];
  highlight: Highlighter;
  expanded: Set<string>;
  onToggle: (row: LogRow) => void;
  actions: RowActions;
  wrap: boolean;
  followEnd?: boolean;
  /** a row to mark (the context panel's own line) */
  markKey?: string;
  label: string;
}

export function LogList(props: LogListProps) {
  const { rows, expanded } = props;
  // a new function exactly when the rows change: the virtualizer re-measures on that, not on every render
  const getKey = useCallback((i: number) => rows[i].key, [rows]);
  return (
    <VirtualList
      class={`log-list${props.wrap ? ' wrap' : ''}`}
      label={props.label}
      count={rows.length}
      getKey={getKey}
      estimateSize={21}
      followEnd={props.followEnd}
      scrollToIndex={props.markKey === undefined ? undefined : rows.findIndex((r) => r.key === props.markKey)}
      renderRow={(i) => {
        const row = rows[i];
        const open = expanded.has(row.key);
        return (
          <div class={`log-row level-${row.level}${open ? ' open' : ''}${row.key === props.markKey ? ' marked' : ''}`} data-key={row.key}>
            <div
              class="log-summary"
              onClick={(e) => {
                // selecting text to copy it is not a click on the row
                if (window.getSelection()?.toString()) return;
                if ((e.target as HTMLElement).closest('a,button')) return;
                props.onToggle(row);
              }}
            >
              <button type="button" class="row-toggle" aria-expanded={open} aria-label={open ? 'Hide details' : 'Show details'} onClick={() => props.onToggle(row)}>
                {open ? '▾' : '▸'}
              </button>
              <time class="ts" dateTime={new Date(row.tsMs).toISOString()}>
                {formatTimestamp(row.tsMs)}
              </time>
              <span class="lvl">{row.level === 'unknown' ? '' : row.level}</span>
              <LogLine line={row.line} highlight={props.highlight} onTrace={(id) => props.actions.onTrace(id, row)} />
            </div>
            {open && <LogDetails row={row} actions={props.actions} />}
          </div>
        );
      }}
    />
  );
}
