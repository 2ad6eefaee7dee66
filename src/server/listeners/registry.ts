// The socket listeners a server starts, in order. Adding one = one starter file here + one line below + its test.

import type { ListenerStarter } from './socket-listener.ts';

export const LISTENER_STARTERS: ListenerStarter[] = [
];
