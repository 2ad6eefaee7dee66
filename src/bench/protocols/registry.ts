// The protocols the protocol benchmark runs, in table order. Adding one = an encoder file + a line here.

import { elasticsearchBulk } from './elasticsearch-bulk.ts';
import { fluentForward } from './fluent-forward.ts';
import { journaldExport } from './journald-export.ts';
import { lokiJson } from './loki-json.ts';
import { lokiProtobuf } from './loki-protobuf.ts';
import { nativeNdjson } from './native-ndjson.ts';
import { otlpGrpc } from './otlp-grpc.ts';
import { otlpHttpJson } from './otlp-json.ts';
import { otlpHttpProtobuf } from './otlp-protobuf.ts';
import type { ProtocolDef } from './protocol.ts';
import { splunkHecEvent } from './splunk-hec-event.ts';
import { splunkHecRaw } from './splunk-hec-raw.ts';
import { syslogTcp, syslogUdp } from './syslog-rfc5424.ts';

export const PROTOCOLS: readonly ProtocolDef[] = [
  lokiJson,
  lokiProtobuf,
  elasticsearchBulk,
  otlpHttpProtobuf,
  otlpHttpJson,
  otlpGrpc,
  splunkHecEvent,
  splunkHecRaw,
  nativeNdjson,
  fluentForward,
  syslogTcp,
  syslogUdp,
  journaldExport,
];
