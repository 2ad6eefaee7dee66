// The agent's own entry point. `bin/sightline agent` runs it as one pre-bundled JavaScript file (see
// scripts/bundle-agent.mjs) instead of through tsx, which keeps the TypeScript loader out of the agent's memory.

import { agentCommand } from '../cli/agent-command.ts';

agentCommand(process.argv.slice(3)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`sightline agent: ${(e as Error).message ?? String(e)}\n`);
    process.exit(1);
  },
);
