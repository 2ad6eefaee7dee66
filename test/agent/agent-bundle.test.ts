import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../integration/harness.ts';

const root = path.resolve(import.meta.dirname, '..', '..');

test('the agent bundle: one self-contained ASCII file, with the list of what it was made from', (t) => {
  const dir = tempDir('sightline-bundle-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'agent.mjs');
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'bundle-agent.mjs'), out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const source = readFileSync(out, 'latin1');
  // V8 keeps the source in memory, two bytes a character if one of them is beyond Latin-1
  const wide = /[^\x00-\x7f]/.exec(source);
  assert.equal(wide, null, wide ? `non-ASCII at ${wide.index}: ${JSON.stringify(source.slice(wide.index - 40, wide.index + 10))}` : '');
  // npm packages inside: importing one at run time would bring up the CommonJS loader (or yaml's heavy build)
  const external = [...source.matchAll(/(?:^|[;}])\s*import\s*[\w$\s{},*]*?(?:from)?\s*"([^"]+)"|\bimport\s*\(\s*"([^"]+)"\s*\)/gm)].map((m) => m[1] ?? m[2]).filter((s) => !s.startsWith('node:'));
  assert.deepEqual(external, []);
  assert.doesNotMatch(source, /__require\("(yaml|picomatch|re2js|mmdb-lib)"\)/);
  const inputs = JSON.parse(readFileSync(`${out}.inputs.json`, 'utf8')) as string[];
  for (const f of ['src/agent/main.ts', 'src/agent/sources/glob-files.ts', 'scripts/bundle-agent.mjs', 'node_modules/.package-lock.json']) assert.ok(inputs.includes(f), f);
  assert.ok(inputs.every((f) => !path.isAbsolute(f) && !f.startsWith('..')), 'paths relative to the project');
});
