// SIEM cost on the ingest path (`npm run bench -- --siem`): (1) records per second through DetectionEngine.onCommitted
// (batches of 1000, one core) per rule set: none, the guide's native rule, 100 and all 262 SigmaHQ linux/web/AWS
// rules; (2) a real `sightline server` pushed the same corpus as Loki JSON without SIEM, with 100 and with 262 rules
// (interleaved runs, medians): lines/s and server CPU µs per line, and the share of the ingest rate the rules cost.
// Corpus: sshd, nginx, auditd, CloudTrail, process events and application logs. BENCHMARKS.md, "SIEM".

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pushBodies, type LoadBody } from './load.ts';
import { freePort, startServerProcess, stopServerProcess } from './server-process.ts';
import type { IngestBatch, StreamEntries } from '../model/record.ts';
import { DetectionEngine } from '../siem/detection-engine.ts';
import { loadedCount, loadRulePaths, loadRuleTexts, readRulePaths, type RuleSet, type RuleText } from '../siem/rule-set.ts';
import { EMPTY_MAPPING, loadMapping } from '../siem/sigma/logsource-mapping.ts';
import { Prng } from '../demo/prng.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const USERS = ['root', 'admin', 'deploy', 'alice', 'bob', 'carol', 'oracle', 'postgres', 'ubuntu', 'test'];
const URIS = ['/', '/index.html', '/api/v1/orders?id=17', '/static/app.js', '/login', '/health', '/app/.git/config', '/search?q=shoes', '/cart', '/img/logo.png'];
const AGENTS = ['Mozilla/5.0 (X11; Linux x86_64)', 'curl/8.4.0', 'Go-http-client/1.1', 'sqlmap/1.7.2#stable', 'kube-probe/1.29'];
const CMDS = ['ls -la /var/log', 'cat /etc/passwd', 'python3 app.py', 'curl -s http://10.0.0.5/metrics', 'bash -c id', 'tar czf /tmp/x.tgz /home', 'systemctl status nginx', 'grep -r password /etc'];

/** A deterministic corpus of `n` records in streams of several sources, as batches of `batchSize`. */
export function siemCorpus(n: number, batchSize: number, seed = 7, t0 = BigInt(Date.UTC(2024, 4, 1)) * 1_000_000n): IngestBatch[] {
  const prng = new Prng(seed);
  const rnd = () => prng.next();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const batches: IngestBatch[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const streams = new Map<string, StreamEntries>();
    let bytes = 0;
    const add = (key: string, labels: Record<string, string>, ts: bigint, line: string) => {
      let s = streams.get(key);
      if (s === undefined) streams.set(key, (s = { labels, ts: [], lines: [], metadata: [] }));
      s.ts.push(ts);
      s.lines.push(line);
      s.metadata.push(undefined);
      bytes += line.length;
    };
    const end = Math.min(n, start + batchSize);
    for (let i = start; i < end; i++) {
      const ts = t0 + BigInt(i) * 1_000_000n;
      const r = rnd();
      const ip = `203.0.113.${Math.floor(rnd() * 250)}`;
      if (r < 0.2) {
        const user = pick(USERS);
        const line = rnd() < 0.7 ? `Failed password for ${user} from ${ip} port ${1024 + Math.floor(rnd() * 60000)} ssh2` : `Accepted publickey for ${user} from ${ip} port 22 ssh2`;
        add('sshd', { service: 'sshd', host: 'bastion-1', facility: 'auth', level: 'info' }, ts, line);
      } else if (r < 0.5) {
        add('nginx', { service: 'nginx', host: 'web-1' }, ts, `${ip} - - [01/May/2024:18:00:00 +0000] "GET ${pick(URIS)} HTTP/1.1" ${pick([200, 200, 200, 404, 500])} ${Math.floor(rnd() * 9000)} "-" "${pick(AGENTS)}"`);
      } else if (r < 0.6) {
        add('auditd', { service: 'auditd', host: 'node-2' }, ts, `type=EXECVE msg=audit(1714586400.${i % 1000}:${i}): argc=3 a0="${pick(['ls', 'cat', 'dd', 'truncate', 'curl'])}" a1="-s" a2="/tmp/x"`);
      } else if (r < 0.7) {
        add('cloudtrail', { service: 'cloudtrail' }, ts, JSON.stringify({ eventSource: pick(['iam.amazonaws.com', 's3.amazonaws.com', 'ec2.amazonaws.com']), eventName: pick(['GetObject', 'ListBuckets', 'UpdateLoginProfile', 'RunInstances', 'CreateUser']), userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::1:user/${pick(USERS)}` }, sourceIPAddress: ip, requestParameters: { userName: pick(USERS) } }));
      } else if (r < 0.8) {
        add('proc', { category: 'process_creation', host: 'node-3' }, ts, JSON.stringify({ Image: `/usr/bin/${pick(['ls', 'cat', 'python3', 'curl', 'bash', 'tar'])}`, CommandLine: pick(CMDS), User: pick(USERS), ParentImage: '/usr/bin/bash' }));
      } else {
        add('app', { service: 'payment', namespace: 'shop', level: 'info' }, ts, `level=info msg="charge ok" order=${i} amount=${Math.floor(rnd() * 500)} trace_id=${(i * 2654435761 >>> 0).toString(16)}`);
      }
    }
    batches.push({ tenant: 'default', streams: [...streams.values()], entries: end - start, bytes });
  }
  return batches;
}

export interface SiemBenchRow {
  name: string;
  rules: number;
  recordsPerSec: number;
  usPerRecord: number;
  alerts: number;
}

export function benchRuleSet(name: string, rules: RuleSet, batches: IngestBatch[], runs = 3): SiemBenchRow {
  let best = Infinity;
  let alerts = 0;
  const records = batches.reduce((n, b) => n + b.entries, 0);
  for (let r = 0; r < runs; r++) {
    let count = 0;
    const engine = new DetectionEngine({ rules, clockWatermark: false, onAlert: () => void count++ });
    // CPU time of this process (one thread does all of it): steadier than wall time on a shared machine
    const c0 = process.cpuUsage();
    for (const b of batches) engine.onCommitted(b);
    engine.flush();
    const c = process.cpuUsage(c0);
    const ms = (c.user + c.system) / 1000;
    if (ms < best) best = ms;
    alerts = count;
  }
  return { name, rules: loadedCount(rules), recordsPerSec: Math.round(records / (best / 1000)), usPerRecord: Math.round((best * 1000 * 100) / records) / 100, alerts };
}

/** `count` of the rule files, spread evenly over the sorted list (so every folder is represented). */
export function spreadSample<T>(xs: readonly T[], count: number): T[] {
  if (count >= xs.length) return xs.slice();
  const out: T[] = [];
  for (let i = 0; i < count; i++) out.push(xs[Math.floor((i * xs.length) / count)]!);
  return out;
}

interface SiemBenchOptions {
  records: number;
  serverLines: number;
  serverRuns: number;
  sigma: string;
  skipServer: boolean;
}

function sigmaFiles(sigma: string): RuleText[] {
  return readRulePaths(['linux', 'web', 'cloud/aws'].map((f) => path.join(sigma, f)));
}

export function runSiemBench(opts: Pick<SiemBenchOptions, 'records' | 'sigma'>): SiemBenchRow[] {
  const native = path.join(REPO, 'examples/detections/brute-force-then-escalation.yaml');
  const mapping = loadMapping(path.join(REPO, 'examples/siem/sigma-mapping.yaml'));
  const files = sigmaFiles(opts.sigma);
  const batches = siemCorpus(opts.records, 1000);
  return [
    benchRuleSet('no rules', loadRuleTexts([]), batches),
    benchRuleSet('guide native rule', loadRulePaths([native]), batches),
    benchRuleSet('100 Sigma rules (spread over linux/web/aws), example mapping', loadRuleTexts(spreadSample(files, 100), mapping), batches),
    benchRuleSet('all Sigma linux+web+aws, example mapping', loadRuleTexts(files, mapping), batches),
    benchRuleSet('all Sigma + native, example mapping', loadRuleTexts([...files, ...readRulePaths([native])], mapping), batches),
    benchRuleSet('all Sigma, no mapping (every rule on every stream)', loadRuleTexts(files, EMPTY_MAPPING), batches),
  ];
}

export interface ServerRow {
  name: string;
  rules: number;
  /** median over the runs (min and max beside it) */
  linesPerSec: number;
  minRate?: number;
  maxRate?: number;
  cpuUsPerLine: number;
  alerts: number;
}

/** utime + stime of a process, in seconds (Linux /proc). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

/** The corpus as Loki push JSON bodies (one per batch) in `dir`, timestamps ending a minute ago. */
function writeBodies(dir: string, lines: number): LoadBody[] {
  const t0 = (BigInt(Date.now()) - 60_000n) * 1_000_000n - BigInt(lines) * 1_000_000n;
  return siemCorpus(lines, 1000, 7, t0).map((b, i) => {
    const body = JSON.stringify({ streams: b.streams.map((s) => ({ stream: s.labels, values: s.ts.map((ts, k) => [ts.toString(), s.lines[k]!]) })) });
    const file = `body-${i}.json`;
    writeFileSync(path.join(dir, file), body);
    return { file, lines: b.entries, bytes: body.length };
  });
}

async function benchServer(name: string, rules: RuleText[] | undefined, work: string, bodies: LoadBody[]): Promise<ServerRow> {
  const dataDir = mkdtempSync(path.join(work, 'data-'));
  const args = [path.join(REPO, 'bin', 'sightline'), 'server', '--data-dir', dataDir, '--forward-port', '0', '--syslog-port', '0'];
  if (rules !== undefined) {
    const cfg = path.join(work, `siem-${rules.length}.yaml`);
    writeFileSync(cfg, `rules: ${JSON.stringify(rules.map((r) => r.name))}\nmapping: ${JSON.stringify(path.join(REPO, 'examples/siem/sigma-mapping.yaml'))}\n`);
    args.push('--siem', cfg);
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  args.push('--port', String(port));
  const proc = await startServerProcess('sightline', process.execPath, args, { cwd: REPO, url, readyPath: '/ready', logFile: path.join(work, `${name.replace(/\W+/g, '-')}.log`), timeoutMs: 120_000 });
  try {
    const cpu0 = cpuSeconds(proc.pid);
    const res = await pushBodies({ url: `${url}/loki/api/v1/push`, dir: work, bodies, concurrency: 4, deadlineMs: Date.now() + 30 * 60_000 });
    const cpu = cpuSeconds(proc.pid) - cpu0;
    let alerts = 0;
    if (rules !== undefined) {
      const r = await fetch(`${url}/api/v1/siem/alerts?limit=10000`);
      const doc = (await r.json()) as { alerts?: unknown[] };
      alerts = doc.alerts?.length ?? 0;
    }
    return { name, rules: rules?.length ?? 0, linesPerSec: Math.round(res.lines / res.seconds), cpuUsPerLine: Math.round((cpu * 1e6 * 10) / res.lines) / 10, alerts };
  } finally {
    await stopServerProcess(proc);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function runServerBench(opts: SiemBenchOptions): Promise<ServerRow[]> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sightline-siem-bench-'));
  try {
    const bodies = writeBodies(work, opts.serverLines);
    const files = sigmaFiles(opts.sigma);
    const configs: [string, RuleText[] | undefined][] = [['no SIEM', undefined], ['100 Sigma rules', spreadSample(files, 100)], [`all ${files.length} Sigma rules`, files]];
    // runs interleaved (none, 100, all, none, …) so load from elsewhere on the machine spreads over all three
    const runs: ServerRow[][] = configs.map(() => []);
    for (let r = 0; r < opts.serverRuns; r++) {
      for (let c = 0; c < configs.length; c++) runs[c]!.push(await benchServer(configs[c]![0], configs[c]![1], work, bodies));
    }
    return runs.map((rs) => {
      const by = <K extends 'linesPerSec' | 'cpuUsPerLine'>(k: K) => rs.map((x) => x[k]).sort((a, b) => a - b);
      const mid = (xs: number[]) => xs[xs.length >> 1]!;
      const rates = by('linesPerSec');
      return { ...rs[0]!, linesPerSec: mid(rates), cpuUsPerLine: mid(by('cpuUsPerLine')), minRate: rates[0]!, maxRate: rates[rates.length - 1]! };
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const HELP = `sightline bench --siem: the SIEM's cost on the ingest path

  --records N       records through the engine in process (default 200000)
  --server-lines N  lines pushed to a real server per rule set and run (default 500000)
  --server-runs N   runs per rule set, interleaved; the median is reported (default 3)
  --skip-server     only the in-process engine figures
  --sigma DIR       SigmaHQ rules folder (default ../shared/data/sigma/rules)
`;

export async function siemBench(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { records: { type: 'string' }, 'server-lines': { type: 'string' }, 'server-runs': { type: 'string' }, sigma: { type: 'string' }, 'skip-server': { type: 'boolean' }, help: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const opts: SiemBenchOptions = {
    records: Number(values.records ?? 200_000),
    serverLines: Number(values['server-lines'] ?? 500_000),
    serverRuns: Number(values['server-runs'] ?? 3),
    sigma: values.sigma ?? path.resolve(REPO, '../shared/data/sigma/rules'),
    skipServer: values['skip-server'] ?? false,
  };
  for (const [k, v] of [['records', opts.records], ['server-lines', opts.serverLines], ['server-runs', opts.serverRuns]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`--${k}: expected a positive integer`);
  }
  const rows = runSiemBench(opts);
  process.stdout.write('In process (DetectionEngine.onCommitted, batches of 1000, CPU time, best of 3):\n\n');
  process.stdout.write('| rule set | rules | records/s of CPU | CPU µs/record | alerts |\n|---|---:|---:|---:|---:|\n');
  for (const r of rows) process.stdout.write(`| ${r.name} | ${r.rules} | ${r.recordsPerSec.toLocaleString('en')} | ${r.usPerRecord} | ${r.alerts} |\n`);
  if (opts.skipServer) return 0;
  const srv = await runServerBench(opts);
  const base = srv[0]!;
  process.stdout.write(`\nReal server (Loki push JSON, 4 connections, ${opts.serverLines.toLocaleString('en')} lines per run, median of ${opts.serverRuns} interleaved runs):\n\n`);
  process.stdout.write('| SIEM | lines/s, median (min–max) | server CPU µs/line | rate lost | alerts |\n|---|---:|---:|---:|---:|\n');
  for (const r of srv) {
    const lost = r === base ? '' : `${Math.round((1 - r.linesPerSec / base.linesPerSec) * 1000) / 10}%`;
    process.stdout.write(`| ${r.name} | ${r.linesPerSec.toLocaleString('en')} (${r.minRate!.toLocaleString('en')}–${r.maxRate!.toLocaleString('en')}) | ${r.cpuUsPerLine} | ${lost} | ${r.alerts} |\n`);
  }
  return 0;
}

if (process.argv[1] !== undefined && import.meta.filename === path.resolve(process.argv[1])) {
  void siemBench(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
