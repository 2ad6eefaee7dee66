// Native correlation rules: the guide's YAML shape (log-architecture-guide §5.3) made valid YAML. `events` name LogQL
// log queries; `sequence` lists steps (`event`, `count`, `within`, `group_by` on the first, `same` on the others);
// `extend` lists events that join the incident after the alert; `action` says what happens. One rule per file.
// docs/siem.md, "Native correlation rules", is the reference for every key.

import { ConfigError, ConfigNode } from '../../config/config-node.ts';
import type { LogQuery } from '../../query/ast.ts';
import { LogQLParseError, parseLogQuery } from '../../query/parser.ts';
import { parseActions, type ActionSpec } from '../actions/action-spec.ts';
import { parseSeverity, type Severity } from '../severity.ts';
import { parseCountThreshold } from './count-threshold.ts';
import { parseWindowDuration } from './window-duration.ts';
import { parseAllowList, type AllowEntry } from '../allow-list.ts';
import type { NewValueSpec } from './new-value-machine.ts';
import type { BaselineSpec } from './baseline-machine.ts';

export interface EventDefinition {
  name: string;
  text: string;
  query: LogQuery;
  /** file:line */
  where: string;
}

export interface SequenceStep {
  /** event names; any of them counts for the step */
  events: string[];
  min: number;
  /** first step: span of its counted events; later steps: after the previous step completed (or was refreshed) */
  withinMs: number | undefined;
  where: string;
}

export interface ExtendStep {
  events: string[];
  /** after the incident's last linked event */
  withinMs: number;
}

export interface NativeRule {
  kind: 'native';
  name: string;
  title: string;
  description?: string;
  severity: Severity;
  tags: string[];
  file: string;
  events: Map<string, EventDefinition>;
  steps: SequenceStep[];
  /** the first step's group_by: one state machine per distinct value tuple */
  groupBy: string[];
  extend: ExtendStep[];
  actions: ActionSpec[];
  /** repeated alerts for the same group within this window join the open incident */
  suppressMs: number;
  /** `suppress: {by: [...]}`: one alert per value tuple of these fields per window; later ones counted on it */
  suppressBy?: string[];
  /** records matching an entry are not events of this rule */
  allow: AllowEntry[];
  /** a `new_value` rule (no sequence): first time a value is seen for a group */
  newValue?: { events: string[]; spec: NewValueSpec };
  /** a `baseline` rule (no sequence): a count per interval far above the group's usual */
  baseline?: { events: string[]; spec: BaselineSpec };
  enabled: boolean;
}

const RULE_KEYS = ['rule', 'title', 'description', 'severity', 'tags', 'events', 'sequence', 'new_value', 'baseline', 'extend', 'action', 'actions', 'suppress', 'allow', 'enabled'];
const STEP_KEYS = ['event', 'count', 'within', 'group_by', 'same'];
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
export const DEFAULT_SUPPRESS_MS = 3_600_000;

function duration(node: ConfigNode): number | undefined {
  if (!node.exists) return undefined;
  const ms = parseWindowDuration(node.string());
  if (ms === undefined) node.fail(`expected a duration such as 10m, 30s, 1h or "10 minutes", got ${JSON.stringify(node.value)}`);
  return ms;
}

function eventNames(node: ConfigNode, events: Map<string, EventDefinition>): string[] {
  const names = node.stringList();
  if (names.length === 0) node.fail('names no event');
  for (const n of names) if (!events.has(n)) node.fail(`event "${n}" is not defined under events: (defined: ${[...events.keys()].join(', ') || 'none'})`);
  return names;
}

/** `suppress: 1h` (the incident window) or `suppress: {window: 1h, by: [user_id]}` (one alert per tuple per window). */
function parseSuppress(node: ConfigNode, groupBy: string[]): { suppressMs: number; suppressBy?: string[] } {
  if (!node.exists) return { suppressMs: DEFAULT_SUPPRESS_MS };
  if (typeof node.value === 'string') return { suppressMs: duration(node)! };
  node.onlyKeys(['window', 'by']);
  const suppressMs = duration(node.get('window')) ?? DEFAULT_SUPPRESS_MS;
  return { suppressMs, suppressBy: node.get('by').stringList(groupBy) };
}

/** Whether a parsed YAML document is a native rule rather than a Sigma rule. */
export function looksNative(root: unknown): boolean {
  return typeof root === 'object' && root !== null && 'rule' in root && ('sequence' in root || 'new_value' in root || 'baseline' in root);
}

/** Parses one rule file; a problem throws ConfigError `file:line: path: what was expected`. */
export function parseNativeRule(text: string, file: string): NativeRule {
  let root: ConfigNode;
  try {
    root = ConfigNode.parse(text, file);
  } catch (e) {
    // the guide writes `count: >= 5`, which YAML reads as the start of a folded block
    if (e instanceof ConfigError && /Block scalar header/.test(e.message)) {
      throw new ConfigError(`${e.message.replace(/:\s*$/, '')} (quote a comparison: count: ">= 5")`, e.file, e.line);
    }
    throw e;
  }
  root.onlyKeys(RULE_KEYS);
  const name = root.get('rule').string();
  if (!NAME.test(name)) root.get('rule').fail(`expected a name of letters, digits, _ . - (starting with a letter or _), got ${JSON.stringify(name)}`);
  const sevNode: ConfigNode = root.get('severity');
  const sevText = sevNode.string('medium');
  const severity = parseSeverity(sevText);
  if (severity === undefined) sevNode.fail(`expected one of informational, low, medium, high, critical (any case), got ${JSON.stringify(sevText)}`);

  const events = new Map<string, EventDefinition>();
  const evNode = root.get('events');
  if (!evNode.exists) root.fail('events: is required: name each event with a LogQL log query, e.g. login_failed: \'{service="sshd"} |= "Failed password"\'');
  for (const [evName, q] of evNode.entries()) {
    if (!NAME.test(evName)) q.fail(`event name ${JSON.stringify(evName)}: expected letters, digits, _ . -`);
    const qText = q.string();
    let query: LogQuery;
    try {
      query = parseLogQuery(qText);
    } catch (e) {
      if (e instanceof LogQLParseError) q.fail(`invalid LogQL log query: ${e.message}`);
      throw e;
    }
    events.set(evName, { name: evName, text: qText, query, where: q.where() });
  }

  const seqNode = root.get('sequence');
  const kinds = ['sequence', 'new_value', 'baseline'].filter((k) => root.get(k).exists);
  if (kinds.length !== 1) root.fail(kinds.length === 0 ? 'sequence: is required (a list of steps), or new_value: or baseline: for those rule kinds' : `give one of ${kinds.join(', ')}: a rule is one kind`);
  let groupBy: string[] = [];
  let newValue: NativeRule['newValue'];
  let baseline: NativeRule['baseline'];
  if (root.get('new_value').exists) {
    const n = root.get('new_value');
    n.onlyKeys(['event', 'group_by', 'fields', 'history', 'learning', 'max_values']);
    groupBy = n.get('group_by').stringList([]);
    const fields = n.get('fields').stringList();
    if (fields.length === 0) n.get('fields').fail('expected the field(s) whose new values alert, e.g. [country]');
    const historyMs = duration(n.get('history')) ?? n.fail('history: is required (how long a value seen stays known, e.g. 30d)');
    newValue = { events: eventNames(n.get('event'), events), spec: { fields, historyMs, learningMs: duration(n.get('learning')) ?? historyMs, maxValues: n.get('max_values').integer(1000, 1, 1_000_000) } };
  } else if (root.get('baseline').exists) {
    const b = root.get('baseline');
    b.onlyKeys(['event', 'group_by', 'interval', 'history', 'k', 'min_count', 'learning']);
    groupBy = b.get('group_by').stringList([]);
    const intervalMs = duration(b.get('interval')) ?? b.fail('interval: is required (the counting period, e.g. 1h)');
    const history = b.get('history').integer(24, 2, 10_000);
    baseline = {
      events: eventNames(b.get('event'), events),
      spec: { intervalMs, history, k: b.get('k').number(3, 0, 1000), minCount: b.get('min_count').integer(10, 1, 1_000_000_000), learning: b.get('learning').integer(history, 1, history) },
    };
  }
  const items = seqNode.exists ? seqNode.items() : [];
  if (seqNode.exists && items.length === 0) seqNode.fail('expected at least one step');
  const steps: SequenceStep[] = items.map((item, i) => {
    item.onlyKeys(STEP_KEYS);
    const evs = eventNames(item.get('event'), events);
    const countNode: ConfigNode = item.get('count');
    let min = 1;
    if (countNode.exists) {
      const c = parseCountThreshold(countNode.value);
      if (typeof c === 'string') countNode.fail(c);
      min = c.min;
    }
    const withinMs = duration(item.get('within'));
    if (i === 0) {
      groupBy = item.get('group_by').stringList([]);
      if (item.get('same').exists) item.get('same').fail('the first step groups with group_by; same: is for later steps');
      if (min > 1 && withinMs === undefined) item.fail('a counted first step needs within: (the span its events must fall in)');
    } else {
      if (item.get('group_by').exists) item.get('group_by').fail('group_by belongs to the first step (it sets the group every later step shares); use same: here');
      if (withinMs === undefined) item.fail('within: is required after the first step (how long after the previous step this one may come)');
      const sameNode = item.get('same');
      const same = sameNode.stringList(groupBy);
      const a = [...same].sort().join(',');
      const b = [...groupBy].sort().join(',');
      if (a !== b) sameNode.fail(`same: must name the first step's group_by fields (${groupBy.join(', ') || 'none'}): each group has one state machine`);
    }
    return { events: evs, min, withinMs, where: item.where() };
  });

  const extend: ExtendStep[] = [];
  const extNode = root.get('extend');
  if (extNode.exists) {
    for (const item of extNode.items()) {
      item.onlyKeys(['event', 'within', 'same']);
      const evs = eventNames(item.get('event'), events);
      const withinMs = duration(item.get('within'));
      if (withinMs === undefined) return item.fail('within: is required (how long after the incident\'s last event this event still joins it)');
      const same = item.get('same').stringList(groupBy);
      if ([...same].sort().join(',') !== [...groupBy].sort().join(',')) item.get('same').fail(`same: must name the group_by fields (${groupBy.join(', ')})`);
      extend.push({ events: evs, withinMs });
    }
  }
  if (root.get('action').exists && root.get('actions').exists) root.get('actions').fail('give action: or actions:, not both');
  const actions = parseActions(root.get('action').exists ? root.get('action') : root.get('actions'));
  const description = root.get('description').optionalString();
  return {
    kind: 'native',
    name,
    title: root.get('title').optionalString() ?? description ?? name,
    description,
    severity,
    tags: root.get('tags').stringList([]),
    file,
    events,
    steps,
    groupBy,
    extend,
    actions,
    ...parseSuppress(root.get('suppress'), groupBy),
    allow: parseAllowList(root.get('allow')),
    ...(newValue ? { newValue } : {}),
    ...(baseline ? { baseline } : {}),
    enabled: root.get('enabled').boolean(true),
  };
}
