// Source types by name: builds an AgentSource from its parsed spec. Adding one = a file here + a case below.

import type { Checkpoints } from '../checkpoints.ts';
import type { SourceSpec } from '../agent-config.ts';
import { FileSource } from './file-source.ts';
import { ExecSource, StdinSource } from './exec-source.ts';
import { JournaldSource } from './journald-source.ts';
import { KubernetesSource } from './kubernetes-source.ts';
import { SyslogSource } from './syslog-source.ts';
import type { AgentSource, ArrivalClock } from './source.ts';

export function buildSource(spec: SourceSpec, labels: Record<string, string>, checkpoints: Checkpoints, clock: ArrivalClock, log: (m: string) => void): AgentSource {
  switch (spec.type) {
    case 'file':
      return new FileSource(spec.name, spec.file, labels, checkpoints, clock, log);
    case 'kubernetes':
      return new KubernetesSource(spec.name, spec.kubernetes, labels, checkpoints, clock, log);
    case 'exec':
      return new ExecSource(spec.name, labels, clock, spec.exec, log);
    case 'stdin':
      return new StdinSource(spec.name, labels, clock, spec.maxLineBytes);
    case 'journald':
      return new JournaldSource(spec.name, labels, clock, spec.journald, checkpoints, log);
    case 'syslog':
      return new SyslogSource(spec.name, spec.syslog, labels, clock, log);
  }
}
