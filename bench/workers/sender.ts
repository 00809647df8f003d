// Flood sender, in its own process: a connected udp4 socket on loopback sends a fixed count of datagrams of
// one size, either as fast as it can or paced to a rate, and stops by itself at the count or the deadline.

import * as dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { serve } from './ipc';

export interface FloodArgs {
  port: number;
  size: number;
  count: number;
  /** Datagrams per second; 0 = as fast as possible. */
  rate: number;
  /** Hard stop, whatever the count. */
  maxMs: number;
}

export interface FloodResult {
  sent: number;
  errors: number;
  firstError?: string;
  ms: number;
}

/** Sends per turn of the event loop: large enough to amortize the turn, small enough to see errors. */
const CHUNK = 256;

async function flood(args: FloodArgs): Promise<FloodResult> {
  const socket = dgram.createSocket('udp4');
  let errors = 0;
  let firstError: string | undefined;
  socket.on('error', (e) => {
    errors++;
    firstError ??= e.message;
  });
  await new Promise<void>((resolve) => socket.connect(args.port, '127.0.0.1', resolve));
  const payload = Buffer.alloc(args.size, 0x61);
  let sent = 0;
  const start = performance.now();
  const deadline = start + args.maxMs;
  await new Promise<void>((resolve) => {
    const step = (): void => {
      const now = performance.now();
      if (now >= deadline) return resolve();
      const due = args.rate > 0 ? Math.floor(((now - start) * args.rate) / 1000) + 1 : args.count;
      const limit = Math.min(args.count, due, sent + CHUNK);
      while (sent < limit) {
        socket.send(payload);
        sent++;
      }
      if (sent >= args.count) resolve();
      // Paced: sleep between bursts (as a real sender would) rather than spin, so on a 2-core machine the
      // sender does not steal the receiver's core; flat out: only yield one turn of the event loop.
      else if (args.rate > 0 && sent >= due) setTimeout(step, 1);
      else setImmediate(step);
    };
    step();
  });
  const ms = performance.now() - start;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return { sent, errors, ms, ...(firstError ? { firstError } : {}) };
}

serve({ flood });
