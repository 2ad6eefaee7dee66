// The socket listeners a server starts, in order. Adding one = one starter file here + one line below + its test.

import type { ListenerStarter } from './socket-listener.ts';
import { startSyslogListeners } from './syslog-listener.ts';
import { startForwardListener } from './forward-listener.ts';
import { startOtlpGrpc } from './otlp-grpc-listener.ts';
import { startOtlpHttp } from './otlp-http-listener.ts';

export const LISTENER_STARTERS: ListenerStarter[] = [
  startSyslogListeners,
  startForwardListener,
  startOtlpGrpc,
  startOtlpHttp,
];
