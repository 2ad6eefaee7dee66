// A minimal gRPC server for unary methods over node:http2 (gRPC "PROTOCOL-HTTP2"): one length-prefixed request
// message in (identity, gzip or deflate), one out, status in trailers. Message bytes stay opaque: each method
// decodes its own protobuf. Errors are GrpcError values answered as Trailers-Only responses.

import { type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { gunzip, inflate, type InputType, type ZlibOptions } from 'node:zlib';
import { encodeRpcStatus } from '../../ingest/otlp-logs-protobuf.ts';

/** Status codes (gRPC "Status codes and their use in gRPC"). */
export const GrpcStatus = {
  OK: 0,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** A call's failure as the client will see it; `retryAfterSeconds` adds google.rpc.RetryInfo (OTLP "Throttling"). */
export class GrpcError extends Error {
  constructor(readonly code: number, message: string, readonly retryAfterSeconds?: number) {
    super(message);
  }
}

/**
 * Handles one call: `metadata` are the request headers (lowercase names; check credentials before reading),
 * `readMessage` yields the decompressed request message, and the result is the response message.
 */
export type UnaryHandler = (metadata: IncomingHttpHeaders, readMessage: () => Promise<Buffer>) => Promise<Buffer>;

export interface UnaryServiceOptions {
  /** `/package.Service/Method` → handler */
  methods: Map<string, UnaryHandler>;
  /** largest request message, compressed on the wire and after decompression */
  maxMessageBytes: number;
  /** bytes of request messages buffered over all calls before new calls are told to retry */
  maxInflightBytes: number;
}

const ACCEPT_ENCODING = 'identity,deflate,gzip';
/** grpc-message is a header: keep it well under the peers' header-list limits */
const MAX_STATUS_MESSAGE = 1024;

/** Serves calls arriving on an HTTP/2 server's `stream` event. */
export class GrpcUnaryService {
  private inflightBytes = 0;

  constructor(private readonly opts: UnaryServiceOptions) {}

  /** The `stream` event handler. Never throws: every failure becomes a gRPC status (or an HTTP error for non-gRPC requests). */
  readonly onStream = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void => {
    stream.on('error', () => {
      // a peer reset or a broken connection: nothing to answer
    });
    // PROTOCOL-HTTP2 "Requests": gRPC is POST with application/grpc[+proto|+json…]; anything else is not gRPC at all
    const contentType = String(headers['content-type'] ?? '');
    if (headers[':method'] !== 'POST' || !/^application\/grpc(?:[+;]|$)/.test(contentType)) {
      const status = headers[':method'] !== 'POST' ? 405 : 415;
      respondHttp(stream, status, `gRPC requires POST with Content-Type application/grpc (got ${headers[':method']} ${contentType || 'no Content-Type'})\n`);
      return;
    }
    const path = String(headers[':path'] ?? '');
    const handler = this.opts.methods.get(path);
    if (!handler) {
      sendStatus(stream, new GrpcError(GrpcStatus.UNIMPLEMENTED, `unknown method ${path}: this server implements ${[...this.opts.methods.keys()].join(', ')}`));
      return;
    }
    const encoding = String(headers['grpc-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'deflate') {
      // PROTOCOL-HTTP2 "Compression": an unsupported grpc-encoding is UNIMPLEMENTED, listing what is accepted
      sendStatus(stream, new GrpcError(GrpcStatus.UNIMPLEMENTED, `unsupported grpc-encoding "${encoding}": use ${ACCEPT_ENCODING}`));
      return;
    }
    let reserved = 0;
    const readMessage = async (): Promise<Buffer> => {
      const { message, compressed } = await readOneMessage(stream, this.opts.maxMessageBytes, (bytes) => {
        if (this.inflightBytes + bytes > this.opts.maxInflightBytes && this.inflightBytes > 0) {
          throw new GrpcError(GrpcStatus.UNAVAILABLE, `server is busy: ${this.inflightBytes} bytes of requests in flight`, 1);
        }
        this.inflightBytes += bytes;
        reserved = bytes;
      });
      if (!compressed) return message;
      if (encoding === 'identity') {
        throw new GrpcError(GrpcStatus.INTERNAL, 'the message is flagged compressed but grpc-encoding is identity');
      }
      return decompress(message, encoding, this.opts.maxMessageBytes);
    };
    handler(headers, readMessage).then(
      (reply) => {
        this.inflightBytes -= reserved;
        reserved = 0;
        sendReply(stream, reply);
      },
      (e: unknown) => {
        this.inflightBytes -= reserved;
        reserved = 0;
        sendStatus(stream, e instanceof GrpcError ? e : internalError(e));
      },
    );
  };
}

function internalError(e: unknown): GrpcError {
  process.stderr.write(`sightline: gRPC call failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return new GrpcError(GrpcStatus.INTERNAL, 'internal error');
}

/**
 * Reads the request's single Length-Prefixed-Message (1 byte compressed flag, 4 bytes big-endian length, the
 * message); `reserve(length)` is called once the length is known and may throw to refuse the call.
 */
function readOneMessage(
  stream: ServerHttp2Stream,
  maxBytes: number,
  reserve: (bytes: number) => void,
): Promise<{ message: Buffer; compressed: boolean }> {
  return new Promise((resolve, reject) => {
    const prefix = Buffer.alloc(5);
    let prefixFill = 0;
    let message: Buffer | undefined;
    let fill = 0;
    let done = false;
    const fail = (e: GrpcError) => {
      if (done) return;
      done = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      // the rest of the request is not needed: drain it so flow control does not stall the connection
      stream.resume();
      reject(e);
    };
    const onData = (chunk: Buffer) => {
      let i = 0;
      while (i < chunk.length && !done) {
        if (prefixFill < 5) {
          const n = Math.min(5 - prefixFill, chunk.length - i);
          chunk.copy(prefix, prefixFill, i, i + n);
          prefixFill += n;
          i += n;
          if (prefixFill < 5) return;
          const flag = prefix[0];
          if (flag > 1) return fail(new GrpcError(GrpcStatus.INTERNAL, `invalid message prefix: compressed flag ${flag} (expected 0 or 1)`));
          const length = prefix.readUInt32BE(1);
          if (length > maxBytes) {
            return fail(new GrpcError(GrpcStatus.RESOURCE_EXHAUSTED, `request message of ${length} bytes is larger than the limit of ${maxBytes} bytes (limits.max_body_bytes)`));
          }
          try {
            reserve(length);
          } catch (e) {
            return fail(e as GrpcError);
          }
          message = Buffer.allocUnsafe(length);
          continue;
        }
        const need = message!.length - fill;
        if (need === 0) return fail(new GrpcError(GrpcStatus.INTERNAL, 'more than one request message on a unary call'));
        const n = Math.min(need, chunk.length - i);
        chunk.copy(message!, fill, i, i + n);
        fill += n;
        i += n;
      }
    };
    const onEnd = () => {
      if (done) return;
      if (prefixFill === 0) return fail(new GrpcError(GrpcStatus.INTERNAL, 'the request ended without a message'));
      if (prefixFill < 5 || fill < message!.length) {
        return fail(new GrpcError(GrpcStatus.INTERNAL, `the request ended inside a message (${prefixFill < 5 ? `${prefixFill} of 5 prefix bytes` : `${fill} of ${message!.length} bytes`})`));
      }
      done = true;
      resolve({ message: message!, compressed: prefix[0] === 1 });
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.once('aborted', () => fail(new GrpcError(GrpcStatus.UNKNOWN, 'the client cancelled the call')));
  });
}

function decompress(message: Buffer, encoding: 'gzip' | 'deflate', maxBytes: number): Promise<Buffer> {
  const run = encoding === 'gzip' ? gunzip : inflate;
  return new Promise((resolve, reject) => {
    // maxOutputLength bounds a decompression bomb; `deflate` in gRPC is the zlib format (RFC 1950), as Node's inflate
    (run as (buf: InputType, opts: ZlibOptions, cb: (e: Error | null, out: Buffer) => void) => void)(message, { maxOutputLength: maxBytes }, (e, out) => {
      if (!e) return resolve(out);
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        return reject(new GrpcError(GrpcStatus.RESOURCE_EXHAUSTED, `request message is larger than the limit of ${maxBytes} bytes (limits.max_body_bytes) after ${encoding} decompression`));
      }
      reject(new GrpcError(GrpcStatus.INTERNAL, `could not decompress the ${encoding} request message: ${e.message}`));
    });
  });
}

/** A normal response: headers, the one Length-Prefixed-Message (uncompressed), then trailers with grpc-status 0. */
function sendReply(stream: ServerHttp2Stream, reply: Buffer): void {
  if (stream.destroyed || stream.headersSent) return;
  const frame = Buffer.allocUnsafe(5 + reply.length);
  frame[0] = 0;
  frame.writeUInt32BE(reply.length, 1);
  reply.copy(frame, 5);
  stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-accept-encoding': ACCEPT_ENCODING }, { waitForTrailers: true });
  stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
  stream.end(frame);
}

/** A failure as a Trailers-Only response (PROTOCOL-HTTP2 "Responses"): one HEADERS frame with the status, then end. */
export function sendStatus(stream: ServerHttp2Stream, e: GrpcError): void {
  if (stream.destroyed || stream.headersSent) return;
  const message = e.message.length > MAX_STATUS_MESSAGE ? e.message.slice(0, MAX_STATUS_MESSAGE) + '…' : e.message;
  const headers: Record<string, string | number> = {
    ':status': 200,
    'content-type': 'application/grpc',
    'grpc-accept-encoding': ACCEPT_ENCODING,
    'grpc-status': String(e.code),
    'grpc-message': percentEncode(message),
  };
  if (e.retryAfterSeconds !== undefined) headers['grpc-status-details-bin'] = statusWithRetryInfo(e.code, message, e.retryAfterSeconds).toString('base64');
  stream.respond(headers, { endStream: true });
  // drain what the client may still send; it has its answer
  stream.resume();
}

function respondHttp(stream: ServerHttp2Stream, status: number, text: string): void {
  if (stream.destroyed || stream.headersSent) return;
  stream.respond({ ':status': status, 'content-type': 'text/plain; charset=utf-8', ...(status === 405 ? { allow: 'POST' } : {}) });
  stream.end(text);
  stream.resume();
}

/** grpc-message encoding (PROTOCOL-HTTP2 "Responses"): bytes outside %x20-%x7E, and '%', as %XX of their UTF-8. */
export function percentEncode(text: string): string {
  let out = '';
  for (const b of Buffer.from(text, 'utf8')) {
    out += b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : '%' + (b < 16 ? '0' : '') + b.toString(16).toUpperCase();
  }
  return out;
}

/**
 * google.rpc.Status{code, message, details=[Any{type.googleapis.com/google.rpc.RetryInfo, RetryInfo{retry_delay=
 * Duration{seconds}}}]}: the throttling hint OTLP exporters honour (OTLP spec "OTLP/gRPC Throttling").
 */
function statusWithRetryInfo(code: number, message: string, seconds: number): Buffer {
  const duration = Buffer.concat([Buffer.from([0x08]), varint(Math.max(0, Math.ceil(seconds)))]);
  const retryInfo = lenField(1, duration);
  const any = Buffer.concat([lenField(1, Buffer.from('type.googleapis.com/google.rpc.RetryInfo')), lenField(2, retryInfo)]);
  return Buffer.concat([encodeRpcStatus(code, message), lenField(3, any)]);
}

function lenField(field: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(field << 3) | 2]), varint(payload.length), payload]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Buffer.from(out);
}
