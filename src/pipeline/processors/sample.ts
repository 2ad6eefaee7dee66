// `sample`: keeps 1 event in `rate`, per stream (the 1st, the rate+1-th…), or by `key` (an expression: events
// whose key hashes alike are kept or dropped together, e.g. a whole trace); `always_keep` events (e.g. errors)
// are never sampled out. Deterministic: the same input always gives the same output.

import type { ConfigNode } from '../../config/config-node.ts';
import type { PipelineEvent } from '../event.ts';
import { readCondition, readValueExpression, type Condition, type ValueExpression } from '../expression/expression.ts';
import { asText } from '../expression/value.ts';
import { fnv1a32 } from '../fnv-hash.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorType } from '../processor.ts';
import { StreamKeys } from '../stream-key.ts';

/** counters of more streams than this are forgotten (restarting them costs one extra kept event each) */
const MAX_STREAMS = 100_000;

class Sampler implements Processor {
  private readonly counters = new Map<string, number>();
  private readonly streams = new StreamKeys();

  constructor(private readonly rate: number, private readonly key: ValueExpression | undefined, private readonly alwaysKeep: Condition | undefined) {}

  process(events: PipelineEvent[]): PipelineEvent[] {
    const out: PipelineEvent[] = [];
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (this.keep(e)) out.push(e);
    }
    return out;
  }

  private keep(e: PipelineEvent): boolean {
    if (this.alwaysKeep !== undefined && this.alwaysKeep.test(e)) return true;
    if (this.key !== undefined) {
      const k = asText(this.key.evaluate(e));
      if (k !== null) return fnv1a32(k) % this.rate === 0;
    }
    const stream = this.streams.key(e);
    const n = this.counters.get(stream) ?? 0;
    if (n === 0 && this.counters.size >= MAX_STREAMS) this.counters.clear();
    this.counters.set(stream, n + 1 === this.rate ? 0 : n + 1);
    return n === 0;
  }
}

export const sampleProcessor: ProcessorType = {
  type: 'sample',
  description: 'keep 1 event in `rate` per stream, or by the hash of `key`; `always_keep` events are never dropped',
  build(node: ConfigNode): Processor {
    node.onlyKeys([...COMMON_PROCESSOR_KEYS, 'rate', 'key', 'always_keep']);
    const rate = node.get('rate').integer(undefined, 1, 1_000_000_000);
    const key = node.get('key');
    return new Sampler(rate, key.exists ? readValueExpression(key) : undefined, readCondition(node.get('always_keep')));
  },
};
