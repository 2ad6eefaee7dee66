// Ships to any Loki-compatible push API (Loki itself, Grafana Cloud, Sightline's /loki/api/v1/push): JSON push
// bodies grouped by stream, structured metadata as the entry's third element (Loki 3.x).

import type { PipelineEvent } from '../../pipeline/event.ts';
import { labelsToString } from '../../model/record.ts';
import { fieldsToMetadata } from '../event-encoding.ts';
import { httpTarget, post, type HttpTarget } from './http-post.ts';
import { COMMON_SINK_KEYS, type Sink, type SinkType } from './sink.ts';

export class LokiSink implements Sink {
  constructor(readonly name: string, private readonly target: HttpTarget, private readonly structuredMetadata: boolean) {}

  async send(events: PipelineEvent[]): Promise<void> {
    const streams = new Map<string, { stream: Record<string, string>; values: unknown[][] }>();
    for (const e of events) {
      const key = labelsToString(e.labels);
      let s = streams.get(key);
      if (!s) streams.set(key, (s = { stream: e.labels, values: [] }));
      const md = this.structuredMetadata ? fieldsToMetadata(e) : undefined;
      s.values.push(md ? [String(e.ts), e.line, md] : [String(e.ts), e.line]);
    }
    await post(this.target, this.target.url.pathname.endsWith('/push') ? this.target.url.pathname : '/loki/api/v1/push', JSON.stringify({ streams: [...streams.values()] }), 'application/json');
  }

  async close(): Promise<void> {
    this.target.agent.destroy();
  }
}

export const lokiSinkType: SinkType = {
  type: 'loki',
  description: 'a Loki push API (JSON, gzip, structured metadata)',
  build(name, node, env) {
    node.onlyKeys([...COMMON_SINK_KEYS, 'url', 'api_key', 'api_key_file', 'tenant', 'tls', 'headers', 'compression', 'timeout', 'structured_metadata']);
    return new LokiSink(name, httpTarget(node, env.configDir), node.get('structured_metadata').boolean(true));
  },
};
