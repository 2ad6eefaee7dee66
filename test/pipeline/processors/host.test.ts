// The host processor: this machine's metadata, computed once, selectable, never overwriting unless asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arch, hostname, platform, release } from 'node:os';
import { ConfigNode } from '../../../src/config/config-node.ts';
import type { PipelineEvent } from '../../../src/pipeline/event.ts';
import { hostAddresses, hostProcessor } from '../../../src/pipeline/processors/host.ts';

const ctx = { nowMs: 0, warn: (): void => {} };

function ev(fields: PipelineEvent['fields'] = {}): PipelineEvent {
  return { tenant: 't', ts: 0n, line: 'x', labels: {}, fields };
}

test('adds host name, OS, kernel release, architecture and addresses', () => {
  const p = hostProcessor.build(ConfigNode.parse('type: host\n', 't.yaml'), { configDir: '.' });
  const [a, b] = p.process([ev(), ev()], ctx);
  const want: Record<string, string> = { 'host.hostname': hostname(), 'host.os': platform(), 'host.os_version': release(), 'host.arch': arch() };
  const ips = hostAddresses();
  if (ips.length > 0) want['host.ip'] = ips.join(',');
  assert.deepEqual(a!.fields, want);
  assert.deepEqual(b!.fields, want);
  for (const ip of ips) assert.ok(!ip.startsWith('127.') && ip !== '::1' && !ip.toLowerCase().startsWith('fe80:'), ip);
});

test('properties, target and overwrite', () => {
  const p = hostProcessor.build(ConfigNode.parse('type: host\nproperties: [hostname, arch]\ntarget: agent\n', 't.yaml'), { configDir: '.' });
  const [e] = p.process([ev({ 'agent.hostname': 'kept' })], ctx);
  assert.deepEqual(e!.fields, { 'agent.hostname': 'kept', 'agent.arch': arch() });
  const q = hostProcessor.build(ConfigNode.parse('type: host\nproperties: hostname\noverwrite: true\n', 't.yaml'), { configDir: '.' });
  const [f] = q.process([ev({ 'host.hostname': 'old' })], ctx);
  assert.deepEqual(f!.fields, { 'host.hostname': hostname() });
});

test('an unknown property fails with its place', () => {
  assert.throws(
    () => hostProcessor.build(ConfigNode.parse('type: host\nproperties: [hostname, uptime]\n', 't.yaml'), { configDir: '.' }),
    /t\.yaml:2: properties\[1\]: unknown property "uptime" \(expected one of hostname, os, os_version, arch, ip\)/,
  );
});
