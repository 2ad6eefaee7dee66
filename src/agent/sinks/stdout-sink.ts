// Writes events to standard output (NDJSON or the bare lines), for trying a config out.

import type { PipelineEvent } from '../../pipeline/event.ts';
import { eventsToNdjson } from '../event-json.ts';
import { COMMON_SINK_KEYS, type Sink, type SinkType } from './sink.ts';

export class StdoutSink implements Sink {
  constructor(readonly name: string, private readonly format: 'json' | 'text') {}

  async send(events: PipelineEvent[]): Promise<void> {
    let text = '';
    if (this.format === 'text') for (const e of events) text += e.line + '\n';
    const out = this.format === 'json' ? eventsToNdjson(events) : Buffer.from(text);
    await new Promise<void>((resolve) => (process.stdout.write(out) ? resolve() : process.stdout.once('drain', () => resolve())));
  }
}

export const stdoutSinkType: SinkType = {
  type: 'stdout',
  description: 'standard output (NDJSON or text lines)',
  build(name, node) {
    node.onlyKeys([...COMMON_SINK_KEYS, 'format']);
    return new StdoutSink(name, node.get('format').oneOf(['json', 'text'], 'json'));
  },
};
