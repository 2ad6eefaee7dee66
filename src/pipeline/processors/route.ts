// `route`: chooses the outputs of events (`store`, `archive`, `alert`, `drop`): either one `outputs:` list for
// every event that reaches it (select with `if:`), or `routes:`, a list of `{if, outputs}` where the first match
// wins and `default:` applies to events no route matches. The server delivers events to their outputs.

import type { ConfigNode } from '../../config/config-node.ts';
import type { PipelineEvent } from '../event.ts';
import { readCondition, type Condition } from '../expression/expression.ts';
import { KNOWN_OUTPUTS } from '../outputs.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorType } from '../processor.ts';

interface Route {
  condition: Condition;
  outputs: string[];
}

function readOutputs(node: ConfigNode): string[] {
  const outputs = node.stringList();
  for (const o of outputs) {
    if (!(KNOWN_OUTPUTS as readonly string[]).includes(o)) node.fail(`unknown output ${JSON.stringify(o)} (expected some of ${KNOWN_OUTPUTS.join(', ')})`);
  }
  if (outputs.includes('drop') && outputs.length > 1) node.fail('`drop` cannot be combined with other outputs');
  return [...new Set(outputs)];
}

class Router implements Processor {
  constructor(private readonly routes: Route[], private readonly fallback: string[] | undefined) {}

  process(events: PipelineEvent[]): PipelineEvent[] {
    const routes = this.routes;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      let chosen = this.fallback;
      for (let r = 0; r < routes.length; r++) {
        if (routes[r].condition.test(e)) {
          chosen = routes[r].outputs;
          break;
        }
      }
      // shared, never mutated: each event gets the route's own list
      if (chosen !== undefined) e.outputs = chosen;
    }
    return events;
  }
}

class FixedRoute implements Processor {
  constructor(private readonly outputs: string[]) {}

  process(events: PipelineEvent[]): PipelineEvent[] {
    for (let i = 0; i < events.length; i++) events[i].outputs = this.outputs;
    return events;
  }
}

export const routeProcessor: ProcessorType = {
  type: 'route',
  description: 'send events to outputs (store, archive, alert, drop): outputs: for all, or routes: [{if, outputs}] with a default:',
  build(node: ConfigNode): Processor {
    node.onlyKeys([...COMMON_PROCESSOR_KEYS, 'outputs', 'routes', 'default']);
    const outputs = node.get('outputs');
    const routes = node.get('routes');
    if (outputs.exists === routes.exists) node.fail('expected either outputs: (a list of outputs) or routes: (a list of {if, outputs}), not both or neither');
    if (outputs.exists) {
      if (node.get('default').exists) node.get('default').fail('default: goes with routes:, not with outputs:');
      return new FixedRoute(readOutputs(outputs));
    }
    const list = routes.items().map((r) => {
      r.onlyKeys(['if', 'outputs']);
      const condition = readCondition(r.get('if'));
      if (!condition) return r.get('if').fail('is required (expected the condition of this route)');
      return { condition, outputs: readOutputs(r.get('outputs')) };
    });
    const fallback = node.get('default');
    return new Router(list, fallback.exists ? readOutputs(fallback) : undefined);
  },
};
