// `sightline agent`: tails files and ships them with at-least-once delivery, from a config file or, for the
// common case, from flags alone. `--check` validates the config and tries each sink's connection, then exits.

import { parseArgs } from 'node:util';
import { Agent, type AgentPipeline } from '../agent/agent.ts';
import { loadAgentConfig, quickAgentConfig, type AgentConfig } from '../agent/agent-config.ts';
import { checkAgent } from '../agent/agent-check.ts';

const HELP = `sightline agent: collect logs where they are written and ship them to Sightline (or elsewhere)

  sightline agent --config agent.yaml          run from a config file (see docs/agent.md)
  sightline agent --config agent.yaml --check  validate the config and test each sink's connection

Quick mode, no config file:
  --file GLOB        a file or glob to tail from the beginning (repeatable)
  --server URL       the Sightline server, e.g. http://127.0.0.1:3100
  --label k=v        a label for every line (repeatable; host=<hostname> is always added)
  --api-key K        API key (also from SIGHTLINE_API_KEY)
  --tenant T         tenant (X-Scope-OrgID) when the key serves several
  --ca-file F        CA certificate to trust for an https:// server
  --data-dir DIR     where checkpoints live (default ./sightline-agent-data)
`;

export async function agentCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      check: { type: 'boolean' },
      file: { type: 'string', multiple: true },
      server: { type: 'string' },
      label: { type: 'string', multiple: true },
      'api-key': { type: 'string' },
      tenant: { type: 'string' },
      'ca-file': { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  let config: AgentConfig;
  if (values.config) {
    config = loadAgentConfig(values.config);
  } else if (values.file || values.server) {
    if (!values.server) throw new Error('--server URL is required with --file');
    config = quickAgentConfig({
      files: values.file ?? [],
      server: values.server,
      labels: values.label ?? [],
      apiKey: values['api-key'] ?? process.env.SIGHTLINE_API_KEY,
      tenant: values.tenant,
      dataDir: values['data-dir'],
      caFile: values['ca-file'],
    });
  } else {
    process.stderr.write(HELP);
    return 2;
  }
  // the same pipelines file format as the server's, loaded (and so validated) before anything starts
  // (imported only when used: the processor library is most of the agent's code)
  const pipeline = config.pipelinesFile ? await loadPipeline(config.pipelinesFile) : undefined;
  if (values.check) return checkAgent(config, (m) => process.stdout.write(m + '\n'));
  const agent = new Agent(config, pipeline);
  await agent.start();
  const sources = config.sources.map((s) => (s.type === 'file' ? s.file.include.join(', ') : s.type === 'kubernetes' ? s.kubernetes.file.include.join(', ') : `${s.name} (${s.type})`)).join(', ');
  process.stdout.write(`sightline agent running: ${sources} → ${config.sinks.map((s) => s.sink.name).join(', ')} (checkpoints in ${config.dataDir})\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await agent.stop();
  return 0;
}

async function loadPipeline(file: string): Promise<AgentPipeline> {
  const [{ loadPipelinesFile }, { PipelineRunner }] = await Promise.all([import('../pipeline/pipeline-config.ts'), import('../pipeline/runner.ts')]);
  return new PipelineRunner(loadPipelinesFile(file), { warn: (m) => process.stderr.write(`agent: pipeline: ${m}\n`) });
}
