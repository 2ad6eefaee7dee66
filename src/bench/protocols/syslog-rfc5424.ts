// Syslog messages in RFC 5424 format (§6: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG`),
// facility local0, severity from the level label, HOSTNAME = pod, APP-NAME = service, the ids as SD-PARAMs of
// `[meta@32473 …]` (32473 is the documentation PEN of RFC 5612). Over TCP with octet counting (RFC 6587 §3.4.1:
// `MSG-LEN SP SYSLOG-MSG`, one write per batch) and over UDP one message per datagram (RFC 5426 §3.1).

import { frames, nsToRfc3339, SYSLOG_SEVERITY, type CorpusBatch, type EncodedBatch, type ProtocolDef } from './protocol.ts';

const LOCAL0 = 16;

/** RFC 5424 §6.3.3: inside PARAM-VALUE, `"`, `\` and `]` are escaped with a backslash. */
function paramValue(v: string): string {
  return v.replace(/["\\\]]/g, (c) => '\\' + c);
}

/** The RFC 5424 messages of a batch, in order. */
export function syslogMessages(batch: CorpusBatch): Buffer[] {
  const out: Buffer[] = [];
  for (const s of batch.streams) {
    const l = s.stream;
    const pri = LOCAL0 * 8 + (SYSLOG_SEVERITY[l.level] ?? 6);
    const host = l.pod;
    const app = l.service.slice(0, 48);
    for (const v of s.values) {
      const meta = v[2];
      let sd = '-';
      if (meta !== undefined) {
        sd = '[meta@32473';
        for (const k of Object.keys(meta)) sd += ` ${k}="${paramValue(meta[k])}"`;
        sd += ']';
      }
      out.push(Buffer.from(`<${pri}>1 ${nsToRfc3339(v[0])} ${host} ${app} - - ${sd} ${v[1]}`));
    }
  }
  return out;
}

/** One buffer of octet-counted frames (RFC 6587 §3.4.1). */
export function encodeSyslogTcp(batch: CorpusBatch): EncodedBatch {
  const parts: Buffer[] = [];
  for (const m of syslogMessages(batch)) parts.push(Buffer.from(`${m.length} `), m);
  return frames([Buffer.concat(parts)], batch.lines);
}

/** One datagram per message (RFC 5426 §3.1). */
export function encodeSyslogUdp(batch: CorpusBatch): EncodedBatch {
  return frames(syslogMessages(batch), batch.lines);
}

export const syslogTcp: ProtocolDef = {
  name: 'syslog-tcp',
  title: 'syslog RFC 5424, TCP octet counting',
  encode: encodeSyslogTcp,
  transport: { kind: 'syslog-tcp' },
};

export const syslogUdp: ProtocolDef = {
  name: 'syslog-udp',
  title: 'syslog RFC 5424, UDP',
  encode: encodeSyslogUdp,
  transport: { kind: 'syslog-udp' },
};
