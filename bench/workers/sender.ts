// Flood sender, in its own process: a connected udp4 socket on loopback sends a fixed count of datagrams of
// one size, either as fast as it can or paced to a rate, and stops by itself at the count or the deadline.

import * as dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { readUdpSocket, waitForEmptyQueue } from '../lib/procNetUdp';
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

/** Errors of the sender's sockets, counted (sends on a connected socket report them here, not by return). */
interface ErrorTally {
  errors: number;
  firstError?: string;
}

/** A udp4 socket connected to 127.0.0.1:`port`, its errors counted in `tally`. */
async function connectedSocket(port: number, tally: ErrorTally): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  socket.on('error', (e) => {
    tally.errors++;
    tally.firstError ??= e.message;
  });
  await new Promise<void>((resolve) => socket.connect(port, '127.0.0.1', resolve));
  return socket;
}

/**
 * Sends `count` copies of `payload` on a connected socket, CHUNK per turn of the event loop, flat out (`rate` 0) or
 * paced to `rate` per second; stops at `deadline` whatever the count. Returns how many were sent.
 */
function sendCount(socket: dgram.Socket, payload: Buffer, count: number, rate: number, deadline: number): Promise<number> {
  const start = performance.now();
  let sent = 0;
  return new Promise<number>((resolve) => {
    const step = (): void => {
      const now = performance.now();
      if (now >= deadline) return resolve(sent);
      const due = rate > 0 ? Math.floor(((now - start) * rate) / 1000) + 1 : count;
      const limit = Math.min(count, due, sent + CHUNK);
      while (sent < limit) {
        socket.send(payload);
        sent++;
      }
      if (sent >= count) resolve(sent);
      // Paced: sleep between bursts (as a real sender would) rather than spin, so on a 2-core machine the
      // sender does not steal the receiver's core; flat out: only yield one turn of the event loop.
      else if (rate > 0 && sent >= due) setTimeout(step, 1);
      else setImmediate(step);
    };
    step();
  });
}

const closeSocket = (socket: dgram.Socket) => new Promise<void>((resolve) => socket.close(() => resolve()));

async function flood(args: FloodArgs): Promise<FloodResult> {
  const tally: ErrorTally = { errors: 0 };
  const socket = await connectedSocket(args.port, tally);
  const payload = Buffer.alloc(args.size, 0x61);
  const start = performance.now();
  const sent = await sendCount(socket, payload, args.count, args.rate, start + args.maxMs);
  const ms = performance.now() - start;
  await closeSocket(socket);
  return { sent, ...tally, ms };
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
  const tally: ErrorTally = { errors: 0 };
  const sockets = await Promise.all(args.ports.map((port) => connectedSocket(port, tally)));
  const payload = Buffer.alloc(args.size, 0x61);
  const perPort: PortTotals[] = args.ports.map(() => ({ sent: 0, drops: 0, ms: 0 }));
  const deadline = performance.now() + args.maxMs;
  try {
    for (let phase = 0; phase < n * args.phasesEach && performance.now() < deadline; phase++) {
      // ABBA over rounds of n phases: even rounds go 0, 1, …, n−1; odd rounds go backwards.
      const round = Math.floor(phase / n);
      const index = round % 2 === 0 ? phase % n : n - 1 - (phase % n);
      const port = args.ports[index]!;
      const socket = sockets[index]!;
      const dropsBefore = readUdpSocket(port)?.drops ?? 0;
      const start = performance.now();
      const sent = await sendCount(socket, payload, args.phaseCount, 0, deadline);
      // The phase ends when the receiver has read everything the kernel kept for it.
      await waitForEmptyQueue(port, Math.max(0, deadline - performance.now()));
      const totals = perPort[index]!;
      totals.ms += performance.now() - start;
      totals.sent += sent;
      totals.drops += (readUdpSocket(port)?.drops ?? 0) - dropsBefore;
    }
  } finally {
    await Promise.all(sockets.map(closeSocket));
  }
  return { perPort, ...tally };
}

serve({ flood, interleave });
