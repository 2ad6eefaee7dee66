// `sightline demo` (what `npm start` runs): a server plus a generator playing a 17-pod microservice estate,
// pushing through the real Loki push API, with a backfill so there is something to query at once.

import { parseArgs } from 'node:util';
import path from 'node:path';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG } from '../server/config.ts';
import { startServer } from '../server/sightline-server.ts';
import { Estate } from '../demo/estate.ts';

const BACKFILL_MS = 15 * 60_000;

/** The guide's alert rule (examples/rules/error-rate.yaml) and a console receiver, so error bursts visibly fire and resolve. */
function demoAlerting(dataDir: string): { rulesDir: string; alertingConfigFile: string } {
  const rulesDir = path.join(dataDir, 'rules');
  mkdirSync(path.join(rulesDir, 'default'), { recursive: true });
  copyFileSync(fileURLToPath(new URL('../../examples/rules/error-rate.yaml', import.meta.url)), path.join(rulesDir, 'default', 'error-rate.yaml'));
  const alertingConfigFile = path.join(dataDir, 'alerting.yaml');
  writeFileSync(alertingConfigFile, 'route:\n  receiver: console\n  group_by: [alertname, service]\n  group_wait: 10s\n  group_interval: 30s\nreceivers:\n  - name: console\n    log_configs:\n      - send_resolved: true\n');
  return { rulesDir, alertingConfigFile };
}

export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { 'data-dir': { type: 'string' }, port: { type: 'string' }, rate: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    process.stdout.write('sightline demo [--data-dir DIR (default ./data/demo)] [--port N (default 3100)] [--rate LINES_PER_SEC (default 200)]\n');
    return 0;
  }
  const dataDir = values['data-dir'] ?? path.join('data', 'demo');
  const port = values.port !== undefined ? Number(values.port) : 3100;
  const rate = values.rate !== undefined ? Number(values.rate) : 200;
  const server = await startServer({ ...DEFAULT_CONFIG, dataDir, port, ...demoAlerting(dataDir) });
  const estate = new Estate({ seed: Date.now() % 100_000, linesPerSecond: rate });
  const push = async (fromMs: number, toMs: number): Promise<number> => {
    const streams = estate.produce(fromMs, toMs);
    if (streams.length === 0) return 0;
    const res = await fetch(`${server.url}/loki/api/v1/push`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ streams }) });
    if (res.status !== 204) process.stderr.write(`demo: push answered ${res.status}: ${await res.text()}\n`);
    return streams.reduce((n, s) => n + s.values.length, 0);
  };
  let last = Date.now();
  let sent = 0;
  for (let t = last - BACKFILL_MS; t < last; t += 30_000) sent += await push(t, Math.min(t + 30_000, last));

  const u = server.url;
  process.stdout.write(`
Sightline demo is running at ${u}: 6 services, 17 pods, ~${rate} lines/s (backfilled ${sent} lines from the last 15 minutes).

Try:
  ./bin/sightline query '{service="payment"} |= "timeout"' --since 15m --server ${u}
  ./bin/sightline query 'sum by (service) (count_over_time({level="error"}[5m]))' --since 15m --server ${u}
  ./bin/sightline query '{service="auth"} | json | level="warn"' --since 15m --server ${u}
  curl -s '${u}/loki/api/v1/labels' ; echo
  curl -s -G '${u}/loki/api/v1/query_range' --data-urlencode 'query={namespace="shop"} |= "trace_id"' --data-urlencode limit=5 ; echo
  Web UI: open ${u}/ in a browser
  Grafana: add a Loki data source with URL ${u}

The alert rule examples/rules/error-rate.yaml (more than 5% error lines per service over 5 minutes) is loaded:
its firing and resolved notifications print here as ALERT lines. curl -s ${u}/prometheus/api/v1/alerts ; echo

Press Ctrl+C to stop.
`);
  const timer = setInterval(() => {
    const now = Date.now();
    void push(last, now).catch((e: Error) => process.stderr.write(`demo: push failed: ${e.message}\n`));
    last = now;
  }, 1000);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  clearInterval(timer);
  await server.close();
  return 0;
}
