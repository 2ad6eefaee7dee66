// Fluent Forward client side (Forward Protocol Specification v1, "Response" / acks): C TCP connections; each writes
// one batch's messages and waits for an {"ack": chunk} per message before taking the next batch, as an at-least-once
// shipper does. An ack comes only after the server committed the chunk, so the last ack ends the measurement.

import net from 'node:net';
import { decodeMultiStream } from '@msgpack/msgpack';
import type { EncodedBatch } from './protocol.ts';
import type { SendOptions, SendResult } from './http-sender.ts';

class ForwardConnection {
  private readonly waiting = new Map<string, () => void>();
  private broken: Error | undefined;
  private readonly failers = new Set<(e: Error) => void>();
  private closing = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('the server closed the connection')));
    void this.readAcks();
  }

  static open(port: number): Promise<ForwardConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.off('error', reject);
        resolve(new ForwardConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  private async readAcks(): Promise<void> {
    try {
      for await (const msg of decodeMultiStream(this.socket)) {
        const chunk = (msg as { ack?: unknown }).ack;
        const done = typeof chunk === 'string' ? this.waiting.get(chunk) : undefined;
        if (done === undefined) {
          this.fail(new Error(`unexpected reply from the server: ${JSON.stringify(msg)}`));
          return;
        }
        this.waiting.delete(chunk as string);
        done();
      }
    } catch (e) {
      this.fail(e as Error);
    }
  }

  private fail(e: Error): void {
    if (this.broken !== undefined || this.closing) return;
    this.broken = e;
    for (const f of this.failers) f(e);
  }

  /** Writes every frame of the batch and resolves once each of its chunks is acked. */
  async send(batch: EncodedBatch): Promise<void> {
    if (this.broken !== undefined) throw this.broken;
    const list = Array.isArray(batch.payload) ? batch.payload : [batch.payload];
    const chunks = batch.chunks ?? [];
    if (chunks.length !== list.length) throw new Error('Fluent Forward batch without a chunk id per message');
    let fail!: (e: Error) => void;
    const failed = new Promise<never>((_, reject) => (fail = reject));
    this.failers.add(fail);
    try {
      const acked = chunks.map((c) => new Promise<void>((resolve) => this.waiting.set(c, resolve)));
      for (const frame of list) {
        if (!this.socket.write(frame)) await Promise.race([new Promise((r) => this.socket.once('drain', r)), failed]);
      }
      await Promise.race([Promise.all(acked), failed]);
    } finally {
      this.failers.delete(fail);
    }
  }

  close(): void {
    this.closing = true;
    this.socket.end();
    this.socket.destroy();
  }
}

export async function sendForward(port: number, batches: EncodedBatch[], opts: SendOptions): Promise<SendResult> {
  const conns: ForwardConnection[] = [];
  for (let c = 0; c < opts.concurrency; c++) conns.push(await ForwardConnection.open(port));
  let next = 0;
  let frames = 0;
  let failed: Error | undefined;
  const worker = async (conn: ForwardConnection): Promise<void> => {
    while (failed === undefined) {
      const i = next++;
      if (i >= batches.length) return;
      if (Date.now() > opts.deadlineMs) throw new Error(`not done before the deadline (batch ${i} of ${batches.length})`);
      await conn.send(batches[i]);
      frames += batches[i].chunks?.length ?? 0;
    }
  };
  const started = performance.now();
  try {
    await Promise.all(conns.map((c) => worker(c).catch((e: Error) => void (failed ??= e))));
  } finally {
    for (const c of conns) c.close();
  }
  if (failed !== undefined) throw failed;
  return { seconds: (performance.now() - started) / 1000, requests: frames, throttled: 0 };
}
