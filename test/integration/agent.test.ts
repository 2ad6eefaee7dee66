// The agent against a real server: files written, rotated (rename and copytruncate), truncated and deleted while it
// runs; the server away for a while; kill -9 of the agent mid-stream; a disk buffer across restarts; a dead sink
// beside a live one. Every line must arrive, in order per file, with at most the in-flight batch repeated.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { Agent } from '../../src/agent/agent.ts';
import { loadAgentConfig, quickAgentConfig } from '../../src/agent/agent-config.ts';
import { getJson, nowNs, REPO, tempDir, withServer } from './harness.ts';

/** Every line stored with `{job=...}`, oldest first, with its file metadata. */
async function stored(url: string, selector: string): Promise<{ ts: bigint; line: string; file: string }[]> {
  const q = new URLSearchParams({ query: selector, start: String(nowNs(-3_600_000)), end: String(nowNs(60_000)), limit: '50000', direction: 'forward' });
  const r = await getJson(url, `/loki/api/v1/query_range?${q}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const out: { ts: bigint; line: string; file: string }[] = [];
  for (const s of r.body.data.result) for (const [ts, line] of s.values) out.push({ ts: BigInt(ts), line, file: s.stream.file });
  out.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  return out;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const linesOf = (prefix: string, from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${prefix} ${from + i}`);

test('files written, rotated by rename and by copytruncate, and deleted: every line arrives once, in order', async (t) => {
  const dir = tempDir('sightline-agent-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const logs = path.join(dir, 'logs');
  mkdirSync(logs);
  const a = path.join(logs, 'a.log');
  const b = path.join(logs, 'b.log');
  writeFileSync(a, linesOf('a', 0, 100).join('\n') + '\n');
  await withServer({}, async (s) => {
    const cfg = quickAgentConfig({ files: [path.join(logs, '*.log')], server: s.url, labels: ['job=rot'], dataDir: path.join(dir, 'agent') });
    const source = cfg.sources[0];
    assert.equal(source.type, 'file');
    if (source.type === 'file') Object.assign(source.file, { globIntervalMs: 50, rotateWaitMs: 300 });
    const agent = new Agent(cfg, undefined, () => {});
    await agent.start();
    try {
      await until('first lines', async () => ((await stored(s.url, '{job="rot"}')).length >= 100 ? true : undefined));
      // rename rotation: a.log → a.log.1 (outside the glob), more lines into the old file, a new a.log
      appendFileSync(a, linesOf('a', 100, 150).join('\n') + '\n');
      renameSync(a, a + '.1');
      appendFileSync(a + '.1', linesOf('a', 150, 160).join('\n') + '\n');
      writeFileSync(a, linesOf('a', 160, 200).join('\n') + '\n');
      // a second file appears while running, is copytruncated, then deleted
      writeFileSync(b, linesOf('b', 0, 30).join('\n') + '\n');
      await until('b before truncation', async () => ((await stored(s.url, '{job="rot"} |= "b "')).length >= 30 ? true : undefined));
      truncateSync(b, 0);
      appendFileSync(b, linesOf('b', 30, 40).join('\n') + '\n');
      await until('b after truncation', async () => ((await stored(s.url, '{job="rot"} |= "b "')).length >= 40 ? true : undefined));
      unlinkSync(b);
      const all = await until('all lines', async () => {
        const got = await stored(s.url, '{job="rot"}');
        return got.length >= 240 ? got : undefined;
      });
      const aLines = all.filter((x) => x.line.startsWith('a ')).map((x) => x.line);
      const bLines = all.filter((x) => x.line.startsWith('b ')).map((x) => x.line);
      assert.deepEqual(aLines, linesOf('a', 0, 200), 'a.log and its rotated self, in order, no gaps or repeats');
      assert.deepEqual(bLines, linesOf('b', 0, 40));
      assert.equal(all.length, 240);
      assert.ok(all.every((x) => x.file === undefined || x.file.startsWith(logs)), 'file metadata points at the tailed path');
    } finally {
      await agent.stop();
    }
  });
});

test('the server away for a while: lines wait and arrive when it is back', async (t) => {
  const dir = tempDir('sightline-agent-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'app.log');
  writeFileSync(file, linesOf('early', 0, 50).join('\n') + '\n');
  const port = await freePort();
  const cfg = quickAgentConfig({ files: [file], server: `http://127.0.0.1:${port}`, labels: ['job=away'], dataDir: path.join(dir, 'agent') });
  cfg.sinks[0].retry = { initialBackoffMs: 50, maxBackoffMs: 200 };
  const messages: string[] = [];
  const agent = new Agent(cfg, undefined, (m) => messages.push(m));
  await agent.start();
  try {
    await until('a failed delivery', async () => (agent.metrics.retries.get({ sink: 'sightline' }) > 0 ? true : undefined));
    appendFileSync(file, linesOf('late', 0, 50).join('\n') + '\n');
    assert.match(messages[0], /sink sightline: delivery failed \(attempt 1\), retrying: 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
    await withServer({ port }, async (s) => {
      const got = await until('all lines after the server came back', async () => {
        const l = await stored(s.url, '{job="away"}');
        return l.length >= 100 ? l : undefined;
      });
      assert.deepEqual(got.map((x) => x.line), [...linesOf('early', 0, 50), ...linesOf('late', 0, 50)]);
    });
  } finally {
    await agent.stop(100);
  }
});

test('kill -9 of the agent mid-stream: after a restart every line is there, repeats are exactly the lines past the checkpoint', async (t) => {
  const dir = tempDir('sightline-agent-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'big.log');
  // at most twice this many stored (all delivered, none checkpointed, all resent): within the query limit, 50,000
  const total = 24_000;
  const lines = linesOf('row', 0, total).map((l) => l + ' ' + 'p'.repeat(80));
  writeFileSync(file, lines.join('\n') + '\n');
  await withServer({}, async (s) => {
    // the byte fast path (file → sightline, no pipeline), one request at a time: with several, a later one may be
    // stored and an earlier one not when the agent dies, and the earlier lines then first arrive after it
    const dataDir = path.join(dir, 'agent');
    const config = path.join(dir, 'agent.yaml');
    writeFileSync(
      config,
      `data_dir: ${JSON.stringify(dataDir)}\nlabels: {job: kill}\nsources:\n  big: {type: file, include: [${JSON.stringify(file)}]}\n` +
        `sinks:\n  out: {type: sightline, url: ${JSON.stringify(s.url)}, batch: {max_events: 10000, concurrency: 1}, buffer: {max_events: 10000}}\n`,
    );
    const args = [path.join(REPO, 'bin', 'sightline'), 'agent', '--config', config];
    const first = spawn(process.execPath, args, { stdio: 'ignore' });
    await until('some lines delivered', async () => {
      const r = await getJson(s.url, `/loki/api/v1/query?${new URLSearchParams({ query: 'sum(count_over_time({job="kill"}[1h]))', time: String(nowNs(1000)) })}`);
      const n = r.body.data.result.length ? Number(r.body.data.result[0].value[1]) : 0;
      return n > 0 ? n : undefined;
    }, 30_000);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    // where the killed agent's checkpoint says it was: the restart resumes there
    let offset = 0;
    try {
      const saved = JSON.parse(readFileSync(path.join(dataDir, 'checkpoints.json'), 'utf8')) as { files: Record<string, { offset: number }> };
      offset = Object.values(saved.files)[0]?.offset ?? 0;
    } catch {
      // killed before its first save: the restart reads from the beginning
    }
    let checkpointed = 0;
    for (let at = 0; at < offset; checkpointed++) at += Buffer.byteLength(lines[checkpointed]) + 1;
    assert.equal(checkpointed === 0 ? 0 : lines.slice(0, checkpointed).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0), offset, 'the checkpoint is at a line end');
    const restartNs = BigInt(Date.now()) * 1_000_000n;
    // the restarted agent's log goes into the failure message: a slow or stuck restart must say why
    const second = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let secondLog = '';
    second.stderr!.on('data', (d) => (secondLog = (secondLog + d).slice(-4000)));
    second.once('exit', (code, signal) => (secondLog += ` [the agent exited: ${code ?? signal}]`));
    try {
      const got = await until('every line after the restart', async () => {
        const l = await stored(s.url, '{job="kill"}');
        return l.filter((x) => x.ts >= restartNs).length >= total - checkpointed ? l : undefined;
      }, 120_000).catch(async (e: Error) => {
        const l = await stored(s.url, '{job="kill"}');
        throw new Error(`${e.message}: ${new Set(l.map((x) => x.line)).size} of ${total} distinct lines stored (${l.length} in all, ${checkpointed} checkpointed); the agent's log: ${secondLog || '(empty)'}`);
      });
      // stamps are arrival times: the first agent's lines are stamped before the restart, the second's after
      const byFirst = got.filter((x) => x.ts < restartNs).map((x) => Number(x.line.split(' ')[1]));
      const bySecond = got.filter((x) => x.ts >= restartNs).map((x) => Number(x.line.split(' ')[1]));
      // the first delivered lines 0… in file order, at least every checkpointed one (a checkpoint never passes an
      // undelivered line); the second sent exactly the lines from the checkpoint on, once each, in file order
      assert.deepEqual(byFirst, Array.from({ length: byFirst.length }, (_, i) => i), 'the killed agent delivered a prefix of the file, in order');
      assert.ok(byFirst.length >= checkpointed, `checkpoint at line ${checkpointed} but only ${byFirst.length} lines delivered`);
      assert.deepEqual(bySecond, Array.from({ length: total - checkpointed }, (_, i) => checkpointed + i), 'the restart sends the lines past the checkpoint');
      // so the repeats are exactly the lines delivered but not yet checkpointed; checkpoints are saved on every ack
      // (one save at a time), so those are at most the request in flight plus one acked while a save was running
      const repeats = got.length - total;
      assert.equal(repeats, byFirst.length - checkpointed);
      assert.ok(repeats <= 2 * 10_000, `${repeats} lines repeated: more than the batch in flight and the one acked during a checkpoint save`);
    } finally {
      second.kill('SIGTERM');
      await new Promise((r) => second.once('exit', r));
    }
  });
});

test('a disk buffer keeps accepted lines across an agent restart while the destination is down', async (t) => {
  const dir = tempDir('sightline-agent-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'app.log');
  writeFileSync(file, linesOf('buffered', 0, 300).join('\n') + '\n');
  const port = await freePort();
  const config = path.join(dir, 'agent.yaml');
  writeFileSync(config, [
    'data_dir: ./data',
    'labels: {job: disk}',
    'sources:',
    '  app:',
    '    type: file',
    '    include: [app.log]',
    'sinks:',
    '  main:',
    '    type: sightline',
    `    url: http://127.0.0.1:${port}`,
    '    buffer: {type: disk, max_bytes: 10MiB}',
    '    retry: {initial_backoff: 50ms, max_backoff: 200ms}',
    '',
  ].join('\n'));
  const first = new Agent(loadAgentConfig(config), undefined, () => {});
  await first.start();
  await until('the batch on disk and checkpointed', async () => (first.workers[0].buffer.events === 300 ? true : undefined));
  await first.stop(50);
  assert.equal(readdirSync(path.join(dir, 'data', 'buffers', 'main')).filter((f) => f.endsWith('.ndjson')).length, 1);
  // the restarted agent must not re-read the file (its checkpoint moved when the batch hit the disk)
  await withServer({ port }, async (s) => {
    const second = new Agent(loadAgentConfig(config), undefined, () => {});
    await second.start();
    try {
      const got = await until('buffered lines delivered', async () => {
        const l = await stored(s.url, '{job="disk"}');
        return l.length >= 300 ? l : undefined;
      });
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual((await stored(s.url, '{job="disk"}')).map((x) => x.line), linesOf('buffered', 0, 300));
      assert.equal(got.length, 300);
    } finally {
      await second.stop();
    }
  });
});

test('a dead sink with drop_newest does not hold up a live one', async (t) => {
  const dir = tempDir('sightline-agent-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'app.log');
  writeFileSync(file, '');
  const deadPort = await freePort();
  await withServer({}, async (s) => {
    const config = path.join(dir, 'agent.yaml');
    writeFileSync(config, [
      'data_dir: ./data',
      'labels: {job: two}',
      'sources:',
      '  app: {type: file, include: [app.log]}',
      'sinks:',
      '  live: {type: sightline, url: "' + s.url + '"}',
      `  dead: {type: loki, url: "http://127.0.0.1:${deadPort}", buffer: {max_events: 10, when_full: drop_newest}, retry: {initial_backoff: 1s}}`,
      '',
    ].join('\n'));
    const agent = new Agent(loadAgentConfig(config), undefined, () => {});
    await agent.start();
    try {
      for (let i = 0; i < 5; i++) {
        appendFileSync(file, linesOf(`w${i}`, 0, 20).join('\n') + '\n');
        await until(`write ${i} at the live sink`, async () => ((await stored(s.url, '{job="two"}')).length >= 20 * (i + 1) ? true : undefined));
      }
      await until('all lines at the live sink', async () => ((await stored(s.url, '{job="two"}')).length >= 100 ? true : undefined));
      assert.ok(agent.metrics.dropped.get({ sink: 'dead', reason: 'buffer_full' }) > 0, 'the dead sink counts what it dropped');
    } finally {
      await agent.stop(50);
    }
  });
});

test('config errors name the file, line and key', (t) => {
  const dir = tempDir('sightline-agent-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = path.join(dir, 'agent.yaml');
  writeFileSync(config, 'sources:\n  app: {type: file, include: [x.log]}\nsinks:\n  out:\n    type: kafka\n');
  assert.throws(() => loadAgentConfig(config), new RegExp(`${config.replace(/[/.]/g, '\\$&')}:5: sinks\\.out\\.type: unknown sink type "kafka" \\(expected one of sightline, loki, elasticsearch, http, file, stdout\\)`));
  writeFileSync(config, 'sources:\n  app: {type: file, include: [x.log]}\nsinks:\n  out: {type: stdout, inputs: [nope]}\n');
  assert.throws(() => loadAgentConfig(config), /sinks\.out\.inputs\[0\]: no source named "nope" \(sources: app\)/);
  writeFileSync(config, 'sources:\n  app: {type: file, include: [x.log], start_at: middle}\nsinks:\n  out: {type: stdout}\n');
  assert.throws(() => loadAgentConfig(config), /:2: sources\.app\.start_at: expected one of beginning, end, got "middle"/);
});
