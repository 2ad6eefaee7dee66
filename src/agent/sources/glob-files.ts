// The files a file source's include patterns match, found again at every scan. The patterns are compiled once
// (picomatch) and each is walked from its own fixed directory (`/var/log/containers` for
// `/var/log/containers/*.log`), descending only into directories its next part can match. A glob library called
// per scan did worse on an idle node: it walked from the deepest directory shared with the working directory
// (often `/`, listing all of /tmp every 100 ms in the benchmark) and recompiled the patterns each time, garbage
// that stayed in the old generation until V8's next major collection (BENCHMARKS.md#agent).

import { readdirSync, statSync, type Dirent } from 'node:fs';
import picomatch from 'picomatch';

type Matcher = (path: string) => boolean;

/** How deep `**` may take the walk: a guard against pathological trees. */
const MAX_DEPTH = 32;

interface CompiledPattern {
  /** the whole pattern below its base, against the path relative to the base */
  matches: Matcher;
  /** one matcher per directory level below the base, up to the first `**` (or brace that may hold a `/`) */
  levels: Matcher[];
  /** the level from which any directory may hold matches */
  anyBelow: number;
}

/** The leading directories of an absolute pattern that hold no glob syntax (the last part always counts as glob). */
export function fixedBase(pattern: string): string {
  const parts = pattern.split('/');
  let i = 1; // parts[0] is the empty string before the leading '/'
  while (i < parts.length - 1 && !picomatch.scan(parts[i]).isGlob) i++;
  return parts.slice(0, i).join('/') || '/';
}

function compile(rest: string): CompiledPattern {
  const parts = rest.split('/');
  // a brace may hold '/' (`{a,b/c}`): from there on, levels cannot be told apart
  let anyBelow = parts.findIndex((p) => p.includes('**') || p.includes('{'));
  if (anyBelow < 0) anyBelow = Infinity;
  const levels = parts.slice(0, Math.min(anyBelow, parts.length - 1)).map((p) => picomatch(p));
  return { matches: picomatch(rest), levels, anyBelow };
}

export class FileGlob {
  private readonly bases = new Map<string, CompiledPattern[]>();
  private readonly excluded: Matcher;

  constructor(include: readonly string[], exclude: readonly string[]) {
    for (const pattern of include) {
      const base = fixedBase(pattern);
      const compiled = compile(pattern.slice(base === '/' ? 1 : base.length + 1));
      const list = this.bases.get(base);
      if (list) list.push(compiled);
      else this.bases.set(base, [compiled]);
    }
    this.excluded = exclude.length > 0 ? picomatch([...exclude]) : () => false;
  }

  /** Absolute paths of the regular files (symbolic links followed) matching an include and no exclude pattern. */
  files(): string[] {
    const found = new Set<string>();
    const linkedDirectories = new Set<string>();
    for (const [base, patterns] of this.bases) this.walk(base, '', 0, patterns, found, linkedDirectories);
    return [...found];
  }

  /** `linkedDirectories`: dev:ino of the directories entered through a symbolic link in this scan, each entered once */
  private walk(dir: string, relative: string, depth: number, patterns: CompiledPattern[], found: Set<string>, linkedDirectories: Set<string>): void {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // not there (yet), not a directory, or not readable: nothing to tail here
    }
    for (const entry of entries) {
      const name = entry.name;
      const path = dir === '/' ? '/' + name : dir + '/' + name;
      const rel = relative === '' ? name : relative + '/' + name;
      let isFile = entry.isFile();
      let isDirectory = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        try {
          const target = statSync(path);
          isFile = target.isFile();
          isDirectory = target.isDirectory();
          if (isDirectory) {
            const id = `${target.dev}:${target.ino}`;
            if (linkedDirectories.has(id)) continue; // a loop, or a second way to the same place
            linkedDirectories.add(id);
          }
        } catch {
          continue; // dangling link
        }
      }
      if (isFile) {
        if (patterns.some((p) => p.matches(rel)) && !this.excluded(path)) found.add(path);
      } else if (isDirectory && depth < MAX_DEPTH) {
        const deeper = patterns.filter((p) => depth >= p.anyBelow || (depth < p.levels.length && p.levels[depth](name)));
        if (deeper.length > 0) this.walk(path, rel, depth + 1, deeper, found, linkedDirectories);
      }
    }
  }
}
