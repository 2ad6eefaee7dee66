// `remove`: deletes fields and labels by name. Removing a label moves the event to the stream without it.

import type { ConfigNode } from '../../config/config-node.ts';
import type { PipelineEvent } from '../event.ts';
import { fieldsWithout } from '../field-removal.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorType } from '../processor.ts';

class Remover implements Processor {
  constructor(private readonly fields: string[], private readonly labels: string[]) {}

  process(events: PipelineEvent[]): PipelineEvent[] {
    const { fields, labels } = this;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      // one rebuild rather than `delete`s, which would leave the fields slow for every later step (field-removal.ts)
      for (let j = 0; j < fields.length; j++) {
        if (e.fields[fields[j]] !== undefined) {
          e.fields = fieldsWithout(e.fields, fields, fields.length);
          break;
        }
      }
      for (let j = 0; j < labels.length; j++) delete e.labels[labels[j]];
    }
    return events;
  }
}

export const removeProcessor: ProcessorType = {
  type: 'remove',
  description: 'delete fields and labels by name',
  build(node: ConfigNode): Processor {
    node.onlyKeys([...COMMON_PROCESSOR_KEYS, 'fields', 'labels']);
    const fields = node.get('fields').stringList([]);
    const labels = node.get('labels').stringList([]);
    if (fields.length + labels.length === 0) node.fail('expected fields: or labels: (names to remove)');
    return new Remover(fields, labels);
  },
};
