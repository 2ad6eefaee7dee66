// Ships to a Sightline server's native endpoint (POST /api/v1/logs, gzip NDJSON): timestamps to the nanosecond,
// labels, line, and fields as structured metadata. A 400 naming rejected lines still stored the others: those
// lines are reported and the batch counts as delivered (resending cannot fix them).

import type { PipelineEvent } from '../../pipeline/event.ts';
import { fieldsAreMetadata, fieldsToMetadata } from '../event-encoding.ts';
import { estimateBody, JsonOfShared, NdjsonBody } from '../ndjson-body.ts';
import { httpTarget, post, type HttpTarget } from './http-post.ts';
import { COMMON_SINK_KEYS, DeliveryError, type Sink, type SinkType } from './sink.ts';

export class SightlineSink implements Sink {
  /** lines the server refused as bad input, reported once per batch */
  rejected = 0;
  readonly gzipBodies: boolean;
  constructor(readonly name: string, private readonly target: HttpTarget, private readonly warn: (m: string) => void = (m) => process.stderr.write(m + '\n')) {
    this.gzipBodies = target.gzip;
  }

  async send(events: PipelineEvent[]): Promise<void> {
    await this.sendEncoded(this.encode(events), events.length);
  }

  encode(events: PipelineEvent[]): Buffer {
    const labels = new JsonOfShared();
    const fields = new JsonOfShared();
    const body = new NdjsonBody(estimateBody(events, 128));
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      let text = '{"ts":"' + e.ts + '","labels":' + labels.of(e.labels) + ',"line":' + JSON.stringify(e.line);
      if (fieldsAreMetadata(e)) {
        // the common case (a file path, parsed strings): the fields are the metadata, their JSON often shared
        text += ',"metadata":' + fields.of(e.fields);
      } else {
        const md = fieldsToMetadata(e);
        if (md) text += ',"metadata":' + JSON.stringify(md);
      }
      body.add(text + '}\n');
    }
    return body.finish();
  }

  async sendEncoded(body: Buffer, events: number, gzipped = false): Promise<void> {
    try {
      await post(this.target, '/api/v1/logs', body, 'application/x-ndjson', gzipped);
    } catch (e) {
      if (e instanceof DeliveryError && !e.retryable && /answered 400/.test(e.message)) {
        const m = /"rejected":\s*(\d+)/.exec(e.message);
        const n = m ? Number(m[1]) : events;
        this.rejected += n;
        this.warn(`sink ${this.name}: the server refused ${n} of ${events} lines as invalid (kept the rest): ${e.message.slice(0, 300)}`);
        return;
      }
      throw e;
    }
  }

  async close(): Promise<void> {
    this.target.agent.destroy();
  }
}

export const sightlineSinkType: SinkType = {
  type: 'sightline',
  description: 'a Sightline server (native NDJSON API, gzip, API key, TLS/mTLS)',
  build(name, node, env) {
    node.onlyKeys([...COMMON_SINK_KEYS, 'url', 'api_key', 'api_key_file', 'tenant', 'tls', 'headers', 'compression', 'timeout']);
    return new SightlineSink(name, httpTarget(node, env.configDir));
  },
};
