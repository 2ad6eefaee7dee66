// What the demo pushes: the shop estate's logs and, when enabled, the attack plays on the bastion host, merged into
// one Loki push body per time slice. Pure function of (seed, time) like both of its parts.

import { Estate, type PushStream } from './estate.ts';
import { AttackPlayer } from './attack-scenario.ts';

export interface DemoFeedOptions {
  seed: number;
  linesPerSecond: number;
  /** attack plays: the first at `firstMs`, then every `everyMs`; undefined = no attacks */
  attack?: { firstMs: number; everyMs: number };
}

export class DemoFeed {
  readonly estate: Estate;
  readonly attacks: AttackPlayer | undefined;

  constructor(opts: DemoFeedOptions) {
    this.estate = new Estate({ seed: opts.seed, linesPerSecond: opts.linesPerSecond });
    this.attacks = opts.attack === undefined ? undefined : new AttackPlayer({ seed: opts.seed, ...opts.attack });
  }

  /** Lines written in (fromMs, toMs] as Loki push streams. */
  produce(fromMs: number, toMs: number): PushStream[] {
    const streams = this.estate.produce(fromMs, toMs);
    if (this.attacks !== undefined) for (const s of this.attacks.produce(fromMs, toMs)) streams.push(s);
    return streams;
  }
}
