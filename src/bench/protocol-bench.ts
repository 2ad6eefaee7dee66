// `sightline bench --protocols`: ingest throughput per protocol. The same corpus lines, encoded per protocol
// (src/bench/protocols/), are sent with the same concurrency to a fresh `bin/sightline server` child per protocol;
// each run must end with exactly the lines sent countable through the Loki API (UDP: the loss is measured instead).

import { parseArgs } from 'node:util';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { ensureCorpus } from './corpus.ts';
import { readMemoryStatus } from './proc-stats.ts';
import { machineInfo, type MachineInfo } from './report.ts';
import { freePort, stopServerProcess } from './server-process.ts';
import { startSightline } from './sightline-target.ts';
import { getText } from './target.ts';
import { readCorpusBatches } from './protocols/corpus-batches.ts';
import { sendForward } from './protocols/forward-sender.ts';
import { sendGrpc } from './protocols/grpc-sender.ts';
import { sendHttp, type SendResult } from './protocols/http-sender.ts';
import type { EncodedBatch, ProtocolDef } from './protocols/protocol.ts';
import { PROTOCOLS } from './protocols/registry.ts';
import { sendSyslogTcp, sendSyslogUdp, udpReceiveBufferErrors } from './protocols/syslog-sender.ts';

const HELP = `sightline bench --protocols: ingest throughput per protocol, client and server on this machine

  --lines N          corpus lines sent per protocol (default 1000000)
  --concurrency C    connections (HTTP, Forward, syslog) or calls in flight (gRPC) (default 4)
  --only A,B         run only these protocols (${PROTOCOLS.map((p) => p.name).join(', ')})
  --udp-rate R       syslog over UDP: send at R lines/s (default 0: as fast as the sockets take them)
  --out FILE         JSON results (default bench-results/protocols.json)
  --cache-dir DIR    corpus cache (default $SIGHTLINE_BENCH_CACHE or ~/.cache/sightline-bench)
  --seed N           corpus seed (default 42)
  --timeout-min M    give up one protocol's run after M minutes (default 10)
`;

const MB = 1024 * 1024;

interface Options {
  lines: number;
  concurrency: number;
  only: ProtocolDef[];
  udpRate: number;
  out: string;
  cacheDir: string;
  seed: number;
  timeoutMs: number;
}

function count(v: string | undefined, name: string, fallback: number, allowZero = false): number {
  if (v === undefined) return fallback;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0 || (n === 0 && !allowZero)) throw new Error(`--${name}: expected a ${allowZero ? 'non-negative' : 'positive'} integer, got "${v}"`);
  return n;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      lines: { type: 'string' }, concurrency: { type: 'string' }, only: { type: 'string' }, 'udp-rate': { type: 'string' }, out: { type: 'string' },
      'cache-dir': { type: 'string' }, seed: { type: 'string' }, 'timeout-min': { type: 'string' }, help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return undefined;
  }
  let only = [...PROTOCOLS];
  if (values.only !== undefined) {
    only = values.only.split(',').map((name) => {
      const p = PROTOCOLS.find((x) => x.name === name.trim());
      if (p === undefined) throw new Error(`--only: unknown protocol "${name}"; known: ${PROTOCOLS.map((x) => x.name).join(', ')}`);
      return p;
    });
  }
  return {
    lines: count(values.lines, 'lines', 1_000_000),
    concurrency: count(values.concurrency, 'concurrency', 4),
    only,
    udpRate: count(values['udp-rate'], 'udp-rate', 0, true),
    out: values.out ?? join('bench-results', 'protocols.json'),
    cacheDir: values['cache-dir'] ?? process.env.SIGHTLINE_BENCH_CACHE ?? join(os.homedir(), '.cache', 'sightline-bench'),
    seed: count(values.seed, 'seed', 42),
    timeoutMs: count(values['timeout-min'], 'timeout-min', 10) * 60_000,
  };
}

const log = (msg: string): void => {
  process.stderr.write(`bench: ${msg}\n`);
};

export interface ProtocolResult {
  title: string;
  /** records sent (for HEC raw: physical lines) and found stored afterwards */
  sent: number;
  stored: number;
  /** UDP only: sent − stored, and where they were lost: the kernel's receive buffer (machine-wide RcvbufErrors
   * during the run) and Sightline's own queue (udp_queue_full) */
  lost?: number;
  lostInKernelBuffer?: number;
  lostInServerQueue?: number;
  rawBytes: number;
  wireBytes: number;
  requests: number;
  /** client-side encoding, not part of the measured time */
  encodeSeconds: number;
  /** first byte sent → last ack (HTTP, gRPC, Forward) or → last line counted by the server (syslog) */
  seconds: number;
  linesPerSecond: number;
  rawMBPerSecond: number;
  wireMBPerSecond: number;
  /** server CPU time (user + system, all threads) during the measured time, per stored line */
  serverCpuMicrosPerLine: number;
  clientCpuMicrosPerLine: number;
  serverPeakRssBytes: number;
  throttled: number;
  /** the send side alone (UDP: how fast the datagrams were offered) */
  sendSeconds: number;
}

export interface ProtocolBenchResults {
  date: string;
  argv: string[];
  machine: MachineInfo;
  corpus: { dir: string; lines: number; rawBytes: number; seed: number; batches: number };
  concurrency: number;
  udpRate: number;
  protocols: Record<string, ProtocolResult>;
  checks: { protocol: string; ok: boolean; message: string }[];
}

/** utime + stime of a process in seconds (/proc/<pid>/stat fields 14 and 15, in clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Sum of sightline_ingest_entries_total over all its series: entries committed since the server started. */
export function committedEntries(metricsText: string): number {
  let n = 0;
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith('sightline_ingest_entries_total')) continue;
    n += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return n;
}

/** Datagrams the syslog UDP listener dropped because its queue to the store was full. */
export function udpQueueDrops(metricsText: string): number {
  let n = 0;
  for (const line of metricsText.split('\n')) {
    if (line.startsWith('sightline_ingest_rejected_entries_total{') && line.includes('reason="udp_queue_full"')) n += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return n;
}

/** Lines the server holds from `firstTs` (unix ns) until now, through the Loki API. */
async function storedLines(url: string, firstTs: string): Promise<number> {
  const nowNs = BigInt(Date.now() + 2000) * 1_000_000n;
  const rangeS = (nowNs - BigInt(firstTs)) / 1_000_000_000n + 2n;
  const q = new URLSearchParams({ query: `sum(count_over_time({}[${rangeS}s]))`, time: nowNs.toString() });
  const doc = JSON.parse(await getText(`${url}/loki/api/v1/query?${q}`)) as { data?: { result?: { value?: [unknown, string] }[] } };
  let n = 0;
  for (const r of doc.data?.result ?? []) n += Number(r.value?.[1] ?? 0);
  return n;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Syslog has no acks: polls the server's committed-entries counter every 100 ms. Done when it reaches `expected`,
 * or (UDP) when it has not moved for 3 s after the send finished. Returns when the last line was counted.
 */
async function waitCommitted(url: string, expected: number, sendDone: Promise<unknown>, started: number, deadlineMs: number): Promise<{ seconds: number; committed: number }> {
  let finished = false;
  void sendDone.then(() => (finished = true), () => (finished = true));
  let last = -1;
  let lastChange = performance.now();
  for (;;) {
    const n = committedEntries(await getText(`${url}/metrics`));
    const now = performance.now();
    if (n !== last) {
      last = n;
      lastChange = now;
    }
    if (n >= expected) return { seconds: (now - started) / 1000, committed: n };
    if (finished && now - lastChange > 3000) return { seconds: (lastChange - started) / 1000, committed: n };
    if (Date.now() > deadlineMs) throw new Error(`only ${n} of ${expected} lines committed before the deadline`);
    await sleep(100);
  }
}

async function runProtocol(p: ProtocolDef, encoded: EncodedBatch[], encodeSeconds: number, corpus: { firstTs: string; rawBytes: number }, opts: Options, repoRoot: string, scratch: string): Promise<ProtocolResult> {
  let sent = 0;
  let wireBytes = 0;
  for (const e of encoded) {
    sent += e.entries;
    wireBytes += e.bytes;
  }
  const t = p.transport;
  const port = t.kind === 'http' ? 0 : await freePort();
  const listenerArgs = ['--forward-port', t.kind === 'forward' ? String(port) : '0', '--syslog-port', t.kind === 'syslog-tcp' || t.kind === 'syslog-udp' ? String(port) : '0'];
  if (t.kind === 'grpc') listenerArgs.push('--otlp-grpc-port', String(port));
  const dataDir = join(scratch, p.name);
  mkdirSync(dataDir, { recursive: true });
  const target = await startSightline(repoRoot, dataDir, join(scratch, `${p.name}.log`), listenerArgs);
  const server = target.server;
  try {
    const deadlineMs = Date.now() + opts.timeoutMs;
    const sendOpts = { concurrency: opts.concurrency, deadlineMs };
    const snmp = (): number | undefined => udpReceiveBufferErrors(readFileSync('/proc/net/snmp', 'utf8'));
    const rcvbuf0 = t.kind === 'syslog-udp' ? snmp() : undefined;
    const cpu0 = cpuSeconds(server.pid);
    const client0 = process.cpuUsage();
    const started = performance.now();
    let send: Promise<SendResult>;
    switch (t.kind) {
      case 'http':
        send = sendHttp(server.url + t.path, t.headers, encoded, sendOpts, t.checkReply);
        break;
      case 'grpc':
        send = sendGrpc(`127.0.0.1:${port}`, encoded, sendOpts);
        break;
      case 'forward':
        send = sendForward(port, encoded, sendOpts);
        break;
      case 'syslog-tcp':
        send = sendSyslogTcp(port, encoded, sendOpts);
        break;
      case 'syslog-udp':
        send = sendSyslogUdp(port, encoded, { ...sendOpts, linesPerSecond: opts.udpRate });
        break;
    }
    let seconds: number;
    let sendResult: SendResult;
    if (t.kind === 'syslog-tcp' || t.kind === 'syslog-udp') {
      const [done, s] = await Promise.all([waitCommitted(server.url, sent, send, started, deadlineMs), send]);
      seconds = done.seconds;
      sendResult = s;
    } else {
      sendResult = await send;
      seconds = sendResult.seconds;
    }
    const serverCpu = cpuSeconds(server.pid) - cpu0;
    const clientUsage = process.cpuUsage(client0);
    const rcvbuf1 = t.kind === 'syslog-udp' ? snmp() : undefined;
    const stored = await storedLines(server.url, corpus.firstTs);
    const queueFull = t.kind === 'syslog-udp' ? udpQueueDrops(await getText(`${server.url}/metrics`)) : undefined;
    const mem = readMemoryStatus(server.pid);
    // line text carried: the corpus's bytes (HEC raw splits a few multi-line entries, same text). For UDP every
    // rate counts only what arrived (the datagrams offered are in sendSeconds).
    const rawBytes = t.kind === 'syslog-udp' ? Math.round((corpus.rawBytes * stored) / sent) : corpus.rawBytes;
    return {
      title: p.title,
      sent,
      stored,
      lost: t.kind === 'syslog-udp' ? sent - stored : undefined,
      lostInKernelBuffer: rcvbuf0 !== undefined && rcvbuf1 !== undefined ? rcvbuf1 - rcvbuf0 : undefined,
      lostInServerQueue: queueFull,
      rawBytes,
      wireBytes,
      requests: sendResult.requests,
      encodeSeconds: Number(encodeSeconds.toFixed(2)),
      seconds: Number(seconds.toFixed(3)),
      linesPerSecond: Math.round(stored / seconds),
      rawMBPerSecond: Number((rawBytes / MB / seconds).toFixed(2)),
      wireMBPerSecond: Number(((t.kind === 'syslog-udp' ? (wireBytes * stored) / sent : wireBytes) / MB / seconds).toFixed(2)),
      serverCpuMicrosPerLine: Number(((serverCpu * 1e6) / Math.max(1, stored)).toFixed(2)),
      clientCpuMicrosPerLine: Number((((clientUsage.user + clientUsage.system)) / Math.max(1, stored)).toFixed(2)),
      serverPeakRssBytes: mem?.hwmBytes ?? 0,
      throttled: sendResult.throttled,
      sendSeconds: Number(sendResult.seconds.toFixed(3)),
    };
  } finally {
    await stopServerProcess(server, 30_000);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function formatTable(r: ProtocolBenchResults): string {
  const rows = [['protocol', 'lines/s', 'MB/s text', 'MB/s wire', 'wire B/line', 'server µs CPU/line', 'peak RSS MB', 'stored / sent']];
  for (const [name, x] of Object.entries(r.protocols)) {
    rows.push([
      name, x.linesPerSecond.toLocaleString('en-US'), x.rawMBPerSecond.toFixed(1), x.wireMBPerSecond.toFixed(1), (x.wireBytes / x.sent).toFixed(0),
      x.serverCpuMicrosPerLine.toFixed(1), (x.serverPeakRssBytes / MB).toFixed(0), `${x.stored} / ${x.sent}`,
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

export async function protocolBench(argv: string[]): Promise<number> {
  const opts = parseOptions(argv);
  if (opts === undefined) return 0;
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  log(`corpus of ${opts.lines.toLocaleString('en-US')} lines in ${opts.cacheDir}`);
  const corpus = ensureCorpus(opts.cacheDir, { lines: opts.lines, seed: opts.seed });
  const m = corpus.manifest;
  const batches = readCorpusBatches(corpus.dir, m);
  let rawBytes = 0;
  for (const b of batches) rawBytes += b.rawBytes;
  log(`${batches.length} batches, ${(rawBytes / MB).toFixed(0)} MB of line text; ${opts.only.length} protocols, concurrency ${opts.concurrency}`);

  const results: ProtocolBenchResults = {
    date: new Date().toISOString(), argv, machine: machineInfo(),
    corpus: { dir: corpus.dir, lines: m.lines, rawBytes, seed: m.seed, batches: batches.length },
    concurrency: opts.concurrency, udpRate: opts.udpRate, protocols: {}, checks: [],
  };
  const scratch = mkdtempSync(join(os.tmpdir(), 'sightline-protocols-'));
  try {
    for (const p of opts.only) {
      const t0 = performance.now();
      const encoded = batches.map((b) => p.encode(b));
      const encodeSeconds = (performance.now() - t0) / 1000;
      log(`${p.name}: encoded in ${encodeSeconds.toFixed(1)} s; sending`);
      try {
        const r = await runProtocol(p, encoded, encodeSeconds, { firstTs: m.firstTs, rawBytes }, opts, repoRoot, scratch);
        results.protocols[p.name] = r;
        const ok = p.transport.kind === 'syslog-udp' ? r.stored <= r.sent : r.stored === r.sent;
        const loss = r.lost === undefined ? '' : ` (${((r.lost / r.sent) * 100).toFixed(2)}% lost: ${r.lostInKernelBuffer ?? '?'} in the kernel's receive buffer, ${r.lostInServerQueue} in the server's queue)`;
        results.checks.push({ protocol: p.name, ok, message: `stored ${r.stored} of ${r.sent} sent${loss}` });
        log(`${p.name}: ${r.linesPerSecond.toLocaleString('en-US')} lines/s, ${r.rawMBPerSecond} MB/s of text, ${r.wireMBPerSecond} MB/s on the wire; stored ${r.stored} of ${r.sent}`);
      } catch (e) {
        log(`${p.name}: failed: ${(e as Error).message}`);
        results.checks.push({ protocol: p.name, ok: false, message: (e as Error).message });
      }
    }
  } finally {
    const failed = results.checks.some((c) => !c.ok);
    if (failed) log(`server logs kept in ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
  mkdirSync(dirname(resolve(opts.out)), { recursive: true });
  writeFileSync(opts.out, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(formatTable(results) + `\n\nresults written to ${opts.out}\n`);
  const failed = results.checks.filter((c) => !c.ok);
  if (failed.length > 0) {
    process.stderr.write(`bench: ${failed.length} check(s) failed: ${failed.map((c) => `${c.protocol}: ${c.message}`).join('; ')}\n`);
    return 1;
  }
  return 0;
}
