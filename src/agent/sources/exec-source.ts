// The `exec` source: runs a command and takes its output lines (stdout, and stderr with `stderr: true`); when the
// command exits it is started again after `restart_delay` unless `restart: never`. The `stdin` source is the
// agent's own standard input.

import { spawn, type ChildProcess } from 'node:child_process';
import { LineStreamSource } from './line-stream-source.ts';
import type { ArrivalClock } from './source.ts';

export interface ExecSourceConfig {
  command: string[];
  stderr: boolean;
  restart: 'always' | 'never';
  restartDelayMs: number;
  maxLineBytes: number;
}

export class ExecSource extends LineStreamSource {
  private child: ChildProcess | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(name: string, labels: Record<string, string>, clock: ArrivalClock, private readonly cfg: ExecSourceConfig, private readonly log: (m: string) => void) {
    super(name, labels, clock, cfg.maxLineBytes);
  }

  async start(): Promise<void> {
    this.spawnChild();
  }

  override close(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.child?.kill('SIGTERM');
    super.close();
  }

  private spawnChild(): void {
    const [cmd, ...args] = this.cfg.command;
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', this.cfg.stderr ? 'pipe' : 'inherit'] });
    this.child = child;
    this.attach(child.stdout!);
    if (this.cfg.stderr) this.attach(child.stderr!);
    child.on('error', (e) => this.log(`source ${this.name}: cannot run ${cmd}: ${e.message}`));
    child.on('exit', (code, signal) => {
      if (this.stopped) return;
      this.log(`source ${this.name}: ${cmd} exited (${signal ?? `code ${code}`})${this.cfg.restart === 'always' ? `, restarting in ${this.cfg.restartDelayMs} ms` : ''}`);
      if (this.cfg.restart === 'always') this.timer = setTimeout(() => this.spawnChild(), this.cfg.restartDelayMs);
    });
  }
}

export class StdinSource extends LineStreamSource {
  async start(): Promise<void> {
    this.attach(process.stdin);
  }
}
