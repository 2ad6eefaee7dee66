// The `sightline` command: dispatches to its roles (server, query, demo, bench).

import { SIGHTLINE_VERSION } from './version.ts';

const USAGE = `sightline ${SIGHTLINE_VERSION}: centralized logs with a built-in SIEM

Usage:
  sightline server [--data-dir DIR] [--host H] [--port N] [--config FILE] [--tls-cert F --tls-key F] [--memory-limit MB]
  sightline query '<LogQL>' [--since 1h | --from T --to T] [--limit N] [--server URL] [--output text|json] [--tenant T] [--api-key K]
  sightline demo [--data-dir DIR] [--port N] [--rate LINES_PER_SEC]
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
    case 'bench':
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
