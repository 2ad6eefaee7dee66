// `sightline bench --agent`: the agent's throughput and memory. One generated file of web and app log lines is
// tailed (1) by the agent's sightline sink into a discarding HTTP endpoint (the agent's own cost: read, batch,
// gzip, send),
// (2) by the agent into a Sightline server (end to end), and (3) by rsyslog (imfile → omfwd, octet-counted TCP)
// into the same server's syslog input, for a side-by-side with a shipper from Debian. Idle RSS is taken first.

import { parseArgs } from 'node:util';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { RssSampler, readMemoryStatus } from './proc-stats.ts';
import { startSightline } from './sightline-target.ts';
import { stopServerProcess } from './server-process.ts';

const HELP = `sightline bench --agent: agent throughput (file → destination) and memory, beside rsyslog

  --lines N      lines in the generated file (default 1000000, ~190 bytes each)
  --out FILE     JSON results (default bench-results/agent-latest.json)
  --skip-rsyslog do not run the rsyslog comparison
  --discard-only only idle RSS and the discarding endpoint (no server, no rsyslog)
  --idle-seconds N  how long the agent idles before the file appears (default 3): RSS is taken at 3 s, and the
                 largest and last over the whole wait are reported (the steady state needs minutes)
  --sink-options YAML  extra keys for both agent sinks, as flow-mapping entries
                 (e.g. 'batch: {concurrency: 4}, buffer: {max_events: 40000, max_bytes: 16MiB}')
`;

const MB = 1024 * 1024;
const log = (m: string) => process.stderr.write(`bench: ${m}\n`);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Run {
  lines: number;
  seconds: number;
  linesPerSecond: number;
  mbPerSecond: number;
  peakRssMb?: number;
  /** CPU time (user + system, all threads) per line: less sensitive than lines/s to a busy shared machine */
  shipperCpuUsPerLine?: number;
  serverCpuUsPerLine?: number;
}

/** CPU seconds (user + system) a live process has used, from /proc/PID/stat (proc(5): utime, stime in clock ticks,
 * 100 per second on Linux); undefined off Linux. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the parenthesised command name start at field 3 (state); utime and stime are fields 14 and 15
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return undefined;
  }
}

const usPerLine = (before: number | undefined, after: number | undefined, lines: number): number | undefined =>
  before === undefined || after === undefined ? undefined : Number((((after - before) * 1e6) / lines).toFixed(2));

/** nginx access and JSON app lines, deterministic, ~190 bytes each. */
async function writeCorpus(file: string, lines: number): Promise<number> {
  const out = createWriteStream(file);
  let bytes = 0;
  const paths = ['/api/orders', '/api/cart/items', '/health', '/api/payments/charge', '/static/app.js', '/api/users/me'];
  let chunk = '';
  for (let i = 0; i < lines; i++) {
    const line =
      i % 3 === 0
        ? `{"ts":"2026-11-25T10:${String((i / 60000) % 60 | 0).padStart(2, '0')}:00.${String(i % 1000).padStart(3, '0')}Z","level":"${i % 50 === 0 ? 'error' : 'info'}","service":"order","msg":"order ${i} placed","trace_id":"${(i * 2654435761 >>> 0).toString(16).padStart(8, '0')}a1b2c3d4e5f6","took_ms":${i % 997}}`
        : `10.${i % 256}.${(i >> 8) % 256}.${(i >> 16) % 256} - - [25/Nov/2026:10:00:00 +0000] "GET ${paths[i % paths.length]}?page=${i % 100} HTTP/1.1" ${i % 40 === 0 ? 500 : 200} ${1000 + (i % 5000)} "-" "Mozilla/5.0 (X11; Linux x86_64)"`;
    chunk += line + '\n';
    if (chunk.length > 1 << 20) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  bytes += Buffer.byteLength(chunk);
  out.end(chunk);
  await new Promise<void>((r) => out.once('finish', () => r()));
  return bytes;
}

/** An HTTP endpoint that takes gzip NDJSON, counts lines and forgets them. */
async function discardServer(): Promise<{ url: string; lines: () => number; firstMs: () => number; lastMs: () => number; close: () => Promise<void> }> {
  let lines = 0;
  let first = 0;
  let last = 0;
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(Buffer.concat(parts)) : Buffer.concat(parts);
      let n = 0;
      for (let i = body.indexOf(10); i >= 0; i = body.indexOf(10, i + 1)) n++;
      if (n > 0) {
        if (first === 0) first = performance.now();
        lines += n;
        last = performance.now();
      }
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/ingest`, lines: () => lines, firstMs: () => first, lastMs: () => last, close: () => new Promise((r) => server.close(() => r())) };
}

function startAgent(dir: string, config: string): ChildProcess {
  const file = join(dir, 'agent.yaml');
  writeFileSync(file, config);
  // SIGHTLINE_AGENT_NODE_OPTIONS: V8 flags for the agent alone (e.g. heap limits), to compare memory settings
  const env = { ...process.env, NODE_OPTIONS: process.env.SIGHTLINE_AGENT_NODE_OPTIONS ?? '' };
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'sightline'), 'agent', '--config', file], { stdio: ['ignore', 'ignore', 'inherit'], env });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function waitFor(what: string, fn: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function countAt(url: string, selector: string): Promise<number> {
  const q = new URLSearchParams({ query: `sum(count_over_time(${selector}[1d]))`, time: String(BigInt(Date.now() + 60_000) * 1_000_000n) });
  const res = await fetch(`${url}/loki/api/v1/query?${q}`);
  const doc = (await res.json()) as { data?: { result?: { value: [number, string] }[] } };
  return Number(doc.data?.result?.[0]?.value[1] ?? 0);
}

export async function agentBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { lines: { type: 'string' }, out: { type: 'string' }, 'skip-rsyslog': { type: 'boolean' }, 'discard-only': { type: 'boolean' }, 'idle-seconds': { type: 'string' }, 'sink-options': { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const lines = Number(values.lines ?? 1_000_000);
  const idleSeconds = Math.max(3, Number(values['idle-seconds'] ?? 3));
  const sinkOptions = values['sink-options'] ? ', ' + values['sink-options'] : '';
  const out = values.out ?? join('bench-results', 'agent-latest.json');
  const work = mkdtempSync(join(os.tmpdir(), 'sightline-agent-bench-'));
  const results: Record<string, unknown> = { machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadAverage: os.loadavg() }, lines, sinkOptions: values['sink-options'] };
  try {
    const corpus = join(work, 'corpus.tmp');
    const bytes = await writeCorpus(corpus, lines);
    results.bytes = bytes;
    log(`corpus: ${lines.toLocaleString('en-US')} lines, ${(bytes / MB).toFixed(1)} MB`);

    // (1) agent → discarding endpoint, with idle RSS first
    {
      const dir = join(work, 'to-discard');
      mkdirSync(join(dir, 'logs'), { recursive: true });
      const sink = await discardServer();
      // the sightline sink (the agent's usual one, and the byte fast path's): the endpoint ignores the request path
      const agent = startAgent(dir, `data_dir: ./data\nsources:\n  app: {type: file, include: [logs/*.log], glob_interval: 100ms}\nsinks:\n  out: {type: sightline, url: "${sink.url}"${sinkOptions}}\n`);
      const idleSampler = new RssSampler(agent.pid!, 1000);
      idleSampler.start();
      await new Promise((r) => setTimeout(r, 3000));
      const idle = readMemoryStatus(agent.pid!);
      results.agentIdleRssMb = idle ? Number((idle.rssBytes / MB).toFixed(1)) : undefined;
      log(`agent idle RSS ${results.agentIdleRssMb} MB`);
      await new Promise((r) => setTimeout(r, (idleSeconds - 3) * 1000));
      const window = idleSampler.stop();
      if (idleSeconds > 3) {
        results.agentIdleWindow = { seconds: idleSeconds, maxRssMb: Number((window.maxRssBytes / MB).toFixed(1)), lastRssMb: Number((window.lastRssBytes / MB).toFixed(1)) };
        log(`agent idle for ${idleSeconds} s: ${JSON.stringify(results.agentIdleWindow)}`);
      }
      const sampler = new RssSampler(agent.pid!, 100);
      sampler.start();
      renameSync(corpus, join(dir, 'logs', 'app.log'));
      await waitFor('every line at the discarding endpoint', () => sink.lines() >= lines, 600_000);
      const rss = sampler.stop();
      const seconds = (sink.lastMs() - sink.firstMs()) / 1000;
      results.agentToDiscard = { lines, seconds: Number(seconds.toFixed(2)), linesPerSecond: Math.round(lines / seconds), mbPerSecond: Number((bytes / MB / seconds).toFixed(1)), peakRssMb: Number((rss.maxRssBytes / MB).toFixed(1)) } satisfies Run;
      log(`agent → discard: ${JSON.stringify(results.agentToDiscard)}`);
      await stop(agent);
      await sink.close();
      renameSync(join(dir, 'logs', 'app.log'), corpus);
    }

    // (2) agent → Sightline, and (3) rsyslog → Sightline's syslog input, each into a fresh server
    for (const shipper of values['discard-only'] ? [] : (['agent', 'rsyslog'] as const)) {
      const rsyslogd = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p));
      if (shipper === 'rsyslog' && (values['skip-rsyslog'] || !rsyslogd)) {
        log(`rsyslog comparison skipped (${rsyslogd ? '--skip-rsyslog' : 'rsyslogd not installed'})`);
        continue;
      }
      const dir = join(work, `to-sightline-${shipper}`);
      mkdirSync(join(dir, 'logs'), { recursive: true });
      const syslogPort = 20000 + Math.floor(Math.random() * 20000);
      const server = await startSightline(repoRoot, join(dir, 'server-data'), join(dir, 'server.log'), ['--forward-port', '0', '--syslog-port', String(syslogPort)]);
      const input = join(dir, 'logs', 'app.log');
      let child: ChildProcess;
      if (shipper === 'agent') {
        child = startAgent(dir, `data_dir: ./data\nlabels: {job: bench}\nsources:\n  app: {type: file, include: [logs/*.log], glob_interval: 100ms}\nsinks:\n  out: {type: sightline, url: "${server.server.url}"${sinkOptions}}\n`);
      } else {
        const conf = join(dir, 'rsyslog.conf');
        writeFileSync(conf, `global(workDirectory="${dir}" maxMessageSize="64k")
module(load="imfile" mode="inotify")
input(type="imfile" file="${input}" tag="bench" ruleset="out")
ruleset(name="out" queue.type="LinkedList" queue.size="100000") {
  action(type="omfwd" target="127.0.0.1" port="${syslogPort}" protocol="tcp" tcp_framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")
}
`);
        execFileSync(rsyslogd!, ['-N1', '-f', conf], { stdio: 'pipe' });
        child = spawn(rsyslogd!, ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], { stdio: 'ignore' });
        await new Promise((r) => setTimeout(r, 1000));
      }
      const selector = shipper === 'agent' ? '{job="bench"}' : '{service="bench"}';
      const sampler = new RssSampler(child.pid!, 100);
      sampler.start();
      const cpu0 = [cpuSeconds(child.pid!), cpuSeconds(server.server.pid)];
      const t0 = performance.now();
      renameSync(corpus, input);
      await waitFor(`${shipper}: every line stored`, async () => (await countAt(server.server.url, selector)) >= lines, 900_000);
      const seconds = (performance.now() - t0) / 1000;
      const rss = sampler.stop();
      const cpu1 = [cpuSeconds(child.pid!), cpuSeconds(server.server.pid)];
      const run: Run = {
        lines, seconds: Number(seconds.toFixed(2)), linesPerSecond: Math.round(lines / seconds), mbPerSecond: Number((bytes / MB / seconds).toFixed(1)), peakRssMb: Number((rss.maxRssBytes / MB).toFixed(1)),
        shipperCpuUsPerLine: usPerLine(cpu0[0], cpu1[0], lines), serverCpuUsPerLine: usPerLine(cpu0[1], cpu1[1], lines),
      };
      results[shipper === 'agent' ? 'agentToSightline' : 'rsyslogToSightline'] = run;
      log(`${shipper} → sightline: ${JSON.stringify(run)}`);
      await stop(child);
      await stopServerProcess(server.server);
      renameSync(input, corpus);
    }
    const a = results.agentToSightline as Run | undefined;
    const r = results.rsyslogToSightline as Run | undefined;
    if (a && r) results.agentVsRsyslog = Number((a.linesPerSecond / r.linesPerSecond).toFixed(2));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
    process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

