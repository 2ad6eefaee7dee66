// The dashboard's variables as controls: a menu per variable whose options are the label's values over the
// dashboard's range (`/loki/api/v1/label/<name>/values`, scoped by the variable's selector). A single-value
// variable is a select; a multi-value one a list of checkboxes, with All when the variable offers it.

import { useEffect, useState } from 'preact/hooks';
import { labelValues } from '../api/loki-queries.ts';
import type { DashboardVariable } from './dashboard-types.ts';
import { ALL, type VariableValues } from './variables.ts';

export function VariableBar({ variables, values, options, onChange }: {
  variables: DashboardVariable[];
  values: VariableValues;
  options: Record<string, string[]>;
  onChange: (name: string, chosen: string[]) => void;
}) {
  if (variables.length === 0) return null;
  return (
    <div class="variable-bar" role="group" aria-label="Variables">
      {variables.map((v) => (
        <VariableControl key={v.name} variable={v} chosen={values[v.name] ?? []} options={options[v.name] ?? []} onChange={(c) => onChange(v.name, c)} />
      ))}
    </div>
  );
}

function describe(chosen: string[]): string {
  if (chosen.includes(ALL)) return 'All';
  if (chosen.length === 0) return 'None';
  return chosen.length <= 2 ? chosen.join(' + ') : `${chosen[0]} + ${chosen.length - 1} more`;
}

function VariableControl({ variable: v, chosen, options, onChange }: { variable: DashboardVariable; chosen: string[]; options: string[]; onChange: (chosen: string[]) => void }) {
  const label = v.label || v.name;
  if (!v.multi) {
    return (
      <label class="variable">
        {label}
        <select aria-label={label} value={chosen.includes(ALL) ? ALL : chosen[0] ?? ''} onChange={(e) => onChange([(e.target as HTMLSelectElement).value])}>
          {v.include_all && <option value={ALL}>All</option>}
          {options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </label>
    );
  }
  const all = chosen.includes(ALL);
  const toggle = (o: string, on: boolean) => {
    const current = all ? [] : chosen;
    const next = on ? [...current, o] : current.filter((c) => c !== o);
    onChange(next.length === 0 && v.include_all ? [ALL] : next);
  };
  return (
    <div class="variable">
      <span id={`var-label-${v.name}`}>{label}</span>
      <details class="menu var-menu">
        <summary aria-label={`${label}: ${describe(chosen)}`}>{describe(chosen)}</summary>
        <div class="menu-body" role="group" aria-labelledby={`var-label-${v.name}`}>
          {v.include_all && (
            <label class="var-option">
              <input type="checkbox" checked={all} onChange={(e) => (e.target as HTMLInputElement).checked && onChange([ALL])} /> All
            </label>
          )}
          {options.map((o) => (
            <label key={o} class="var-option">
              <input type="checkbox" checked={!all && chosen.includes(o)} onChange={(e) => toggle(o, (e.target as HTMLInputElement).checked)} /> {o}
            </label>
          ))}
          {options.length === 0 && <p class="muted">No values in this range.</p>}
        </div>
      </details>
    </div>
  );
}

/** The options of every variable for the range, reloaded when the range or the variables change. */
export function useVariableOptions(variables: DashboardVariable[], fromMs: number, toMs: number, tick: number): Record<string, string[]> {
  const [options, setOptions] = useState<Record<string, string[]>>({});
  const key = JSON.stringify(variables.map((v) => [v.name, v.query, v.selector]));
  useEffect(() => {
    let live = true;
    Promise.all(variables.map((v) => labelValues(v.query, v.selector || '{}', fromMs, toMs).catch(() => [] as string[]))).then((lists) => {
      if (!live) return;
      const out: Record<string, string[]> = {};
      variables.forEach((v, i) => (out[v.name] = lists[i].slice().sort()));
      setOptions(out);
    });
    return () => {
      live = false;
    };
  }, [key, Math.floor(fromMs / 60_000), Math.floor(toMs / 60_000), tick]);
  return options;
}
