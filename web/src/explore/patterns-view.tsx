// The patterns tab: the query's lines mined into templates (`/loki/api/v1/patterns`), most frequent first, each
// with its count, level and a sparkline over the range; a template can be kept (`|>`) or excluded (`!>`).

import { quote } from '../logql/query-edit.ts';
import type { Pattern } from '../api/loki-types.ts';

interface Props {
  patterns: Pattern[] | undefined;
  error: string;
  onApply: (stage: string) => void;
}

function Sparkline({ samples }: { samples: [number, number][] }) {
  if (samples.length < 2) return null;
  const max = Math.max(...samples.map((s) => s[1]), 1);
  const t0 = samples[0][0];
  const t1 = samples[samples.length - 1][0];
  const pts = samples.map(([t, v]) => `${(((t - t0) / Math.max(t1 - t0, 1)) * 100).toFixed(1)},${(20 - (v / max) * 18).toFixed(1)}`).join(' ');
  return (
    <svg class="sparkline" viewBox="0 0 100 20" preserveAspectRatio="none" aria-hidden="true">
      <polyline points={pts} />
    </svg>
  );
}

export function PatternsView({ patterns, error, onApply }: Props) {
  if (error)
    return (
      <p class="error-text" role="alert">
        {error}
      </p>
    );
  if (!patterns) return <p class="muted pad">Mining patterns…</p>;
  if (!patterns.length) return <p class="muted pad">No patterns in this range.</p>;
  const total = patterns.reduce((s, p) => s + p.samples.reduce((a, b) => a + b[1], 0), 0);
  return (
    <table class="patterns" aria-label="Log patterns">
      <thead>
        <tr>
          <th>Count</th>
          <th>%</th>
          <th>Level</th>
          <th>Over time</th>
          <th>Pattern</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {patterns.map((p) => {
          const count = p.samples.reduce((a, b) => a + b[1], 0);
          return (
            <tr key={p.pattern} class={`level-${p.level ?? 'unknown'}`}>
              <td class="num">{count.toLocaleString('en-US')}</td>
              <td class="num">{total ? ((count / total) * 100).toFixed(1) : '0'}</td>
              <td class="lvl">{p.level ?? ''}</td>
              <td>
                <Sparkline samples={p.samples} />
              </td>
              <td class="pattern-text">
                <code>{p.pattern}</code>
              </td>
              <td class="actions">
                <button type="button" onClick={() => onApply(`|> ${quote(p.pattern)}`)}>
                  Show
                </button>
                <button type="button" onClick={() => onApply(`!> ${quote(p.pattern)}`)}>
                  Exclude
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
