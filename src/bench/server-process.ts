// A benchmarked server as a child process: a free loopback port, output to a log file, readiness by HTTP polling,
// and a bounded stop (SIGTERM, then SIGKILL). Children still alive when the bench exits are killed with it.

import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import net from 'node:net';

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const child of live) child.kill('SIGKILL');
      process.exit(130);
    });
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  /** base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  logFile: string;
}

function tail(file: string, chars = 2000): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(-chars);
  } catch {
    return '';
  }
}

/**
 * Starts `command args` with stdout and stderr appended to `logFile`, then polls `url + readyPath` until it answers
 * 200 (or throws when the process exits first or `timeoutMs` passes).
 */
export async function startServerProcess(
  name: string, command: string, args: string[], opts: { cwd?: string; url: string; readyPath: string; logFile: string; timeoutMs?: number; env?: NodeJS.ProcessEnv },
): Promise<ServerProcess> {
  installExitHook();
  const fd = openSync(opts.logFile, 'a');
  const child = spawn(command, args, { cwd: opts.cwd, stdio: ['ignore', fd, fd], env: opts.env ?? process.env });
  closeSync(fd);
  live.add(child);
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? `code ${code}`}`;
    live.delete(child);
  });
  const spawnError = new Promise<never>((_, reject) => child.once('error', (e) => reject(new Error(`${name}: cannot start ${command}: ${e.message}`))));
  spawnError.catch(() => undefined);
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (exited !== undefined) throw new Error(`${name} ${exited} before it was ready; its log ends with:\n${tail(opts.logFile)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not answer ${opts.readyPath} with 200 within ${(opts.timeoutMs ?? 60_000) / 1000} s; its log ends with:\n${tail(opts.logFile)}`);
    }
    try {
      const res = await Promise.race([fetch(opts.url + opts.readyPath, { signal: AbortSignal.timeout(2000) }), spawnError]);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch (e) {
      if ((e as Error).message.includes('cannot start')) throw e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (child.pid === undefined) throw new Error(`${name}: no pid after start`);
  return { name, child, pid: child.pid, url: opts.url, logFile: opts.logFile };
}

/** SIGTERM, wait up to `graceMs` for a clean exit (stores flush on the way out), then SIGKILL. Returns how it ended. */
export async function stopServerProcess(p: ServerProcess, graceMs = 60_000): Promise<string> {
  const child = p.child;
  if (child.exitCode !== null || child.signalCode !== null) return `already exited (${child.signalCode ?? child.exitCode})`;
  const done = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`)));
  child.kill('SIGTERM');
  const timer = new Promise<string>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
  const first = await Promise.race([done, timer]);
  if (first !== 'timeout') return first;
  child.kill('SIGKILL');
  return `killed after ${graceMs / 1000} s: ${await done}`;
}
