// The `sightline` command: dispatches to its roles (server, query, demo, bench).

import { SIGHTLINE_VERSION } from './version.ts';

const USAGE = `sightline ${SIGHTLINE_VERSION}: centralized logs with a built-in SIEM

Usage:
  sightline server [--data-dir DIR] [--host H] [--port N] [--config FILE] [--tls-cert F --tls-key F] [--memory-limit MB]
  sightline query '<LogQL>' [--since 1h | --from T --to T] [--limit N] [--server URL] [--output text|json] [--tenant T] [--api-key K]
  sightline siem check|hunt|incidents|incident ... (see siem --help)
  sightline detect --rules PATH... --input EVENTS.ndjson [--mapping FILE] [--output ndjson|text]
  sightline agent --config FILE [--check] | --file GLOB... --server URL [--label k=v...] [--api-key K] [--data-dir DIR]
  sightline demo [--data-dir DIR] [--port N] [--rate LINES_PER_SEC]
  sightline rules check FILE... | rules eval --rules FILE --input EVENTS.ndjson [--step 15s] [--output json|text]
  sightline rules coverage [--rules PATH...] [--mapping FILE] [--server URL] [--output json|text]
  sightline alerts list | silence add|list|expire | notifications   (see alerts --help)
  sightline pipeline test --config FILE [--input FILE] [--output json|text] | pipeline processors
  sightline bench [--lines N] [--concurrency C] [--peer victorialogs] [--out FILE] [--cache-dir DIR] (see bench --help)
  sightline --version

Run 'sightline <command> --help' for a command's options.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'server':
      return (await import('./server-command.ts')).serverCommand(rest);
    case 'query':
      return (await import('./query-command.ts')).queryCommand(rest);
    case 'demo':
      return (await import('./demo-command.ts')).demoCommand(rest);
    case 'rules':
      return (await import('./rules-command.ts')).rulesCommand(rest);
    case 'alerts':
      return (await import('./alerts-command.ts')).alertsCommand(rest);
    case 'detect':
      return (await import('./detect-command.ts')).detectCommand(rest);
    case 'siem':
      return (await import('./siem-command.ts')).siemCommand(rest);
    case 'agent':
      return (await import('./agent-command.ts')).agentCommand(rest);
    case 'pipeline':
      return (await import('./pipeline-command.ts')).pipelineCommand(rest);
    case 'bench':
      if (rest.includes('--agent')) {
        await (await import('../bench/agent-bench.ts')).agentBench(rest.filter((a) => a !== '--agent'));
        return 0;
      }
      if (rest.includes('--pipeline')) return (await import('../bench/pipeline-bench.ts')).pipelineBench(rest.filter((a) => a !== '--pipeline'));
      if (rest.includes('--protocols')) return (await import('../bench/protocol-bench.ts')).protocolBench(rest.filter((a) => a !== '--protocols'));
      if (rest.includes('--siem')) return (await import('../bench/siem-bench.ts')).siemBench(rest.filter((a) => a !== '--siem'));
      if (rest.includes('--query-families')) return (await import('../bench/query-family-bench.ts')).queryFamilyBench(rest.filter((a) => a !== '--query-families'));
      await (await import('../bench/run.ts')).runBench(rest);
      return 0;
    case '--version':
    case 'version':
      process.stdout.write(SIGHTLINE_VERSION + '\n');
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`sightline: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (e: unknown) => {
    process.stderr.write(`sightline: ${(e as Error).message ?? String(e)}\n`);
    process.exit(1);
  },
);
