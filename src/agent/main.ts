// The agent's own entry point. `bin/sightline agent` runs it as one pre-bundled JavaScript file (see
// scripts/bundle-agent.mjs) instead of through tsx, which keeps the TypeScript loader out of the agent's memory.

import v8 from 'node:v8';
import { agentCommand } from '../cli/agent-command.ts';

/**
 * GC heuristics for a small, steady footprint at full speed (BENCHMARKS.md#agent): the young generation stays at
 * its initial size instead of growing to 2×16 MB, and the old generation grows by 20% per step instead of V8's
 * up-to-4×. Both flags are read by V8 at each GC decision, so they apply even when set after start (the heap is
 * still small here). SIGHTLINE_AGENT_V8_FLAGS replaces them ("" = V8's defaults).
 */
const GC_FLAGS = '--semi-space-growth-factor=1 --heap-growing-percent=20';
const flags = process.env.SIGHTLINE_AGENT_V8_FLAGS ?? GC_FLAGS;
if (flags.trim() !== '') v8.setFlagsFromString(flags);

agentCommand(process.argv.slice(3)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`sightline agent: ${(e as Error).message ?? String(e)}\n`);
    process.exit(1);
  },
);
