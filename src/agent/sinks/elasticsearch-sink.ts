// Ships to an Elasticsearch-compatible `_bulk` API: one `create` action per event into `index`, the document with
// `@timestamp`, `message`, labels and fields. Per-item failures: 429s are retried, others reported and skipped.

import type { PipelineEvent } from '../../pipeline/event.ts';
import { nsToRfc3339 } from '../event-encoding.ts';
import { httpTarget, post, type HttpTarget } from './http-post.ts';
import { COMMON_SINK_KEYS, DeliveryError, type Sink, type SinkType } from './sink.ts';

interface BulkReply {
  errors?: boolean;
  items?: Record<string, { status?: number; error?: { type?: string; reason?: string } }>[];
}

export class ElasticsearchSink implements Sink {
  constructor(readonly name: string, private readonly target: HttpTarget, private readonly index: string, private readonly warn: (m: string) => void = (m) => process.stderr.write(m + '\n')) {}

  async send(events: PipelineEvent[]): Promise<void> {
    let body = '';
    const action = JSON.stringify({ create: { _index: this.index } }) + '\n';
    for (const e of events) {
      const doc: Record<string, unknown> = { '@timestamp': nsToRfc3339(e.ts), message: e.line, ...e.labels, ...e.fields };
      if (e.error) doc.pipeline_error = e.error;
      body += action + JSON.stringify(doc) + '\n';
    }
    const reply = await post(this.target, '/_bulk', body, 'application/x-ndjson');
    let parsed: BulkReply;
    try {
      parsed = JSON.parse(reply.text) as BulkReply;
    } catch {
      throw new DeliveryError(`${this.target.url.host}/_bulk answered ${reply.status} with a body that is not JSON`, true);
    }
    if (!parsed.errors) return;
    const items = parsed.items ?? [];
    const throttled = items.filter((it) => Object.values(it)[0]?.status === 429).length;
    if (throttled > 0) throw new DeliveryError(`${throttled} of ${events.length} documents throttled (429)`, true);
    const failed = items.map((it) => Object.values(it)[0]).filter((r) => r && (r.status ?? 200) >= 300);
    if (failed.length > 0) this.warn(`sink ${this.name}: ${failed.length} of ${events.length} documents refused, first: ${failed[0]?.error?.type}: ${failed[0]?.error?.reason}`);
  }

  async close(): Promise<void> {
    this.target.agent.destroy();
  }
}

export const elasticsearchSinkType: SinkType = {
  type: 'elasticsearch',
  description: 'an Elasticsearch-compatible _bulk API (create actions, per-item errors)',
  build(name, node, env) {
    node.onlyKeys([...COMMON_SINK_KEYS, 'url', 'api_key', 'api_key_file', 'tls', 'headers', 'compression', 'timeout', 'index']);
    return new ElasticsearchSink(name, httpTarget(node, env.configDir, 'ApiKey'), node.get('index').string('logs'));
  },
};
