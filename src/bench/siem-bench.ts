// SIEM throughput on the live path: records per second through DetectionEngine.onCommitted (batches of 1000, one
// core) with no rules, the guide's native rule, and every SigmaHQ linux/web/AWS rule (with the example mapping file,
// and with none, where every rule meets every stream). The corpus mixes sshd, nginx, auditd, CloudTrail, process
// events and application logs. Run: npx tsx src/bench/siem-bench.ts [--records N] [--sigma DIR]

import path from 'node:path';
import { parseArgs } from 'node:util';
import type { IngestBatch, StreamEntries } from '../model/record.ts';
import { DetectionEngine } from '../siem/detection-engine.ts';
import { loadedCount, loadRulePaths, loadRuleTexts, type RuleSet } from '../siem/rule-set.ts';
import { EMPTY_MAPPING, loadMapping } from '../siem/sigma/logsource-mapping.ts';
import { Prng } from '../demo/prng.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const USERS = ['root', 'admin', 'deploy', 'alice', 'bob', 'carol', 'oracle', 'postgres', 'ubuntu', 'test'];
const URIS = ['/', '/index.html', '/api/v1/orders?id=17', '/static/app.js', '/login', '/health', '/app/.git/config', '/search?q=shoes', '/cart', '/img/logo.png'];
const AGENTS = ['Mozilla/5.0 (X11; Linux x86_64)', 'curl/8.4.0', 'Go-http-client/1.1', 'sqlmap/1.7.2#stable', 'kube-probe/1.29'];
const CMDS = ['ls -la /var/log', 'cat /etc/passwd', 'python3 app.py', 'curl -s http://10.0.0.5/metrics', 'bash -c id', 'tar czf /tmp/x.tgz /home', 'systemctl status nginx', 'grep -r password /etc'];

/** A deterministic corpus of `n` records in streams of several sources, as batches of `batchSize`. */
export function siemCorpus(n: number, batchSize: number, seed = 7): IngestBatch[] {
  const prng = new Prng(seed);
  const rnd = () => prng.next();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const t0 = BigInt(Date.UTC(2024, 4, 1)) * 1_000_000n;
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
    const t = performance.now();
    for (const b of batches) engine.onCommitted(b);
    engine.flush();
    const ms = performance.now() - t;
    if (ms < best) best = ms;
    alerts = count;
  }
  return { name, rules: loadedCount(rules), recordsPerSec: Math.round(records / (best / 1000)), usPerRecord: Math.round((best * 1000 * 100) / records) / 100, alerts };
}

export function runSiemBench(argv: string[]): SiemBenchRow[] {
  const { values } = parseArgs({ args: argv, options: { records: { type: 'string' }, sigma: { type: 'string' } } });
  const n = Number(values.records ?? 200_000);
  const sigma = values.sigma ?? path.resolve(REPO, '../shared/data/sigma/rules');
  const folders = ['linux', 'web', 'cloud/aws'].map((f) => path.join(sigma, f));
  const native = path.join(REPO, 'examples/detections/brute-force-then-escalation.yaml');
  const mapping = loadMapping(path.join(REPO, 'examples/siem/sigma-mapping.yaml'));
  const batches = siemCorpus(n, 1000);
  const rows = [
    benchRuleSet('no rules', loadRuleTexts([]), batches),
    benchRuleSet('guide native rule', loadRulePaths([native]), batches),
    benchRuleSet('Sigma linux+web+aws, example mapping', loadRulePaths(folders, mapping), batches),
    benchRuleSet('Sigma + native, example mapping', loadRulePaths([...folders, native], mapping), batches),
    benchRuleSet('Sigma, no mapping (every rule on every stream)', loadRulePaths(folders, EMPTY_MAPPING), batches),
  ];
  return rows;
}

if (process.argv[1] !== undefined && import.meta.filename === path.resolve(process.argv[1])) {
  const rows = runSiemBench(process.argv.slice(2));
  process.stdout.write('| rule set | rules | records/s | µs/record | alerts |\n|---|---:|---:|---:|---:|\n');
  for (const r of rows) process.stdout.write(`| ${r.name} | ${r.rules} | ${r.recordsPerSec.toLocaleString('en')} | ${r.usPerRecord} | ${r.alerts} |\n`);
}
