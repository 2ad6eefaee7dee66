// Receiver secrets (webhook URLs, routing keys, passwords): given inline as `key`, from a file as `key_file`, or from
// an environment variable as `key_env`. Files and variables are read at each use, so a rotated secret needs no
// restart; a missing one fails when the config loads. Secrets are registered so error messages can be redacted.

import { readFileSync } from 'node:fs';
import type { ConfigNode } from '../../config/config-node.ts';

const known = new Set<string>();

function remember(v: string): string {
  if (v.length >= 4) known.add(v);
  return v;
}

/** `key`, `key_file` or `key_env` of a config mapping (at most one), as a reader; undefined when none is set. */
export function secretOf(node: ConfigNode, key: string): (() => string) | undefined {
  const inline = node.get(key);
  const file = node.get(`${key}_file`);
  const env = node.get(`${key}_env`);
  const set = [inline, file, env].filter((n) => n.exists);
  if (set.length > 1) set[1].fail(`give only one of ${key}, ${key}_file and ${key}_env`);
  if (inline.exists) {
    const v = remember(inline.string());
    return () => v;
  }
  if (file.exists) {
    const path = file.string();
    const read = () => remember(readFileSync(path, 'utf8').trim());
    try {
      if (read() === '') file.fail(`${path} is empty`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code) file.fail(`cannot read ${path}: ${(e as Error).message}`);
      throw e;
    }
    return read;
  }
  if (env.exists) {
    const name = env.string();
    if (!process.env[name]) env.fail(`environment variable ${name} is not set`);
    return () => remember(process.env[name] ?? '');
  }
  return undefined;
}

/** Replaces every secret Sightline knows of in a message (errors from peers can echo URLs or keys). */
export function redactSecrets(message: string): string {
  let out = message;
  for (const s of known) if (out.includes(s)) out = out.split(s).join('<secret>');
  return out;
}
