// Turns a rule set into what the engine runs: event sources (a native rule's LogQL event definitions; Sigma rules
// grouped by logsource, each group with its stream selector and optional parser pipeline) and the correlation state
// machines they feed. Producers (sources, Sigma rules, correlations) are numbered; a detection event names its producer
// and the producer lists its consumers (machine + input).

import { createHash } from 'node:crypto';
import type { Labels } from '../model/record.ts';
import type { LogQuery } from '../query/ast.ts';
import { compilePipeline, type CompiledPipeline } from '../query/stages/pipeline.ts';
import { compileMatchers, labelsMatch, type CompiledMatcher } from '../store/stream-matching.ts';
import { prefilterQuery } from './prefilter-query.ts';
import { checkTemplate, TemplateError } from './actions/payload-template.ts';
import type { ActionSpec } from './actions/action-spec.ts';
import { AggregateMachine } from './correlation/aggregate-machine.ts';
import { lowerBound } from './correlation/count-condition.ts';
import { groupSpec, type Machine } from './correlation/machine.ts';
import type { NativeRule } from './correlation/native-rule.ts';
import { SequenceMachine, type StepSpec } from './correlation/sequence-machine.ts';
import { TemporalMachine } from './correlation/temporal-machine.ts';
import type { FieldGetter } from './event-view.ts';
import type { RuleLoadFailure, RuleSet } from './rule-set.ts';
import { parseSeverity, type Severity } from './severity.ts';
import type { CompiledSigmaRule } from './sigma/sigma-compile.ts';
import type { Logsource, SigmaCorrelationRule } from './sigma/sigma-ast.ts';
import type { LogsourceEntry } from './sigma/logsource-mapping.ts';
import type { AllowList } from './allow-list.ts';
import { BaselineMachine } from './correlation/baseline-machine.ts';
import { NewValueMachine } from './correlation/new-value-machine.ts';
import { RulePrefilter } from './sigma/rule-prefilter.ts';

export interface Consumer {
  machine: MachineSlot;
  input: number;
}

/** What an alert says about its rule. */
export interface AlertMeta {
  kind: 'native' | 'sigma' | 'sigma_correlation';
  /** native: the rule name; Sigma: its id (or title without one) */
  rule: string;
  title: string;
  description?: string;
  severity: Severity;
  tags: string[];
  sigma?: { id?: string; author?: string; references: string[] };
  actions: ActionSpec[];
  suppressMs: number;
  /** one alert per tuple of these fields per suppressMs (native `suppress: {by}`) */
  suppressBy?: string[];
}

interface ProducerBase {
  index: number;
  /** stable across restarts (`logql:<rule>:<event>`, `sigma-rule:<id>`, `native:<rule>`, `sigma:<id>`) */
  key: string;
  /** the step name linked events carry */
  step: string;
  consumers: Consumer[];
}

/** A native rule's event definition: selector + pipeline; extracted labels become the event's fields. */
export interface LogqlSource extends ProducerBase {
  kind: 'logql';
  text: string;
  /** selector + leading line filters: what a hunt asks the store for */
  prefilterText: string;
  matchers: CompiledMatcher[];
  /** literals the line must contain (the query's leading `|=` filters), checked before building a row */
  prefilter: string[];
  pipeline: CompiledPipeline;
  /** the rule's and the global allow-list: a record matching it is not this event */
  allow: AllowList;
  /** the fields its rule's state machine reads (group_by, new_value fields): all an event needs to carry */
  keep: string[];
}

export interface SigmaSlot extends ProducerBase {
  kind: 'sigma';
  compiled: CompiledSigmaRule;
  meta: AlertMeta;
  /** alerts on its own (not only an input of correlations) */
  standalone: boolean;
  /** fields correlations read from its events */
  needed: { name: string; get: FieldGetter }[];
  /** the global allow-list */
  allow: AllowList;
}

export interface MachineSlot extends ProducerBase {
  kind: 'machine';
  /** changes when the rule's logic changes: a restored state is only used by the rule it was built by */
  fingerprint: string;
  machine: Machine;
  meta: AlertMeta;
  standalone: boolean;
  /** fields outer correlations read from its firings */
  needed: string[];
}

export type Producer = LogqlSource | SigmaSlot | MachineSlot;

/** Sigma rules sharing a logsource: one stream test and one parser pipeline run per record for all of them. */
export interface SigmaGroup {
  key: string;
  entry: LogsourceEntry | undefined;
  matchStream: (labels: Labels) => boolean;
  pipeline: CompiledPipeline | undefined;
  rules: SigmaSlot[];
  /** which of `rules` can match a record, by their literal atoms (one scan per target) */
  prefilter: RulePrefilter;
}

export interface DetectionProgram {
  producers: Producer[];
  logql: LogqlSource[];
  sigmaGroups: SigmaGroup[];
  machines: MachineSlot[];
  /** rules that loaded but cannot run (e.g. a template or an unsupported condition), with why */
  failures: RuleLoadFailure[];
}

export interface ProgramOptions {
  maxGroupsPerRule: number;
  /** siem.yaml `allow:`, for every rule */
  allow?: AllowList;
}

const SIGMA_SUPPRESS_MS = 10 * 60_000;

function hash(v: unknown): string {
  return createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 16);
}

function leadingLiterals(q: LogQuery): string[] {
  const out: string[] = [];
  for (const s of q.stages) {
    if (s.kind !== 'line_filter' || s.op !== '|=' || s.ip || s.values.length !== 1) break;
    out.push(s.values[0]!);
  }
  return out;
}

/** Whether a logsource's pipeline only takes field values verbatim out of the line (the prefilter's line gate). */
function verbatimParsers(entry: LogsourceEntry | undefined): boolean {
  if (entry === undefined) return true;
  return entry.query.stages.every((s) => s.kind === 'line_filter' || s.kind === 'label_filter' || s.kind === 'logfmt' || s.kind === 'pattern' || s.kind === 'regexp' || (s.kind === 'json' && s.params.length === 0));
}

/** The default logsource match: product/category/service equal to labels of those names where the stream has them. */
function defaultStreamMatch(ls: Logsource): (labels: Labels) => boolean {
  const want = (['product', 'category', 'service'] as const).filter((k) => ls[k] !== undefined).map((k) => [k, ls[k]!] as const);
  if (want.length === 0) return () => true;
  return (labels) => {
    for (const [k, v] of want) {
      const have = labels[k];
      if (typeof have === 'string' && have.toLowerCase() !== v) return false;
    }
    return true;
  };
}

function sigmaMeta(r: CompiledSigmaRule['rule'] | SigmaCorrelationRule, kind: 'sigma' | 'sigma_correlation'): AlertMeta {
  return {
    kind,
    rule: r.id ?? r.name ?? r.title,
    title: r.title,
    description: r.description,
    severity: parseSeverity(r.level ?? 'medium') ?? 'medium',
    tags: r.tags,
    sigma: { id: r.id, author: r.author, references: r.references },
    actions: [],
    suppressMs: SIGMA_SUPPRESS_MS,
  };
}

export function buildProgram(set: RuleSet, opts: ProgramOptions): DetectionProgram {
  const producers: Producer[] = [];
  const failures: RuleLoadFailure[] = [];
  const logql: LogqlSource[] = [];
  const machines: MachineSlot[] = [];
  const add = <P extends Producer>(p: Omit<P, 'index'>): P => {
    const full = { ...p, index: producers.length } as P;
    producers.push(full);
    return full;
  };

  // native rules: one LogQL source per event definition, one sequence machine per rule
  for (const rule of set.native) {
    try {
      for (const a of rule.actions) if (a.kind === 'auto_response') for (const t of [a.url ?? '', a.body ?? '']) checkTemplate(t);
    } catch (e) {
      if (e instanceof TemplateError) {
        failures.push({ file: rule.file, rule: rule.name, reason: `action auto_response: ${e.message}` });
        continue;
      }
      throw e;
    }
    const inputs = new Map<string, number>();
    const used = [...rule.steps.flatMap((s) => s.events), ...rule.extend.flatMap((s) => s.events), ...(rule.newValue?.events ?? []), ...(rule.baseline?.events ?? [])];
    for (const name of used) if (!inputs.has(name)) inputs.set(name, inputs.size);
    const meta: AlertMeta = { kind: 'native', rule: rule.name, title: rule.title, description: rule.description, severity: rule.severity, tags: rule.tags, actions: rule.actions, suppressMs: rule.suppressMs, suppressBy: rule.suppressBy };
    const steps: StepSpec[] = rule.steps.map((s) => ({ name: s.events.join('|'), inputs: s.events.map((e) => inputs.get(e)!), min: s.min, withinMs: s.withinMs }));
    const gspec = groupSpec(rule.groupBy, inputs.size);
    const machine: Machine = rule.newValue !== undefined
      ? new NewValueMachine(gspec, rule.newValue.spec, opts.maxGroupsPerRule)
      : rule.baseline !== undefined
        ? new BaselineMachine(gspec, rule.baseline.spec, opts.maxGroupsPerRule)
        : new SequenceMachine(`native:${rule.name}`, gspec, steps, rule.extend.map((x) => ({ inputs: x.events.map((e) => inputs.get(e)!), withinMs: x.withinMs })), opts.maxGroupsPerRule);
    const fingerprint = hash({ steps: rule.steps.map((s) => [s.events, s.min, s.withinMs]), groupBy: rule.groupBy, events: [...rule.events.values()].map((e) => [e.name, e.text]), extend: rule.extend, newValue: rule.newValue, baseline: rule.baseline });
    const allow = [...rule.allow, ...(opts.allow ?? [])];
    const keep = [...new Set([...rule.groupBy, ...(rule.newValue?.spec.fields ?? [])])];
    const slot = add<MachineSlot>({ kind: 'machine', key: `native:${rule.name}`, fingerprint, step: rule.name, consumers: [], machine, meta, standalone: true, needed: [] });
    machines.push(slot);
    for (const [name, input] of inputs) {
      const def = rule.events.get(name)!;
      const src = add<LogqlSource>({
        kind: 'logql',
        key: `logql:${rule.name}:${name}`,
        step: name,
        text: def.text,
        prefilterText: prefilterQuery(def.query),
        consumers: [{ machine: slot, input }],
        matchers: compileMatchers(def.query.selector),
        prefilter: leadingLiterals(def.query),
        pipeline: compilePipeline(def.query.stages),
        allow,
        keep,
      });
      logql.push(src);
    }
  }

  // Sigma detection rules, grouped by logsource
  const groups = new Map<string, SigmaGroup>();
  const byRef = new Map<string, SigmaSlot | MachineSlot>();
  for (const compiled of set.sigma) {
    const r = compiled.rule;
    const slot = add<SigmaSlot>({ kind: 'sigma', key: `sigma-rule:${r.id ?? r.title}`, step: r.name ?? r.title, consumers: [], compiled, meta: sigmaMeta(r, 'sigma'), standalone: true, needed: [], allow: opts.allow ?? [] });
    if (r.id) byRef.set(r.id, slot);
    if (r.name) byRef.set(r.name, slot);
    const key = compiled.entry !== undefined ? `entry:${compiled.entry.where}` : `default:${r.logsource.product ?? ''}/${r.logsource.category ?? ''}/${r.logsource.service ?? ''}`;
    let g = groups.get(key);
    if (g === undefined) {
      const e = compiled.entry;
      let matchStream: (labels: Labels) => boolean;
      let pipeline: CompiledPipeline | undefined;
      if (e !== undefined) {
        const ms = compileMatchers(e.query.selector);
        matchStream = (labels) => labelsMatch(ms, labels);
        pipeline = e.query.stages.length > 0 ? compilePipeline(e.query.stages) : undefined;
      } else {
        matchStream = defaultStreamMatch(r.logsource);
      }
      groups.set(key, (g = { key, entry: e, matchStream, pipeline, rules: [], prefilter: new RulePrefilter([]) }));
    }
    g.rules.push(slot);
  }
  for (const g of groups.values()) g.prefilter = new RulePrefilter(g.rules.map((r) => r.compiled.atoms), verbatimParsers(g.entry));

  // Sigma correlations (already in dependency order): inputs are Sigma rules or earlier correlations
  const generated = new Set<Producer>();
  for (const c of set.correlations) {
    const inputSlots = c.rules.map((ref) => byRef.get(ref)!);
    const refNames = c.rules;
    const alias = (input: number, name: string): string => {
      const a = c.aliases.get(name);
      if (a === undefined) return name;
      const target = inputSlots[input]!;
      const names = target.kind === 'sigma' ? [target.compiled.rule.name, target.compiled.rule.id, refNames[input]] : [refNames[input]];
      for (const n of names) if (n !== undefined && a.has(n)) return a.get(n)!;
      return name;
    };
    const spec = groupSpec(c.groupBy, inputSlots.length, alias);
    const key = `sigma:${c.id ?? c.name ?? c.title}`;
    let machine: Machine;
    const needed = new Set<string>(spec.fields.flat());
    try {
      if (c.type === 'event_count') {
        const min = lowerBound(c.condition!);
        machine = min !== undefined
          ? new SequenceMachine(key, spec, [{ name: c.title, inputs: inputSlots.map((_, i) => i), min, withinMs: c.timespanMs }], [], opts.maxGroupsPerRule)
          : new AggregateMachine(spec, undefined, c.condition!, c.timespanMs, opts.maxGroupsPerRule);
      } else if (c.type === 'value_count') {
        const valueFields = inputSlots.map((_, i) => c.field!.map((f) => alias(i, f)));
        for (const fs of valueFields) for (const f of fs) needed.add(f);
        machine = new AggregateMachine(spec, valueFields, c.condition!, c.timespanMs, opts.maxGroupsPerRule);
      } else {
        const positions = inputSlots.map((_, i) => [i]);
        let need = inputSlots.length;
        if (c.condition !== undefined) {
          const lb = c.type === 'temporal' ? lowerBound(c.condition) : undefined;
          if (lb === undefined) throw new Error(`${c.type} accepts only a lower-bound condition (gt/gte: how many of the rules), got ${JSON.stringify(c.condition)}`);
          need = Math.min(lb, inputSlots.length);
        }
        machine = new TemporalMachine(spec, positions, inputSlots.length, c.type === 'temporal_ordered', c.timespanMs, need, opts.maxGroupsPerRule);
      }
    } catch (e) {
      failures.push({ file: c.file, line: c.line, rule: c.title, reason: (e as Error).message });
      continue;
    }
    const fingerprint = hash({ type: c.type, rules: c.rules, groupBy: c.groupBy, timespan: c.timespanMs, condition: c.condition, field: c.field, aliases: [...c.aliases].map(([k, v]) => [k, [...v]]) });
    const slot = add<MachineSlot>({ kind: 'machine', key, fingerprint, step: c.name ?? c.title, consumers: [], machine, meta: sigmaMeta(c, 'sigma_correlation'), standalone: true, needed: [] });
    machines.push(slot);
    if (c.id) byRef.set(c.id, slot);
    if (c.name) byRef.set(c.name, slot);
    inputSlots.forEach((p, input) => {
      p.consumers.push({ machine: slot, input });
      if (c.generate) generated.add(p);
      for (const f of needed) {
        if (p.kind === 'sigma') {
          if (!p.needed.some((n) => n.name === f)) p.needed.push({ name: f, get: p.compiled.field(f) });
        } else if (!p.needed.includes(f)) p.needed.push(f);
      }
    });
  }
  // a rule a correlation refers to alerts on its own only when one asks (Sigma `generate: true`)
  for (const p of producers) if (p.kind !== 'logql') p.standalone = p.consumers.length === 0 || generated.has(p);
  return { producers, logql, sigmaGroups: [...groups.values()], machines, failures };
}
