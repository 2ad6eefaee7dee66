// OTLP/gRPC logs (OTLP specification, "OTLP/gRPC"): the same ExportLogsServiceRequest as OTLP/HTTP protobuf, sent as
// unary LogsService/Export calls by grpc-sender.ts to the server's --otlp-grpc-port.

import { encodeOtlpProtobuf } from './otlp-protobuf.ts';
import type { ProtocolDef } from './protocol.ts';

export const otlpGrpc: ProtocolDef = {
  name: 'otlp-grpc',
  title: 'OTLP/gRPC',
  encode: encodeOtlpProtobuf,
  transport: { kind: 'grpc' },
};
