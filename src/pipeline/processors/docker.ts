// `docker`: unwraps Docker's json-file log driver lines (`{"log":"…\n","stream":"stdout","time":"…","attrs":{…}}`):
// `log` without its trailing newline becomes the line, `time` the timestamp, `stream` and `attrs` fields. Docker
// splits lines over 16 KiB into entries whose `log` lacks the newline: those are joined per stream until one has it.

import type { ConfigNode } from '../../config/config-node.ts';
import type { PipelineEvent } from '../event.ts';
import { jsonErrorOffset } from '../json-error-offset.ts';
import { describeOffset, markError } from '../parser-io.ts';
import { PartialLines } from '../partial-lines.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorContext, type ProcessorType } from '../processor.ts';
import { StreamKeys } from '../stream-key.ts';
import { parseTimestamp, UTC } from '../time-parse.ts';

export const DOCKER_PARSER_ERROR = 'DockerParserErr';

interface DockerEntry {
  log?: unknown;
  stream?: unknown;
  time?: unknown;
  attrs?: unknown;
}

class DockerParser implements Processor {
  private readonly partials: PartialLines;
  private readonly streamKeys = new StreamKeys();

  constructor(private readonly setTimestamp: boolean, timeoutMs: number, maxBytes: number) {
    this.partials = new PartialLines(timeoutMs, maxBytes);
  }

  process(events: PipelineEvent[], ctx: ProcessorContext): PipelineEvent[] {
    const out: PipelineEvent[] = [];
    for (let i = 0; i < events.length; i++) {
      const ev = events[i];
      const line = ev.line;
      let entry: DockerEntry;
      try {
        entry = JSON.parse(line) as DockerEntry;
      } catch {
        const where = jsonErrorOffset(line);
        markError(ev, DOCKER_PARSER_ERROR, `invalid JSON: expected ${where.expected} ${describeOffset(line, where.offset)}`);
        out.push(ev);
        continue;
      }
      if (entry === null || typeof entry !== 'object' || typeof entry.log !== 'string') {
        markError(ev, DOCKER_PARSER_ERROR, 'expected a JSON object with a string "log" member');
        out.push(ev);
        continue;
      }
      const stream = typeof entry.stream === 'string' ? entry.stream : '';
      if (this.setTimestamp && typeof entry.time === 'string') {
        const ts = parseTimestamp(entry.time, UTC, ctx.nowMs);
        if (ts === undefined) markError(ev, DOCKER_PARSER_ERROR, `invalid "time" ${JSON.stringify(entry.time.slice(0, 40))}`);
        else ev.ts = ts;
      }
      if (stream !== '') ev.fields.stream = stream;
      if (entry.attrs !== null && typeof entry.attrs === 'object' && !Array.isArray(entry.attrs)) {
        const attrs = entry.attrs as Record<string, unknown>;
        for (const k in attrs) if (typeof attrs[k] === 'string' && k !== '__proto__') ev.fields[k] = attrs[k] as string;
      }
      const log = entry.log;
      const complete = log.endsWith('\n');
      const text = complete ? log.slice(0, log.endsWith('\r\n') ? -2 : -1) : log;
      if (complete && this.partials.size === 0) {
        ev.line = text;
        out.push(ev);
        continue;
      }
      const key = this.streamKeys.key(ev) + '\u0000' + stream;
      if (!complete) {
        const released = this.partials.hold(key, ev, text, ctx.nowMs);
        if (released !== undefined) out.push(released);
        continue;
      }
      const joined = this.partials.complete(key, text);
      if (joined !== undefined) out.push(joined);
      else {
        ev.line = text;
        out.push(ev);
      }
    }
    return out;
  }

  flush(ctx: ProcessorContext, final: boolean): PipelineEvent[] {
    return this.partials.size === 0 ? [] : this.partials.flush(ctx.nowMs, final);
  }
}

export const dockerProcessor: ProcessorType = {
  type: 'docker',
  description: 'unwrap Docker json-file log lines, joining lines Docker split at 16 KiB',
  build(node: ConfigNode): Processor {
    node.onlyKeys([...COMMON_PROCESSOR_KEYS, 'set_timestamp', 'timeout', 'max_bytes']);
    return new DockerParser(
      node.get('set_timestamp').boolean(true),
      node.get('timeout').durationMs(5000),
      node.get('max_bytes').integer(1024 * 1024, 1),
    );
  },
};
