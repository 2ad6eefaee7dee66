// `sightline rules`: `check FILE...` validates rule files like `promtool check rules` (each error `file:line: why`,
// exit 1), `eval` backtests rules over a file of records and prints the alert timeline (nobody is notified).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseTimestampNs } from '../ingest/timestamp.ts';
import { backtest } from '../rules/backtest.ts';
import { parsePromDuration } from '../rules/prom-duration.ts';
import { formatRuleErrors, parseRuleFile, type RuleGroup } from '../rules/rule-file.ts';
import { rfc3339 } from '../rules/rfc3339.ts';

const HELP = `sightline rules: validate and backtest LogQL alerting and recording rules

  sightline rules check FILE...
      Validates rule files (Prometheus/Loki ruler format, expr in LogQL). Prints each problem as
      file:line: why and exits 1 if there is any.

  sightline rules eval --rules FILE [--rules FILE...] --input EVENTS.ndjson [--step 15s] [--output json|text]
                       [--tenant T] [--from T] [--to T]
      Replays the rules over records (one JSON object per line: ts, labels, line, optional metadata) loaded into
      a temporary store, evaluating every group at each step over the records' time span (or --from/--to,
      RFC 3339 or Unix time), and prints one line per alert state change:
      {"ts":"2024-05-01T12:00:00Z","alert":"HighErrorRate","state":"firing","labels":{...},"value":0.07}
      States: pending, firing, resolved (and inactive: a pending alert that cleared before firing).
      --step defaults to each group's interval (1m when unset).

  sightline rules coverage [--rules PATH...] [--mapping FILE] [--server URL] [--output json|text]
      MITRE ATT&CK techniques covered by detection rules (native and Sigma), from their tags: see
      'sightline rules coverage --help'.

  sightline rules bench [--rules 1000] [--rate 200]
      Measures the cost of N alerting rules on a temporary server holding 15 minutes of the demo estate at
      --rate lines/s: one evaluation round, and the ingest rate with and without rules running.
`;

export async function rulesCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'check':
      return check(rest);
    case 'eval':
      return evalRules(rest);
    case 'bench':
      return bench(rest);
    case 'coverage':
      return (await import('./rules-coverage.ts')).rulesCoverage(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return sub === undefined ? 2 : 0;
    default:
      process.stderr.write(`sightline rules: unknown subcommand "${sub}"\n\n${HELP}`);
      return 2;
  }
}

function readRuleFile(file: string): { groups: RuleGroup[]; errors: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { groups: [], errors: `${file}: cannot read rule file: ${(e as Error).message}\n` };
  }
  const parsed = parseRuleFile(text, file);
  return { groups: parsed.groups, errors: formatRuleErrors(parsed.errors) };
}

function check(argv: string[]): number {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean' } } });
  if (values.help || positionals.length === 0) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  let failed = false;
  for (const file of positionals) {
    const { groups, errors } = readRuleFile(file);
    if (errors) {
      failed = true;
      process.stderr.write(errors);
      continue;
    }
    const rules = groups.flatMap((g) => g.rules);
    const alerts = rules.filter((r) => r.kind === 'alert').length;
    process.stdout.write(`${file}: SUCCESS: ${groups.length} group${groups.length === 1 ? '' : 's'}, ${rules.length} rule${rules.length === 1 ? '' : 's'} (${alerts} alerting, ${rules.length - alerts} recording)\n`);
  }
  return failed ? 1 : 0;
}

async function bench(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { rules: { type: 'string' }, rate: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const rules = Number(values.rules ?? 1000);
  const rate = Number(values.rate ?? 200);
  if (!Number.isInteger(rules) || rules < 1) throw new Error(`--rules: expected a positive integer, got "${values.rules}"`);
  if (!(rate > 0)) throw new Error(`--rate: expected lines per second, got "${values.rate}"`);
  const { rulesBench } = await import('../rules/rules-bench.ts');
  await rulesBench({ rules, linesPerSecond: rate, log: (l) => process.stdout.write(l + '\n') });
  return 0;
}

function timeFlag(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ns = parseTimestampNs(v);
  if (ns === undefined) throw new Error(`--${flag}: expected an RFC 3339 time or a Unix time, got "${v}"`);
  return Number(ns / 1_000_000n);
}

async function evalRules(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      rules: { type: 'string', multiple: true },
      input: { type: 'string' },
      step: { type: 'string' },
      output: { type: 'string' },
      tenant: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values.rules?.length || !values.input) {
    process.stderr.write('sightline rules eval: --rules FILE and --input EVENTS.ndjson are required\n');
    return 2;
  }
  const output = values.output ?? 'json';
  if (output !== 'json' && output !== 'text') throw new Error(`--output: expected json or text, got "${output}"`);
  let stepMs: number | undefined;
  if (values.step !== undefined) {
    stepMs = parsePromDuration(values.step);
    if (!stepMs) throw new Error(`--step: expected a duration like 15s or 1m, got "${values.step}"`);
  }
  const groups: { namespace: string; group: RuleGroup }[] = [];
  let errors = '';
  for (const file of values.rules) {
    const r = readRuleFile(file);
    errors += r.errors;
    for (const group of r.groups) groups.push({ namespace: path.basename(file).replace(/\.ya?ml$/, ''), group });
  }
  if (errors) {
    process.stderr.write(errors);
    return 1;
  }
  let input: string;
  try {
    input = readFileSync(values.input, 'utf8');
  } catch (e) {
    throw new Error(`--input: cannot read ${values.input}: ${(e as Error).message}`);
  }
  const summary = await backtest({
    groups,
    input,
    inputName: values.input,
    tenant: values.tenant,
    stepMs,
    fromMs: timeFlag('from', values.from),
    toMs: timeFlag('to', values.to),
    onProblem: (m) => process.stderr.write(m + '\n'),
    onTransition: (t) => {
      const labels = t.alert.labels;
      if (output === 'json') {
        process.stdout.write(JSON.stringify({ ts: rfc3339(t.tMs), alert: t.rule, state: t.state, labels, value: t.alert.value }) + '\n');
      } else {
        const text = Object.entries(labels).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
        process.stdout.write(`${rfc3339(t.tMs)} ${t.state.padEnd(8)} ${t.rule} {${text}} ${t.alert.value}\n`);
      }
    },
  });
  process.stderr.write(`sightline rules eval: ${summary.records} records${summary.rejected ? ` (${summary.rejected} rejected)` : ''}, ${summary.evaluations} group evaluations from ${summary.toMs >= summary.fromMs ? rfc3339(summary.fromMs) + ' to ' + rfc3339(summary.toMs) : '(no records)'}, ${summary.transitions} state changes\n`);
  return 0;
}
