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
  enabled: boolean;
}

const RULE_KEYS = ['rule', 'title', 'description', 'severity', 'tags', 'events', 'sequence', 'extend', 'action', 'actions', 'suppress', 'enabled'];
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

/** Whether a parsed YAML document is a native rule rather than a Sigma rule. */
export function looksNative(root: unknown): boolean {
  return typeof root === 'object' && root !== null && 'rule' in root && 'sequence' in root;
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
  if (!seqNode.exists) root.fail('sequence: is required (a list of steps)');
  const items = seqNode.items();
  if (items.length === 0) seqNode.fail('expected at least one step');
  let groupBy: string[] = [];
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
    suppressMs: duration(root.get('suppress')) ?? DEFAULT_SUPPRESS_MS,
    enabled: root.get('enabled').boolean(true),
  };
}
