// The `kubernetes` source: the node's container log files (/var/log/containers/*.log by default), each line
// unwrapped from its runtime's format (CRI for containerd/CRI-O, json-file for Docker, told apart per line),
// partial lines reassembled, and pod/namespace/container taken from the file name (pod labels from the API with
// `api: true`). The same pipeline processors (`cri`, `docker`, `kubernetes`) do the work; this only wires them.

import { ConfigNode } from '../../config/config-node.ts';
import type { PipelineEvent } from '../../pipeline/event.ts';
import type { Processor, ProcessorContext } from '../../pipeline/processor.ts';
import { criProcessor } from '../../pipeline/processors/cri.ts';
import { dockerProcessor } from '../../pipeline/processors/docker.ts';
import { kubernetesProcessor } from '../../pipeline/processors/kubernetes.ts';
import type { Checkpoints } from '../checkpoints.ts';
import { FileSource, type FileSourceConfig } from './file-source.ts';
import { unshareEvents, type AgentSource, type ArrivalClock, type SourceBatch } from './source.ts';

export interface KubernetesSourceConfig {
  file: FileSourceConfig;
  /** look pod labels up in the Kubernetes API (in-cluster credentials) */
  api: boolean;
}

export const DEFAULT_CONTAINER_LOGS = ['/var/log/containers/*.log'];

export class KubernetesSource implements AgentSource {
  private readonly files: FileSource;
  private readonly cri: Processor;
  private readonly docker: Processor;
  private readonly kubernetes: Processor;
  private readonly ctx: ProcessorContext;

  constructor(readonly name: string, cfg: KubernetesSourceConfig, labels: Record<string, string>, checkpoints: Checkpoints, clock: ArrivalClock, log: (m: string) => void) {
    this.files = new FileSource(name, cfg.file, labels, checkpoints, clock);
    const build = (text: string) => ConfigNode.parse(text, `<${name} source>`);
    this.cri = criProcessor.build(build('type: cri'), { configDir: '.' });
    this.docker = dockerProcessor.build(build('type: docker'), { configDir: '.' });
    this.kubernetes = kubernetesProcessor.build(build(`type: kubernetes\napi: ${cfg.api}`), { configDir: '.' });
    this.ctx = { nowMs: Date.now(), warn: (m) => log(`source ${name}: ${m}`) };
  }

  read(nowMs: number, maxBytes: number): SourceBatch | undefined {
    const batch = this.files.read(nowMs, maxBytes);
    this.ctx.nowMs = nowMs;
    const held = [...(this.cri.flush?.(this.ctx, false) ?? []), ...(this.docker.flush?.(this.ctx, false) ?? [])];
    if (!batch && held.length === 0) return undefined;
    if (batch) unshareEvents(batch.events);
    const cri: PipelineEvent[] = [];
    const docker: PipelineEvent[] = [];
    // Docker's json-file lines are JSON objects; CRI lines start with their timestamp
    for (const e of batch?.events ?? []) (e.line.charCodeAt(0) === 123 ? docker : cri).push(e);
    const unwrapped = [...held, ...this.cri.process(cri, this.ctx), ...this.docker.process(docker, this.ctx)];
    // Fragments held for reassembly count as delivered with their batch: an agent killed before a line's last
    // fragment arrives loses the earlier fragments (the rest of that line still arrives, marked partial).
    return { events: this.kubernetes.process(unwrapped, this.ctx), bytes: batch?.bytes ?? 0, acknowledge: batch?.acknowledge ?? (() => {}) };
  }

  positions(): { path: string; offset: number }[] {
    return this.files.positions();
  }

  lag(): { path: string; lag: number }[] {
    return this.files.lag();
  }

  close(): void {
    this.files.close();
    this.kubernetes.close?.();
  }
}
