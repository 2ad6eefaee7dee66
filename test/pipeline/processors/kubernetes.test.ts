// The kubernetes processor: identity from both container log path layouts (and paths that are not), and the
// optional pod-label look-up against a local HTTPS server that plays the Kubernetes API (a unit test's mock): token
// and CA used, never blocking (enriched once cached), 404 and 403 handled, TTL refresh, missing credentials.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigNode } from '../../../src/config/config-node.ts';
import type { FieldValue, PipelineEvent } from '../../../src/pipeline/event.ts';
import { parseContainerLogPath } from '../../../src/pipeline/kubernetes-path.ts';
import { kubernetesProcessor, type KubernetesProcessor } from '../../../src/pipeline/processors/kubernetes.ts';

const ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const UID = '7d5f3c2a-1b4e-4c6d-8e9f-0a1b2c3d4e5f';

function ev(fields: Record<string, FieldValue>, labels: Record<string, string> = {}): PipelineEvent {
  return { tenant: 't', ts: 0n, line: 'x', labels, fields };
}

test('container log paths → namespace, pod, container, container id or pod uid', () => {
  assert.deepEqual(parseContainerLogPath(`/var/log/containers/web-7d9f8b6c5-x2x4z_shop_nginx-${ID}.log`), {
    namespace: 'shop', pod: 'web-7d9f8b6c5-x2x4z', container: 'nginx', containerId: ID,
  });
  assert.deepEqual(parseContainerLogPath(`/var/log/pods/shop_web-7d9f8b6c5-x2x4z_${UID}/nginx/0.log`), {
    namespace: 'shop', pod: 'web-7d9f8b6c5-x2x4z', container: 'nginx', podUid: UID,
  });
  assert.equal(parseContainerLogPath(`/var/log/pods/kube-system_coredns-5d78c9869d-abcde_${UID}/coredns/3.log.20240101-120000.gz`)?.container, 'coredns');
  assert.equal(parseContainerLogPath(`/var/log/containers/my-app-side-car_default_log-shipper-${ID}.log`)?.container, 'log-shipper');
  for (const bad of [
    '/var/log/syslog',
    `/var/log/containers/web_shop_nginx.log`, // no container id
    `/var/log/containers/web_shop_extra_nginx-${ID}.log`,
    `/var/log/containers/..__nginx-${ID}.log`,
    `/var/log/containers/Web_shop_nginx-${ID}.log`, // upper case is no Kubernetes name
    `/var/log/pods/shop_web_not-a-uid/nginx/0.log`,
    `/var/log/pods/shop_web_${UID}/nginx/app.log`,
  ]) assert.equal(parseContainerLogPath(bad), null, bad);
});

test('labels and fields from the path field; which identity parts are labels is configurable', () => {
  const p = kubernetesProcessor.build(ConfigNode.parse('type: kubernetes\n', 't.yaml'), { configDir: '.' });
  const ctx = { nowMs: 0, warn: (): void => {} };
  const events = p.process(
    [
      ev({ filename: `/var/log/containers/web-1_shop_nginx-${ID}.log` }, { job: 'k8s' }),
      ev({ 'log.file.path': `/var/log/pods/shop_web-1_${UID}/nginx/0.log` }),
      ev({ file: '/var/log/auth.log' }),
      ev({}),
    ],
    ctx,
  );
  assert.deepEqual(events[0]!.labels, { job: 'k8s', namespace: 'shop', pod: 'web-1', container: 'nginx' });
  assert.equal(events[0]!.fields['k8s.container_id'], ID);
  assert.deepEqual(events[1]!.labels, { namespace: 'shop', pod: 'web-1', container: 'nginx' });
  assert.equal(events[1]!.fields['k8s.pod_uid'], UID);
  assert.deepEqual(events[2]!.labels, {});
  assert.deepEqual(events[3]!.labels, {});

  const q = kubernetesProcessor.build(ConfigNode.parse('type: kubernetes\nfields: [path]\nlabels: [namespace]\n', 't.yaml'), { configDir: '.' });
  const [e] = q.process([ev({ path: `/var/log/containers/web-1_shop_nginx-${ID}.log` })], ctx);
  assert.deepEqual(e!.labels, { namespace: 'shop' });
  assert.equal(e!.fields['k8s.pod'], 'web-1');
  assert.equal(e!.fields['k8s.container'], 'nginx');
  assert.throws(
    () => kubernetesProcessor.build(ConfigNode.parse('type: kubernetes\nlabels: [namespace, node]\n', 't.yaml'), { configDir: '.' }),
    /t\.yaml:2: labels\[1\]: expected some of namespace, pod, container, got "node"/,
  );
});

interface ApiMock {
  server: Server;
  url: string;
  dir: string;
  requests: { path: string; auth: string | undefined }[];
  pods: Map<string, unknown>;
}

async function startApi(): Promise<ApiMock> {
  const dir = mkdtempSync(join(tmpdir(), 'k8s-api-'));
  const cert = join(dir, 'ca.crt');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  writeFileSync(join(dir, 'token'), 'test-service-account-token\n');
  const requests: ApiMock['requests'] = [];
  const pods = new Map<string, unknown>();
  const server = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
    requests.push({ path: req.url ?? '', auth: req.headers.authorization });
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    if (req.headers.authorization !== 'Bearer test-service-account-token') {
      res.writeHead(401).end('{"kind":"Status","code":401}');
    } else if (m && m[1] === 'locked') {
      res.writeHead(403).end('{"kind":"Status","code":403,"reason":"Forbidden"}');
    } else if (m && pods.has(`${m[1]}/${m[2]}`)) {
      res.writeHead(200).end(JSON.stringify(pods.get(`${m[1]}/${m[2]}`)));
    } else {
      res.writeHead(404).end('{"kind":"Status","code":404,"reason":"NotFound"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, url, dir, requests, pods };
}

function pod(name: string, labels: Record<string, string>): unknown {
  return { kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace: 'shop', uid: UID, labels }, spec: { nodeName: 'node-a' } };
}

test('API look-up: enriched once cached, fetched in the background, token and CA used, TTL refresh', async () => {
  const api = await startApi();
  try {
    api.pods.set('shop/web-1', pod('web-1', { app: 'web', team: 'payments' }));
    const warnings: string[] = [];
    const p = kubernetesProcessor.build(
      ConfigNode.parse(`type: kubernetes\napi: true\napi_url: ${api.url}\ntoken_file: token\nca_file: ca.crt\ncache_ttl: 1m\n`, 't.yaml'),
      { configDir: api.dir },
    ) as KubernetesProcessor;
    const ctx = (nowMs: number) => ({ nowMs, warn: (m: string) => void warnings.push(m) });
    const path = `/var/log/containers/web-1_shop_nginx-${ID}.log`;

    // The first batch is not held up: labels from the path only.
    const [first] = p.process([ev({ file: path })], ctx(0));
    assert.equal(first!.fields['k8s.label.app'], undefined);
    assert.deepEqual(first!.labels, { namespace: 'shop', pod: 'web-1', container: 'nginx' });
    await p.idle();
    assert.deepEqual(api.requests, [{ path: '/api/v1/namespaces/shop/pods/web-1', auth: 'Bearer test-service-account-token' }]);

    const [second, third] = p.process([ev({ file: path }), ev({ file: path })], ctx(1000));
    assert.equal(second!.fields['k8s.label.app'], 'web');
    assert.equal(second!.fields['k8s.label.team'], 'payments');
    assert.equal(second!.fields['k8s.node'], 'node-a');
    assert.equal(third!.fields['k8s.label.app'], 'web');
    await p.idle();
    assert.equal(api.requests.length, 1); // cached

    // After the TTL the cached labels are still used while a refresh runs.
    api.pods.set('shop/web-1', pod('web-1', { app: 'web', team: 'search' }));
    const [stale] = p.process([ev({ file: path })], ctx(61_000));
    assert.equal(stale!.fields['k8s.label.team'], 'payments');
    await p.idle();
    assert.equal(api.requests.length, 2);
    const [fresh] = p.process([ev({ file: path })], ctx(62_000));
    assert.equal(fresh!.fields['k8s.label.team'], 'search');
    assert.deepEqual(warnings, []);
    p.close?.();
  } finally {
    api.server.close();
  }
});

test('API look-up: an unknown pod is remembered, a refusal is reported and retried later', async () => {
  const api = await startApi();
  try {
    const warnings: string[] = [];
    const p = kubernetesProcessor.build(
      ConfigNode.parse(`type: kubernetes\napi: true\napi_url: ${api.url}\ntoken_file: token\nca_file: ca.crt\nretry_after: 10s\n`, 't.yaml'),
      { configDir: api.dir },
    ) as KubernetesProcessor;
    const ctx = (nowMs: number) => ({ nowMs, warn: (m: string) => void warnings.push(m) });
    const gone = `/var/log/containers/old-1_shop_app-${ID}.log`;
    const locked = `/var/log/containers/db-0_locked_pg-${ID}.log`;
    p.process([ev({ file: gone }), ev({ file: locked })], ctx(0));
    await p.idle();
    assert.equal(api.requests.length, 2);
    const [a, b] = p.process([ev({ file: gone }), ev({ file: locked })], ctx(1000));
    assert.equal(a!.fields['k8s.label.app'], undefined);
    assert.equal(b!.labels.namespace, 'locked');
    assert.deepEqual(warnings, ['kubernetes: GET pod locked/db-0: HTTP 403 (the service account may not get pods: grant it get on pods)']);
    await p.idle();
    assert.equal(api.requests.length, 2); // neither is asked again before its time
    p.process([ev({ file: locked })], ctx(11_000));
    await p.idle();
    assert.equal(api.requests.length, 3);
    p.close?.();
  } finally {
    api.server.close();
  }
});

test('API look-up: an untrusted server certificate is an error, reported, not a crash', async () => {
  const api = await startApi();
  try {
    const other = mkdtempSync(join(tmpdir(), 'k8s-ca-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(other, 'k.pem'), '-out', join(other, 'ca.crt'), '-days', '1', '-subj', '/CN=other'], { stdio: 'ignore' });
    writeFileSync(join(other, 'token'), 'test-service-account-token');
    const warnings: string[] = [];
    const p = kubernetesProcessor.build(
      ConfigNode.parse(`type: kubernetes\napi: true\napi_url: ${api.url}\ntoken_file: token\nca_file: ca.crt\n`, 't.yaml'),
      { configDir: other },
    ) as KubernetesProcessor;
    p.process([ev({ file: `/var/log/containers/web-1_shop_nginx-${ID}.log` })], { nowMs: 0, warn: (m) => void warnings.push(m) });
    await p.idle();
    p.process([], { nowMs: 1, warn: (m) => void warnings.push(m) });
    assert.equal(api.requests.length, 0);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^kubernetes: GET pod shop\/web-1: .*(self[- ]signed|certificate)/i);
    p.close?.();
  } finally {
    api.server.close();
  }
});

test('api: true without in-cluster credentials warns once and still parses paths', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8s-none-'));
  const warnings: string[] = [];
  const p = kubernetesProcessor.build(ConfigNode.parse('type: kubernetes\napi: true\napi_url: https://127.0.0.1:1\ntoken_file: token\n', 't.yaml'), { configDir: dir });
  const ctx = { nowMs: 0, warn: (m: string) => void warnings.push(m) };
  const [e] = p.process([ev({ file: `/var/log/containers/web-1_shop_nginx-${ID}.log` })], ctx);
  p.process([], ctx);
  assert.equal(e!.labels.pod, 'web-1');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^kubernetes: pod labels are not added: api: true but there is no service account token at .*token$/);
});
