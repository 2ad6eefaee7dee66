// `sightline rules bench`: the cost of alert rules on a live server. Starts a server in a temp directory, loads
// 15 minutes of the demo estate, installs N alerting rules (groups of 10, 1-minute interval; five kinds of LogQL
// expression over the six services), measures a full evaluation round, then the ingest rate with and without rounds
// running back to back. Prints the figures docs/alerting.md quotes.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_CONFIG } from '../server/config.ts';
import { startServer } from '../server/sightline-server.ts';
import { Estate, SERVICES } from '../demo/estate.ts';
import { QueryEngine } from '../query/engine.ts';
import { engineQuery } from './engine-query.ts';
import { evaluateGroup } from './group-evaluator.ts';

const KINDS = [
  (s: string) => `sum by (service) (count_over_time({service="${s}", level="error"}[5m])) / sum by (service) (count_over_time({service="${s}"}[5m])) > 0.05`,
  (s: string) => `sum by (pod) (rate({service="${s}"} |= "timeout" [5m])) > 0.1`,
  (s: string) => `sum by (level) (count_over_time({service="${s}"}[1m])) > 100`,
  (s: string) => `count_over_time({service="${s}", level="warn"}[5m]) > 50`,
  (s: string) => `sum(bytes_over_time({service="${s}"}[5m])) > 1e6`,
];

export interface RulesBenchOptions {
  rules: number;
  linesPerSecond: number;
  log: (line: string) => void;
}

export async function rulesBench(o: RulesBenchOptions): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-rules-bench-'));
  const rulesDir = path.join(dir, 'rules');
  mkdirSync(path.join(rulesDir, 'default'), { recursive: true });
  const services = SERVICES.map((s) => s.name);
  let yaml = 'groups:\n';
  for (let i = 0; i < o.rules; i++) {
    if (i % 10 === 0) yaml += `  - name: group-${i / 10}\n    interval: 1m\n    rules:\n`;
    yaml += `      - alert: Rule${i}\n        expr: '${KINDS[i % KINDS.length](services[i % services.length])}'\n        for: 2m\n`;
  }
  writeFileSync(path.join(rulesDir, 'default', 'bench.yaml'), yaml);
  const server = await startServer({ ...DEFAULT_CONFIG, port: 0, forward: undefined, syslog: undefined, dataDir: dir, rulesDir });
  try {
    const estate = new Estate({ seed: 7, linesPerSecond: o.linesPerSecond });
    const push = async (fromMs: number, toMs: number): Promise<number> => {
      const streams = estate.produce(fromMs, toMs);
      const res = await fetch(`${server.url}/loki/api/v1/push`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ streams }) });
      if (res.status !== 204) throw new Error(`push answered ${res.status}: ${await res.text()}`);
      return streams.reduce((n, s) => n + s.values.length, 0);
    };
    const now = Date.now();
    let lines = 0;
    for (let t = now - 15 * 60_000; t < now; t += 30_000) lines += await push(t, t + 30_000);
    const statuses = server.ruler.manager.groupStatuses(['default']);
    o.log(`${lines} demo lines (15 minutes at ${o.linesPerSecond} lines/s), ${o.rules} alerting rules in ${statuses.length} groups`);
    const deps = { query: engineQuery(new QueryEngine(server.store)), append: (b: Parameters<typeof server.store.append>[0]) => server.store.append(b) };
    const round = async (): Promise<number> => {
      const t0 = performance.now();
      for (const s of statuses) await evaluateGroup(s, Date.now(), deps);
      return performance.now() - t0;
    };
    await round(); // warm-up
    const times: number[] = [];
    for (let i = 0; i < 3; i++) times.push(await round());
    const failed = statuses.flatMap((s) => s.rules).filter((r) => r.health === 'err');
    if (failed.length > 0) throw new Error(`${failed.length} rules failed: ${failed[0].lastError}`);
    const best = Math.min(...times);
    o.log(`evaluation round: ${times.map((t) => t.toFixed(0)).join(' / ')} ms (${(best / o.rules).toFixed(2)} ms per rule; at a 1-minute interval ${((best / 60_000) * 100).toFixed(1)}% of one core)`);
    // ingest of older demo data (inside the default 7-day window) by one client pushing 10-second batches
    let t = now - 6 * 86_400_000;
    const ingestFor = async (ms: number): Promise<number> => {
      const end = Date.now() + ms;
      let n = 0;
      while (Date.now() < end) {
        n += await push(t, t + 10_000);
        t += 10_000;
      }
      return n / (ms / 1000);
    };
    const idle = await ingestFor(15_000);
    let stop = false;
    const loop = (async () => {
      let k = 0;
      for (; !stop; k++) await round();
      return k;
    })();
    const busy = await ingestFor(15_000);
    stop = true;
    const rounds = await loop;
    o.log(`ingest: ${idle.toFixed(0)} lines/s without rules running, ${busy.toFixed(0)} lines/s with evaluation rounds back to back (${rounds} rounds in 15 s)`);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
