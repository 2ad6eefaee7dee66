// Sends prebuilt push bodies over C keep-alive HTTP connections, retrying on 429/503 as the server's Retry-After
// asks. Every loop is bounded: attempts per body, and a deadline for the whole load.

import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface LoadBody {
  file: string;
  lines: number;
  bytes: number;
}

export interface LoadOptions {
  /** full URL of the push endpoint */
  url: string;
  /** directory holding the body files */
  dir: string;
  bodies: LoadBody[];
  concurrency: number;
  /** give up (throw) when the load is not done by then (ms since the epoch) */
  deadlineMs: number;
  /** at most this many attempts per body (429/503 and connection errors count) */
  maxAttempts?: number;
  /** called about every `progressMs` with lines acknowledged so far */
  onProgress?: (lines: number, elapsedS: number) => void;
  progressMs?: number;
}

export interface LoadResult {
  bodies: number;
  lines: number;
  bytes: number;
  seconds: number;
  /** answers 429 or 503 that were waited out */
  throttled: number;
  /** connection errors that were retried */
  retriedErrors: number;
}

export class LoadError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: string;
}

function post(agent: http.Agent, url: URL, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, method: 'POST', hostname: url.hostname, port: url.port, path: url.pathname + url.search, headers: { 'Content-Type': 'application/json', 'Content-Length': body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          if (chunks.length < 16) chunks.push(c); // keep the start of an error text, drop the rest
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body: Buffer.concat(chunks).toString('utf8').slice(0, 500) }));
        res.on('error', reject);
      },
    );
    req.setTimeout(120_000, () => req.destroy(new Error('no answer within 120 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Seconds to wait as Retry-After says (delta-seconds or an HTTP date; RFC 9110 §10.2.3), clamped to [0.05, 30]. */
export function retryAfterMs(value: string | undefined, nowMs = Date.now()): number {
  let ms = 1000;
  if (value !== undefined) {
    const v = value.trim();
    if (/^\d+(\.\d+)?$/.test(v)) ms = Number(v) * 1000;
    else {
      const at = Date.parse(v);
      if (!Number.isNaN(at)) ms = at - nowMs;
    }
  }
  return Math.min(30_000, Math.max(50, ms));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Pushes every body once (successfully) and reports throughput; throws on a non-retryable answer or the deadline. */
export async function pushBodies(opts: LoadOptions): Promise<LoadResult> {
  const url = new URL(opts.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const maxAttempts = opts.maxAttempts ?? 200;
  const started = performance.now();
  let next = 0;
  let lines = 0;
  let bytes = 0;
  let throttled = 0;
  let retriedErrors = 0;
  let failed: Error | undefined;
  const progress = opts.onProgress !== undefined
    ? setInterval(() => opts.onProgress?.(lines, (performance.now() - started) / 1000), opts.progressMs ?? 5000)
    : undefined;

  const worker = async (): Promise<void> => {
    while (failed === undefined) {
      const i = next++;
      if (i >= opts.bodies.length) return;
      const b = opts.bodies[i];
      const body = await readFile(join(opts.dir, b.file));
      for (let attempt = 1; ; attempt++) {
        if (Date.now() > opts.deadlineMs) throw new LoadError(`load did not finish before its deadline (${lines} lines sent)`);
        if (attempt > maxAttempts) throw new LoadError(`${b.file}: still refused after ${maxAttempts} attempts`);
        let answer: Answer;
        try {
          answer = await post(agent, url, body);
        } catch (e) {
          if (attempt >= 5) throw new LoadError(`${b.file}: ${(e as Error).message} (after ${attempt} attempts)`);
          retriedErrors++;
          await sleep(500 * attempt);
          continue;
        }
        if (answer.status >= 200 && answer.status < 300) break;
        if (answer.status === 429 || answer.status === 503) {
          throttled++;
          await sleep(retryAfterMs(answer.retryAfter));
          continue;
        }
        throw new LoadError(`${b.file}: push answered ${answer.status}: ${answer.body}`, answer.status);
      }
      lines += b.lines;
      bytes += b.bytes;
    }
  };

  try {
    const workers: Promise<void>[] = [];
    for (let c = 0; c < opts.concurrency; c++) {
      workers.push(worker().catch((e: Error) => {
        failed ??= e;
      }));
    }
    await Promise.all(workers);
  } finally {
    if (progress !== undefined) clearInterval(progress);
    agent.destroy();
  }
  if (failed !== undefined) throw failed;
  return { bodies: opts.bodies.length, lines, bytes, seconds: (performance.now() - started) / 1000, throttled, retriedErrors };
}
