// `sightline bench --pipeline`: events per second on one core through a pipelines file (default
// examples/pipeline/web-and-app.yaml: parse, normalize, GeoIP, mask, route) along the server's own path: ingest batch →
// events → pipelines → outputs → store batches (everything but the store). Corpora: generated nginx access lines,
// JSON app lines made from the real OpenStack sample in ../shared/data/loghub, and generated JSON app lines.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Prng } from '../demo/prng.ts';
import type { IngestBatch, Labels } from '../model/record.ts';
import { batchToEvents, eventsToBatches } from '../pipeline/event-batch.ts';
import { splitByOutput } from '../pipeline/outputs.ts';
import { closePipelines, loadPipelinesFile, type PipelinesConfig } from '../pipeline/pipeline-config.ts';
import { PipelineRunner } from '../pipeline/runner.ts';

const REPO = path.resolve(import.meta.dirname, '..', '..');

const HELP = `sightline bench --pipeline: pipeline throughput on one core

  --events N     events per corpus (default 200000)
  --batch N      events per ingest batch (default 1000)
  --config FILE  pipelines file (default examples/pipeline/web-and-app.yaml)
  --loghub DIR   Loghub samples (default ../shared/data/loghub); the OpenStack sample becomes JSON app lines
  --out FILE     JSON results (default bench-results/pipeline.json)
`;

export interface Corpus {
  name: string;
  labels: Labels;
  lines: string[];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** nginx `combined` lines: public client IPs (GeoIP has work to do), some health checks, errors and secrets in URLs. */
export function nginxLines(n: number, seed = 7): string[] {
  const rng = new Prng(seed, 1);
  const ips = Array.from({ length: 5000 }, () => `${rng.pick([23, 31, 45, 51, 62, 77, 81, 94, 104, 128, 151, 185, 203])}.${rng.int(256)}.${rng.int(256)}.${1 + rng.int(254)}`);
  const agents = ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36', 'curl/8.5.0', 'Go-http-client/1.1', 'okhttp/4.12.0'];
  const out: string[] = [];
  const start = Date.UTC(2024, 4, 1, 12, 0, 0);
  for (let i = 0; i < n; i++) {
    const d = new Date(start + i * 7);
    const time = `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
    const roll = rng.next();
    let path: string;
    let agent = rng.pick(agents);
    if (roll < 0.05) {
      path = rng.pick(['/healthz', '/readyz']);
      agent = 'kube-probe/1.29';
    } else if (roll < 0.08) path = `/api/v1/session?token=${rng.alnum(32)}&user=u${rng.int(1000)}`;
    else if (roll < 0.1) path = `/api/v1/newsletter?email=user${rng.int(10000)}%40example.com`;
    else path = rng.pick(['/api/v1/orders/', '/api/v1/cart/', '/static/js/app.', '/api/v1/products/']) + rng.int(100000);
    const status = rng.chance(0.02) ? rng.pick([500, 502, 503, 504]) : rng.chance(0.05) ? rng.pick([400, 401, 404]) : 200;
    // joined, not concatenated: a template literal makes a rope that the pipeline would flatten (a copy per line,
    // kept alive by the corpus) on first read, which lines read from a socket or a file never need
    out.push([rng.pick(ips), ' - - [', time, '] "', rng.pick(['GET', 'GET', 'GET', 'POST', 'PUT']), ' ', path, ' HTTP/1.1" ', status, ' ', rng.between(0, 50000), ' "-" "', agent, '"'].join(''));
  }
  return out;
}

const OPENSTACK = /^(\S+) (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d+) (\d+) (\w+) (\S+) (?:\[([^\]]*)\] )?(.*)$/;

/** The real OpenStack (nova) sample as JSON app lines: {"timestamp","level","logger","pid","request","msg"}. */
export function loghubJsonLines(loghubDir: string, n: number): string[] {
  const file = path.join(loghubDir, 'OpenStack', 'OpenStack_2k.log');
  const source: string[] = [];
  // the sample has CRLF line ends
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const m = OPENSTACK.exec(line);
    if (!m) continue;
    const [, , date, time, pid, level, logger, context, msg] = m;
    source.push(JSON.stringify({ timestamp: `${date}T${time}Z`, level, logger, pid: Number(pid), request: context?.split(' ')[0], msg }));
  }
  if (source.length === 0) throw new Error(`${file}: no OpenStack lines recognised`);
  return Array.from({ length: n }, (_, i) => source[i % source.length]);
}

/** Generated JSON app lines: levels (10% debug, 3% error), trace ids, durations, and e-mails, cards, tokens to mask. */
export function appJsonLines(n: number, seed = 11): string[] {
  const rng = new Prng(seed, 2);
  const messages = ['order created', 'payment authorized', 'cart updated', 'user logged in', 'cache miss', 'upstream call finished', 'retrying request'];
  const start = Date.UTC(2024, 4, 1, 12, 0, 0);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const roll = rng.next();
    const lvl = roll < 0.1 ? 'debug' : roll < 0.13 ? 'error' : roll < 0.2 ? 'warn' : 'info';
    const o: Record<string, unknown> = { time: new Date(start + i * 3).toISOString(), lvl, msg: rng.pick(messages), trace_id: rng.hex(16), span_id: rng.hex(8), duration_ms: rng.between(1, 900) };
    const extra = rng.next();
    if (extra < 0.05) o.customer_email = `customer${rng.int(50000)}@example.org`;
    else if (extra < 0.07) o.card = `4111 1111 1111 ${String(rng.int(10000)).padStart(4, '0')}`;
    else if (extra < 0.09) o.authorization = `Bearer ${rng.alnum(40)}`;
    if (lvl === 'error') o.error = 'connection reset by peer';
    out.push(JSON.stringify(o));
  }
  return out;
}

function batchesOf(corpus: Corpus, batchSize: number, tenant = 'default'): IngestBatch[] {
  const out: IngestBatch[] = [];
  const base = BigInt(Date.UTC(2024, 4, 1, 12)) * 1_000_000n;
  for (let i = 0; i < corpus.lines.length; i += batchSize) {
    const lines = corpus.lines.slice(i, i + batchSize);
    const ts = lines.map((_, j) => base + BigInt(i + j) * 1000n);
    out.push({ tenant, streams: [{ labels: corpus.labels, ts, lines, metadata: lines.map(() => undefined) }], entries: lines.length, bytes: lines.reduce((n, l) => n + l.length, 0) });
  }
  return out;
}

export interface CorpusResult {
  corpus: string;
  events: number;
  stored: number;
  archived: number;
  alerted: number;
  /** events the pipelines dropped (filters, sampling, rate limits) or routed to no output */
  dropped: number;
  /** wall time inside each processor (pipeline/processor), in µs per event of the corpus */
  processorMicros: Record<string, number>;
  wallSeconds: number;
  cpuSeconds: number;
  eventsPerCpuSecond: number;
}

/** Runs one corpus through fresh pipelines; the clock advances as if events arrived at 2000/s (so rate limits stay out of the way). */
export function measureCorpus(configFile: string, corpus: Corpus, batchSize: number): CorpusResult {
  const batches = batchesOf(corpus, batchSize);
  const config = loadPipelinesFile(configFile);
  const spent = timeProcessors(config);
  const runner = new PipelineRunner(config, { warn: () => {} });
  const result: CorpusResult = { corpus: corpus.name, events: 0, stored: 0, archived: 0, alerted: 0, dropped: 0, processorMicros: {}, wallSeconds: 0, cpuSeconds: 0, eventsPerCpuSecond: 0 };
  let nowMs = Date.now();
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  for (const b of batches) {
    const out = runner.process(batchToEvents(b), nowMs);
    nowMs += (b.entries / 2000) * 1000;
    const routed = splitByOutput(out);
    if (routed.store.length > 0) eventsToBatches(routed.store);
    result.events += b.entries;
    result.dropped += b.entries - out.length + routed.dropped;
    result.stored += routed.store.length;
    result.archived += routed.archive.length;
    result.alerted += routed.alert.length;
  }
  const cpu = process.cpuUsage(cpu0);
  result.wallSeconds = Number(process.hrtime.bigint() - wall0) / 1e9;
  result.cpuSeconds = (cpu.user + cpu.system) / 1e6;
  result.eventsPerCpuSecond = Math.round(result.events / result.cpuSeconds);
  for (const [name, ms] of spent) if (ms > 0) result.processorMicros[name] = Math.round((ms * 1000 * 100) / result.events) / 100;
  runner.close();
  return result;
}

/** Wraps every processor to add up the wall time of its calls (one clock read per batch: negligible). */
function timeProcessors(config: PipelinesConfig): Map<string, number> {
  const spent = new Map<string, number>();
  for (const p of config.pipelines) {
    for (const slot of p.processors) {
      const name = `${p.name}/${slot.name}`;
      const inner = slot.processor;
      spent.set(name, 0);
      slot.processor = {
        process(events, ctx) {
          const t = performance.now();
          const out = inner.process(events, ctx);
          spent.set(name, spent.get(name)! + performance.now() - t);
          return out;
        },
        flush: inner.flush?.bind(inner),
        close: inner.close?.bind(inner),
      };
    }
  }
  return spent;
}

export async function pipelineBench(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { events: { type: 'string' }, batch: { type: 'string' }, config: { type: 'string' }, loghub: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const events = Number(values.events ?? 200_000);
  const batch = Number(values.batch ?? 1000);
  if (!Number.isInteger(events) || events <= 0) throw new Error(`--events: expected a positive integer, got "${values.events}"`);
  if (!Number.isInteger(batch) || batch <= 0) throw new Error(`--batch: expected a positive integer, got "${values.batch}"`);
  const config = path.resolve(values.config ?? path.join(REPO, 'examples', 'pipeline', 'web-and-app.yaml'));
  const loghub = path.resolve(values.loghub ?? path.join(REPO, '..', 'shared', 'data', 'loghub'));
  closePipelines(loadPipelinesFile(config).pipelines); // fails early, with file:line, on a bad file

  const corpora: Corpus[] = [{ name: 'nginx access (generated)', labels: { service: 'nginx' }, lines: nginxLines(events) }];
  if (existsSync(path.join(loghub, 'OpenStack'))) corpora.push({ name: 'JSON app (loghub OpenStack)', labels: { service: 'nova-api', app: 'nova' }, lines: loghubJsonLines(loghub, events) });
  else process.stderr.write(`note: ${loghub}/OpenStack not found: the loghub corpus is skipped\n`);
  corpora.push({ name: 'JSON app (generated)', labels: { service: 'checkout', app: 'checkout' }, lines: appJsonLines(events) });

  // warm-up: let the JIT see every path before anything is timed
  for (const c of corpora) measureCorpus(config, { ...c, lines: c.lines.slice(0, Math.min(20_000, c.lines.length)) }, batch);

  const results = corpora.map((c) => measureCorpus(config, c, batch));
  const total = results.reduce((n, r) => n + r.events, 0);
  const cpu = results.reduce((n, r) => n + r.cpuSeconds, 0);
  process.stdout.write(`pipelines: ${path.relative(process.cwd(), config)}; ${events} events per corpus in batches of ${batch}; one thread\n\n`);
  process.stdout.write(`${'corpus'.padEnd(30)} ${'events/s/core'.padStart(13)} ${'stored'.padStart(8)} ${'archived'.padStart(9)} ${'alerted'.padStart(8)} ${'dropped'.padStart(8)} ${'cpu s'.padStart(7)}\n`);
  for (const r of results) {
    process.stdout.write(`${r.corpus.padEnd(30)} ${String(r.eventsPerCpuSecond).padStart(13)} ${String(r.stored).padStart(8)} ${String(r.archived).padStart(9)} ${String(r.alerted).padStart(8)} ${String(r.dropped).padStart(8)} ${r.cpuSeconds.toFixed(2).padStart(7)}\n`);
  }
  process.stdout.write(`${'all'.padEnd(30)} ${String(Math.round(total / cpu)).padStart(13)}\n\n`);
  process.stdout.write('time inside each processor, µs per event of the corpus (the rest is conversion, conditions and GC):\n');
  for (const r of results) {
    const parts = Object.entries(r.processorMicros).sort((a, b) => b[1] - a[1]).map(([n, us]) => `${n} ${us.toFixed(2)}`);
    process.stdout.write(`  ${r.corpus}: total ${((r.cpuSeconds * 1e6) / r.events).toFixed(2)} (cpu); ${parts.join(', ')}\n`);
  }
  const out = path.resolve(values.out ?? path.join('bench-results', 'pipeline.json'));
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ config: path.relative(REPO, config), eventsPerCorpus: events, batch, node: process.version, results, eventsPerCpuSecond: Math.round(total / cpu) }, null, 2) + '\n');
  process.stdout.write(`\nresults: ${out}\n`);
  return 0;
}
