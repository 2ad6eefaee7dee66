// `sightline demo` (what `npm start` runs): a server plus a generator playing a 17-pod microservice estate and, every
// few minutes, the guide's account takeover on a bastion host, pushing through the real Loki push API, with a
// backfill so there is something to query at once. The server runs examples/rules (alerting) and examples/detections.

import { parseArgs } from 'node:util';
import path from 'node:path';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG, parseDurationMs } from '../server/config.ts';
import { startServer } from '../server/sightline-server.ts';
import { DemoFeed } from '../demo/demo-feed.ts';
import { writeDemoSiemConfig } from '../demo/demo-siem.ts';

const BACKFILL_MS = 15 * 60_000;
/** the first live attack play starts this long after the demo starts */
const FIRST_LIVE_ATTACK_MS = 20_000;

/** Play starts: every `everyMs`, one at start + FIRST_LIVE_ATTACK_MS and as many before it as the backfill holds. */
export function attackSchedule(startMs: number, everyMs: number): { firstMs: number; everyMs: number } {
  const before = Math.floor((BACKFILL_MS - 60_000) / everyMs);
  return { firstMs: startMs + FIRST_LIVE_ATTACK_MS - Math.max(0, before) * everyMs, everyMs };
}

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
    options: { 'data-dir': { type: 'string' }, port: { type: 'string' }, rate: { type: 'string' }, 'attack-every': { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    process.stdout.write('sightline demo [--data-dir DIR (default ./data/demo)] [--port N (default 3100)] [--rate LINES_PER_SEC (default 200)]\n' +
      '               [--attack-every DURATION (default 5m; 0 = no attacks)]\n');
    return 0;
  }
  const dataDir = values['data-dir'] ?? path.join('data', 'demo');
  const port = values.port !== undefined ? Number(values.port) : 3100;
  const rate = values.rate !== undefined ? Number(values.rate) : 200;
  const every = values['attack-every'];
  const attackEvery = every === undefined ? 300_000 : every === '0' ? 0 : parseDurationMs(every, '--attack-every');
  if (attackEvery !== 0 && attackEvery < 10_000) throw new Error(`--attack-every: expected 0 or a duration of at least 10s, got ${every}`);
  const server = await startServer({ ...DEFAULT_CONFIG, dataDir, port, ...demoAlerting(dataDir), siemFile: writeDemoSiemConfig(dataDir) });
  const started = Date.now();
  const feed = new DemoFeed({ seed: started % 100_000, linesPerSecond: rate, attack: attackEvery === 0 ? undefined : attackSchedule(started, attackEvery) });
  const push = async (fromMs: number, toMs: number): Promise<number> => {
    const streams = feed.produce(fromMs, toMs);
    if (streams.length === 0) return 0;
    const res = await fetch(`${server.url}/loki/api/v1/push`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ streams }) });
    if (res.status !== 204) process.stderr.write(`demo: push answered ${res.status}: ${await res.text()}\n`);
    return streams.reduce((n, s) => n + s.values.length, 0);
  };
  let last = started;
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

${attackEvery === 0 ? 'Attack plays are off (--attack-every 0).' : `The detection rules in examples/detections are loaded (siem.yaml in the data dir). Every ${Math.round(attackEvery / 1000)}s the demo plays the
guide's account takeover on host bastion-1 (sshd failures, a success, sudo usermod -aG, sometimes a mass download),
with near misses that must not fire; the first live one starts at about ${new Date(started + FIRST_LIVE_ATTACK_MS).toISOString().slice(11, 19)} UTC, earlier ones are in the backfill.
Each raises one HIGH "account takeover suspected" incident (printed here as an ALERT line):
  curl -s '${u}/api/v1/siem/incidents?severity=high' ; echo
  ./bin/sightline siem incidents --server ${u}
  ./bin/sightline query '{host="bastion-1"}' --since 15m --server ${u}`}

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
