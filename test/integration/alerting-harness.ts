// Shared set-up of the alerting and ruler integration tests: a temp directory with a rules dir and an alerting config
// (for withServer or spawnServer), capture servers standing in for notification receivers, waiting for an observable
// event, and child-process runs of the sightline CLI and of third-party tools (amtool, alertmanager, Go clients).

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { REPO, tempDir } from './harness.ts';

/** Polls `fn` until it returns a truthy value (the observable event), failing with `what` after `ms`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Captured<T> {
  /** the request path, e.g. /hook or Slack's secret /services/… */
  path: string;
  body: T;
}

export interface CaptureServer<T> {
  /** http://127.0.0.1:PORT, no trailing slash */
  base: string;
  /** every accepted POST body, parsed as JSON, in arrival order */
  received: Captured<T>[];
  /** paths answered 503 (a receiver that is down) and not recorded; delete a path to bring it up */
  down: Set<string>;
  close(): void;
}

/** A notification receiver on 127.0.0.1: records JSON bodies and answers 200 "ok" (what Slack's webhooks answer). */
export async function captureServer<T>(): Promise<CaptureServer<T>> {
  const received: Captured<T>[] = [];
  const down = new Set<string>();
  const server = http.createServer((req, res) => {
    let b = '';
    req.on('data', (d) => (b += d));
    req.on('end', () => {
      const p = req.url ?? '';
      if (down.has(p)) {
        res.writeHead(503);
        return res.end('down');
      }
      received.push({ path: p, body: JSON.parse(b) as T });
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, down, close: () => server.close() };
}

export interface AlertingDirs {
  /** the temp directory holding everything below; `remove()` deletes it */
  dir: string;
  dataDir: string;
  /** `<rulesDir>/<tenant>/<namespace>.yaml` */
  rulesDir: string;
  /** exists once `alerting` was given or writeAlertingConfig called */
  alertingConfigFile: string;
  /** the set-up as withServer overrides */
  readonly config: { dataDir: string; rulesDir: string; alertingConfigFile?: string };
  /** the set-up as `sightline server` flags, for spawnServer */
  readonly args: string[];
  writeRules(namespace: string, yaml: string, tenant?: string): string;
  writeAlertingConfig(yaml: string): void;
  remove(): void;
}

/** A fresh temp directory with data/, rules/ (holding `rules`, namespace → file text, for tenant "default") and, given
 * `alerting` (or once writeAlertingConfig is called), alerting.yaml: the server set-up names it only then. */
export function alertingDirs(opts: { rules?: Record<string, string>; alerting?: string } = {}): AlertingDirs {
  const dir = tempDir();
  const dataDir = path.join(dir, 'data');
  const rulesDir = path.join(dir, 'rules');
  const alertingConfigFile = path.join(dir, 'alerting.yaml');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(rulesDir, { recursive: true });
  let withAlerting = false;
  const dirs: AlertingDirs = {
    dir,
    dataDir,
    rulesDir,
    alertingConfigFile,
    get config() {
      return withAlerting ? { dataDir, rulesDir, alertingConfigFile } : { dataDir, rulesDir };
    },
    get args() {
      return ['--rules-dir', rulesDir, ...(withAlerting ? ['--alerting-config', alertingConfigFile] : [])];
    },
    writeRules(namespace, yaml, tenant = 'default') {
      mkdirSync(path.join(rulesDir, tenant), { recursive: true });
      const file = path.join(rulesDir, tenant, `${namespace}.yaml`);
      writeFileSync(file, yaml);
      return file;
    },
    writeAlertingConfig(yaml) {
      writeFileSync(alertingConfigFile, yaml);
      withAlerting = true;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  for (const [ns, yaml] of Object.entries(opts.rules ?? {})) dirs.writeRules(ns, yaml);
  if (opts.alerting !== undefined) dirs.writeAlertingConfig(opts.alerting);
  return dirs;
}

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A rule file of one group "g" evaluated every `interval` (1s: tests see it fire at once) holding these alerting rules. */
export function alertRuleFile(rules: AlertRule | AlertRule[], interval = '1s'): string {
  return toYaml({ groups: [{ name: 'g', interval, rules: Array.isArray(rules) ? rules : [rules] }] });
}

/** An alerting config sending every alert to the webhook receiver "hook" at `url`, grouped by `groupBy`, flushed at once. */
export function webhookAlertingConfig(url: string, groupBy = ['alertname', 'service']): string {
  return `route:\n  receiver: hook\n  group_by: [${groupBy.join(', ')}]\n  group_wait: 0s\n  group_interval: 1s\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: ${url}\n`;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `bin args`, resolving (never rejecting) with its exit code and output. */
export function run(bin: string, args: string[], timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(bin, args, { encoding: 'utf8', timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Runs `bin/sightline args` as a child process. */
export function sightline(args: string[], timeoutMs = 120_000): Promise<Run> {
  return run(process.execPath, [path.join(REPO, 'bin', 'sightline'), ...args], timeoutMs);
}

/** A Go tool's binary: `$envVar`, else `$(go env GOPATH)/bin/name`, else on PATH; undefined when none exists. */
export function findGoTool(name: string, envVar: string): string | undefined {
  const candidates = [process.env[envVar]];
  try {
    candidates.push(path.join(execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim(), 'bin', name));
  } catch {
    // no Go toolchain
  }
  for (const d of (process.env.PATH ?? '').split(':')) candidates.push(path.join(d, name));
  return candidates.find((c) => c && existsSync(c));
}

/** Escapes `s` for use inside a RegExp (file paths in expected messages). */
export function reEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
