// Measures how well the benchmark corpus compresses (gzip -6), next to the real-world samples in ../shared/data/loghub,
// so the corpus can be judged realistic: `node --import tsx bench/corpus-ratio.ts [--lines N] [--sample S] [--loghub DIR]`.
// N is the corpus size whose line rate is imitated (the denser the day, the closer related lines sit).

import { parseArgs } from 'node:util';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Estate } from '../src/demo/estate.ts';

const { values } = parseArgs({
  options: { lines: { type: 'string' }, sample: { type: 'string' }, loghub: { type: 'string' }, seed: { type: 'string' } },
});
const corpusLines = Number(values.lines ?? 10_000_000);
const sample = Number(values.sample ?? 300_000);
const loghub = values.loghub ?? join('..', 'shared', 'data', 'loghub');
const seed = Number(values.seed ?? 42);

function ratio(text: string): number {
  const buf = Buffer.from(text);
  return buf.length / gzipSync(buf, { level: 6 }).length;
}

// the corpus's own rate: N lines over 23.5 h
const estate = new Estate({ seed, linesPerSecond: corpusLines / (23.5 * 3600) });
const noon = Date.UTC(2025, 4, 1, 12, 0, 0);
const timeOrdered: string[] = [];
const byStream = new Map<number, string[]>();
for (let t = noon; timeOrdered.length < sample; t += 60_000) {
  for (const r of estate.records(t, t + 60_000)) {
    timeOrdered.push(r.line);
    let list = byStream.get(r.stream);
    if (list === undefined) byStream.set(r.stream, (list = []));
    list.push(r.line);
  }
}
const interleaved = timeOrdered.join('\n') + '\n';
const grouped = [...byStream.values()].map((l) => l.join('\n') + '\n').join('');
const head2k = timeOrdered.slice(0, 2000).join('\n') + '\n';

console.log(`corpus sample: ${timeOrdered.length.toLocaleString('en-US')} lines at the rate of a ${corpusLines.toLocaleString('en-US')}-line day, avg ${(Buffer.byteLength(interleaved) / timeOrdered.length).toFixed(0)} bytes/line`);
console.log(`  gzip -6, all services interleaved in time order: ${ratio(interleaved).toFixed(2)}×`);
console.log(`  gzip -6, grouped by stream (as a store keeps it): ${ratio(grouped).toFixed(2)}×`);
console.log(`  gzip -6, first 2,000 lines (same size as loghub's samples): ${ratio(head2k).toFixed(2)}×`);

if (existsSync(loghub)) {
  console.log(`loghub samples (${loghub}):`);
  const all: string[] = [];
  for (const name of readdirSync(loghub).sort()) {
    const dir = join(loghub, name);
    if (!statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.log'))) {
      const text = readFileSync(join(dir, f), 'utf8');
      all.push(text);
      console.log(`  ${f.padEnd(24)} ${ratio(text).toFixed(2)}×`);
    }
  }
  console.log(`  all concatenated          ${ratio(all.join('')).toFixed(2)}×`);
}
