// `host` processor: adds the metadata of the machine the pipeline runs on (host name, OS, kernel release,
// architecture, IP addresses), computed once when the processor is built. Useful in the agent, where that machine
// is the one that produced the logs.

import { arch, hostname, networkInterfaces, platform, release } from 'node:os';
import type { ConfigNode } from '../../config/config-node.ts';
import type { PipelineEvent } from '../event.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorEnv, type ProcessorType } from '../processor.ts';

export const HOST_PROPERTIES = ['hostname', 'os', 'os_version', 'arch', 'ip'] as const;
export type HostProperty = (typeof HOST_PROPERTIES)[number];

/** This machine's non-internal addresses, IPv4 first, link-local IPv6 left out. */
export function hostAddresses(): string[] {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv4') v4.push(a.address);
      else if (!a.address.toLowerCase().startsWith('fe80:')) v6.push(a.address);
    }
  }
  return [...new Set([...v4, ...v6])];
}

export function hostValues(): Record<HostProperty, string> {
  return {
    hostname: hostname(),
    os: platform(),
    os_version: release(),
    arch: arch(),
    ip: hostAddresses().join(','),
  };
}

export const hostProcessor: ProcessorType = {
  type: 'host',
  description: 'adds host name, OS, kernel release, architecture and IP addresses of the machine running the pipeline',
  build(node: ConfigNode, _env: ProcessorEnv): Processor {
    node.onlyKeys([...COMMON_PROCESSOR_KEYS, 'properties', 'target', 'overwrite']);
    const propsNode = node.get('properties');
    const props = propsNode.exists
      ? propsNode.stringList().map((p, i) => {
          if (!(HOST_PROPERTIES as readonly string[]).includes(p)) {
            (propsNode.isList ? propsNode.items()[i]! : propsNode).fail(`unknown property ${JSON.stringify(p)} (expected one of ${HOST_PROPERTIES.join(', ')})`);
          }
          return p as HostProperty;
        })
      : [...HOST_PROPERTIES];
    const target = node.get('target').string('host');
    const overwrite = node.get('overwrite').boolean(false);
    const values = hostValues();
    const names: string[] = [];
    const vals: string[] = [];
    for (const p of props) {
      if (values[p] === '') continue; // no address to report
      names.push(target === '' ? p : `${target}.${p}`);
      vals.push(values[p]);
    }
    return {
      process(events: PipelineEvent[]): PipelineEvent[] {
        for (let i = 0; i < events.length; i++) {
          const fields = events[i]!.fields;
          for (let k = 0; k < names.length; k++) {
            if (overwrite || fields[names[k]!] === undefined) fields[names[k]!] = vals[k]!;
          }
        }
        return events;
      },
    };
  },
};
