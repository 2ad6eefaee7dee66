// Sigma YAML documents → rule AST: detection rules (Sigma Rules Specification 2.1), correlation rules (Correlation
// Rules Specification 2.1: event_count, value_count, temporal, temporal_ordered) and global filters (Filters
// Specification 2.1). Every refusal is a SigmaError with file:line and the reason (what is unsupported and why).

import type { ConditionNode, CorrelationType, CountCondition, FieldItem, Logsource, SearchNode, SigmaMeta, SigmaRule, SigmaValue } from './sigma-ast.ts';
import { ConditionError, parseCondition } from './sigma-condition.ts';
import { isNull, mapGet, readSigmaDocuments, scalarText, SigmaError, type SigmaDocument, type SigmaMap, type SigmaNode, type SigmaScalar } from './sigma-yaml.ts';

const CORRELATION_TYPES: readonly CorrelationType[] = ['event_count', 'value_count', 'temporal', 'temporal_ordered'];
const METRIC_TYPES = ['value_sum', 'value_avg', 'value_percentile'];
const CONDITION_OPS: readonly (keyof CountCondition)[] = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'];
const TIMESPAN = /^(\d+)([smhd])$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses every document of a file; a document that fails is returned as an error, the others still load. */
export function parseSigmaFile(text: string, file: string): { rules: SigmaRule[]; errors: SigmaError[] } {
  let docs: SigmaDocument[];
  try {
    docs = readSigmaDocuments(text, file);
  } catch (e) {
    if (e instanceof SigmaError) return { rules: [], errors: [e] };
    throw e;
  }
  const rules: SigmaRule[] = [];
  const errors: SigmaError[] = [];
  // a Sigma 1.x collection's documents only make sense merged with its `action: global` one: refuse the file once
  for (const doc of docs) {
    const action = doc.root.kind === 'map' ? mapGet(doc.root, 'action') : undefined;
    if (action !== undefined) {
      const what = action.kind === 'scalar' ? scalarText(action) : 'collection';
      return { rules: [], errors: [new SigmaError(`Sigma 1.x rule collection (action: ${what}) is not supported: split it into single rules`, file, action.line || undefined)] };
    }
  }
  for (const doc of docs) {
    try {
      rules.push(parseSigmaDocument(doc));
    } catch (e) {
      if (!(e instanceof SigmaError)) throw e;
      const title = doc.root.kind === 'map' ? mapGet(doc.root, 'title') : undefined;
      if (title?.kind === 'scalar') e.rule = scalarText(title);
      errors.push(e);
    }
  }
  if (docs.length === 0) errors.push(new SigmaError('no YAML document in the file', file, undefined));
  return { rules, errors };
}

class At {
  constructor(readonly file: string) {}
  fail(node: { line: number } | undefined, msg: string): never {
    throw new SigmaError(msg, this.file, node?.line || undefined);
  }
}

function str(at: At, node: SigmaNode | undefined, what: string): string | undefined {
  if (isNull(node)) return undefined;
  if (node!.kind !== 'scalar') at.fail(node, `${what}: expected a string`);
  return scalarText(node as SigmaScalar);
}

function strList(at: At, node: SigmaNode | undefined, what: string): string[] {
  if (isNull(node)) return [];
  if (node!.kind === 'scalar') return [scalarText(node as SigmaScalar)];
  if (node!.kind !== 'seq') at.fail(node, `${what}: expected a list of strings`);
  return node!.items.map((i) => {
    if (i.kind !== 'scalar') at.fail(i, `${what}: expected a list of strings`);
    return scalarText(i);
  });
}

function parseMeta(at: At, root: SigmaMap): SigmaMeta {
  const title = str(at, mapGet(root, 'title'), 'title');
  if (title === undefined || title === '') at.fail(root, 'title is required');
  return {
    title,
    id: str(at, mapGet(root, 'id'), 'id'),
    name: str(at, mapGet(root, 'name'), 'name'),
    description: str(at, mapGet(root, 'description'), 'description'),
    author: str(at, mapGet(root, 'author'), 'author'),
    references: strList(at, mapGet(root, 'references'), 'references'),
    tags: strList(at, mapGet(root, 'tags'), 'tags'),
    level: str(at, mapGet(root, 'level'), 'level')?.toLowerCase(),
    status: str(at, mapGet(root, 'status'), 'status'),
    falsepositives: strList(at, mapGet(root, 'falsepositives'), 'falsepositives'),
    file: at.file,
    line: root.line,
  };
}

export function parseSigmaDocument(doc: SigmaDocument): SigmaRule {
  const at: At = new At(doc.file);
  const root = doc.root;
  if (root.kind !== 'map') at.fail(root, 'a Sigma rule must be a mapping');
  const meta = parseMeta(at, root);
  const correlation = mapGet(root, 'correlation');
  if (correlation !== undefined) return parseCorrelation(at, meta, correlation, root);
  const filter = mapGet(root, 'filter');
  if (filter !== undefined && filter.kind === 'map' && mapGet(filter, 'rules') !== undefined) {
    const { searches, conditions } = parseDetection(at, filter, ['rules']);
    return { ...meta, kind: 'filter', logsource: parseLogsource(at, mapGet(root, 'logsource')), rules: strList(at, mapGet(filter, 'rules'), 'filter.rules'), searches, conditions };
  }
  const detection = mapGet(root, 'detection');
  if (detection === undefined) at.fail(root, 'detection is required');
  const logsource = mapGet(root, 'logsource');
  if (logsource === undefined) at.fail(root, 'logsource is required');
  const { searches, conditions } = parseDetection(at, detection, []);
  return { ...meta, kind: 'detection', logsource: parseLogsource(at, logsource), searches, conditions };
}

function parseLogsource(at: At, node: SigmaNode | undefined): Logsource {
  if (isNull(node)) return {};
  if (node!.kind !== 'map') at.fail(node, 'logsource: expected a mapping');
  const m = node as SigmaMap;
  const out: Logsource = {};
  const product = str(at, mapGet(m, 'product'), 'logsource.product');
  const category = str(at, mapGet(m, 'category'), 'logsource.category');
  const service = str(at, mapGet(m, 'service'), 'logsource.service');
  if (product !== undefined) out.product = product.toLowerCase();
  if (category !== undefined) out.category = category.toLowerCase();
  if (service !== undefined) out.service = service.toLowerCase();
  return out;
}

function parseDetection(at: At, node: SigmaNode, skip: string[]): { searches: Map<string, SearchNode>; conditions: ConditionNode[] } {
  if (node.kind !== 'map') at.fail(node, 'detection: expected a mapping');
  const searches = new Map<string, SearchNode>();
  let conditionNode: SigmaNode | undefined;
  let timeframe: SigmaNode | undefined;
  for (const e of node.entries) {
    if (e.key === 'condition') conditionNode = e.value;
    else if (e.key === 'timeframe') timeframe = e.value;
    else if (!skip.includes(e.key)) searches.set(e.key, parseSearch(at, e.value, e.key, e.keyLine));
  }
  if (conditionNode === undefined || isNull(conditionNode)) at.fail(node, 'detection.condition is required');
  const texts = strList(at, conditionNode, 'condition');
  const conditions = texts.map((t) => {
    try {
      return parseCondition(t);
    } catch (e) {
      if (e instanceof ConditionError) at.fail(conditionNode, e.message);
      throw e;
    }
  });
  // after the condition, whose aggregation error says more
  if (timeframe !== undefined) at.fail(timeframe, 'timeframe (a Sigma 1.x aggregation window) is not supported: write the aggregation as a correlation rule');
  for (const c of conditions) checkRefs(at, conditionNode, c, searches);
  return { searches, conditions };
}

function checkRefs(at: At, where: SigmaNode, c: ConditionNode, searches: Map<string, SearchNode>): void {
  switch (c.kind) {
    case 'and':
    case 'or':
      checkRefs(at, where, c.left, searches);
      checkRefs(at, where, c.right, searches);
      return;
    case 'not':
      checkRefs(at, where, c.expr, searches);
      return;
    case 'ref':
      if (!searches.has(c.name)) at.fail(where, `condition names "${c.name}", which is not a search identifier of the detection (${[...searches.keys()].join(', ')})`);
      return;
    case 'of':
      return; // a pattern matching nothing is an empty OR/AND, checked when compiling
  }
}

export function sigmaValue(node: SigmaScalar): SigmaValue {
  if (node.plain) {
    if (node.value === null) return { kind: 'null' };
    if (typeof node.value === 'boolean') return { kind: 'bool', value: node.value };
    if (typeof node.value === 'number') return { kind: 'number', text: node.source, value: node.value };
  }
  return { kind: 'string', text: scalarText(node) };
}

function fieldItem(at: At, key: string, value: SigmaNode, line: number): FieldItem {
  const [field, ...modifiers] = key.split('|');
  let values: SigmaValue[];
  if (value.kind === 'scalar') values = [sigmaValue(value)];
  else if (value.kind === 'seq') {
    values = value.items.map((i) => {
      if (i.kind !== 'scalar') at.fail(i, `${key}: a value list holds plain values, not ${i.kind === 'map' ? 'mappings' : 'lists'}`);
      return sigmaValue(i);
    });
    if (values.length === 0) at.fail(value, `${key}: empty list of values`);
  } else at.fail(value, `${key}: expected a value or a list of values, got a mapping`);
  return { kind: 'field', field: field === '' ? undefined : field, modifiers: modifiers.map((m) => m.toLowerCase()), values, line };
}

function parseSearch(at: At, node: SigmaNode, name: string, line: number): SearchNode {
  if (node.kind === 'map') {
    if (node.entries.length === 0) at.fail(node, `search identifier "${name}" is empty`);
    const items = node.entries.map((e) => fieldItem(at, e.key, e.value, e.keyLine));
    return items.length === 1 ? items[0]! : { kind: 'and', items, line: node.line };
  }
  if (node.kind === 'seq') {
    if (node.items.length === 0) at.fail(node, `search identifier "${name}" is an empty list`);
    const items: SearchNode[] = [];
    let keywords: SigmaValue[] = [];
    const flush = () => {
      if (keywords.length > 0) items.push({ kind: 'field', field: undefined, modifiers: [], values: keywords, line: node.line });
      keywords = [];
    };
    for (const i of node.items) {
      if (i.kind === 'scalar') {
        const v = sigmaValue(i);
        if (v.kind === 'null') at.fail(i, `search identifier "${name}": a keyword cannot be null`);
        keywords.push(v);
      } else if (i.kind === 'map') {
        flush();
        items.push(parseSearch(at, i, name, i.line));
      } else at.fail(i, `search identifier "${name}": nested lists are not Sigma`);
    }
    flush();
    return items.length === 1 ? items[0]! : { kind: 'or', items, line: node.line };
  }
  if (isNull(node)) at.fail({ line }, `search identifier "${name}" is empty`);
  return { kind: 'field', field: undefined, modifiers: [], values: [sigmaValue(node)], line: node.line || line };
}

function parseTimespan(at: At, node: SigmaNode | undefined): number {
  const text = str(at, node, 'correlation.timespan');
  if (text === undefined) at.fail(node, 'correlation.timespan is required (e.g. 10m, 1h, 1d)');
  const m = TIMESPAN.exec(text.trim());
  if (!m) at.fail(node, `correlation.timespan: expected a number and one of s, m, h, d (e.g. 90m), got ${JSON.stringify(text)}`);
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  if (ms <= 0) at.fail(node, 'correlation.timespan must be more than zero');
  return ms;
}

function parseCorrelation(at: At, meta: SigmaMeta, node: SigmaNode, root: SigmaMap): SigmaRule {
  if (node.kind !== 'map') at.fail(node, 'correlation: expected a mapping');
  const typeText = str(at, mapGet(node, 'type'), 'correlation.type');
  if (typeText === undefined) at.fail(node, `correlation.type is required (one of ${CORRELATION_TYPES.join(', ')})`);
  if (METRIC_TYPES.includes(typeText)) at.fail(mapGet(node, 'type'), `correlation type ${typeText} (Sigma 2.1 metric correlation) is not supported yet: use event_count, value_count, temporal or temporal_ordered`);
  if (!(CORRELATION_TYPES as readonly string[]).includes(typeText)) at.fail(mapGet(node, 'type'), `correlation.type: expected one of ${CORRELATION_TYPES.join(', ')}, got ${JSON.stringify(typeText)}`);
  const type = typeText as CorrelationType;
  const rules = strList(at, mapGet(node, 'rules'), 'correlation.rules');
  if (rules.length === 0) at.fail(node, 'correlation.rules is required: the ids or names of the rules it correlates');
  const groupBy = strList(at, mapGet(node, 'group-by'), 'correlation.group-by');
  const timespanMs = parseTimespan(at, mapGet(node, 'timespan'));
  const condNode = mapGet(node, 'condition');
  let condition: CountCondition | undefined;
  let field: string[] | undefined;
  if (!isNull(condNode)) {
    if (condNode!.kind !== 'map') at.fail(condNode, 'correlation.condition: expected a mapping such as {gte: 100}');
    condition = {};
    for (const e of (condNode as SigmaMap).entries) {
      if (e.key === 'field') {
        field = strList(at, e.value, 'correlation.condition.field');
        continue;
      }
      if (!(CONDITION_OPS as readonly string[]).includes(e.key)) at.fail(e.value, `correlation.condition: unknown operator "${e.key}" (expected ${CONDITION_OPS.join(', ')}, field)`);
      const v = e.value;
      if (v.kind !== 'scalar' || typeof v.value !== 'number' || !Number.isFinite(v.value)) at.fail(v, `correlation.condition.${e.key}: expected a number`);
      condition[e.key as keyof CountCondition] = v.value;
    }
    if (Object.keys(condition).length === 0) at.fail(condNode, 'correlation.condition needs an operator (gt, gte, lt, lte, eq, neq)');
  }
  if ((type === 'event_count' || type === 'value_count') && condition === undefined) at.fail(node, `correlation.condition is required for ${type}`);
  if (type === 'value_count' && (field === undefined || field.length === 0)) at.fail(condNode ?? node, 'value_count needs condition.field: the field whose distinct values are counted');
  if ((type === 'temporal' || type === 'temporal_ordered') && rules.length < 2 && condition === undefined) {
    at.fail(node, `${type} correlates at least two rules`);
  }
  const aliases = new Map<string, Map<string, string>>();
  const aliasNode = mapGet(node, 'aliases');
  if (!isNull(aliasNode)) {
    if (aliasNode!.kind !== 'map') at.fail(aliasNode, 'correlation.aliases: expected a mapping of alias → (rule name → field)');
    for (const e of (aliasNode as SigmaMap).entries) {
      if (e.value.kind !== 'map') at.fail(e.value, `correlation.aliases.${e.key}: expected a mapping of rule name → field`);
      const m = new Map<string, string>();
      for (const r of e.value.entries) m.set(r.key, str(at, r.value, `correlation.aliases.${e.key}.${r.key}`) ?? '');
      aliases.set(e.key, m);
    }
  }
  // the specification lists `generate` beside `level`; tools also read it inside the correlation section
  const gen = mapGet(node, 'generate') ?? mapGet(root, 'generate');
  let generate = false;
  if (!isNull(gen)) {
    if (gen!.kind !== 'scalar' || typeof gen!.value !== 'boolean') at.fail(gen, 'correlation.generate: expected true or false');
    generate = gen!.value as boolean;
  }
  return { ...meta, kind: 'correlation', type, rules, groupBy, timespanMs, field, condition, aliases, generate };
}
