// Bundles the agent (src/agent/main.ts and what it imports) into one ESM file for `bin/sightline agent`, so the
// agent runs without the TypeScript loader (about 30 MB less resident memory), with its npm packages inside.
// Usage: node scripts/bundle-agent.mjs OUTFILE
import { build } from 'esbuild';
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = process.argv[2];
if (!outfile) {
  process.stderr.write('usage: node scripts/bundle-agent.mjs OUTFILE\n');
  process.exit(2);
}
const result = await build({
  entryPoints: [path.join(root, 'src', 'agent', 'main.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // npm packages are bundled too: importing a CommonJS package from ESM costs ~5 MB of resident memory (the CJS
  // loader and its export lexer), and yaml's CommonJS build alone ~7 MB against ~1 MB for its ESM build
  alias: { yaml: path.join(root, 'node_modules', 'yaml', 'browser', 'index.js') },
  // written aside and renamed, so an agent starting at the same moment never imports half a file
  outfile: `${outfile}.${process.pid}.tmp`,
  // whitespace and comments out, identifiers kept (readable stack traces): V8 keeps the whole source in memory,
  // and one non-Latin-1 character in a comment would make it keep two bytes per character
  minifyWhitespace: true,
  minifySyntax: true,
  charset: 'ascii',
  logLevel: 'warning',
  metafile: true,
});
// what the bundle is made of, for bin/sightline's is-it-current check: the project files that went in, this
// script, and npm's record of the installed packages (package files keep npm's fixed mtime, so the record stands
// for them)
const inputs = Object.keys(result.metafile.inputs).map((p) => path.relative(root, path.resolve(p))).filter((p) => !p.startsWith('node_modules'));
inputs.push('scripts/bundle-agent.mjs', 'node_modules/.package-lock.json');
writeFileSync(`${outfile}.inputs.json`, JSON.stringify(inputs));
renameSync(`${outfile}.${process.pid}.tmp`, outfile);
