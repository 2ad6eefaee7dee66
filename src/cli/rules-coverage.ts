// `sightline rules coverage`: the MITRE ATT&CK techniques that detection rules cover, from the rules' tags: of rule
// files and folders (--rules, read locally), or of the rules a server runs (GET /api/v1/detections/coverage).
// JSON is the API's reply as is; text is a table by tactic (docs/detection.md "ATT&CK coverage").

import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config-node.ts';
import { coverageOf, enabledRules, type Coverage } from '../siem/coverage.ts';
import { DetectionEngine } from '../siem/detection-engine.ts';
import { formatFailure, loadRuleTexts, readRulePaths } from '../siem/rule-set.ts';
import { EMPTY_MAPPING, loadMapping } from '../siem/sigma/logsource-mapping.ts';

const HELP = `sightline rules coverage: MITRE ATT&CK techniques covered by detection rules

  sightline rules coverage --rules PATH... [--mapping FILE] [--output json|text]
      Reads native and Sigma rule files and folders and lists each technique their attack.tNNNN tags name,
      with the tactics it sits under and the enabled rules covering it.
  sightline rules coverage [--server URL] [--tenant T] [--api-key K] [--output json|text]
      The same for the rules a server runs (GET /api/v1/detections/coverage; $SIGHTLINE_URL, default
      http://127.0.0.1:3100; key from $SIGHTLINE_API_KEY).

  --output text (default) prints one line per technique under each tactic; json prints
  {"status":"success","data":{"tactics":[...],"techniques":[...],"rules_without_tags":N}}.
  Exit status: 0; 1 when a rule did not load (named on stderr; the others are counted); 2 bad usage.
`;

export interface Output {
  write(text: string): void;
}

export async function rulesCoverage(argv: string[], out: Output = process.stdout, err: Output = process.stderr): Promise<number> {
  let values;
  let rulePaths: string[];
  try {
    const parsed = parseArgs({
      args: argv,
      // `--rules a b c`: paths after the flag are rule paths too
      allowPositionals: true,
      options: {
        rules: { type: 'string', multiple: true },
        mapping: { type: 'string' },
        output: { type: 'string' },
        server: { type: 'string' },
        tenant: { type: 'string' },
        'api-key': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    values = parsed.values;
    rulePaths = [...(values.rules ?? []), ...parsed.positionals];
  } catch (e) {
    err.write(`sightline rules coverage: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    out.write(HELP);
    return 0;
  }
  const output = values.output ?? 'text';
  if (output !== 'json' && output !== 'text') {
    err.write(`sightline rules coverage: --output: expected json or text, got "${output}"\n`);
    return 2;
  }
  let coverage: Coverage;
  let failed = 0;
  if (rulePaths.length > 0) {
    try {
      const set = loadRuleTexts(readRulePaths(rulePaths), values.mapping !== undefined ? loadMapping(values.mapping) : EMPTY_MAPPING);
      const program = new DetectionEngine({ rules: set, clockWatermark: false }).program;
      const failures = [...set.failures, ...program.failures];
      for (const f of failures) err.write(`rule not loaded: ${formatFailure(f)}\n`);
      failed = failures.length;
      coverage = coverageOf(enabledRules(set, program.failures));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      err.write(`sightline rules coverage: ${e.message}\n`);
      return 2;
    }
  } else {
    coverage = await fromServer(values.server, values.tenant, values['api-key']);
  }
  out.write(output === 'json' ? JSON.stringify({ status: 'success', data: coverage }) + '\n' : coverageText(coverage));
  return failed > 0 ? 1 : 0;
}

async function fromServer(server: string | undefined, tenant: string | undefined, apiKey: string | undefined): Promise<Coverage> {
  const base = (server ?? process.env.SIGHTLINE_URL ?? 'http://127.0.0.1:3100').replace(/\/$/, '');
  const headers: Record<string, string> = {};
  if (tenant) headers['X-Scope-OrgID'] = tenant;
  const key = apiKey ?? process.env.SIGHTLINE_API_KEY;
  if (key) headers.Authorization = `Bearer ${key}`;
  const url = `${base}/api/v1/detections/coverage`;
  let res: Response;
  try {
    res = await fetch(url, { headers });
  } catch (e) {
    throw new Error(`cannot reach ${url}: ${(e as Error).cause ?? (e as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`GET /api/v1/detections/coverage failed (${res.status}): ${text}`);
  return (JSON.parse(text) as { data: Coverage }).data;
}

/** Tactic by tactic, each covered technique with its rules; then the totals. */
export function coverageText(c: Coverage): string {
  let text = '';
  for (const tactic of c.tactics) {
    const techs = c.techniques.filter((t) => t.tactics.includes(tactic.id));
    if (techs.length === 0) continue;
    text += `${tactic.name} (${tactic.id})\n`;
    for (const t of techs) {
      const id = t.subtechnique ?? t.id;
      text += `  ${id.padEnd(10)} ${(t.name ?? '(name not in the table)').slice(0, 60).padEnd(60)} ${t.rules.length} rule${t.rules.length === 1 ? '' : 's'}: ${ruleList(t.rules)}\n`;
    }
  }
  const untactic = c.techniques.filter((t) => t.tactics.length === 0);
  if (untactic.length > 0) {
    text += 'No tactic known\n';
    for (const t of untactic) text += `  ${(t.subtechnique ?? t.id).padEnd(10)} ${t.rules.length} rule${t.rules.length === 1 ? '' : 's'}: ${ruleList(t.rules)}\n`;
  }
  const ruleIds = new Set(c.techniques.flatMap((t) => t.rules.map((r) => `${r.source}:${r.id}`)));
  text += `${c.techniques.length} techniques and sub-techniques covered by ${ruleIds.size} rule${ruleIds.size === 1 ? '' : 's'}; ${c.rules_without_tags} enabled rule${c.rules_without_tags === 1 ? '' : 's'} without an ATT&CK technique tag\n`;
  return text;
}

/** The first five rule ids, then how many more (the JSON output lists them all). */
function ruleList(rules: readonly { id: string }[]): string {
  const shown = rules.slice(0, 5).map((r) => r.id).join(', ');
  return rules.length > 5 ? `${shown} and ${rules.length - 5} more` : shown;
}
