// Variable substitution in panel queries, as Grafana's Loki data source does it: `$name` and `${name}` take the
// chosen value; a multi-value or "All" variable becomes a regex (`(a|b)`, All = `.+`) with regex characters
// escaped for a double-quoted LogQL string (use it with `=~`). `$__range` and `$__interval` (= `$__auto`) are the
// time range and the panel's step as durations. Pure.

import type { DashboardVariable } from './dashboard-types.ts';

/** The value of `var-<name>` meaning "every value". */
export const ALL = '$__all';

export type VariableValues = Record<string, string[]>;

/** Regex metacharacters, escaped with a backslash that itself is escaped for a double-quoted string. */
export function regexEscape(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}]/g, (c) => `\\\\${c}`).replace(/"/g, '\\"');
}

/** A value for a double-quoted LogQL string (`=`/`!=` matchers, line filters). */
export function stringEscape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** What `$name` becomes for the chosen values. */
export function variableText(v: DashboardVariable, chosen: string[]): string {
  if (chosen.includes(ALL) || (chosen.length === 0 && v.include_all)) return '.+';
  if (!v.multi && !v.include_all) return stringEscape(chosen[0] ?? '');
  if (chosen.length === 1) return regexEscape(chosen[0]);
  return `(${chosen.map(regexEscape).join('|')})`;
}

export interface TimeVariables {
  rangeS: number;
  stepS: number;
}

export function substitute(query: string, variables: DashboardVariable[], values: VariableValues, time: TimeVariables): string {
  const byName = new Map(variables.map((v) => [v.name, v]));
  return query.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    if (name === '__range') return `${Math.max(1, Math.round(time.rangeS))}s`;
    if (name === '__interval' || name === '__auto') return `${time.stepS}s`;
    const v = byName.get(name);
    return v ? variableText(v, values[name] ?? []) : whole;
  });
}

/** The values a variable starts with when the URL names none: All when offered, else the first value. */
export function defaultChoice(v: DashboardVariable, options: string[]): string[] {
  if (v.include_all) return [ALL];
  return options.length ? [options[0]] : [];
}
