// `rate_limit`: at most `events_per_second` per stream (or per `key` expression), with bursts up to `burst`
// (a token bucket on the processing clock). The excess is dropped, counted in the processor's dropped counter
// and reported by a warning (at most once a minute per key).

import type { ConfigNode } from '../../config/config-node.ts';
import type { PipelineEvent } from '../event.ts';
import { readValueExpression, type ValueExpression } from '../expression/expression.ts';
import { asText } from '../expression/value.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorContext, type ProcessorType } from '../processor.ts';
import { StreamKeys } from '../stream-key.ts';

/** past this many buckets, full ones are forgotten: a full bucket is the same as a new one */
const MAX_BUCKETS = 10_000;

interface Bucket {
  tokens: number;
  lastMs: number;
}

class RateLimiter implements Processor {
  private readonly buckets = new Map<string, Bucket>();
  private readonly streams = new StreamKeys();

  constructor(private readonly perSecond: number, private readonly burst: number, private readonly key: ValueExpression | undefined, private readonly where: string) {}

  process(events: PipelineEvent[], ctx: ProcessorContext): PipelineEvent[] {
    const out: PipelineEvent[] = [];
    const now = ctx.nowMs;
    let lastKey = '';
    let bucket: Bucket | undefined;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      const key = this.keyOf(e);
      if (key !== lastKey || bucket === undefined) {
        bucket = this.bucket(key, now);
        lastKey = key;
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        out.push(e);
      } else {
        ctx.warn(`rate_limit (${this.where}): ${this.key ? 'key' : 'stream'} ${describeKey(key)} is over ${this.perSecond} events/s; the excess is dropped`);
      }
    }
    return out;
  }

  private keyOf(e: PipelineEvent): string {
    if (this.key === undefined) return this.streams.key(e);
    return e.tenant + '\u0000' + (asText(this.key.evaluate(e)) ?? '');
  }

  private bucket(key: string, now: number): Bucket {
    let b = this.buckets.get(key);
    if (b === undefined) {
      if (this.buckets.size >= MAX_BUCKETS) this.forgetFull(now);
      b = { tokens: this.burst, lastMs: now };
      this.buckets.set(key, b);
      return b;
    }
    if (now > b.lastMs) {
      b.tokens = Math.min(this.burst, b.tokens + ((now - b.lastMs) / 1000) * this.perSecond);
      b.lastMs = now;
    }
    return b;
  }

  private forgetFull(now: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + ((now - b.lastMs) / 1000) * this.perSecond >= this.burst) this.buckets.delete(k);
    }
  }
}

function describeKey(key: string): string {
  const [tenant, rest] = key.split('\u0000');
  return `${rest} (tenant ${tenant})`;
}

export const rateLimitProcessor: ProcessorType = {
  type: 'rate_limit',
  description: 'at most events_per_second per stream (or per key), bursts up to burst; the excess is dropped',
  build(node: ConfigNode): Processor {
    node.onlyKeys([...COMMON_PROCESSOR_KEYS, 'events_per_second', 'burst', 'key']);
    const perSecond = node.get('events_per_second').number(undefined, 0.001, 1e9);
    const burst = node.get('burst').number(Math.max(1, perSecond), 1, 1e9);
    const key = node.get('key');
    return new RateLimiter(perSecond, burst, key.exists ? readValueExpression(key) : undefined, `${node.file}:${node.line ?? '?'}`);
  },
};
