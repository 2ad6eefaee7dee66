// `drop`: removes the events that reach it; with `if:` (handled by the runner) only the matching ones, e.g.
// health checks: `if: 'fields.path =~ "^/health"'`.

import type { ConfigNode } from '../../config/config-node.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorType } from '../processor.ts';

const DROP_ALL: Processor = { process: () => [] };

export const dropProcessor: ProcessorType = {
  type: 'drop',
  description: 'drop the events that match its if: (every event that reaches it when there is no if:)',
  build(node: ConfigNode): Processor {
    node.onlyKeys(COMMON_PROCESSOR_KEYS);
    return DROP_ALL;
  },
};
