// The seam for protocols that need a socket of their own (Fluent Forward, syslog, OTLP/gRPC…): each one is a
// starter in registry.ts that reads its section of the server config and returns its listeners (none when off).
// Records reach the store through commitAdapterResult (src/server/ingest-handler.ts), like every HTTP protocol.

import type { AddressInfo } from 'node:net';
import type { ServerDeps } from '../http-server.ts';

export interface SocketListener {
  /** e.g. `forward`, `syslog_udp`, `syslog_tcp`, `syslog_tls`, `otlp_grpc` */
  readonly name: string;
  readonly address: AddressInfo;
  /** Stops accepting, lets in-flight batches commit, then closes connections. */
  close(): Promise<void>;
}

/** Starts a protocol's listeners on `deps.config.host` per its config section; returns [] when it is off. */
export type ListenerStarter = (deps: ServerDeps) => Promise<SocketListener[]>;

/** A bind failure worded for the operator: which listener, which port, and how to turn it off. */
export function listenError(what: string, port: number, flag: string, e: Error): Error {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'EADDRINUSE' ? 'the port is in use' : code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)' : e.message;
  return new Error(`${what} cannot listen on port ${port}: ${why}; choose another with ${flag} N, or turn it off with ${flag} 0`);
}
