// OTLP/gRPC (OTLP specification, "OTLP/gRPC"): each batch is one unary call of
// opentelemetry.proto.collector.logs.v1.LogsService/Export over one HTTP/2 channel (@grpc/grpc-js), C calls in flight,
// as the Collector's otlp exporter sends with several consumers. UNAVAILABLE is the server's throttle: retried.

import grpc from '@grpc/grpc-js';
import type { EncodedBatch } from './protocol.ts';
import type { SendOptions, SendResult } from './http-sender.ts';

export const EXPORT_METHOD = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

const identity = (b: Buffer): Buffer => b;

function call(client: grpc.Client, message: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(EXPORT_METHOD, identity, identity, message, new grpc.Metadata(), { deadline: Date.now() + 300_000 }, (err, value) => {
      if (err) reject(err);
      else resolve(value ?? Buffer.alloc(0));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Exports every batch once; an ExportLogsServiceResponse that is not empty (a partial_success) fails the run. */
export async function sendGrpc(address: string, batches: EncodedBatch[], opts: SendOptions): Promise<SendResult> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 64 * 1024 * 1024 });
  let next = 0;
  let throttled = 0;
  let failed: Error | undefined;
  const worker = async (): Promise<void> => {
    while (failed === undefined) {
      const i = next++;
      if (i >= batches.length) return;
      const message = batches[i].payload;
      if (!Buffer.isBuffer(message)) throw new Error(`batch ${i}: gRPC needs one message per batch`);
      for (let attempt = 1; ; attempt++) {
        if (Date.now() > opts.deadlineMs) throw new Error(`not done before the deadline (batch ${i} of ${batches.length})`);
        try {
          const reply = await call(client, message);
          if (reply.length > 0) throw new Error(`batch ${i}: partial success (records rejected)`);
          break;
        } catch (e) {
          const code = (e as { code?: number }).code;
          if (code === grpc.status.UNAVAILABLE && attempt < 200) {
            throttled++;
            await sleep(1000);
            continue;
          }
          throw e;
        }
      }
    }
  };
  const started = performance.now();
  try {
    const workers: Promise<void>[] = [];
    for (let c = 0; c < opts.concurrency; c++) workers.push(worker().catch((e: Error) => void (failed ??= e)));
    await Promise.all(workers);
  } finally {
    client.close();
  }
  if (failed !== undefined) throw failed;
  return { seconds: (performance.now() - started) / 1000, requests: batches.length, throttled };
}
