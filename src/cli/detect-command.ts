// `sightline detect`: runs detection rules (native and Sigma, files or folders) offline over a file of records in the
// native NDJSON shape and prints what would have fired, one alert per line (docs/detection.md "sightline detect").
// Bad input lines and rules that do not load are reported on stderr with their place; the good ones still run.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config-node.ts';
import { DEFAULT_TENANT } from '../model/record.ts';
import type { SiemAlert } from '../siem/alert.ts';
import { formatDetectionText, toDetectionAlert } from '../siem/detection-alert.ts';
import { DetectionEngine } from '../siem/detection-engine.ts';
import { replayNdjson } from '../siem/ndjson-replay.ts';
import { formatFailure, loadedCount, loadRuleTexts, readRulePaths } from '../siem/rule-set.ts';
import { EMPTY_MAPPING, loadMapping } from '../siem/sigma/logsource-mapping.ts';

const HELP = `sightline detect: run detection rules over a file of records and print what would have fired

  sightline detect --rules PATH... --input EVENTS.ndjson [--mapping FILE] [--output ndjson|text]

  --rules PATH     a rule file or a folder of them (.yml/.yaml, recursively): native correlation rules and
                   Sigma detection and correlation rules. Several: --rules a b, or --rules a --rules b.
  --input FILE     records, one JSON object per line: ts (RFC 3339 or Unix time), labels (object of strings),
                   line (text), optional metadata (object of strings). "-" reads standard input.
  --mapping FILE   the Sigma logsource mapping (default: a rule's product/category/service match labels of the
                   same names).
  --output ndjson  (default) one alert per line: rule, title, severity, group, first_ts, last_ts, event_count,
                   events (ts, labels, line, step), tags, and for Sigma rules id, author, references.
  --output text    one line per alert for people.

  Nobody is notified and nothing is stored. Exit status: 0 all rules and records were read; 1 some input
  lines or rules were rejected (each named on stderr with its file and line; the others still ran);
  2 nothing could run (bad usage, unreadable file or mapping, no rule loaded).
`;

export interface Output {
  write(text: string): void;
}

/** Exit 2: nothing could run. */
class UsageError extends Error {}

export async function detectCommand(argv: string[], out: Output = process.stdout, err: Output = process.stderr): Promise<number> {
  try {
    return run(argv, out, err);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) {
      err.write(`sightline detect: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

function run(argv: string[], out: Output, err: Output): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      // `--rules a b c`: paths after the flag are rule paths too
      allowPositionals: true,
      options: {
        rules: { type: 'string', multiple: true },
        input: { type: 'string' },
        mapping: { type: 'string' },
        output: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  const rulePaths = [...(values.rules ?? []), ...positionals];
  if (values.help) {
    out.write(HELP);
    return 0;
  }
  if (rulePaths.length === 0) throw new UsageError(`--rules PATH is required\n\n${HELP}`);
  if (values.input === undefined) throw new UsageError(`--input EVENTS.ndjson is required\n\n${HELP}`);
  const output = values.output ?? 'ndjson';
  if (output !== 'ndjson' && output !== 'text') throw new UsageError(`--output: expected ndjson or text, got "${output}"`);

  const mapping = values.mapping !== undefined ? loadMapping(values.mapping) : EMPTY_MAPPING;
  const rules = loadRuleTexts(readRulePaths(rulePaths), mapping);
  const alerts: SiemAlert[] = [];
  const engine = new DetectionEngine({ rules, clockWatermark: false, reorderWindowMs: 0, onAlert: (a) => alerts.push(a) });
  const ruleFailures = [...rules.failures, ...engine.program.failures];
  for (const f of ruleFailures) err.write(`rule not loaded: ${formatFailure(f)}\n`);
  const runnable = loadedCount(rules) - engine.program.failures.length;
  if (runnable <= 0) throw new UsageError(`no rule loaded from ${rulePaths.join(', ')} (${rules.total} found)`);

  const name = values.input === '-' ? '<stdin>' : values.input;
  let body: Buffer;
  try {
    body = readFileSync(values.input === '-' ? 0 : values.input);
  } catch (e) {
    throw new UsageError(`--input: cannot read ${name}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const { records, rejected } = replayNdjson(engine, body, { name, tenant: DEFAULT_TENANT });
  for (const r of rejected) err.write(`${r.message}\n`);
  for (const a of alerts) {
    const d = toDetectionAlert(a);
    out.write((output === 'ndjson' ? JSON.stringify(d) : formatDetectionText(d)) + '\n');
  }
  err.write(`${alerts.length} alert${alerts.length === 1 ? '' : 's'} from ${runnable} rule${runnable === 1 ? '' : 's'} over ${records} records${rejected.length ? `; ${rejected.length} input line${rejected.length === 1 ? '' : 's'} rejected` : ''}${ruleFailures.length ? `; ${ruleFailures.length} rule${ruleFailures.length === 1 ? '' : 's'} not loaded` : ''}\n`);
  return rejected.length > 0 || ruleFailures.length > 0 ? 1 : 0;
}
