// One log line's text with the query's matches highlighted and trace ids as links that open the trace view.

import type { Highlighter } from './match-highlight.ts';
import { traceIdSpans } from './log-rows.ts';

interface Props {
  line: string;
  highlight: Highlighter;
  onTrace?: (id: string) => void;
}

interface Piece {
  text: string;
  mark: boolean;
  traceId?: string;
}

/** Cuts the line at highlight and trace-id boundaries. */
function pieces(line: string, highlight: Highlighter): Piece[] {
  const marks = highlight(line);
  const traces = traceIdSpans(line);
  if (!marks.length && !traces.length) return [{ text: line, mark: false }];
  const cuts = new Set<number>([0, line.length]);
  for (const s of marks) cuts.add(s.from).add(s.to);
  for (const s of traces) cuts.add(s.from).add(s.to);
  const points = [...cuts].sort((a, b) => a - b);
  const out: Piece[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const from = points[i];
    const to = points[i + 1];
    if (from === to) continue;
    const mark = marks.some((m) => m.from <= from && to <= m.to);
    const trace = traces.find((t) => t.from <= from && to <= t.to);
    out.push({ text: line.slice(from, to), mark, traceId: trace?.id });
  }
  return out;
}

export function LogLine({ line, highlight, onTrace }: Props) {
  const ps = pieces(line, highlight);
  return (
    <span class="line-text">
      {ps.map((p, i) => {
        const body = p.mark ? <mark>{p.text}</mark> : p.text;
        if (p.traceId && onTrace) {
          const id = p.traceId;
          return (
            <a
              key={i}
              class="trace-link"
              href={`?trace=${encodeURIComponent(id)}`}
              title="Show this request across services"
              onClick={(e) => {
                e.preventDefault();
                e.stopPropagation();
                onTrace(id);
              }}
            >
              {body}
            </a>
          );
        }
        return p.mark ? <mark key={i}>{p.text}</mark> : p.text;
      })}
    </span>
  );
}
