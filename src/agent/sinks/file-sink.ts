// Appends events to a local file as NDJSON (or the bare lines with `format: text`), fsynced per batch so an
// acknowledged batch is on disk.

import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { PipelineEvent } from '../../pipeline/event.ts';
import { eventsToNdjson } from '../event-json.ts';
import { resolvePath } from './http-post.ts';
import { COMMON_SINK_KEYS, DeliveryError, type Sink, type SinkType } from './sink.ts';

export class FileSink implements Sink {
  private fd: number | undefined;
  constructor(readonly name: string, private readonly file: string, private readonly format: 'json' | 'text') {}

  async send(events: PipelineEvent[]): Promise<void> {
    let text = '';
    if (this.format === 'text') for (const e of events) text += e.line + '\n';
    const out = this.format === 'json' ? eventsToNdjson(events) : Buffer.from(text);
    try {
      if (this.fd === undefined) {
        mkdirSync(path.dirname(this.file), { recursive: true });
        this.fd = openSync(this.file, 'a');
      }
      writeSync(this.fd, out);
      fsyncSync(this.fd);
    } catch (e) {
      throw new DeliveryError(`${this.file}: ${(e as Error).message}`, true);
    }
  }

  async close(): Promise<void> {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

export const fileSinkType: SinkType = {
  type: 'file',
  description: 'a local file (NDJSON or text lines, fsynced per batch)',
  build(name, node, env) {
    node.onlyKeys([...COMMON_SINK_KEYS, 'path', 'format']);
    return new FileSink(name, resolvePath(node.get('path').string(), env.configDir), node.get('format').oneOf(['json', 'text'], 'json'));
  },
};
