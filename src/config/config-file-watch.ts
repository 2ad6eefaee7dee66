// Watching one config file for changes worth a reload (the pipelines file, the alerting config): the directory is
// watched, not the file, because editors and Kubernetes ConfigMaps replace files instead of writing them (a
// ConfigMap swaps its `..data` symlink); changes are debounced and reported only when the content differs from
// what was last loaded and from what last failed to load, so a save that changes nothing reloads nothing.

import { createHash } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

const DEBOUNCE_MS = 250;

/** sha256 of the file's content, undefined when it cannot be read (being replaced, or gone). */
export function fileDigest(file: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return undefined;
  }
}

export interface ConfigFileWatchOptions {
  file: string;
  /** the digests to ignore: the one loaded now and the one that last failed */
  known: () => { loaded?: string; failed?: string };
  onChange: () => void;
  /** what to reload, for the messages, e.g. "the alerting config" */
  what: string;
  log: (message: string) => void;
}

export class ConfigFileWatch {
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;

  constructor(private readonly options: ConfigFileWatchOptions) {
    const { file, what, log } = options;
    const dir = path.dirname(path.resolve(file));
    const name = path.basename(file);
    try {
      this.watcher = watch(dir, (_event, changed) => {
        if (changed !== null && changed !== name && !changed.startsWith('..')) return;
        clearTimeout(this.debounce);
        this.debounce = setTimeout(() => this.check(), DEBOUNCE_MS);
        this.debounce.unref();
      });
      this.watcher.on('error', (err) => log(`watching ${dir} failed (reload ${what} with SIGHUP instead): ${err.message}`));
      this.watcher.unref();
    } catch (err) {
      log(`cannot watch ${dir} (reload ${what} with SIGHUP instead): ${(err as Error).message}`);
    }
  }

  private check(): void {
    const d = fileDigest(this.options.file);
    const { loaded, failed } = this.options.known();
    if (d !== undefined && d !== loaded && d !== failed) this.options.onChange();
  }

  close(): void {
    clearTimeout(this.debounce);
    this.watcher?.close();
  }
}
