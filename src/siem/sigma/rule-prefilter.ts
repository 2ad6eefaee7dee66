// Which rules of a logsource group can match a record, found before any rule runs: per target (the line, or one
// field), one Aho-Corasick pass over its value (case folded) finds every rule atom (rule-atoms.ts) it contains. A
// rule with clauses is evaluated only when each clause had an atom found; a rule without is always evaluated. Before
// the group's parser runs, a line gate can skip the record altogether (see `lineMayAdmit`). Nothing is allocated per
// record: clause hits are counted per rule in typed arrays stamped with the record's number.

import type { Labels, Metadata } from '../../model/record.ts';
import type { EventView, FieldGetter } from '../event-view.ts';
import { TargetAutomaton } from './literal-index.ts';
import type { Clause } from './rule-atoms.ts';

interface Scanner {
  get: FieldGetter | undefined;
  automaton: TargetAutomaton;
  /** literal id → the clauses it satisfies */
  clauses: Int32Array[];
}

export class RulePrefilter {
  /** per target (the line, each field): its automaton */
  private readonly targets: Scanner[] = [];
  /** all atoms of all targets searched in the line alone; undefined = no gate */
  private readonly gate: Scanner | undefined;
  private readonly gateFields: string[] = [];
  /** per clause: the rule it belongs to, and the stamp of the last record that satisfied it */
  private readonly clauseRule: Int32Array;
  private readonly clauseMark: Int32Array;
  /** per rule: clauses it needs (0: always evaluated), and this record's count of satisfied ones */
  private readonly need: Int32Array;
  private readonly ruleMark: Int32Array;
  private readonly ruleCount: Int32Array;
  private stamp = 0;
  /** literal ids found by a scan (sized for the largest automaton) */
  private readonly hits: Int32Array;
  private gateLabels: Labels | undefined;
  private gateLabelsClash = false;
  /** rules that have clauses (for the docs and tests) */
  readonly filteredCount: number;

  /**
   * `lineFields`: the group's parser stages only ever take field values verbatim out of an escape-free line (json,
   * logfmt, pattern, regexp, filters), so a line gate is sound; false for pipelines that rewrite values or lines.
   */
  constructor(clausesPerRule: readonly (Clause[] | undefined)[], lineFields = false) {
    const rules = clausesPerRule.length;
    this.need = new Int32Array(rules);
    this.ruleMark = new Int32Array(rules);
    this.ruleCount = new Int32Array(rules);
    const clauseRule: number[] = [];
    const byKey = new Map<string, { get: FieldGetter | undefined; automaton: TargetAutomaton; clauses: number[][] }>();
    const gate = { get: undefined, automaton: new TargetAutomaton(), clauses: [] as number[][] };
    const gateFields = new Set<string>();
    let filtered = 0;
    clausesPerRule.forEach((clauses, pos) => {
      if (clauses === undefined || clauses.length === 0) return;
      filtered++;
      this.need[pos] = clauses.length;
      for (const clause of clauses) {
        const cid = clauseRule.length;
        clauseRule.push(pos);
        for (const a of clause) {
          let t = byKey.get(a.target);
          if (t === undefined) byKey.set(a.target, (t = { get: a.get, automaton: new TargetAutomaton(), clauses: [] }));
          const id = t.automaton.add(a.lit);
          const list = (t.clauses[id] ??= []);
          if (!list.includes(cid)) list.push(cid);
          const gid = gate.automaton.add(a.lit);
          const glist = (gate.clauses[gid] ??= []);
          if (!glist.includes(cid)) glist.push(cid);
          if (a.get !== undefined) for (const f of a.target.slice('field:'.length).split('\u0000')) gateFields.add(f);
        }
      }
    });
    this.filteredCount = filtered;
    this.clauseRule = Int32Array.from(clauseRule);
    this.clauseMark = new Int32Array(clauseRule.length);
    const frozen = (t: { get: FieldGetter | undefined; automaton: TargetAutomaton; clauses: number[][] }): Scanner => {
      t.automaton.compile(); // built now, not by the first record
      return { get: t.get, automaton: t.automaton, clauses: Array.from({ length: t.automaton.size }, (_, i) => Int32Array.from(t.clauses[i] ?? [])) };
    };
    for (const t of byKey.values()) this.targets.push(frozen(t));
    // the gate needs every rule filtered (one that is not would always pass it)
    this.gate = lineFields && filtered === rules && rules > 0 ? frozen(gate) : undefined;
    this.gateFields = [...gateFields];
    let most = this.gate?.automaton.size ?? 0;
    for (const t of this.targets) most = Math.max(most, t.automaton.size);
    this.hits = new Int32Array(most);
  }

  private nextStamp(): void {
    if (++this.stamp === 0x7fffffff) {
      this.clauseMark.fill(0);
      this.ruleMark.fill(0);
      this.stamp = 1;
    }
  }

  /** Counts the clauses `text` satisfies; true as soon as `stopEarly` and a rule has all of its clauses. */
  private feed(s: Scanner, text: string, stopEarly: boolean): boolean {
    const hits = this.hits;
    const found = s.automaton.collectFolded(text, hits);
    const stamp = this.stamp;
    for (let h = 0; h < found; h++) {
      const clauses = s.clauses[hits[h]!]!;
      for (let c = 0; c < clauses.length; c++) {
        const cid = clauses[c]!;
        if (this.clauseMark[cid] === stamp) continue;
        this.clauseMark[cid] = stamp;
        const pos = this.clauseRule[cid]!;
        if (this.ruleMark[pos] !== stamp) {
          this.ruleMark[pos] = stamp;
          this.ruleCount[pos] = 0;
        }
        if (++this.ruleCount[pos]! === this.need[pos]! && stopEarly) return true;
      }
    }
    return false;
  }

  /**
   * False when no rule of the group can match this record, decided from its line alone before the group's parser
   * runs: every field a clause names is then parsed out of the line verbatim, so a literal in a field value is a
   * literal of the line. Only when that holds: no backslash in the line (no escapes for the parser to undo), no
   * structured metadata, and no stream label under a name the rules read (those values are not from the line).
   */
  lineMayAdmit(view: EventView, labels: Labels, metadata: Metadata | undefined): boolean {
    const gate = this.gate;
    if (gate === undefined || metadata !== undefined) return true;
    if (labels !== this.gateLabels) {
      this.gateLabels = labels;
      this.gateLabelsClash = this.gateFields.some((f) => typeof labels[f] === 'string' || f.startsWith('__'));
    }
    if (this.gateLabelsClash || view.line.includes('\\')) return true;
    this.nextStamp();
    return this.feed(gate, view.line, true);
  }

  /** Scans the record's targets; afterwards `admits(pos)` answers for each rule position. */
  scan(view: EventView): void {
    if (this.clauseRule.length === 0) return;
    this.nextStamp();
    for (let t = 0; t < this.targets.length; t++) {
      const target = this.targets[t]!;
      const text = target.get === undefined ? view.line : target.get(view);
      if (text !== undefined) this.feed(target, text, false);
    }
  }

  admits(pos: number): boolean {
    const need = this.need[pos]!;
    return need === 0 || (this.ruleMark[pos] === this.stamp && this.ruleCount[pos]! >= need);
  }
}
