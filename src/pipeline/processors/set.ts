// `set`: computes fields, labels or the line from expressions (docs/pipeline.md, "Expressions"). A string value is
// an expression (`'lower(labels.env)'`, `'"literal"'`); a number or boolean, or `{value: …}`, is a literal. Every
// value is computed before any is assigned, so they all see the event as it came in. A null result removes the
// field or label.

import type { ConfigNode } from '../../config/config-node.ts';
import type { FieldValue, PipelineEvent } from '../event.ts';
import { readValueExpression } from '../expression/expression.ts';
import type { Evaluate } from '../expression/functions.ts';
import { asText } from '../expression/value.ts';
import { copyFields } from '../field-removal.ts';
import { isLabelName } from '../label-name.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorType } from '../processor.ts';

interface Assignment {
  target: 'field' | 'label' | 'line';
  name: string;
  value: Evaluate;
}

/** A value entry: an expression (string), a literal (number, boolean, null), or `{value: literal}`. */
export function readComputedValue(node: ConfigNode): Evaluate {
  if (node.isMap) {
    node.onlyKeys(['value']);
    const v = node.get('value').value;
    if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') node.get('value').fail('expected a string, number, true, false or null');
    const literal = (v ?? null) as FieldValue;
    return () => literal;
  }
  const raw = node.value;
  if (typeof raw === 'number' || typeof raw === 'boolean') return () => raw;
  if (raw === null || raw === undefined) return () => null;
  return readValueExpression(node).evaluate;
}

class Setter implements Processor {
  private readonly values: FieldValue[];

  constructor(private readonly assignments: Assignment[]) {
    this.values = new Array(assignments.length);
  }

  process(events: PipelineEvent[]): PipelineEvent[] {
    const as = this.assignments;
    const values = this.values;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      for (let j = 0; j < as.length; j++) values[j] = as[j].value(e);
      let removed = false;
      for (let j = 0; j < as.length; j++) {
        const a = as[j];
        const v = values[j];
        if (a.target === 'field') {
          if (v !== null) e.fields[a.name] = v;
          else if (e.fields[a.name] !== undefined) {
            delete e.fields[a.name];
            removed = true;
          }
        } else if (a.target === 'label') {
          const text = asText(v);
          if (text === null || text === '') delete e.labels[a.name];
          else e.labels[a.name] = text;
        } else e.line = asText(v) ?? '';
      }
      // `delete` leaves the fields slow for every later step: rebuilt once (field-removal.ts)
      if (removed) e.fields = copyFields(e.fields);
    }
    return events;
  }
}

export const setProcessor: ProcessorType = {
  type: 'set',
  description: 'set fields, labels or the line to computed values (expressions; null removes)',
  build(node: ConfigNode): Processor {
    node.onlyKeys([...COMMON_PROCESSOR_KEYS, 'fields', 'labels', 'line']);
    const assignments: Assignment[] = [];
    const fields = node.get('fields');
    if (fields.exists) for (const [name, v] of fields.entries()) assignments.push({ target: 'field', name, value: readComputedValue(v) });
    const labels = node.get('labels');
    if (labels.exists) {
      for (const [name, v] of labels.entries()) {
        if (!isLabelName(name)) labels.get(name).fail('is not a valid label name (expected a letter or _, then letters, digits or _)');
        assignments.push({ target: 'label', name, value: readComputedValue(v) });
      }
    }
    const line = node.get('line');
    if (line.exists) assignments.push({ target: 'line', name: 'line', value: readComputedValue(line) });
    if (assignments.length === 0) node.fail('expected at least one of fields:, labels:, line:');
    return new Setter(assignments);
  },
};
