// The dashboard JSON model (docs/ui.md, "Dashboard JSON") and its validation: `validateDashboard` turns an
// untrusted JSON value into a Dashboard or throws DashboardError naming the field (`panels[2].type: …`).
// Panel queries are parsed as LogQL with their variables stood in for, so a typo is refused at save time.

import { LogQLParseError, parseExpr, parseLogQuery } from '../query/parser.ts';

import type { Dashboard, DashboardPanel, DashboardVariable, PanelGrid } from './dashboard-json.ts';
import { GRID_COLUMNS, PANEL_TYPES, type PanelType } from './dashboard-json.ts';

export { GRID_COLUMNS, PANEL_TYPES, type Dashboard, type DashboardPanel, type DashboardVariable, type PanelGrid, type PanelType };

export class DashboardError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export const UID = /^[A-Za-z0-9_-]{1,64}$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TIME = /^(now(-\d+[smhdw])?|\d{10,16}|\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:\d{2}))$/;
const REFRESH = /^(|\d+[smh])$/;
const UNITS = ['', 'short', 'percent', 'percentunit', 'bytes', 'lines/s', 'bytes/s', 'ms', 's', 'reqps'] as const;
export const MAX_PANELS = 100;
export const MAX_VARIABLES = 20;
const MAX_QUERY = 8192;
const MAX_TEXT = 256;
const MAX_TAGS = 20;

function bad(field: string, expected: string, got?: unknown): never {
  throw new DashboardError(400, got === undefined ? `${field}: ${expected}` : `${field}: ${expected}, got ${JSON.stringify(got)?.slice(0, 80)}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(o: Record<string, unknown>, key: string, where: string, opts: { required?: boolean; max?: number } = {}): string {
  const v = o[key];
  if (v === undefined || v === null) {
    if (opts.required) bad(`${where}${key}`, 'required');
    return '';
  }
  if (typeof v !== 'string') bad(`${where}${key}`, 'expected a string', v);
  if (v.length > (opts.max ?? MAX_TEXT)) bad(`${where}${key}`, `longer than ${opts.max ?? MAX_TEXT} characters`);
  return v;
}

function bool(o: Record<string, unknown>, key: string, where: string): boolean {
  const v = o[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') bad(`${where}${key}`, 'expected true or false', v);
  return v;
}

function int(o: Record<string, unknown>, key: string, where: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(`${where}${key}`, `expected an integer from ${min} to ${max}`, v);
  return v;
}

/**
 * The query with its variables replaced by stand-ins of the right shape, for parsing: `$__range`, `$__interval`,
 * `$__auto` and any variable inside `[…]` become a duration; other variables become a word.
 */
export function standInVariables(query: string): string {
  return query
    .replace(/\[\s*\$(\{\w+\}|\w+)\s*\]/g, '[1m]')
    .replace(/\$\{(__range|__interval|__auto)\}|\$(__range|__interval|__auto)\b/g, '1m')
    .replace(/\$\{(\w+)\}|\$(\w+)/g, 'x');
}

function variableOf(v: unknown, i: number): DashboardVariable {
  const where = `variables[${i}].`;
  if (!isObject(v)) bad(`variables[${i}]`, 'expected an object', v);
  const name = text(v, 'name', where, { required: true });
  if (!VARIABLE_NAME.test(name) || name.startsWith('__')) bad(`${where}name`, 'expected a name of letters, digits and _ (not starting with __)', name);
  const query = text(v, 'query', where, { required: true });
  if (!LABEL_NAME.test(query)) bad(`${where}query`, 'expected a label name whose values the variable offers', query);
  const selector = text(v, 'selector', where, { max: 1024 });
  if (selector) {
    let stages = 0;
    try {
      stages = parseLogQuery(selector).stages.length;
    } catch (e) {
      bad(`${where}selector`, `not a stream selector: ${(e as Error).message}`);
    }
    if (stages > 0) bad(`${where}selector`, 'expected a stream selector alone ({namespace="shop"}), without a pipeline', selector);
  }
  const out: DashboardVariable = { name, query, multi: bool(v, 'multi', where), include_all: bool(v, 'include_all', where) };
  const label = text(v, 'label', where);
  if (label) out.label = label;
  if (selector) out.selector = selector;
  return out;
}

function gridOf(p: Record<string, unknown>, where: string): PanelGrid {
  const g = p.grid;
  if (!isObject(g)) bad(`${where}grid`, 'expected {x, y, w, h}', g);
  const grid: PanelGrid = {
    x: int(g, 'x', `${where}grid.`, 0, GRID_COLUMNS - 1),
    y: int(g, 'y', `${where}grid.`, 0, 10_000),
    w: int(g, 'w', `${where}grid.`, 1, GRID_COLUMNS),
    h: int(g, 'h', `${where}grid.`, 1, 100),
  };
  if (grid.x + grid.w > GRID_COLUMNS) bad(`${where}grid`, `x + w must be at most ${GRID_COLUMNS}`, grid);
  return grid;
}

function panelOf(p: unknown, i: number, variables: Set<string>): DashboardPanel {
  const where = `panels[${i}].`;
  if (!isObject(p)) bad(`panels[${i}]`, 'expected an object', p);
  const type = p.type;
  if (typeof type !== 'string' || !(PANEL_TYPES as readonly string[]).includes(type)) bad(`${where}type`, `expected one of ${PANEL_TYPES.join(', ')}`, type);
  const query = text(p, 'query', where, { max: MAX_QUERY }).trim();
  if (type === 'security') return { id: int(p, 'id', where, 1, 1_000_000), title: text(p, 'title', where), type: 'security', query: '', grid: gridOf(p, where) };
  if (!query) bad(`${where}query`, `missing: a ${type} panel needs a LogQL query`);
  for (const m of query.matchAll(/\$\{(\w+)\}|\$(\w+)/g)) {
    const name = m[1] ?? m[2];
    if (!name.startsWith('__') && !variables.has(name)) bad(`${where}query`, `uses $${name}, which is not one of the dashboard's variables`);
  }
  let kind: string;
  try {
    kind = parseExpr(standInVariables(query)).kind;
  } catch (e) {
    if (e instanceof LogQLParseError) bad(`${where}query`, e.message);
    throw e;
  }
  if (type === 'logs' && kind !== 'log') bad(`${where}query`, 'a logs panel needs a log query ({…} | …), not a metric query');
  if (type !== 'logs' && kind === 'log') bad(`${where}query`, `a ${type} panel needs a metric query (rate(…), sum by (…) (count_over_time(…)))`);
  const grid = gridOf(p, where);
  const unit = text(p, 'unit', where);
  if (!(UNITS as readonly string[]).includes(unit)) bad(`${where}unit`, `expected one of ${UNITS.filter(Boolean).join(', ')}`, unit);
  const out: DashboardPanel = { id: int(p, 'id', where, 1, 1_000_000), title: text(p, 'title', where), type: type as PanelType, query, grid };
  const legend = text(p, 'legend', where);
  if (legend) out.legend = legend;
  if (unit) out.unit = unit;
  return out;
}

/** A Dashboard from untrusted JSON; `uid` (when given) is the one the URL names. Throws DashboardError (400). */
export function validateDashboard(input: unknown, uid?: string): Dashboard {
  if (!isObject(input)) bad('dashboard', 'expected a JSON object', input);
  const givenUid = text(input, 'uid', '');
  if (givenUid && !UID.test(givenUid)) bad('uid', 'expected 1 to 64 letters, digits, - or _', givenUid);
  if (uid !== undefined && givenUid && givenUid !== uid) bad('uid', `does not match the URL's "${uid}"`, givenUid);
  const title = text(input, 'title', '', { required: true }).trim();
  if (!title) bad('title', 'must not be empty');
  const tagsIn = input.tags ?? [];
  if (!Array.isArray(tagsIn) || tagsIn.length > MAX_TAGS || tagsIn.some((t) => typeof t !== 'string' || t.length === 0 || t.length > 64)) {
    bad('tags', `expected up to ${MAX_TAGS} non-empty strings`, tagsIn);
  }
  const timeIn = input.time ?? { from: 'now-1h', to: 'now' };
  if (!isObject(timeIn)) bad('time', 'expected {from, to}', timeIn);
  const from = text(timeIn, 'from', 'time.', { required: true });
  const to = text(timeIn, 'to', 'time.', { required: true });
  if (!TIME.test(from)) bad('time.from', 'expected now, now-<n><s|m|h|d|w>, epoch milliseconds or RFC 3339', from);
  if (!TIME.test(to)) bad('time.to', 'expected now, now-<n><s|m|h|d|w>, epoch milliseconds or RFC 3339', to);
  const refresh = text(input, 'refresh', '');
  if (!REFRESH.test(refresh)) bad('refresh', 'expected an interval like 30s, 1m or 1h, or "" for off', refresh);
  const varsIn = input.variables ?? [];
  if (!Array.isArray(varsIn) || varsIn.length > MAX_VARIABLES) bad('variables', `expected a list of at most ${MAX_VARIABLES}`);
  const variables = varsIn.map(variableOf);
  const names = new Set<string>();
  for (const [i, v] of variables.entries()) {
    if (names.has(v.name)) bad(`variables[${i}].name`, 'used twice', v.name);
    names.add(v.name);
  }
  const panelsIn = input.panels ?? [];
  if (!Array.isArray(panelsIn) || panelsIn.length > MAX_PANELS) bad('panels', `expected a list of at most ${MAX_PANELS}`);
  const panels = panelsIn.map((p, i) => panelOf(p, i, names));
  const ids = new Set<number>();
  for (const [i, p] of panels.entries()) {
    if (ids.has(p.id)) bad(`panels[${i}].id`, 'used twice', p.id);
    ids.add(p.id);
  }
  return { uid: uid ?? givenUid, title, tags: tagsIn as string[], time: { from, to }, refresh, variables, panels };
}
