// Journal Export Format (systemd.io, "Journal Export Formats"), as systemd-journal-upload POSTs it to /upload:
// `NAME=value\n` per field, a value holding a newline as `NAME\n` + 64-bit little-endian length + bytes + `\n`, and
// an empty line after each entry. __REALTIME_TIMESTAMP (µs), _HOSTNAME = pod, SYSLOG_IDENTIFIER = service,
// PRIORITY from the level label, the ids as TRACE_ID / SPAN_ID / USER_ID.

import { SYSLOG_SEVERITY, single, type CorpusBatch, type EncodedBatch, type ProtocolDef } from './protocol.ts';

function field(parts: Buffer[], name: string, value: string): void {
  if (!value.includes('\n')) {
    parts.push(Buffer.from(`${name}=${value}\n`));
    return;
  }
  const bytes = Buffer.from(value);
  const head = Buffer.alloc(name.length + 1 + 8);
  head.write(`${name}\n`, 0, 'latin1');
  head.writeBigUInt64LE(BigInt(bytes.length), name.length + 1);
  parts.push(head, bytes, Buffer.from('\n'));
}

export function encodeJournaldExport(batch: CorpusBatch): EncodedBatch {
  const parts: Buffer[] = [];
  for (const s of batch.streams) {
    const l = s.stream;
    const common = Buffer.from(`_HOSTNAME=${l.pod}\nSYSLOG_IDENTIFIER=${l.service}\nPRIORITY=${SYSLOG_SEVERITY[l.level] ?? 6}\n`);
    for (const v of s.values) {
      parts.push(Buffer.from(`__REALTIME_TIMESTAMP=${v[0].slice(0, -3)}\n`), common);
      const meta = v[2];
      if (meta !== undefined) for (const k of Object.keys(meta)) field(parts, k.toUpperCase(), meta[k]);
      field(parts, 'MESSAGE', v[1]);
      parts.push(Buffer.from('\n'));
    }
  }
  return single(Buffer.concat(parts), batch.lines);
}

export const journaldExport: ProtocolDef = {
  name: 'journald-export',
  title: 'journald export, POST /upload',
  encode: encodeJournaldExport,
  transport: {
    kind: 'http',
    path: '/upload',
    headers: { 'Content-Type': 'application/vnd.fdo.journal' },
    checkReply: (status, body) => (status !== 202 || body.includes('refused') ? `answered ${status}: ${body.slice(0, 400)}` : undefined),
  },
};
