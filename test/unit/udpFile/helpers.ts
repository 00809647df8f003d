// Loopback helpers for the .udp runner and CLI tests: free ports, and plain dgram sockets as the far side.

import * as dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';

/** A port that was free a moment ago on 127.0.0.1 (the OS picked it; it is released before returning). */
export async function freePort(type: 'udp4' | 'udp6' = 'udp4'): Promise<number> {
  const socket = dgram.createSocket(type);
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.bind(0, type === 'udp4' ? '127.0.0.1' : '::1', resolve));
  const { port } = socket.address() as AddressInfo;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export interface Peer {
  socket: dgram.Socket;
  port: number;
  received: Array<{ bytes: Buffer; port: number; address: string }>;
  /** Resolves once `count` datagrams have arrived. */
  waitFor(count: number): Promise<void>;
  close(): Promise<void>;
}

/** A plain dgram socket on loopback that records what it receives and can answer with `reply`. */
export async function peer(options: { type?: 'udp4' | 'udp6'; port?: number; reply?: (bytes: Buffer) => Buffer | undefined } = {}): Promise<Peer> {
  const type = options.type ?? 'udp4';
  const socket = dgram.createSocket(type);
  const received: Peer['received'] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  socket.on('error', () => undefined);
  socket.on('message', (msg, rinfo) => {
    received.push({ bytes: Buffer.from(msg), port: rinfo.port, address: rinfo.address });
    const answer = options.reply?.(msg);
    if (answer) socket.send(answer, rinfo.port, rinfo.address);
    for (const w of [...waiters]) {
      if (received.length >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  await new Promise<void>((resolve) => socket.bind(options.port ?? 0, type === 'udp4' ? '127.0.0.1' : '::1', resolve));
  return {
    socket,
    port: (socket.address() as AddressInfo).port,
    received,
    waitFor: (count) => (received.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/** Sends one datagram from a throw-away socket and resolves after dgram has sent it. */
export async function sendOnce(port: number, bytes: Buffer | string, type: 'udp4' | 'udp6' = 'udp4'): Promise<void> {
  const socket = dgram.createSocket(type);
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => socket.send(bytes, port, type === 'udp4' ? '127.0.0.1' : '::1', (e) => (e ? reject(e) : resolve())));
  socket.close();
}
