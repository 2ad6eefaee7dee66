// `cri`: unwraps the CRI log format containerd and CRI-O write (`<RFC3339Nano> <stdout|stderr> <P|F> <message>`, the
// kubelet's container log files): the message becomes the line, the time the event's timestamp, the stream a field.
// `P` (partial) fragments of one stream are joined with the following ones up to the `F`; held ones are flushed by time.

import type { ConfigNode } from '../../config/config-node.ts';
import type { PipelineEvent } from '../event.ts';
import { markError } from '../parser-io.ts';
import { PartialLines } from '../partial-lines.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorContext, type ProcessorType } from '../processor.ts';
import { StreamKeys } from '../stream-key.ts';
import { parseTimestamp, UTC } from '../time-parse.ts';

export const CRI_PARSER_ERROR = 'CRIParserErr';

class CriParser implements Processor {
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
      const sp1 = line.indexOf(' ');
      const sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
      if (sp2 < 0) {
        markError(ev, CRI_PARSER_ERROR, 'expected `<time> <stream> <tag> <message>`, found fewer than three fields');
        out.push(ev);
        continue;
      }
      const stream = line.slice(sp1 + 1, sp2);
      if (stream !== 'stdout' && stream !== 'stderr') {
        markError(ev, CRI_PARSER_ERROR, `expected stream stdout or stderr at offset ${sp1 + 1}, got ${JSON.stringify(stream.slice(0, 20))}`);
        out.push(ev);
        continue;
      }
      let sp3 = line.indexOf(' ', sp2 + 1);
      if (sp3 < 0) sp3 = line.length;
      const tag = line.slice(sp2 + 1, sp3);
      // the tag field is `:`-separated tags; `P` marks a partial line, `F` a full (or last) one
      const partial = tag === 'P' || (tag !== 'F' && tag.split(':').includes('P'));
      if (!partial && tag !== 'F' && !tag.split(':').includes('F')) {
        markError(ev, CRI_PARSER_ERROR, `expected tag P or F at offset ${sp2 + 1}, got ${JSON.stringify(tag.slice(0, 20))}`);
        out.push(ev);
        continue;
      }
      const ts = parseTimestamp(line.slice(0, sp1), UTC, ctx.nowMs);
      if (ts === undefined) {
        markError(ev, CRI_PARSER_ERROR, `expected an RFC 3339 time at offset 0, got ${JSON.stringify(line.slice(0, Math.min(sp1, 40)))}`);
        out.push(ev);
        continue;
      }
      const message = sp3 < line.length ? line.slice(sp3 + 1) : '';
      if (!partial && this.partials.size === 0) {
        this.apply(ev, ts, stream, message);
        out.push(ev);
        continue;
      }
      const key = this.streamKeys.key(ev) + '\u0000' + stream;
      if (partial) {
        // a first fragment's event carries the joined line; later fragments' events are absorbed
        this.apply(ev, ts, stream, '');
        const released = this.partials.hold(key, ev, message, ctx.nowMs);
        if (released !== undefined) out.push(released);
        continue;
      }
      const joined = this.partials.complete(key, message);
      if (joined !== undefined) out.push(joined);
      else {
        this.apply(ev, ts, stream, message);
        out.push(ev);
      }
    }
    return out;
  }

  private apply(ev: PipelineEvent, ts: bigint, stream: string, message: string): void {
    ev.line = message;
    if (this.setTimestamp) ev.ts = ts;
    ev.fields.stream = stream;
  }

  flush(ctx: ProcessorContext, final: boolean): PipelineEvent[] {
    return this.partials.size === 0 ? [] : this.partials.flush(ctx.nowMs, final);
  }
}

export const criProcessor: ProcessorType = {
  type: 'cri',
  description: 'unwrap CRI (containerd/CRI-O) container log lines, joining partial lines',
  build(node: ConfigNode): Processor {
    node.onlyKeys([...COMMON_PROCESSOR_KEYS, 'set_timestamp', 'timeout', 'max_bytes']);
    return new CriParser(
      node.get('set_timestamp').boolean(true),
      node.get('timeout').durationMs(5000),
      node.get('max_bytes').integer(1024 * 1024, 1),
    );
  },
};
