// `dedupe`: collapses repeats of the same event (same stream and same `compare` values, the line by default)
// seen within `window` of the first into that first one, which carries the number of occurrences in
// `count_field` (when above 1). The first is held until its window ends, so events passing here are delayed by
// up to `window`; at most `max_held` are held (past that the oldest is released early).

import type { ConfigNode } from '../../config/config-node.ts';
import type { PipelineEvent } from '../event.ts';
import { compileValueExpression, readValueExpression, type ValueExpression } from '../expression/expression.ts';
import { asText } from '../expression/value.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorContext, type ProcessorType } from '../processor.ts';
import { StreamKeys } from '../stream-key.ts';

interface Held {
  event: PipelineEvent;
  count: number;
  untilMs: number;
}

class Dedupe implements Processor {
  /** in arrival order, which is also expiry order (one window for all) */
  private readonly held = new Map<string, Held>();
  private readonly streams = new StreamKeys();

  constructor(private readonly windowMs: number, private readonly compare: ValueExpression[], private readonly countField: string, private readonly maxHeld: number) {}

  process(events: PipelineEvent[], ctx: ProcessorContext): PipelineEvent[] {
    const out: PipelineEvent[] = [];
    this.release(ctx.nowMs, false, out);
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      const key = this.keyOf(e);
      const h = this.held.get(key);
      if (h !== undefined) {
        h.count++;
        continue;
      }
      if (this.held.size >= this.maxHeld) {
        const [oldest, first] = this.held.entries().next().value!;
        this.held.delete(oldest);
        out.push(this.finish(first));
      }
      this.held.set(key, { event: e, count: 1, untilMs: ctx.nowMs + this.windowMs });
    }
    return out;
  }

  flush(ctx: ProcessorContext, final: boolean): PipelineEvent[] {
    const out: PipelineEvent[] = [];
    this.release(ctx.nowMs, final, out);
    return out;
  }

  private release(nowMs: number, all: boolean, out: PipelineEvent[]): void {
    for (const [key, h] of this.held) {
      if (!all && h.untilMs > nowMs) break;
      this.held.delete(key);
      out.push(this.finish(h));
    }
  }

  private finish(h: Held): PipelineEvent {
    if (h.count > 1) h.event.fields[this.countField] = h.count;
    return h.event;
  }

  private keyOf(e: PipelineEvent): string {
    let key = this.streams.key(e);
    for (let i = 0; i < this.compare.length; i++) key += '\u0001' + (asText(this.compare[i].evaluate(e)) ?? '\u0002');
    return key;
  }
}

export const dedupeProcessor: ProcessorType = {
  type: 'dedupe',
  description: 'collapse repeats (same stream and compare values) within window into the first, with a repeat count',
  build(node: ConfigNode): Processor {
    node.onlyKeys([...COMMON_PROCESSOR_KEYS, 'window', 'compare', 'count_field', 'max_held']);
    const windowMs = node.get('window').durationMs(5000);
    if (windowMs <= 0) node.get('window').fail('expected a duration above zero');
    const compareNode = node.get('compare');
    const compare = compareNode.exists ? (compareNode.isList ? compareNode.items() : [compareNode]).map(readValueExpression) : [compileValueExpression('line')];
    return new Dedupe(windowMs, compare, node.get('count_field').string('repeat_count'), node.get('max_held').integer(10_000, 1, 10_000_000));
  },
};
