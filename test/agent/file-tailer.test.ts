import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, rmSync, statSync, truncateSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { FileTailer, type TailerOptions } from '../../src/agent/sources/file-tailer.ts';
import { tempDir } from '../integration/harness.ts';

const OPTS: TailerOptions = { maxLineBytes: 16, readBytes: 64, encoding: 'utf8' };

function setup(t: { after: (fn: () => void) => void }, content: string): { file: string; tailer: FileTailer } {
  const dir = tempDir('sightline-tailer-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'app.log');
  writeFileSync(file, content);
  const st = statSync(file);
  return { file, tailer: FileTailer.open(`${st.dev}:${st.ino}`, file, 0, OPTS, 0)! };
}

function readAll(tailer: FileTailer): string[] {
  const out: string[] = [];
  for (let chunk = tailer.read(1); chunk; chunk = tailer.read(1)) out.push(...chunk.lines);
  return out;
}

test('whole lines only: a last line without newline waits, CRLF is trimmed', (t) => {
  const { file, tailer } = setup(t, 'one\r\ntwo\nthr');
  assert.deepEqual(readAll(tailer), ['one', 'two']);
  assert.equal(tailer.offset, 9);
  appendFileSync(file, 'ee\n');
  assert.deepEqual(readAll(tailer), ['three']);
  tailer.close();
});

test('reads in chunks smaller than the data and resumes at the right offsets', (t) => {
  const lines = Array.from({ length: 40 }, (_, i) => `line ${i}`);
  const { tailer } = setup(t, lines.join('\n') + '\n');
  const offsets: number[] = [];
  const got: string[] = [];
  for (let c = tailer.read(1); c; c = tailer.read(1)) {
    got.push(...c.lines);
    offsets.push(c.endOffset);
  }
  assert.deepEqual(got, lines);
  assert.ok(offsets.length > 1, 'several reads');
  assert.equal(offsets.at(-1), Buffer.byteLength(lines.join('\n') + '\n'));
  tailer.close();
});

test('an overlong line is cut at max_line_bytes and the rest of it skipped, even across reads', (t) => {
  const long = 'x'.repeat(200);
  const { tailer } = setup(t, `short\n${long}\nafter\n`);
  const chunks = [];
  for (let c = tailer.read(1); c; c = tailer.read(1)) chunks.push(c);
  assert.deepEqual(chunks.flatMap((c) => c.lines), ['short', 'x'.repeat(16), 'after']);
  assert.equal(chunks.reduce((n, c) => n + c.truncated, 0), 1);
  tailer.close();
});

test('copytruncate: a file that shrinks is read again from the start', (t) => {
  const { file, tailer } = setup(t, 'a\nb\n');
  assert.deepEqual(readAll(tailer), ['a', 'b']);
  truncateSync(file, 0);
  appendFileSync(file, 'c\n');
  assert.deepEqual(readAll(tailer), ['c']);
  tailer.close();
});

test('a renamed file keeps being read through its descriptor; when gone its last partial line is emitted', (t) => {
  const { file, tailer } = setup(t, 'a\n');
  assert.deepEqual(readAll(tailer), ['a']);
  renameSync(file, file + '.1');
  appendFileSync(file + '.1', 'b\ntail-no-nl');
  assert.deepEqual(readAll(tailer), ['b']);
  tailer.gone = true;
  assert.deepEqual(readAll(tailer), ['tail-no-nl']);
  assert.ok(tailer.atEnd());
  tailer.close();
});

test('the fingerprint covers the first bytes and is reported with each read', (t) => {
  const { tailer } = setup(t, 'hello\n');
  const c = tailer.read(1)!;
  assert.equal(c.fingerprintBytes, 6);
  assert.match(c.fingerprint, /^[0-9a-f]{40}$/);
  tailer.close();
});
