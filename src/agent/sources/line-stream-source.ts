// Lines from a byte stream (the agent's stdin, a command's output, journalctl's JSON), queued up to a bound;
// past it the stream is paused, so a slow destination slows the producer instead of growing memory.
// Such streams cannot be re-read, so what was queued but not delivered when the agent is killed is lost;
// sources that can resume (journald) checkpoint through `onAcknowledge`.

import type { Readable } from 'node:stream';
import type { PipelineEvent } from '../../pipeline/event.ts';
import type { AgentSource, ArrivalClock, SourceBatch } from './source.ts';

const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
/** plain lines share one frozen labels object and this empty fields object (see unshareEvents) */
const NO_FIELDS: Record<string, string> = Object.freeze({});

export class LineStreamSource implements AgentSource {
  private readonly queue: PipelineEvent[] = [];
  private queuedBytes = 0;
  private partial = '';
  private skipping = false;
  private readonly streams: Readable[] = [];
  /** lines cut at max_line_bytes so far */
  truncatedLines = 0;

  constructor(
    readonly name: string,
    protected readonly labels: Record<string, string>,
    protected readonly clock: ArrivalClock,
    private readonly maxLineBytes: number,
    /** turns one line into an event (or undefined to skip it); the default makes a plain event */
    private readonly toEvent: (line: string) => PipelineEvent | undefined = plainEvents(labels, clock),
  ) {}

  /** Starts consuming a stream; several may feed the same source (stdout and stderr). */
  attach(stream: Readable): void {
    this.streams.push(stream);
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => this.onData(chunk));
    stream.on('end', () => {
      if (this.partial !== '') this.push(this.partial);
      this.partial = '';
    });
  }

  read(_nowMs: number, maxBytes: number): SourceBatch | undefined {
    if (this.queue.length === 0) return undefined;
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && bytes < maxBytes) bytes += this.queue[n++].line.length + 1;
    const events = this.queue.splice(0, n);
    this.queuedBytes -= bytes;
    if (this.queuedBytes < MAX_QUEUED_BYTES / 2) for (const s of this.streams) s.resume();
    return { events, bytes, acknowledge: () => this.onAcknowledge(events) };
  }

  close(): void | Promise<void> {
    for (const s of this.streams) s.destroy();
  }

  /** Called when a batch is in every sink; resumable sources checkpoint here. */
  protected onAcknowledge(_events: PipelineEvent[]): void {}

  private onData(chunk: string): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl < 0) break;
      const piece = this.partial + chunk.slice(start, nl);
      this.partial = '';
      start = nl + 1;
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      this.push(piece.endsWith('\r') ? piece.slice(0, -1) : piece);
    }
    if (!this.skipping) this.partial += chunk.slice(start);
    if (this.partial.length > this.maxLineBytes) {
      // an endless line: keep its head, drop the rest up to the next newline
      this.push(this.partial);
      this.partial = '';
      this.skipping = true;
    }
    if (this.queuedBytes >= MAX_QUEUED_BYTES) for (const s of this.streams) s.pause();
  }

  private push(line: string): void {
    if (line.length > this.maxLineBytes) {
      line = line.slice(0, this.maxLineBytes);
      this.truncatedLines++;
    }
    const e = this.toEvent(line);
    if (!e) return;
    this.queue.push(e);
    this.queuedBytes += line.length + 1;
  }
}

function plainEvents(labels: Record<string, string>, clock: ArrivalClock): (line: string) => PipelineEvent {
  const shared = Object.freeze({ ...labels });
  return (line) => ({ tenant: '', ts: clock.next(), line, labels: shared, fields: NO_FIELDS });
}
