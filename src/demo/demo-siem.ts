// The demo server's SIEM config: a `siem.yaml` in the demo's data dir loading the repository's
// examples/detections (the guide's account-takeover rule and the Sigma examples), as `siem:` / `--siem` would.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const EXAMPLE_DETECTIONS = fileURLToPath(new URL('../../examples/detections', import.meta.url));

/** Writes `<dataDir>/siem.yaml` and returns its path (the server config's `siemFile`). */
export function writeDemoSiemConfig(dataDir: string, opts: { reorderWindow?: string } = {}): string {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'siem.yaml');
  const lines = [
    '# written by `sightline demo` on every start (docs/siem.md, "Configuration")',
    `rules: [${JSON.stringify(EXAMPLE_DETECTIONS)}]`,
    `reorder_window: ${opts.reorderWindow ?? '10s'}`,
    '',
  ];
  writeFileSync(file, lines.join('\n'));
  return file;
}
