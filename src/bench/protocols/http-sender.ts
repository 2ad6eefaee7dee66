// Sends encoded batches as HTTP POST bodies over C keep-alive connections, one batch per request, C requests in
// flight. 429/503 are waited out as Retry-After says (bounded attempts); any other failure, or a reply the protocol's
// check refuses, ends the run with an error naming the batch.

import http from 'node:http';
import { retryAfterMs } from '../load.ts';
import type { EncodedBatch } from './protocol.ts';

export interface SendOptions {
  concurrency: number;
  /** give up when not done by then (ms since the epoch) */
  deadlineMs: number;
}

export interface SendResult {
  seconds: number;
  /** requests, calls or frames written */
  requests: number;
  /** answers that asked the client to slow down (429/503, gRPC UNAVAILABLE) */
  throttled: number;
}

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: string;
}

function post(agent: http.Agent, url: URL, headers: Record<string, string>, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, method: 'POST', hostname: url.hostname, port: url.port, path: url.pathname + url.search, headers: { ...headers, 'Content-Length': body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(300_000, () => req.destroy(new Error('no answer within 300 s')));
    req.on('error', reject);
    req.end(body);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** POSTs every batch once, successfully; returns the wall time from the first request to the last answer. */
export async function sendHttp(
  url: string, headers: Record<string, string>, batches: EncodedBatch[], opts: SendOptions,
  checkReply: (status: number, body: string) => string | undefined = (status, body) => (status >= 200 && status < 300 ? undefined : `answered ${status}: ${body.slice(0, 400)}`),
): Promise<SendResult> {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  let next = 0;
  let throttled = 0;
  let failed: Error | undefined;
  const worker = async (): Promise<void> => {
    while (failed === undefined) {
      const i = next++;
      if (i >= batches.length) return;
      const body = batches[i].payload;
      if (!Buffer.isBuffer(body)) throw new Error(`batch ${i}: an HTTP protocol needs one body per batch`);
      for (let attempt = 1; ; attempt++) {
        if (Date.now() > opts.deadlineMs) throw new Error(`not done before the deadline (batch ${i} of ${batches.length})`);
        if (attempt > 200) throw new Error(`batch ${i}: still refused after 200 attempts`);
        const a = await post(agent, target, headers, body);
        if (a.status === 429 || a.status === 503) {
          throttled++;
          await sleep(retryAfterMs(a.retryAfter));
          continue;
        }
        const problem = checkReply(a.status, a.body);
        if (problem !== undefined) throw new Error(`batch ${i}: ${problem}`);
        break;
      }
    }
  };
  const started = performance.now();
  try {
    const workers: Promise<void>[] = [];
    for (let c = 0; c < opts.concurrency; c++) workers.push(worker().catch((e: Error) => void (failed ??= e)));
    await Promise.all(workers);
  } finally {
    agent.destroy();
  }
  if (failed !== undefined) throw failed;
  return { seconds: (performance.now() - started) / 1000, requests: batches.length, throttled };
}
