// `sightline agent --check`: the config already parsed (so it is valid); now each sink gets an empty delivery,
// which proves the address, TLS and credentials without shipping anything. Exit code 0 only when all answered.

import type { AgentConfig } from './agent-config.ts';

export async function checkAgent(config: AgentConfig, print: (m: string) => void): Promise<number> {
  print(`config OK: ${config.sources.length} source(s), ${config.sinks.length} sink(s), data in ${config.dataDir}`);
  let failed = 0;
  for (const s of config.sinks) {
    try {
      await s.sink.send([]);
      print(`sink ${s.sink.name}: reachable`);
    } catch (e) {
      failed++;
      print(`sink ${s.sink.name}: FAILED: ${(e as Error).message}`);
    } finally {
      await s.sink.close?.();
    }
  }
  return failed === 0 ? 0 : 1;
}
