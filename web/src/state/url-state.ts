// Every state of the Explore page as URL query parameters, so any view can be shared or bookmarked: the query,
// the time range, the view and its columns, live tail, an open trace or context panel. Defaults are left out of
// the URL; unreadable values fall back to them. Pure: URLSearchParams in and out.

import { DEFAULT_RANGE, resolveTime } from './time-range.ts';

export type View = 'logs' | 'table' | 'json' | 'patterns';
export const VIEWS: View[] = ['logs', 'table', 'json', 'patterns'];
export const LIMITS = [100, 500, 1000, 5000, 10000, 50000];

export interface ExploreState {
  query: string;
  from: string;
  to: string;
  limit: number;
  view: View;
  /** table columns: field names */
  columns: string[];
  live: boolean;
  wrap: boolean;
  /** tenant(s) for X-Scope-OrgID, `a|b` for several; empty = the key's own */
  tenant: string;
  /** open trace panel: the id, and the time of the line it was opened from (ns) */
  trace?: { id: string; atNs: string };
  /** open context panel: the line's time (ns), its stream selector, and a filter typed in the panel */
  context?: { atNs: string; stream: string; search: string };
  /** field whose top values (over the whole range) are shown */
  field?: string;
}

export const DEFAULT_STATE: ExploreState = {
  query: '',
  from: DEFAULT_RANGE.from,
  to: DEFAULT_RANGE.to,
  limit: 1000,
  view: 'logs',
  columns: [],
  live: false,
  wrap: false,
  tenant: '',
};

const NS = /^\d{1,20}$/;

export function encodeState(s: ExploreState): string {
  const p = new URLSearchParams();
  if (s.query) p.set('q', s.query);
  if (s.from !== DEFAULT_STATE.from || s.to !== DEFAULT_STATE.to) {
    p.set('from', s.from);
    p.set('to', s.to);
  }
  if (s.limit !== DEFAULT_STATE.limit) p.set('limit', String(s.limit));
  if (s.view !== DEFAULT_STATE.view) p.set('view', s.view);
  if (s.columns.length) p.set('cols', s.columns.join(','));
  if (s.live) p.set('live', '1');
  if (s.wrap) p.set('wrap', '1');
  if (s.tenant) p.set('org', s.tenant);
  if (s.trace) {
    p.set('trace', s.trace.id);
    p.set('tat', s.trace.atNs);
  }
  if (s.context) {
    p.set('ctx', s.context.atNs);
    p.set('cstream', s.context.stream);
    if (s.context.search) p.set('csearch', s.context.search);
  }
  if (s.field) p.set('field', s.field);
  return p.toString();
}

export function decodeState(search: string): ExploreState {
  const p = new URLSearchParams(search);
  const s: ExploreState = { ...DEFAULT_STATE, columns: [] };
  s.query = p.get('q') ?? '';
  const from = p.get('from');
  const to = p.get('to');
  if (from && to && resolveTime(from, 0) !== undefined && resolveTime(to, 0) !== undefined) {
    s.from = from;
    s.to = to;
  }
  const limit = Number(p.get('limit'));
  if (Number.isInteger(limit) && limit > 0 && limit <= 50_000) s.limit = limit;
  const view = p.get('view');
  if (view && (VIEWS as string[]).includes(view)) s.view = view as View;
  const cols = p.get('cols');
  if (cols) s.columns = cols.split(',').filter((c) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(c));
  s.live = p.get('live') === '1';
  s.wrap = p.get('wrap') === '1';
  s.tenant = p.get('org') ?? '';
  const trace = p.get('trace');
  const tat = p.get('tat');
  if (trace) s.trace = { id: trace, atNs: tat && NS.test(tat) ? tat : '' };
  const ctx = p.get('ctx');
  const cstream = p.get('cstream');
  if (ctx && NS.test(ctx) && cstream) s.context = { atNs: ctx, stream: cstream, search: p.get('csearch') ?? '' };
  const field = p.get('field');
  if (field && /^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) s.field = field;
  return s;
}
