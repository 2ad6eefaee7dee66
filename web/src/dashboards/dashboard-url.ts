// The Dashboards page's state in the URL: `/ui/dashboards?uid=…&from=…&to=…&refresh=…&var-<name>=<value>` (a
// multi-value variable repeats its parameter; `$__all` = All), plus `org` (tenant) and `q` (the list's search).
// Time and refresh are left out when they equal the dashboard's own. Pure.

import type { VariableValues } from './variables.ts';

export interface DashboardUrlState {
  uid: string;
  from?: string;
  to?: string;
  refresh?: string;
  vars: VariableValues;
  tenant: string;
  search: string;
}

export function decodeDashboardUrl(search: string): DashboardUrlState {
  const p = new URLSearchParams(search);
  const vars: VariableValues = {};
  for (const [k, v] of p) if (k.startsWith('var-') && k.length > 4) (vars[k.slice(4)] ??= []).push(v);
  return {
    uid: p.get('uid') ?? '',
    from: p.get('from') ?? undefined,
    to: p.get('to') ?? undefined,
    refresh: p.get('refresh') ?? undefined,
    vars,
    tenant: p.get('org') ?? '',
    search: p.get('q') ?? '',
  };
}

export function encodeDashboardUrl(s: DashboardUrlState): string {
  const p = new URLSearchParams();
  if (s.uid) p.set('uid', s.uid);
  if (s.from !== undefined && s.to !== undefined) {
    p.set('from', s.from);
    p.set('to', s.to);
  }
  if (s.refresh !== undefined) p.set('refresh', s.refresh);
  for (const name of Object.keys(s.vars).sort()) for (const v of s.vars[name]) p.append(`var-${name}`, v);
  if (s.tenant) p.set('org', s.tenant);
  if (s.search && !s.uid) p.set('q', s.search);
  const qs = p.toString();
  return qs ? `?${qs}` : '';
}
