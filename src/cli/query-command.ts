// `sightline query`: runs LogQL against a server's Loki API and prints the result for a terminal or as JSON.

import { parseArgs } from 'node:util';
import { parseExpr } from '../query/parser.ts';
import { parseStep } from '../server/loki-params.ts';

const HELP = `sightline query '<LogQL>': run a query against a Sightline (or Loki) server

  --since D          look back this long from now (default 1h), e.g. 15m, 6h, 2d
  --from T --to T    absolute range (RFC 3339 or Unix seconds/nanoseconds) instead of --since
  --limit N          most log lines to return (default 100)
  --forward          oldest first (default newest first)
  --step D           resolution of metric queries (default: Loki's, range/250)
  --server URL       server address (default $SIGHTLINE_URL or http://127.0.0.1:3100)
  --tenant T         X-Scope-OrgID to query as
  --api-key K        API key (default $SIGHTLINE_API_KEY)
  --output text|json text (default) prints one line per entry or sample; json prints the API reply
`;

interface LokiReply {
  status: string;
  data: {
    resultType: 'streams' | 'matrix' | 'vector' | 'scalar';
    result: unknown;
  };
}

export async function queryCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      since: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string' },
      forward: { type: 'boolean' },
      step: { type: 'string' },
      server: { type: 'string' },
      tenant: { type: 'string' },
      'api-key': { type: 'string' },
      output: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  const query = positionals.join(' ');
  const expr = parseExpr(query); // fail fast, with the position, before any network round trip
  const output = values.output ?? 'text';
  if (output !== 'text' && output !== 'json') throw new Error(`--output: expected text or json, got "${output}"`);
  const server = (values.server ?? process.env.SIGHTLINE_URL ?? 'http://127.0.0.1:3100').replace(/\/$/, '');
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const params = new URLSearchParams({ query, limit: values.limit ?? '100', direction: values.forward ? 'forward' : 'backward' });
  if (values.from || values.to) {
    if (values.since) throw new Error('--since cannot be combined with --from/--to');
    if (values.from) params.set('start', values.from);
    if (values.to) params.set('end', values.to);
  } else {
    const since = parseStep(values.since ?? '1h', 'since');
    params.set('start', String(nowNs - since));
    params.set('end', String(nowNs));
  }
  if (values.step) params.set('step', values.step);
  const headers: Record<string, string> = {};
  if (values.tenant) headers['X-Scope-OrgID'] = values.tenant;
  const key = values['api-key'] ?? process.env.SIGHTLINE_API_KEY;
  if (key) headers.Authorization = `Bearer ${key}`;
  let res: Response;
  try {
    res = await fetch(`${server}/loki/api/v1/query_range?${params}`, { headers });
  } catch (e) {
    throw new Error(`cannot reach ${server}: ${(e as Error).cause ?? (e as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // a plain-text error body
    }
    throw new Error(`query failed (${res.status}): ${message.trim()}`);
  }
  const reply = JSON.parse(text) as LokiReply;
  if (output === 'json') {
    process.stdout.write(JSON.stringify(reply.data, null, 2) + '\n');
    return 0;
  }
  process.stdout.write(expr.kind === 'log' ? formatStreams(reply, !values.forward) : formatMetric(reply));
  return 0;
}

function formatLabels(labels: Record<string, string>): string {
  return '{' + Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ') + '}';
}

function nsToIso(ns: string): string {
  const ms = Number(BigInt(ns) / 1_000_000n);
  const frac = ns.slice(-9).padStart(9, '0');
  return new Date(ms).toISOString().slice(0, 19) + '.' + frac + 'Z';
}

function formatStreams(reply: LokiReply, newestFirst: boolean): string {
  const rows: { ts: bigint; text: string }[] = [];
  for (const s of reply.data.result as { stream: Record<string, string>; values: [string, string][] }[]) {
    const labels = formatLabels(s.stream);
    for (const [ts, line] of s.values) rows.push({ ts: BigInt(ts), text: `${nsToIso(ts)} ${labels} ${line}` });
  }
  rows.sort((a, b) => (a.ts === b.ts ? 0 : (a.ts < b.ts) !== newestFirst ? -1 : 1));
  return rows.map((r) => r.text + '\n').join('') + (rows.length === 0 ? '(no log lines matched)\n' : '');
}

function formatMetric(reply: LokiReply): string {
  const out: string[] = [];
  const time = (t: number) => new Date(t * 1000).toISOString();
  if (reply.data.resultType === 'matrix') {
    for (const s of reply.data.result as { metric: Record<string, string>; values: [number, string][] }[]) {
      out.push(formatLabels(s.metric));
      for (const [t, v] of s.values) out.push(`  ${time(t)}  ${v}`);
    }
  } else if (reply.data.resultType === 'vector') {
    for (const s of reply.data.result as { metric: Record<string, string>; value: [number, string] }[]) out.push(`${formatLabels(s.metric)}  ${s.value[1]}`);
  } else {
    out.push(JSON.stringify(reply.data.result));
  }
  return out.join('\n') + '\n' + (out.length === 0 ? '(no series)\n' : '');
}
