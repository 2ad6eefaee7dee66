// Bundles the agent (src/agent/main.ts and what it imports) into one ESM file for `bin/sightline agent`, so the
// agent runs without the TypeScript loader (about 30 MB less resident memory). npm packages stay external.
// Usage: node scripts/bundle-agent.mjs OUTFILE
import { buildSync } from 'esbuild';
import { renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = process.argv[2];
if (!outfile) {
  process.stderr.write('usage: node scripts/bundle-agent.mjs OUTFILE\n');
  process.exit(2);
}
buildSync({
  entryPoints: [path.join(root, 'src', 'agent', 'main.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  // written aside and renamed, so an agent starting at the same moment never imports half a file
  outfile: `${outfile}.${process.pid}.tmp`,
  logLevel: 'error',
});
renameSync(`${outfile}.${process.pid}.tmp`, outfile);
