// Syslog client side: TCP (RFC 6587) over C connections, each writing whole batches of octet-counted frames with the
// socket's back-pressure; UDP (RFC 5426) from C sockets, one datagram per message, unpaced or at a set rate.
// Syslog has no acknowledgements: these only say when the bytes left; the benchmark watches the server's counter.

import dgram from 'node:dgram';
import net from 'node:net';
import type { EncodedBatch } from './protocol.ts';
import type { SendOptions, SendResult } from './http-sender.ts';

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

export async function sendSyslogTcp(port: number, batches: EncodedBatch[], opts: SendOptions): Promise<SendResult> {
  const sockets: net.Socket[] = [];
  for (let c = 0; c < opts.concurrency; c++) sockets.push(await connect(port));
  let next = 0;
  let writes = 0;
  const started = performance.now();
  const worker = async (s: net.Socket): Promise<void> => {
    let broken: Error | undefined;
    s.on('error', (e) => (broken = e));
    for (;;) {
      const i = next++;
      if (i >= batches.length) return;
      if (broken !== undefined) throw broken;
      if (Date.now() > opts.deadlineMs) throw new Error(`not done before the deadline (batch ${i} of ${batches.length})`);
      const list = Array.isArray(batches[i].payload) ? batches[i].payload as Buffer[] : [batches[i].payload as Buffer];
      for (const b of list) {
        writes++;
        if (!s.write(b)) await new Promise((r) => s.once('drain', r));
      }
    }
  };
  try {
    await Promise.all(sockets.map(worker));
    // every byte handed to the kernel; end() flushes what is still queued in user space
    await Promise.all(sockets.map((s) => new Promise<void>((r) => s.end(r))));
  } finally {
    for (const s of sockets) s.destroy();
  }
  return { seconds: (performance.now() - started) / 1000, requests: writes, throttled: 0 };
}

/** Datagrams queued at once; pacing is checked before each slice, so bursts stay far below a socket buffer. */
const UDP_SLICE = 64;

/**
 * Sends every message as one datagram from C sockets. `linesPerSecond` > 0 paces the whole send to that rate (checked
 * every 64 datagrams); 0 sends as fast as the sockets take them. Datagrams the kernel or server drop are not known here.
 */
export async function sendSyslogUdp(port: number, batches: EncodedBatch[], opts: SendOptions & { linesPerSecond: number }): Promise<SendResult> {
  const sockets = Array.from({ length: opts.concurrency }, () => dgram.createSocket('udp4'));
  let next = 0;
  let sent = 0;
  const started = performance.now();
  const worker = async (s: dgram.Socket): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= batches.length) return;
      if (Date.now() > opts.deadlineMs) throw new Error(`not done before the deadline (batch ${i} of ${batches.length})`);
      const list = Array.isArray(batches[i].payload) ? batches[i].payload as Buffer[] : [batches[i].payload as Buffer];
      for (let from = 0; from < list.length; from += UDP_SLICE) {
        const slice = list.slice(from, from + UDP_SLICE);
        if (opts.linesPerSecond > 0) {
          const dueMs = ((sent + slice.length) / opts.linesPerSecond) * 1000 - (performance.now() - started);
          if (dueMs > 0) await new Promise((r) => setTimeout(r, dueMs));
        }
        sent += slice.length;
        // a slice's sends are queued at once; it is done when libuv has handed the last one to the kernel
        await new Promise<void>((resolve, reject) => {
          let left = slice.length;
          const done = (e: Error | null): void => {
            if (e) reject(e);
            else if (--left === 0) resolve();
          };
          for (const m of slice) s.send(m, port, '127.0.0.1', done);
        });
      }
    }
  };
  try {
    await Promise.all(sockets.map(worker));
  } finally {
    for (const s of sockets) s.close();
  }
  return { seconds: (performance.now() - started) / 1000, requests: sent, throttled: 0 };
}

/** The kernel's count of UDP datagrams dropped for a full receive buffer, machine-wide (/proc/net/snmp, RcvbufErrors). */
export function udpReceiveBufferErrors(snmp: string): number | undefined {
  const lines = snmp.split('\n').filter((l) => l.startsWith('Udp:'));
  if (lines.length < 2) return undefined;
  const names = lines[0].split(/\s+/);
  const values = lines[1].split(/\s+/);
  const at = names.indexOf('RcvbufErrors');
  return at < 0 ? undefined : Number(values[at]);
}
