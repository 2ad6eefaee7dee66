// Pod metadata (labels, node, uid) from the Kubernetes API (`GET /api/v1/namespaces/{ns}/pods/{name}`, authorized
// by the service account's bearer token, server verified against its CA), kept in a TTL cache that never blocks:
// `lookup` answers from the cache at once and, on a miss or an expired entry, starts a fetch in the background.

import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';

export interface PodMetadata {
  labels: Record<string, string>;
  node?: string;
  uid?: string;
}

interface Entry {
  /** null: the pod does not exist (404); undefined: never fetched successfully */
  meta: PodMetadata | null | undefined;
  /** when the entry should be fetched again (ms, on the clock of the `lookup` calls) */
  refreshAt: number;
  pending: boolean;
}

export interface PodClientOptions {
  /** `https://host:port` of the API server */
  url: string;
  tokenFile: string;
  /** PEM of the CA that signed the API server's certificate */
  ca: Buffer;
  ttlMs: number;
  /** how long a failed fetch waits before the next try */
  retryMs: number;
  timeoutMs: number;
  maxPending: number;
  maxEntries: number;
}

const MAX_BODY = 4 * 1024 * 1024;

export class PodMetadataClient {
  private readonly entries = new Map<string, Entry>();
  private readonly agent: Agent;
  private readonly base: URL;
  private pending = 0;
  private readonly warnings: string[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly opts: PodClientOptions) {
    this.base = new URL(opts.url);
    this.agent = new Agent({ keepAlive: true, maxSockets: opts.maxPending, ca: opts.ca });
  }

  /** The cached metadata of a pod (undefined until fetched); starts a background fetch when missing or expired. */
  lookup(namespace: string, pod: string, nowMs: number): PodMetadata | undefined {
    const key = `${namespace}/${pod}`;
    let e = this.entries.get(key);
    if (e === undefined) {
      if (this.entries.size >= this.opts.maxEntries) this.evict();
      e = { meta: undefined, refreshAt: 0, pending: false };
      this.entries.set(key, e);
    }
    if (!e.pending && nowMs >= e.refreshAt && this.pending < this.opts.maxPending && !this.closed) {
      e.pending = true;
      this.pending++;
      void this.fetch(namespace, pod, e, nowMs);
    }
    return e.meta ?? undefined;
  }

  /** Problems since the last call (failed fetches), for the processor to report through its context. */
  drainWarnings(): string[] {
    return this.warnings.splice(0, this.warnings.length);
  }

  /** Resolves when no fetch is in flight. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    this.agent.destroy();
  }

  private evict(): void {
    // drop the oldest tenth (Map order is insertion order)
    let n = Math.max(1, Math.floor(this.entries.size / 10));
    for (const [key, e] of this.entries) {
      if (n-- <= 0) break;
      if (!e.pending) this.entries.delete(key);
    }
  }

  private async fetch(namespace: string, pod: string, e: Entry, nowMs: number): Promise<void> {
    try {
      const token = (await readFile(this.opts.tokenFile, 'utf8')).trim(); // re-read: projected tokens rotate
      const { status, body } = await this.get(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}`, token);
      if (status === 200) {
        e.meta = podMetadata(JSON.parse(body));
        e.refreshAt = nowMs + this.opts.ttlMs;
      } else if (status === 404) {
        e.meta = null;
        e.refreshAt = nowMs + this.opts.ttlMs;
      } else {
        e.refreshAt = nowMs + this.opts.retryMs;
        this.warnings.push(`kubernetes: GET pod ${namespace}/${pod}: HTTP ${status}${statusHint(status)}`);
      }
    } catch (err) {
      e.refreshAt = nowMs + this.opts.retryMs;
      this.warnings.push(`kubernetes: GET pod ${namespace}/${pod}: ${(err as Error).message}`);
    } finally {
      e.pending = false;
      this.pending--;
      if (this.pending === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private get(path: string, token: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          protocol: 'https:',
          hostname: this.base.hostname.replace(/^\[|\]$/g, ''),
          port: this.base.port === '' ? 443 : Number(this.base.port),
          path,
          method: 'GET',
          agent: this.agent,
          timeout: this.opts.timeoutMs,
          headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_BODY) req.destroy(new Error(`response larger than ${MAX_BODY} bytes`));
            else chunks.push(c);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.opts.timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }
}

function statusHint(status: number): string {
  if (status === 401) return ' (the service account token was refused)';
  if (status === 403) return ' (the service account may not get pods: grant it get on pods)';
  return '';
}

/** The parts of a Pod object (core/v1) the processor uses. */
function podMetadata(doc: unknown): PodMetadata {
  const o = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>) : {};
  const metadata = typeof o.metadata === 'object' && o.metadata !== null ? (o.metadata as Record<string, unknown>) : {};
  const spec = typeof o.spec === 'object' && o.spec !== null ? (o.spec as Record<string, unknown>) : {};
  const labels: Record<string, string> = {};
  if (typeof metadata.labels === 'object' && metadata.labels !== null) {
    for (const [k, v] of Object.entries(metadata.labels as Record<string, unknown>)) if (typeof v === 'string') labels[k] = v;
  }
  return {
    labels,
    node: typeof spec.nodeName === 'string' ? spec.nodeName : undefined,
    uid: typeof metadata.uid === 'string' ? metadata.uid : undefined,
  };
}
