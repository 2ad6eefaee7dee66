// Rule files in the Prometheus/Loki ruler format: `groups: [{name, interval, limit, query_offset, labels, rules: [...]}]`
// where each rule is an alert (`alert, expr, for, keep_firing_for, labels, annotations`) or a recording rule
// (`record, expr, labels`) and `expr` is a LogQL metric query. Parsing collects every error (as promtool does), each as
// `file:line: path: why`; a file with errors yields no groups.

import type { MetricExpr } from '../query/ast.ts';
import { parseExpr } from '../query/parser.ts';
import { LogQLParseError } from '../query/parse-error.ts';
import { ConfigError, ConfigNode } from '../config/config-node.ts';
import type { Labels } from '../model/record.ts';
import { parsePromDuration } from './prom-duration.ts';
import { compileAlertTemplate } from './alert-template.ts';

export interface AlertingRule {
  kind: 'alert';
  name: string;
  expr: string;
  ast: MetricExpr;
  forMs: number;
  keepFiringForMs: number;
  labels: Labels;
  annotations: Record<string, string>;
  /** 1-based line of the rule in its file (0 when built in code) */
  line: number;
}

export interface RecordingRule {
  kind: 'record';
  name: string;
  expr: string;
  ast: MetricExpr;
  labels: Labels;
  line: number;
}

export type Rule = AlertingRule | RecordingRule;

export interface RuleGroup {
  name: string;
  /** evaluation interval; 0 = the default (1m) */
  intervalMs: number;
  /** at most this many alerts per alerting rule / series per recording rule; 0 = no limit */
  limit: number;
  /** evaluate at `now - query_offset` (lets late lines arrive first) */
  queryOffsetMs: number;
  /** added to every rule's labels (rule labels win) */
  labels: Labels;
  rules: Rule[];
  line: number;
}

export const DEFAULT_INTERVAL_MS = 60_000;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const GROUP_KEYS = ['name', 'interval', 'limit', 'query_offset', 'labels', 'rules'] as const;
const RULE_KEYS = ['alert', 'record', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'] as const;

/** Reads rule errors into a list instead of stopping at the first one. */
class Collector {
  readonly errors: ConfigError[] = [];
  attempt<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      this.errors.push(e);
      return undefined;
    }
  }
}

/** Reports each key outside `allowed` and carries on with the rest. */
function unknownKeys(node: ConfigNode, allowed: readonly string[], c: Collector): void {
  for (const key of node.keys()) {
    if (!allowed.includes(key)) c.attempt(() => node.get(key).fail(`unknown key (expected one of ${allowed.join(', ')})`));
  }
}

function duration(node: ConfigNode): number {
  if (!node.exists) return 0;
  const text = node.string();
  const ms = parsePromDuration(text);
  if (ms === undefined) node.fail(`expected a duration like 30s, 5m or 1h30m, got ${JSON.stringify(text)}`);
  return ms;
}

function labelMap(node: ConfigNode, what: 'label' | 'annotation'): Record<string, string> {
  const out: Record<string, string> = {};
  if (!node.exists) return out;
  for (const [k, v] of node.entries()) {
    if (!LABEL_NAME.test(k)) v.fail(`invalid ${what} name ${JSON.stringify(k)} (expected [a-zA-Z_][a-zA-Z0-9_]*)`);
    if (what === 'label' && k === '__name__') v.fail('the label __name__ cannot be set by a rule');
    out[k] = v.string();
  }
  return out;
}

/** The file line a LogQL parse error points at: the expr value's line plus the error's line inside the query. */
function exprErrorLine(node: ConfigNode, err: LogQLParseError, text: string): number {
  const at = node.line ?? 0;
  // a block scalar (`expr: |`) starts on the line after its indicator
  const lineText = text.split('\n')[at - 1] ?? '';
  const block = /:\s*[|>][-+0-9]*\s*(#.*)?$/.test(lineText) || /^\s*[|>][-+0-9]*\s*(#.*)?$/.test(lineText);
  return at + (block ? err.line : err.line - 1);
}

function parseRuleExpr(node: ConfigNode, text: string): { expr: string; ast: MetricExpr } {
  if (!node.exists) node.fail("is required: field 'expr' must be set in rule");
  const expr = node.string();
  if (expr.trim() === '') node.fail("is required: field 'expr' must be set in rule");
  try {
    const ast = parseExpr(expr);
    if (ast.kind === 'log') node.fail('a log query cannot be a rule: expected a metric query such as sum by (service) (count_over_time({...}[5m])) > 10');
    return { expr, ast };
  } catch (e) {
    if (e instanceof LogQLParseError) {
      const line = exprErrorLine(node, e, text);
      throw new ConfigError(`${node.file}:${line}: ${node.path}: ${e.message}`, node.file, line);
    }
    throw e;
  }
}

function checkTemplates(node: ConfigNode, values: Record<string, string>, c: Collector): void {
  for (const [k, v] of Object.entries(values)) {
    c.attempt(() => {
      try {
        compileAlertTemplate(v, k);
      } catch (e) {
        node.get(k).fail((e as Error).message);
      }
    });
  }
}

function parseRule(node: ConfigNode, c: Collector, text: string): Rule | undefined {
  if (!node.isMap) node.fail('expected a rule (a mapping with alert or record, and expr)');
  unknownKeys(node, RULE_KEYS, c);
  const alert = node.get('alert');
  const record = node.get('record');
  if (alert.exists && record.exists) node.fail("only one of 'record' and 'alert' must be set");
  if (!alert.exists && !record.exists) node.fail("one of 'record' or 'alert' must be set");
  const parsed = c.attempt(() => parseRuleExpr(node.get('expr'), text));
  const labels = c.attempt(() => labelMap(node.get('labels'), 'label'));
  const line = node.line ?? 0;
  if (record.exists) {
    const name = c.attempt(() => {
      const n = record.string();
      if (!METRIC_NAME.test(n)) record.fail(`invalid recording rule name ${JSON.stringify(n)} (expected a metric name, [a-zA-Z_:][a-zA-Z0-9_:]*)`);
      return n;
    });
    for (const key of ['annotations', 'for', 'keep_firing_for']) {
      if (node.get(key).exists) c.attempt(() => node.get(key).fail(`invalid field '${key}' in recording rule`));
    }
    if (name === undefined || parsed === undefined || labels === undefined) return undefined;
    return { kind: 'record', name, expr: parsed.expr, ast: parsed.ast, labels, line };
  }
  const name = c.attempt(() => {
    const n = alert.string();
    if (n.trim() === '') alert.fail('an alert needs a name');
    return n;
  });
  const forMs = c.attempt(() => duration(node.get('for')));
  const keepFiringForMs = c.attempt(() => duration(node.get('keep_firing_for')));
  const annotations = c.attempt(() => labelMap(node.get('annotations'), 'annotation'));
  if (labels) checkTemplates(node.get('labels'), labels, c);
  if (annotations) checkTemplates(node.get('annotations'), annotations, c);
  if (name === undefined || parsed === undefined || labels === undefined || forMs === undefined || keepFiringForMs === undefined || annotations === undefined) return undefined;
  return { kind: 'alert', name, expr: parsed.expr, ast: parsed.ast, forMs, keepFiringForMs, labels, annotations, line };
}

/** One group mapping; errors go to the collector. */
function parseGroup(node: ConfigNode, c: Collector, text: string): RuleGroup | undefined {
  if (!node.isMap) node.fail('expected a rule group (a mapping with name and rules)');
  unknownKeys(node, GROUP_KEYS, c);
  const name = c.attempt(() => {
    const n = node.get('name').string();
    if (n.trim() === '') node.get('name').fail('a group needs a name');
    return n;
  });
  const intervalMs = c.attempt(() => {
    const ms = duration(node.get('interval'));
    if (node.get('interval').exists && ms <= 0) node.get('interval').fail('expected an interval greater than 0');
    return ms;
  });
  const limit = c.attempt(() => node.get('limit').integer(0, 0));
  const queryOffsetMs = c.attempt(() => duration(node.get('query_offset')));
  const labels = c.attempt(() => labelMap(node.get('labels'), 'label'));
  const rulesNode = node.get('rules');
  const rules: Rule[] = [];
  let ruleErrors = false;
  if (rulesNode.exists) {
    const items = c.attempt(() => rulesNode.items()) ?? [];
    for (const item of items) {
      const before = c.errors.length;
      const r = c.attempt(() => parseRule(item, c, text));
      if (r) rules.push(r);
      if (c.errors.length > before || !r) ruleErrors = true;
    }
  }
  if (name === undefined || intervalMs === undefined || limit === undefined || queryOffsetMs === undefined || labels === undefined || ruleErrors) return undefined;
  return { name, intervalMs, limit, queryOffsetMs, labels, rules, line: node.line ?? 0 };
}

export interface ParsedRuleFile {
  groups: RuleGroup[];
  errors: ConfigError[];
}

/** A whole rule file (`groups: [...]`). Every problem is reported; any error means no groups are returned. */
export function parseRuleFile(text: string, file: string): ParsedRuleFile {
  const c = new Collector();
  let root: ConfigNode;
  try {
    root = ConfigNode.parse(text, file);
  } catch (e) {
    if (e instanceof ConfigError) return { groups: [], errors: [e] };
    throw e;
  }
  const groups: RuleGroup[] = [];
  if (!root.exists) return { groups, errors: [] }; // an empty file holds no groups
  c.attempt(() => {
    if (!root.isMap) root.fail("expected a mapping with a 'groups' list");
    root.onlyKeys(['groups']);
    const list = root.get('groups');
    if (!list.exists) return;
    const seen = new Map<string, number>();
    for (const g of list.items()) {
      const group = c.attempt(() => parseGroup(g, c, text));
      const name = c.attempt(() => g.get('name').optionalString());
      if (name !== undefined) {
        if (seen.has(name)) c.attempt(() => g.get('name').fail(`groupname: ${JSON.stringify(name)} is repeated in the same file (first at line ${seen.get(name)})`));
        else seen.set(name, g.line ?? 0);
      }
      if (group) groups.push(group);
    }
  });
  c.errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return c.errors.length > 0 ? { groups: [], errors: c.errors } : { groups, errors: [] };
}

/** One group on its own, as the ruler API receives it (`name, interval, rules`); a group must hold a rule. */
export function parseRuleGroup(text: string, file: string): { group?: RuleGroup; errors: ConfigError[] } {
  const c = new Collector();
  let root: ConfigNode;
  try {
    root = ConfigNode.parse(text, file);
  } catch (e) {
    if (e instanceof ConfigError) return { errors: [e] };
    throw e;
  }
  const group = c.attempt(() => {
    if (!root.exists) root.fail('expected a rule group (a mapping with name and rules), got nothing');
    const g = parseGroup(root, c, text);
    if (g && g.rules.length === 0) root.get('rules').fail(`rule group ${JSON.stringify(g.name)} has no rules`);
    return g;
  });
  c.errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return c.errors.length > 0 || !group ? { errors: c.errors } : { group, errors: [] };
}

/** `file:line: why` lines for errors (what `rules check` prints). */
export function formatRuleErrors(errors: ConfigError[]): string {
  return errors.map((e) => e.message + '\n').join('');
}
