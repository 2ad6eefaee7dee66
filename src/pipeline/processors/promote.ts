// `promote`: turns fields into stream labels under a cardinality guard. Each label may take at most `max_values`
// distinct values per tenant (counted since the pipelines were loaded); past that, a new value becomes
// `__other__` (on_limit: other) or is not promoted and stays a field (on_limit: refuse), with one warning.

import type { ConfigNode } from '../../config/config-node.ts';
import type { PipelineEvent } from '../event.ts';
import { asText } from '../expression/value.ts';
import { fieldsWithout } from '../field-removal.ts';
import { isLabelName } from '../label-name.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorContext, type ProcessorType } from '../processor.ts';

export const OTHER_VALUE = '__other__';
const MAX_VALUE_LENGTH = 1024;

interface Promotion {
  field: string;
  label: string;
}

class Promoter implements Processor {
  /** tenant → per promotion, the values seen */
  private readonly seen = new Map<string, Set<string>[]>();
  /** fields promoted from the current event, removed at its end */
  private readonly moved: string[] = [];
  private lastTenant: string | undefined;
  private lastSeen: Set<string>[] = [];

  constructor(
    private readonly promotions: Promotion[],
    private readonly maxValues: number,
    private readonly onLimit: 'other' | 'refuse',
    private readonly keepField: boolean,
    private readonly where: string,
  ) {}

  process(events: PipelineEvent[], ctx: ProcessorContext): PipelineEvent[] {
    const ps = this.promotions;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      let moved = 0;
      for (let j = 0; j < ps.length; j++) {
        const p = ps[j];
        if (moved > 0 && this.moved.lastIndexOf(p.field, moved - 1) !== -1) continue; // promoted already: gone
        const raw = e.fields[p.field];
        if (raw === undefined) continue;
        const text = asText(raw);
        if (text === null || text === '' || text.length > MAX_VALUE_LENGTH) continue;
        const value = this.admit(e.tenant, j, text, ctx);
        if (value === undefined) continue;
        e.labels[p.label] = value;
        if (!this.keepField) this.moved[moved++] = p.field;
      }
      // one rebuild rather than `delete`s, which would leave the fields slow for every later step (field-removal.ts)
      if (moved > 0) e.fields = fieldsWithout(e.fields, this.moved, moved);
    }
    return events;
  }

  /** The label value to use, or undefined to leave the field alone. */
  private admit(tenant: string, j: number, value: string, ctx: ProcessorContext): string | undefined {
    if (tenant !== this.lastTenant) {
      let sets = this.seen.get(tenant);
      if (sets === undefined) this.seen.set(tenant, (sets = this.promotions.map(() => new Set<string>())));
      this.lastTenant = tenant;
      this.lastSeen = sets;
    }
    const values = this.lastSeen[j];
    if (values.has(value)) return value;
    if (values.size < this.maxValues) {
      values.add(value);
      return value;
    }
    const label = this.promotions[j].label;
    ctx.warn(
      `promote (${this.where}): label "${label}" of tenant "${tenant}" reached max_values (${this.maxValues} distinct values); ` +
        (this.onLimit === 'other' ? `new values become "${OTHER_VALUE}"` : 'new values stay fields and are not promoted'),
    );
    return this.onLimit === 'other' ? OTHER_VALUE : undefined;
  }
}

export const promoteProcessor: ProcessorType = {
  type: 'promote',
  description: 'turn fields into labels, with at most max_values distinct values per label and tenant (then __other__ or refuse)',
  build(node: ConfigNode): Processor {
    node.onlyKeys([...COMMON_PROCESSOR_KEYS, 'fields', 'max_values', 'on_limit', 'keep_fields']);
    const fieldsNode = node.get('fields');
    const promotions: Promotion[] = [];
    if (fieldsNode.isMap) {
      for (const [field, labelNode] of fieldsNode.entries()) promotions.push({ field, label: labelNode.string() });
    } else {
      for (const field of fieldsNode.stringList()) promotions.push({ field, label: field });
    }
    if (promotions.length === 0) fieldsNode.fail('expected at least one field');
    for (const p of promotions) {
      if (!isLabelName(p.label)) fieldsNode.fail(`${JSON.stringify(p.label)} is not a valid label name (expected a letter or _, then letters, digits or _; map the field to another name: {${p.field}: name})`);
    }
    return new Promoter(
      promotions,
      node.get('max_values').integer(100, 1, 100_000),
      node.get('on_limit').oneOf(['other', 'refuse'] as const, 'other'),
      node.get('keep_fields').boolean(false),
      `${node.file}:${node.line ?? '?'}`,
    );
  },
};
