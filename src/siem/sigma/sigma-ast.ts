// The Sigma rule as plain data, as the parser produces it from YAML (Sigma Rules Specification 2.1, Correlation Rules
// Specification 2.1, Filters Specification 2.1). The compiler turns detection rules into matchers over events.

/** Rule metadata shown with every alert (the Detection Rule License asks for `author` on every match). */
export interface SigmaMeta {
  title: string;
  id?: string;
  name?: string;
  description?: string;
  author?: string;
  references: string[];
  tags: string[];
  /** informational, low, medium, high, critical */
  level?: string;
  status?: string;
  falsepositives: string[];
  /** where the rule came from: file and 1-based line of its document */
  file: string;
  line: number;
}

export interface Logsource {
  product?: string;
  category?: string;
  service?: string;
}

/** A value as written in the rule, before modifiers. */
export type SigmaValue =
  | { kind: 'string'; text: string }
  /** YAML number: matched by its source text, compared numerically by lt/gt... */
  | { kind: 'number'; text: string; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' };

/** `Field|mod1|mod2: value(s)`; without a field it is a keyword search over the line. */
export interface FieldItem {
  kind: 'field';
  field: string | undefined;
  modifiers: string[];
  values: SigmaValue[];
  line: number;
}

/** A search identifier's body: maps are AND of their items, lists are OR of theirs. */
export type SearchNode = FieldItem | { kind: 'and' | 'or'; items: SearchNode[]; line: number };

export type ConditionNode =
  | { kind: 'and' | 'or'; left: ConditionNode; right: ConditionNode }
  | { kind: 'not'; expr: ConditionNode }
  | { kind: 'ref'; name: string }
  /** `1 of pattern*`, `all of them` (pattern undefined = them) */
  | { kind: 'of'; quantifier: 'one' | 'all'; pattern: string | undefined };

export interface SigmaDetectionRule extends SigmaMeta {
  kind: 'detection';
  logsource: Logsource;
  searches: Map<string, SearchNode>;
  /** the conditions (a list of conditions is OR-ed) */
  conditions: ConditionNode[];
}

export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered';

export interface CountCondition {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  eq?: number;
  neq?: number;
}

export interface SigmaCorrelationRule extends SigmaMeta {
  kind: 'correlation';
  type: CorrelationType;
  /** referenced rules by id or name, in order */
  rules: string[];
  groupBy: string[];
  timespanMs: number;
  /** value_count: the field(s) whose distinct values are counted */
  field?: string[];
  condition?: CountCondition;
  /** alias → (rule name or id → field) */
  aliases: Map<string, Map<string, string>>;
  /** whether the referenced rules also alert on their own */
  generate: boolean;
}

/** A global filter (Sigma Filters Specification): `and not <filter>` added to the rules it names. */
export interface SigmaFilterRule extends SigmaMeta {
  kind: 'filter';
  logsource: Logsource;
  rules: string[];
  searches: Map<string, SearchNode>;
  conditions: ConditionNode[];
}

export type SigmaRule = SigmaDetectionRule | SigmaCorrelationRule | SigmaFilterRule;
