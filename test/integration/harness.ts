// Test harness: fresh data directories, in-process servers on ephemeral 127.0.0.1 ports, child-process servers
// (for kill -9), and small HTTP helpers for the Loki API.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { DEFAULT_CONFIG, type ServerConfig } from '../../src/server/config.ts';
import { startServer, type RunningServer } from '../../src/server/sightline-server.ts';

export const REPO = path.resolve(import.meta.dirname, '..', '..');

export function tempDir(prefix = 'sightline-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export async function withServer<T>(overrides: Partial<ServerConfig>, fn: (s: RunningServer) => Promise<T>): Promise<T> {
  const dataDir = overrides.dataDir ?? tempDir();
  // socket listeners stay off unless a test asks for them (port 0 there = any free port)
  const server = await startServer({ ...DEFAULT_CONFIG, port: 0, forward: undefined, syslog: undefined, ...overrides, dataDir });
  try {
    return await fn(server);
  } finally {
    await server.close();
    if (!overrides.dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

export function nowNs(offsetMs = 0): bigint {
  return BigInt(Date.now() + offsetMs) * 1_000_000n;
}

export interface PushStream {
  stream: Record<string, string>;
  values: (string | Record<string, string>)[][];
}

export async function push(url: string, streams: PushStream[], opts: { tenant?: string; key?: string; gzip?: boolean; contentType?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': opts.contentType ?? 'application/json' };
  if (opts.tenant) headers['X-Scope-OrgID'] = opts.tenant;
  if (opts.key) headers.Authorization = `Bearer ${opts.key}`;
  let body: string | Buffer = JSON.stringify({ streams });
  if (opts.gzip) {
    body = gzipSync(body);
    headers['Content-Encoding'] = 'gzip';
  }
  return fetch(`${url}/loki/api/v1/push`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
}

export async function getJson(url: string, pathAndQuery: string, opts: { tenant?: string; key?: string } = {}): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (opts.tenant) headers['X-Scope-OrgID'] = opts.tenant;
  if (opts.key) headers.Authorization = `Bearer ${opts.key}`;
  const res = await fetch(url + pathAndQuery, { headers });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain text body
  }
  return { status: res.status, body };
}

export function rangeQuery(query: string, params: Record<string, string> = {}): string {
  const p = new URLSearchParams({ query, start: String(nowNs(-3_600_000)), end: String(nowNs(60_000)), ...params });
  return `/loki/api/v1/query_range?${p}`;
}

/** All log lines of a streams reply, newest first as returned, flattened. */
export function lines(body: any): string[] {
  const out: { ts: bigint; line: string }[] = [];
  for (const s of body.data.result) for (const [ts, line] of s.values) out.push({ ts: BigInt(ts), line });
  out.sort((a, b) => (a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : 0));
  return out.map((x) => x.line);
}

export interface ChildServer {
  url: string;
  proc: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `bin/sightline server` as a separate process and waits until /ready answers. */
export async function spawnServer(dataDir: string, extraArgs: string[] = []): Promise<ChildServer> {
  // the default socket listeners would collide between test servers: off unless the test names them
  const listenersOff: string[] = [];
  for (const flag of ['--forward-port', '--syslog-port']) if (!extraArgs.includes(flag)) listenersOff.push(flag, '0');
  const proc = spawn(process.execPath, [path.join(REPO, 'bin', 'sightline'), 'server', '--data-dir', dataDir, '--port', '0', ...listenersOff, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    url,
    proc,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      proc.kill(signal);
      return exited;
    },
  };
}
