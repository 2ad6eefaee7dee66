// The guide's account-takeover scenario as records (syslog-shaped sshd / usermod lines, a file-server download), and
// helpers to turn records into ingest batches. Shared by the engine, persistence and hunt tests.

import type { IngestBatch, Labels, StreamEntries } from '../../src/model/record.ts';

export interface Rec {
  ts: bigint;
  labels: Labels;
  line: string;
  metadata?: Record<string, string>;
}

export const T0 = BigInt(Date.UTC(2024, 4, 1, 18, 0, 0)) * 1_000_000n;
export const MIN = 60_000_000_000n;
export const SEC = 1_000_000_000n;

const SSHD = { service: 'sshd', host: 'web-1' };

export function failed(user: string, at: bigint, ip = '198.51.100.23'): Rec {
  return { ts: at, labels: SSHD, line: `Failed password for ${user} from ${ip} port ${40000 + Number((at / SEC) % 1000n)} ssh2` };
}
export function accepted(user: string, at: bigint, ip = '198.51.100.23'): Rec {
  return { ts: at, labels: SSHD, line: `Accepted password for ${user} from ${ip} port 52222 ssh2` };
}
export function privilege(user: string, at: bigint, group = 'sudo'): Rec {
  return { ts: at, labels: { service: 'usermod', host: 'web-1' }, line: `add '${user}' to group '${group}'` };
}
export function download(user: string, at: bigint, bytes = 2_147_483_648): Rec {
  return { ts: at, labels: { service: 'fileserver', host: 'files-1' }, line: `action=download user_id=${user} bytes=${bytes} path=/exports/customers.csv` };
}
export function noise(at: bigint): Rec {
  return { ts: at, labels: { service: 'nginx', host: 'web-1' }, line: `GET /health 200 0.001` };
}

/** The guide's central scenario: five failures a minute apart, a success, a privilege change. */
export function takeover(user = 'admin'): Rec[] {
  return [
    failed(user, T0),
    failed(user, T0 + 1n * MIN),
    failed(user, T0 + 2n * MIN),
    failed(user, T0 + 3n * MIN),
    failed(user, T0 + 4n * MIN),
    accepted(user, T0 + 6n * MIN),
    privilege(user, T0 + 10n * MIN),
  ];
}

/** One tenant's batch, grouped by stream in record order. */
export function batchOf(recs: Rec[], tenant = 'default'): IngestBatch {
  const streams = new Map<string, StreamEntries>();
  let bytes = 0;
  for (const r of recs) {
    const key = JSON.stringify(Object.entries(r.labels).sort());
    let s = streams.get(key);
    if (!s) streams.set(key, (s = { labels: r.labels, ts: [], lines: [], metadata: [] }));
    s.ts.push(r.ts);
    s.lines.push(r.line);
    s.metadata.push(r.metadata);
    bytes += r.line.length;
  }
  return { tenant, streams: [...streams.values()], entries: recs.length, bytes };
}
