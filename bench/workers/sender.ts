// Flood sender, in its own process: a connected udp4 socket on loopback sends a fixed count of datagrams of
// one size, either as fast as it can or paced to a rate, and stops by itself at the count or the deadline.

import * as dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { readKernelUdpSocket } from '../../src/core/kernelDrops';
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

export interface InterleaveArgs {
  /** The receivers' ports (127.0.0.1, udp4), taken in turn. */
  ports: number[];
  size: number;
  /** Datagrams per phase (one receiver's turn). */
  phaseCount: number;
  /** Phases per receiver. */
  phasesEach: number;
  /** Hard stop for the whole call, whatever the counts. */
  maxMs: number;
}

export interface PortTotals {
  sent: number;
  /** Datagrams the kernel dropped at this receiver's socket during its phases. */
  drops: number;
  /** Its phases' time: sending plus waiting until the receiver had read its queue empty. */
  ms: number;
}

export interface InterleaveResult {
  perPort: PortTotals[];
  errors: number;
  firstError?: string;
}

/**
 * Floods the receivers in turns, flat out: one phase of `phaseCount` datagrams to one receiver, then wait until it
 * has read its queue empty (so no phase's work spills into the next), then the next receiver. Turns go in ABBA
 * order (A B B A A B …), so a machine that speeds up or slows down during the call weighs on both alike. Each
 * phase is timed from its first send to its receiver's empty queue, and its drops are the growth of the kernel's
 * drop counter of that socket.
 */
async function interleave(args: InterleaveArgs): Promise<InterleaveResult> {
  const n = args.ports.length;
  let errors = 0;
  let firstError: string | undefined;
  const sockets = await Promise.all(
    args.ports.map(async (port) => {
      const socket = dgram.createSocket('udp4');
      socket.on('error', (e) => {
        errors++;
        firstError ??= e.message;
      });
      await new Promise<void>((resolve) => socket.connect(port, '127.0.0.1', resolve));
      return socket;
    }),
  );
  const payload = Buffer.alloc(args.size, 0x61);
  const perPort: PortTotals[] = args.ports.map(() => ({ sent: 0, drops: 0, ms: 0 }));
  const kernel = (port: number) => readKernelUdpSocket({ port, family: 'IPv4' });
  const deadline = performance.now() + args.maxMs;
  try {
    for (let phase = 0; phase < n * args.phasesEach && performance.now() < deadline; phase++) {
      // ABBA over rounds of n phases: even rounds go 0, 1, …, n−1; odd rounds go backwards.
      const round = Math.floor(phase / n);
      const index = round % 2 === 0 ? phase % n : n - 1 - (phase % n);
      const port = args.ports[index]!;
      const socket = sockets[index]!;
      const dropsBefore = kernel(port)?.drops ?? 0;
      const start = performance.now();
      let sent = 0;
      await new Promise<void>((resolve) => {
        const step = (): void => {
          const limit = Math.min(args.phaseCount, sent + CHUNK);
          while (sent < limit) {
            socket.send(payload);
            sent++;
          }
          if (sent >= args.phaseCount || performance.now() >= deadline) resolve();
          else setImmediate(step);
        };
        step();
      });
      // The phase ends when the receiver has read everything the kernel kept for it.
      for (;;) {
        const view = kernel(port);
        if (!view || view.rxQueueBytes === 0 || performance.now() >= deadline) break;
        await new Promise((r) => setTimeout(r, 1));
      }
      const totals = perPort[index]!;
      totals.ms += performance.now() - start;
      totals.sent += sent;
      totals.drops += (kernel(port)?.drops ?? 0) - dropsBefore;
    }
  } finally {
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
  return { perPort, errors, ...(firstError ? { firstError } : {}) };
}

serve({ flood, interleave });
