// The shipped deployment files are valid: the Kubernetes manifests against the Kubernetes API schemas
// (kubernetes-models), the agent config inside the ConfigMap against the agent's own loader, and the systemd
// unit through `systemd-analyze verify`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Namespace, ServiceAccount, Secret, ConfigMap } from 'kubernetes-models/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { DaemonSet } from 'kubernetes-models/apps/v1';
import { loadAgentConfig } from '../../src/agent/agent-config.ts';
import { REPO, tempDir } from '../integration/harness.ts';

const MODELS: Record<string, new (data: any) => { validate(): void }> = { Namespace, ServiceAccount, Secret, ConfigMap, ClusterRole, ClusterRoleBinding, DaemonSet };
const MANIFEST = path.join(REPO, 'deploy', 'kubernetes', 'sightline-agent.yaml');

function documents(): any[] {
  return parseAllDocuments(readFileSync(MANIFEST, 'utf8')).map((d) => {
    assert.deepEqual(d.errors, [], 'YAML parses');
    return d.toJS();
  });
}

test('every object of the DaemonSet manifest validates against the Kubernetes schemas', () => {
  const docs = documents();
  assert.deepEqual(docs.map((d) => d.kind), ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Secret', 'ConfigMap', 'DaemonSet']);
  for (const doc of docs) {
    const Model = MODELS[doc.kind];
    assert.ok(Model, `a model for ${doc.kind}`);
    assert.doesNotThrow(() => new Model(doc).validate(), `${doc.kind} ${doc.metadata.name} is valid`);
  }
  // and the validator does catch mistakes: a string where a port number belongs
  const ds = structuredClone(docs.find((d) => d.kind === 'DaemonSet'));
  ds.spec.template.spec.containers[0].ports[0].containerPort = 'ninety-one-eighty';
  assert.throws(() => new DaemonSet(ds).validate(), /containerPort must be integer/);
});

test('the DaemonSet mounts what the agent config uses: the config, /var/log, and a host path for its state', () => {
  const docs = documents();
  const ds = docs.find((d) => d.kind === 'DaemonSet');
  const container = ds.spec.template.spec.containers[0];
  assert.deepEqual(container.args, ['agent', '--config', '/etc/sightline/agent.yaml']);
  const mounts = Object.fromEntries(container.volumeMounts.map((m: any) => [m.name, m.mountPath]));
  assert.deepEqual(mounts, { config: '/etc/sightline', varlog: '/var/log', state: '/var/lib/sightline-agent' });
  assert.equal(ds.spec.template.spec.volumes.find((v: any) => v.name === 'state').hostPath.path, '/var/lib/sightline-agent');
});

test('the agent config in the ConfigMap loads with the agent\'s own loader', (t) => {
  const dir = tempDir('sightline-deploy-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cm = documents().find((d) => d.kind === 'ConfigMap');
  const file = path.join(dir, 'agent.yaml');
  writeFileSync(file, cm.data['agent.yaml']);
  process.env.SIGHTLINE_API_KEY = 'from-the-secret';
  try {
    const cfg = loadAgentConfig(file);
    assert.equal(cfg.dataDir, '/var/lib/sightline-agent');
    assert.equal(cfg.sources[0].type, 'kubernetes');
    assert.deepEqual(cfg.api, { host: '0.0.0.0', port: 9180 });
    assert.equal(cfg.sinks[0].buffer.type, 'disk');
  } finally {
    delete process.env.SIGHTLINE_API_KEY;
  }
});

test('the systemd unit passes systemd-analyze verify', { skip: !existsSync('/usr/bin/systemd-analyze') && 'systemd-analyze is not installed' }, () => {
  const unit = path.join(REPO, 'deploy', 'systemd', 'sightline-agent.service');
  const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr.split('\n').filter((l) => l.includes('sightline-agent.service')).join('\n'), '', 'no warnings about the unit');
});
