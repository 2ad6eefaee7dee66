import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { FileGlob, fixedBase } from '../../src/agent/sources/glob-files.ts';

const globFiles = (include: string[], exclude: string[]): string[] => new FileGlob(include, exclude).files();
import { tempDir } from '../integration/harness.ts';

function tree(t: { after: (fn: () => void) => void }, files: string[]): string {
  const dir = tempDir('sightline-glob-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), 'x\n');
  }
  return dir;
}

test('fixedBase: the directories before the first glob part; the file part is never the base', () => {
  assert.equal(fixedBase('/var/log/containers/*.log'), '/var/log/containers');
  assert.equal(fixedBase('/var/log/pods/**/*.log'), '/var/log/pods');
  assert.equal(fixedBase('/var/log/*/app.log'), '/var/log');
  assert.equal(fixedBase('/var/log/syslog'), '/var/log');
  assert.equal(fixedBase('/srv/{a,b}/x.log'), '/srv');
  assert.equal(fixedBase('/*.log'), '/');
});

test('globFiles: several patterns and bases, ** and braces, excludes, overlaps counted once, symlinks followed', (t) => {
  const dir = tree(t, ['a/app.log', 'a/app.txt', 'a/deep/x/y.log', 'b/one.log', 'b/skip.log', 'c/other.log']);
  symlinkSync(path.join(dir, 'c', 'other.log'), path.join(dir, 'b', 'linked.log'));
  const found = globFiles([`${dir}/a/**/*.log`, `${dir}/b/*.log`, `${dir}/{a,b}/app.log`], [`${dir}/b/skip.log`]).sort();
  assert.deepEqual(found, [`${dir}/a/app.log`, `${dir}/a/deep/x/y.log`, `${dir}/b/linked.log`, `${dir}/b/one.log`]);
  assert.deepEqual(globFiles([`${dir}/missing/*.log`], []), []);
});

test('globFiles lists only directories under each pattern\'s fixed base, wherever the process runs', (t) => {
  // a busy neighbour (like /tmp) that a walk from a common ancestor would list on every scan
  const dir = tree(t, ['logs/app.log', ...Array.from({ length: 50 }, (_, i) => `busy/d${i}/f.txt`)]);
  const listed: string[] = [];
  const readdirSync = fs.readdirSync;
  fs.readdirSync = ((p: fs.PathLike, ...rest: unknown[]) => {
    listed.push(String(p));
    return (readdirSync as (...a: unknown[]) => unknown)(p, ...rest);
  }) as typeof fs.readdirSync;
  syncBuiltinESMExports();
  const cwd = process.cwd();
  try {
    process.chdir(path.join(dir, 'busy'));
    assert.deepEqual(globFiles([`${dir}/logs/*.log`], []), [`${dir}/logs/app.log`]);
  } finally {
    process.chdir(cwd);
    fs.readdirSync = readdirSync;
    syncBuiltinESMExports();
  }
  assert.ok(listed.length > 0, 'the walk was observed');
  for (const p of listed) assert.ok(path.resolve(dir, p).startsWith(path.join(dir, 'logs')), `listed ${p}, outside ${dir}/logs`);
});

test('globFiles: only the levels a pattern can match are entered; files appear and vanish between scans', (t) => {
  const dir = tree(t, ['pods/ns_a/app/0.log', 'pods/ns_b/app/0.log', 'pods/ns_b/web/0.log', 'pods/ns_a/app/sub/deep.log', 'other/x/app/0.log', '.hidden/app/0.log']);
  const glob = new FileGlob([`${dir}/pods/*/app/*.log`], []);
  assert.deepEqual(glob.files().sort(), [`${dir}/pods/ns_a/app/0.log`, `${dir}/pods/ns_b/app/0.log`]);
  writeFileSync(path.join(dir, 'pods', 'ns_b', 'app', '1.log'), 'x\n');
  rmSync(path.join(dir, 'pods', 'ns_a'), { recursive: true });
  assert.deepEqual(glob.files().sort(), [`${dir}/pods/ns_b/app/0.log`, `${dir}/pods/ns_b/app/1.log`]);
  // dot files and directories are left out by `*` and `**`, as by shells
  assert.deepEqual(new FileGlob([`${dir}/**/0.log`], [`${dir}/other/**`]).files().sort(), [`${dir}/pods/ns_b/app/0.log`, `${dir}/pods/ns_b/web/0.log`]);
});

test('globFiles: a symbolic link loop under ** ends', (t) => {
  const dir = tree(t, ['logs/a.log']);
  symlinkSync(path.join(dir, 'logs'), path.join(dir, 'logs', 'loop'));
  const found = new FileGlob([`${dir}/logs/**/*.log`], []).files();
  // the directory is entered once more through the link, then the loop is seen
  assert.deepEqual(found.sort(), [`${dir}/logs/a.log`, `${dir}/logs/loop/a.log`]);
});
