// `sightline siem`: `check` loads rule files and folders (native and Sigma) and says which did not load and why;
// `hunt` runs rules over history and prints what would have fired (one JSON alert per line), over a server's stored
// records (POST /api/v1/siem/hunt) or offline over a file of records; `incidents` lists and updates incidents.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_TENANT } from '../model/record.ts';
import type { SiemAlert } from '../siem/alert.ts';
import { DetectionEngine } from '../siem/detection-engine.ts';
import { replayNdjson } from '../siem/ndjson-replay.ts';
import { formatFailure, loadedCount, loadRuleTexts, readRulePaths, type RuleLoadFailure } from '../siem/rule-set.ts';
import { EMPTY_MAPPING, loadMapping } from '../siem/sigma/logsource-mapping.ts';
import { parseLokiTime, parseStep } from '../server/loki-params.ts';

const HELP = `sightline siem: detection rules, hunts over history, incidents

  sightline siem check [--mapping FILE] PATH...
      Loads native correlation rules and Sigma rules (files, or folders of .yml/.yaml) and prints
      "loaded N of M rules" and, for each one that did not load, file:line: rule: why. Exit 1 if any failed.

  sightline siem hunt --rules PATH... [--mapping FILE] (--since D | --from T --to T)
                      [--server URL] [--tenant T] [--api-key K] [--input EVENTS.ndjson] [--output ndjson|text]
      Runs the rules over history and prints every alert they would have raised (nobody is notified):
      by default over a server's stored records (POST /api/v1/siem/hunt, through its query engine); with
      --input, offline over a file of records, one JSON object per line: ts, labels, line, optional metadata.
      --output ndjson (default) prints one alert per line: rule, title, severity, group, first_ts, last_ts,
      event_count, events (ts, labels, line, step) and for Sigma rules id, author, tags.

  sightline siem incidents [--status S] [--severity S] [--rule R] [--entity E] [--limit N] [--server URL] [--tenant T]
  sightline siem incident ID [--status S] [--assignee A] [--note TEXT] [--author NAME] [--server URL] [--tenant T]
      Lists incidents (newest first), or shows one and updates its status (new, triaged, in_progress,
      resolved, false_positive), assignee or notes.
`;

export interface Output {
  write(text: string): void;
}

export async function siemCommand(argv: string[], out: Output = process.stdout, err: Output = process.stderr): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'check':
      return check(rest, out);
    case 'hunt':
      return huntCommand(rest, out, err);
    case 'incidents':
      return incidents(rest, out);
    case 'incident':
      return incident(rest, out);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out.write(HELP);
      return sub === undefined ? 2 : 0;
    default:
      err.write(`sightline siem: unknown subcommand "${sub}"\n\n${HELP}`);
      return 2;
  }
}

function mappingOf(file: string | undefined) {
  return file === undefined ? EMPTY_MAPPING : loadMapping(file);
}

function printFailures(failures: RuleLoadFailure[], out: Output): void {
  for (const f of failures) out.write(formatFailure(f) + '\n');
}

function check(argv: string[], out: Output): number {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { mapping: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help || positionals.length === 0) {
    out.write(HELP);
    return values.help ? 0 : 2;
  }
  const set = loadRuleTexts(readRulePaths(positionals), mappingOf(values.mapping));
  const engine = new DetectionEngine({ rules: set, clockWatermark: false });
  const failures = [...set.failures, ...engine.program.failures];
  printFailures(failures, out);
  out.write(`loaded ${loadedCount(set) - engine.program.failures.length} of ${set.total} rules (${set.native.length} native, ${set.sigma.length} Sigma, ${set.correlations.length} Sigma correlations); ${failures.length} did not load\n`);
  return failures.length > 0 ? 1 : 0;
}

function serverOf(v: string | undefined): string {
  return (v ?? process.env.SIGHTLINE_URL ?? 'http://127.0.0.1:3100').replace(/\/$/, '');
}

function headersOf(tenant: string | undefined, apiKey: string | undefined): Record<string, string> {
  const h: Record<string, string> = { 'Content-Type': 'application/json' };
  if (tenant) h['X-Scope-OrgID'] = tenant;
  const key = apiKey ?? process.env.SIGHTLINE_API_KEY;
  if (key) h.Authorization = `Bearer ${key}`;
  return h;
}

async function call(url: string, init: RequestInit): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (e) {
    throw new Error(`cannot reach ${url}: ${(e as Error).cause ?? (e as Error).message}`);
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain text
  }
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${new URL(url).pathname} failed (${res.status}): ${(body as { message?: string }).message ?? text}`);
  return body;
}

function formatAlert(a: SiemAlert, output: string): string {
  if (output === 'ndjson') {
    const { alert_id, rule, title, severity, group, first_ts, last_ts, event_count, events, id, author, tags, references, kind, extends: ext, entities } = a;
    return JSON.stringify({ rule, title, severity, group, first_ts, last_ts, event_count, events: events.map((e) => ({ ts: e.ts, labels: e.labels, line: e.line, step: e.step })), ...(kind !== 'native' ? { id, author, tags, references } : { tags }), kind, entities, alert_id, ...(ext ? { extends: ext } : {}) }) + '\n';
  }
  const when = new Date(Number(BigInt(a.first_ts) / 1_000_000n)).toISOString();
  const group = Object.entries(a.group).map(([k, v]) => `${k}=${v}`).join(' ');
  return `${when} ${a.severity.toUpperCase()} ${a.title}${a.extends ? ' (extends an earlier alert)' : ''} [${a.rule}] ${group} events=${a.event_count}${a.author ? ` author="${a.author}"` : ''}\n`;
}

function rangeOf(values: { since?: string; from?: string; to?: string }): { fromNs: bigint; toNs: bigint } {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  if (values.since !== undefined && (values.from !== undefined || values.to !== undefined)) throw new Error('--since cannot be combined with --from/--to');
  const toNs = parseLokiTime(values.to, nowNs, 'to');
  const fromNs = values.from !== undefined ? parseLokiTime(values.from, 0n, 'from') : toNs - parseStep(values.since ?? '1h', 'since');
  if (toNs <= fromNs) throw new Error('--to must be after --from');
  return { fromNs, toNs };
}

async function huntCommand(argv: string[], out: Output, err: Output): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      rules: { type: 'string', multiple: true },
      mapping: { type: 'string' },
      since: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      server: { type: 'string' },
      tenant: { type: 'string' },
      'api-key': { type: 'string' },
      input: { type: 'string' },
      output: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || !values.rules || values.rules.length === 0) {
    out.write(HELP);
    return values.help ? 0 : 2;
  }
  const output = values.output ?? 'ndjson';
  if (output !== 'ndjson' && output !== 'text') throw new Error(`--output: expected ndjson or text, got "${output}"`);
  const texts = readRulePaths(values.rules);
  // load locally first: rule errors are reported before any round trip
  const mapping = mappingOf(values.mapping);
  const set = loadRuleTexts(texts, mapping);
  const engineCheck = new DetectionEngine({ rules: set, clockWatermark: false });
  const failures = [...set.failures, ...engineCheck.program.failures];
  for (const f of failures) err.write(`rule not loaded: ${formatFailure(f)}\n`);
  if (values.input !== undefined) {
    const alerts = huntFile(values.input, set, values.tenant ?? DEFAULT_TENANT, values, err);
    for (const a of alerts) out.write(formatAlert(a, output));
    err.write(`${alerts.length} alerts from ${loadedCount(set)} rules\n`);
    return 0;
  }
  const { fromNs, toNs } = rangeOf(values);
  const body = { rules: texts, mapping: values.mapping !== undefined ? readFileSync(values.mapping, 'utf8') : undefined, start: fromNs.toString(), end: toNs.toString() };
  const reply = (await call(`${serverOf(values.server)}/api/v1/siem/hunt`, { method: 'POST', headers: headersOf(values.tenant, values['api-key']), body: JSON.stringify(body) })) as {
    alerts: SiemAlert[];
    stats: { records: number; windows: number };
  };
  for (const a of reply.alerts) out.write(formatAlert(a, output));
  err.write(`${reply.alerts.length} alerts from ${loadedCount(set)} rules over ${reply.stats.records} records\n`);
  return 0;
}

/** Offline: the records of an NDJSON file (in the time range, if one is given) through a fresh engine. */
function huntFile(file: string, set: ReturnType<typeof loadRuleTexts>, tenant: string, values: { since?: string; from?: string; to?: string }, err: Output): SiemAlert[] {
  const body = readFileSync(file);
  const range = values.from !== undefined || values.to !== undefined || values.since !== undefined ? rangeOf(values) : undefined;
  const alerts: SiemAlert[] = [];
  const engine = new DetectionEngine({ rules: set, clockWatermark: false, reorderWindowMs: 0, onAlert: (a) => alerts.push(a) });
  for (const r of replayNdjson(engine, body, { name: file, tenant, range }).rejected) err.write(`${r.message}\n`);
  return alerts;
}

async function incidents(argv: string[], out: Output): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { status: { type: 'string' }, severity: { type: 'string' }, rule: { type: 'string' }, entity: { type: 'string' }, limit: { type: 'string' }, server: { type: 'string' }, tenant: { type: 'string' }, 'api-key': { type: 'string' }, output: { type: 'string' } },
  });
  const p = new URLSearchParams();
  for (const k of ['status', 'severity', 'rule', 'entity', 'limit'] as const) if (values[k] !== undefined) p.set(k, values[k]!);
  const reply = (await call(`${serverOf(values.server)}/api/v1/siem/incidents?${p}`, { headers: headersOf(values.tenant, values['api-key']) })) as { incidents: { id: string; severity: string; status: string; title: string; assignee?: string; event_count: number; last_seen: string; entities: { user: string[]; ip: string[] } }[] };
  if (values.output === 'json') {
    out.write(JSON.stringify(reply.incidents, null, 2) + '\n');
    return 0;
  }
  for (const i of reply.incidents) {
    const last = new Date(Number(BigInt(i.last_seen) / 1_000_000n)).toISOString();
    out.write(`${i.id} ${i.severity.toUpperCase()} ${i.status}${i.assignee ? ` @${i.assignee}` : ''} ${i.title} events=${i.event_count} last=${last} users=${i.entities.user.join(',')} ips=${i.entities.ip.join(',')}\n`);
  }
  return 0;
}

async function incident(argv: string[], out: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { status: { type: 'string' }, assignee: { type: 'string' }, note: { type: 'string' }, author: { type: 'string' }, server: { type: 'string' }, tenant: { type: 'string' }, 'api-key': { type: 'string' } },
  });
  const id = positionals[0];
  if (id === undefined) {
    out.write(HELP);
    return 2;
  }
  const url = `${serverOf(values.server)}/api/v1/siem/incidents/${encodeURIComponent(id)}`;
  const headers = headersOf(values.tenant, values['api-key']);
  const update = values.status !== undefined || values.assignee !== undefined || values.note !== undefined;
  const body = update ? JSON.stringify({ status: values.status, assignee: values.assignee, note: values.note, author: values.author }) : undefined;
  const reply = await call(url, update ? { method: 'POST', headers, body } : { headers });
  out.write(JSON.stringify(reply, null, 2) + '\n');
  return 0;
}
