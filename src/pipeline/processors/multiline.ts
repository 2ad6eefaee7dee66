// `multiline`: joins lines that belong together (stack traces, tracebacks) when they arrive as separate events.
// Per stream (labels, plus the `stream` field when present): with `start_pattern` a matching line opens a new event
// and others are appended; with `continuation_pattern` a matching line is appended and others open a new event.
// The open event is held until the next one starts, `timeout` passes (flush) or `max_lines`/`max_bytes` is reached.

import type { ConfigNode } from '../../config/config-node.ts';
import type { PipelineEvent } from '../event.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorContext, type ProcessorType } from '../processor.ts';
import { compileRe2, type RE2JS } from '../re2-regex.ts';
import { StreamKeys } from '../stream-key.ts';

/** Continuation patterns for common runtimes' multi-line output. */
export const MULTILINE_PRESETS: Readonly<Record<string, string>> = {
  // stack frames, `Caused by:`, `Suppressed:`, `... 12 more`, and the exception line after the log message
  java:
    '^(?:\\s+at |\\s*Caused by:|\\s*Suppressed:|\\s+\\.\\.\\. \\d+ (?:more|common frames omitted)' +
    '|\\s*(?:[a-zA-Z_$][\\w$]*\\.)+[A-Za-z_$][\\w$]*(?:Exception|Error|Throwable)(?::|$))',
  // traceback header, indented frames and source lines, chained-exception notes, blank separators, the final
  // `SomethingError: message` line
  python:
    '^(?:\\s|$|Traceback \\(most recent call last\\):|During handling of the above exception' +
    '|The above exception was the direct cause|[A-Za-z_][\\w.]*(?:Error|Exception|Exit|Interrupt|Warning)(?::|$))',
  // panics: blank lines, `goroutine N [state]:`, frames `pkg.fn(…)` and their indented file lines, `created by`
  go: '^(?:\\s|$|goroutine \\d+ \\[|\\[signal |created by |[\\w./*%()-]+\\(.*\\)$|exit status \\d+$)',
};

interface Group {
  ev: PipelineEvent;
  lines: string[];
  bytes: number;
  lastMs: number;
}

class MultilineJoiner implements Processor {
  private readonly groups = new Map<string, Group>();
  private readonly streamKeys = new StreamKeys();

  constructor(
    private readonly pattern: RE2JS,
    /** true: the pattern matches first lines; false: it matches continuation lines */
    private readonly matchesStart: boolean,
    private readonly timeoutMs: number,
    private readonly maxLines: number,
    private readonly maxBytes: number,
    private readonly separator: string,
  ) {}

  process(events: PipelineEvent[], ctx: ProcessorContext): PipelineEvent[] {
    const out: PipelineEvent[] = [];
    for (let i = 0; i < events.length; i++) {
      const ev = events[i];
      const stream = ev.fields.stream;
      const key = typeof stream === 'string' ? this.streamKeys.key(ev) + '\u0000' + stream : this.streamKeys.key(ev);
      const group = this.groups.get(key);
      const matches = this.pattern.test(ev.line);
      const continues = group !== undefined && (this.matchesStart ? !matches : matches);
      if (continues && group.lines.length < this.maxLines && group.bytes + ev.line.length <= this.maxBytes) {
        group.lines.push(ev.line);
        group.bytes += ev.line.length + this.separator.length;
        group.lastMs = ctx.nowMs;
        continue;
      }
      if (group !== undefined) out.push(this.release(group));
      this.groups.set(key, { ev, lines: [ev.line], bytes: ev.line.length, lastMs: ctx.nowMs });
    }
    return out;
  }

  private release(group: Group): PipelineEvent {
    if (group.lines.length > 1) group.ev.line = group.lines.join(this.separator);
    return group.ev;
  }

  flush(ctx: ProcessorContext, final: boolean): PipelineEvent[] {
    const out: PipelineEvent[] = [];
    for (const [key, group] of this.groups) {
      if (!final && ctx.nowMs - group.lastMs < this.timeoutMs) continue;
      this.groups.delete(key);
      out.push(this.release(group));
    }
    return out;
  }
}

export const multilineProcessor: ProcessorType = {
  type: 'multiline',
  description: 'join continuation lines (stack traces, tracebacks) of one stream into one event',
  build(node: ConfigNode): Processor {
    node.onlyKeys([...COMMON_PROCESSOR_KEYS, 'start_pattern', 'continuation_pattern', 'preset', 'timeout', 'max_lines', 'max_bytes', 'separator']);
    const given = (['start_pattern', 'continuation_pattern', 'preset'] as const).filter((k) => node.get(k).exists);
    if (given.length !== 1) {
      (given.length > 1 ? node.get(given[1]) : node).fail('expected exactly one of start_pattern, continuation_pattern or preset');
    }
    const which = given[0];
    let source: string;
    if (which === 'preset') source = MULTILINE_PRESETS[node.get('preset').oneOf(Object.keys(MULTILINE_PRESETS))];
    else source = node.get(which).string();
    return new MultilineJoiner(
      compileRe2(node.get(which), source),
      which === 'start_pattern',
      node.get('timeout').durationMs(3000),
      node.get('max_lines').integer(500, 1),
      node.get('max_bytes').integer(1024 * 1024, 1),
      node.get('separator').string('\n'),
    );
  },
};
