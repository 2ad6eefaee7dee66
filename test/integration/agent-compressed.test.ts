// Compressed rotated files: logs rotated to .gz (node:zlib, written progressively like logrotate's gzip) while the
// agent runs and while it is stopped. Every line must arrive exactly once across restarts: a .gz copy of a file
// already read is not read again, its unread rest is, and a finished .gz is never re-read.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import path from 'node:path';
import { Agent } from '../../src/agent/agent.ts';
import { loadAgentConfig } from '../../src/agent/agent-config.ts';
import { tempDir } from './harness.ts';

const linesOf = (prefix: string, from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${prefix} ${from + i} ${'x'.repeat(40)}`);

function delivered(file: string): { line: string; file: string }[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => {
    const e = JSON.parse(l);
    return { line: e.line, file: e.fields.file };
  });
}

async function until(what: string, fn: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Compresses `from` into `to` as a stream, so the .gz grows on disk while it is written. */
async function gzipFile(from: string, to: string): Promise<void> {
  await pipeline(createReadStream(from), createGzip(), createWriteStream(to));
  unlinkSync(from);
}

test('files rotated to .gz while the agent runs and while it is stopped: every line once, finished .gz never re-read', async (t) => {
  const dir = tempDir('sightline-agent-gz-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const logs = path.join(dir, 'logs');
  mkdirSync(logs);
  const app = path.join(logs, 'app.log');
  const out = path.join(dir, 'out.ndjson');
  writeFileSync(path.join(dir, 'agent.yaml'), [
    'data_dir: ./data',
    'sources:',
    '  app: {type: file, include: [logs/app.log, "logs/*.gz"], glob_interval: 50ms, rotate_wait: 200ms}',
    'sinks:',
    '  out: {type: file, path: out.ndjson}',
    '',
  ].join('\n'));
  const start = async () => {
    const agent = new Agent(loadAgentConfig(path.join(dir, 'agent.yaml')), undefined, () => {});
    await agent.start();
    return agent;
  };

  // an archive from before the agent existed, and the live file
  writeFileSync(path.join(logs, 'old.log.1.gz'), gzipSync(linesOf('old', 0, 300).join('\n') + '\n'));
  writeFileSync(app, linesOf('a', 0, 100).join('\n') + '\n');
  let agent = await start();
  await until('the archive and the live file', () => delivered(out).length >= 400);

  // rotation while running: more lines, rename away, compress the renamed file, a new app.log
  appendFileSync(app, linesOf('a', 100, 150).join('\n') + '\n');
  renameSync(app, app + '.1');
  writeFileSync(app, linesOf('a', 150, 200).join('\n') + '\n');
  await gzipFile(app + '.1', app + '.1.gz');
  await until('lines up to a 199', () => delivered(out).filter((d) => d.line.startsWith('a ')).length >= 200);
  // the .gz is looked at (and must add nothing) once the renamed file is closed
  await until('the first .gz is settled', () => agent.filePositions().every((p) => !p.path.endsWith('.gz')), 5000);
  await new Promise((r) => setTimeout(r, 400));
  await agent.stop();

  // while stopped: lines the agent never saw, then rotation straight to .gz (the plain file is gone)
  appendFileSync(app, linesOf('a', 200, 260).join('\n') + '\n');
  await gzipFile(app, path.join(logs, 'app.log.2.gz'));
  writeFileSync(app, linesOf('a', 260, 270).join('\n') + '\n');
  agent = await start();
  await until('lines up to a 269', () => delivered(out).filter((d) => d.line.startsWith('a ')).length >= 270);
  await new Promise((r) => setTimeout(r, 400));
  await agent.stop();

  // a restart with nothing new reads nothing again
  agent = await start();
  await new Promise((r) => setTimeout(r, 500));
  await agent.stop();

  const got = delivered(out);
  assert.deepEqual(got.filter((d) => d.line.startsWith('old ')).map((d) => d.line), linesOf('old', 0, 300), 'the archive once, in order');
  // order holds per file (a .gz and the new app.log are read side by side)
  const n = (line: string) => Number(line.split(' ')[1]);
  const appLines = got.filter((d) => d.line.startsWith('a ')).map((d) => d.line);
  assert.deepEqual([...appLines].sort((x, y) => n(x) - n(y)), linesOf('a', 0, 270), 'every app line exactly once');
  for (const f of new Set(got.map((d) => d.file))) {
    const nums = got.filter((d) => d.file === f).map((d) => n(d.line));
    assert.ok(nums.every((v, i) => i === 0 || v > nums[i - 1]), `in order within ${f}`);
  }
  assert.equal(got.length, 570);
  const fromGz = got.filter((d) => d.file.endsWith('app.log.2.gz')).map((d) => d.line);
  assert.deepEqual(fromGz, linesOf('a', 200, 260), 'only the unread rest came from the .gz');
  const checkpoints = JSON.parse(readFileSync(path.join(dir, 'data', 'checkpoints.json'), 'utf8'));
  const gz = Object.values(checkpoints.files as Record<string, { path: string; complete?: boolean }>).filter((c) => c.path.endsWith('.gz'));
  assert.equal(gz.length, 3, 'old.log.1.gz, app.log.1.gz, app.log.2.gz');
  assert.ok(gz.every((c) => c.complete === true), JSON.stringify(gz));
});

test('a .gz that is not gzip, or is cut short, is reported and its whole lines kept', async (t) => {
  const dir = tempDir('sightline-agent-gz-bad-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'logs'));
  const whole = gzipSync(linesOf('c', 0, 2000).join('\n') + '\n');
  writeFileSync(path.join(dir, 'logs', 'c.log.gz'), whole.subarray(0, Math.floor(whole.length / 2)));
  writeFileSync(path.join(dir, 'logs', 'plain.log.gz'), 'not compressed at all\n');
  writeFileSync(path.join(dir, 'agent.yaml'), ['data_dir: ./data', 'sources:', '  app: {type: file, include: ["logs/*.gz"], glob_interval: 50ms, rotate_wait: 100ms}', 'sinks:', '  out: {type: file, path: out.ndjson}', ''].join('\n'));
  const logs: string[] = [];
  const agent = new Agent(loadAgentConfig(path.join(dir, 'agent.yaml')), undefined, (m) => logs.push(m));
  await agent.start();
  try {
    await until('the cut-short file in the log', () => logs.some((l) => /c\.log\.gz: the compressed stream ends early \(cut short\?\); read up to uncompressed byte \d+/.test(l)));
    assert.ok(logs.some((l) => /plain\.log\.gz: not gzip \(no gzip header\), skipped/.test(l)), logs.join('\n'));
  } finally {
    await agent.stop();
  }
  const got = delivered(path.join(dir, 'out.ndjson')).map((d) => d.line);
  assert.ok(got.length > 0 && got.length < 2000, `some whole lines before the damage, got ${got.length}`);
  assert.deepEqual(got, linesOf('c', 0, got.length), 'the lines before the damage, whole and in order');
});
