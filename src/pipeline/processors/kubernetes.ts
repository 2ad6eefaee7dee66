// `kubernetes` processor: namespace, pod and container (stream labels) plus container id and pod uid (fields) from
// a container log path field; with `api: true` and in-cluster credentials, the pod's labels and node from the
// Kubernetes API, cached with a TTL and fetched in the background (an event is enriched once its pod is cached).

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigNode } from '../../config/config-node.ts';
import type { PipelineEvent } from '../event.ts';
import { parseContainerLogPath, type ContainerLogIdentity } from '../kubernetes-path.ts';
import { PodMetadataClient } from '../kubernetes-pods.ts';
import { LruCache } from '../lru-cache.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorContext, type ProcessorEnv, type ProcessorType } from '../processor.ts';

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
const DEFAULT_PATH_FIELDS = ['file', 'filename', 'log.file.path'];
const IDENTITY = ['namespace', 'pod', 'container'] as const;

/** The processor, with `idle()` for tests that wait for background API fetches. */
export interface KubernetesProcessor extends Processor {
  idle(): Promise<void>;
}

/** The API server address from the in-cluster environment (KUBERNETES_SERVICE_HOST/PORT), if any. */
function inClusterUrl(): string | undefined {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  if (host === undefined || host === '') return undefined;
  const port = process.env.KUBERNETES_SERVICE_PORT ?? '443';
  return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export const kubernetesProcessor: ProcessorType = {
  type: 'kubernetes',
  description: 'adds namespace, pod and container from container log paths, and pod labels from the Kubernetes API',
  build(node: ConfigNode, env: ProcessorEnv): KubernetesProcessor {
    node.onlyKeys([
      ...COMMON_PROCESSOR_KEYS, 'fields', 'labels', 'api', 'api_url', 'token_file', 'ca_file', 'cache_ttl',
      'retry_after', 'timeout', 'label_prefix',
    ]);
    const pathFields = node.get('fields').stringList(DEFAULT_PATH_FIELDS);
    const labelsNode = node.get('labels');
    const asLabels = new Set(
      labelsNode.stringList([...IDENTITY]).map((l, i) => {
        if (!(IDENTITY as readonly string[]).includes(l)) {
          (labelsNode.isList ? labelsNode.items()[i]! : labelsNode).fail(`expected some of ${IDENTITY.join(', ')}, got ${JSON.stringify(l)}`);
        }
        return l;
      }),
    );
    const labelPrefix = node.get('label_prefix').string('k8s.label.');
    const identity = new LruCache<string, ContainerLogIdentity | null>(4096);

    // The optional API client; missing credentials switch it off with one warning.
    let client: PodMetadataClient | undefined;
    let disabledWhy: string | undefined;
    if (node.get('api').boolean(false)) {
      const tokenFile = resolve(env.configDir, node.get('token_file').string(`${SERVICE_ACCOUNT}/token`));
      const caFile = resolve(env.configDir, node.get('ca_file').string(`${SERVICE_ACCOUNT}/ca.crt`));
      const url = node.get('api_url').optionalString() ?? inClusterUrl();
      const ttlMs = node.get('cache_ttl').durationMs(300_000);
      const retryMs = node.get('retry_after').durationMs(30_000);
      const timeoutMs = node.get('timeout').durationMs(5_000);
      if (url === undefined) disabledWhy = 'api: true but KUBERNETES_SERVICE_HOST is not set and no api_url is given';
      else if (!existsSync(tokenFile)) disabledWhy = `api: true but there is no service account token at ${tokenFile}`;
      else if (!existsSync(caFile)) disabledWhy = `api: true but there is no CA certificate at ${caFile}`;
      else {
        try {
          new URL(url);
        } catch {
          node.get('api_url').fail(`expected an https:// URL, got ${JSON.stringify(url)}`);
        }
        client = new PodMetadataClient({ url, tokenFile, ca: readFileSync(caFile), ttlMs, retryMs, timeoutMs, maxPending: 8, maxEntries: 10_000 });
      }
    }
    let warnedDisabled = false;

    return {
      process(events: PipelineEvent[], ctx: ProcessorContext): PipelineEvent[] {
        if (disabledWhy !== undefined && !warnedDisabled) {
          warnedDisabled = true;
          ctx.warn(`kubernetes: pod labels are not added: ${disabledWhy}`);
        }
        for (let i = 0; i < events.length; i++) {
          const ev = events[i]!;
          let path: string | undefined;
          for (let f = 0; f < pathFields.length; f++) {
            const v = ev.fields[pathFields[f]!];
            if (typeof v === 'string' && v.length > 0) {
              path = v;
              break;
            }
          }
          if (path === undefined) continue;
          let id = identity.get(path);
          if (id === undefined) {
            id = parseContainerLogPath(path);
            identity.set(path, id);
          }
          if (id === null) continue;
          for (const k of IDENTITY) {
            if (asLabels.has(k)) ev.labels[k] = id[k];
            else ev.fields[`k8s.${k}`] = id[k];
          }
          if (id.containerId !== undefined) ev.fields['k8s.container_id'] = id.containerId;
          if (id.podUid !== undefined) ev.fields['k8s.pod_uid'] = id.podUid;
          if (client !== undefined) {
            const meta = client.lookup(id.namespace, id.pod, ctx.nowMs);
            if (meta !== undefined) {
              for (const k in meta.labels) ev.fields[labelPrefix + k] = meta.labels[k]!;
              if (meta.node !== undefined) ev.fields['k8s.node'] = meta.node;
              if (meta.uid !== undefined && id.podUid === undefined) ev.fields['k8s.pod_uid'] = meta.uid;
            }
          }
        }
        if (client !== undefined) for (const w of client.drainWarnings()) ctx.warn(w);
        return events;
      },
      close(): void {
        client?.close();
      },
      idle(): Promise<void> {
        return client?.idle() ?? Promise.resolve();
      },
    };
  },
};
