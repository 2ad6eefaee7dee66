// Ships to any HTTP endpoint as NDJSON, one event per line: {ts (RFC 3339 nanos), labels, line, fields}.

import type { PipelineEvent } from '../../pipeline/event.ts';
import { eventsToNdjson } from '../event-json.ts';
import { httpTarget, post, type HttpTarget } from './http-post.ts';
import { COMMON_SINK_KEYS, type Sink, type SinkType } from './sink.ts';

export class HttpSink implements Sink {
  readonly gzipBodies: boolean;
  constructor(readonly name: string, private readonly target: HttpTarget) {
    this.gzipBodies = target.gzip;
  }

  async send(events: PipelineEvent[]): Promise<void> {
    await this.sendEncoded(this.encode(events));
  }

  encode(events: PipelineEvent[]): Buffer {
    return eventsToNdjson(events);
  }

  async sendEncoded(body: Buffer, _events = 0, gzipped = false): Promise<void> {
    await post(this.target, this.target.url.pathname + this.target.url.search, body, 'application/x-ndjson', gzipped);
  }

  async close(): Promise<void> {
    this.target.agent.destroy();
  }
}

export const httpSinkType: SinkType = {
  type: 'http',
  description: 'any HTTP endpoint (NDJSON POST)',
  build(name, node, env) {
    node.onlyKeys([...COMMON_SINK_KEYS, 'url', 'api_key', 'api_key_file', 'tenant', 'tls', 'headers', 'compression', 'timeout']);
    return new HttpSink(name, httpTarget(node, env.configDir));
  },
};
