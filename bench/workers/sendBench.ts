// Send path benchmarks, in one process (so the comparisons share its warm-up and its core): a raw dgram
// send loop, the core's UdpSocket.send (validation, logging, stats), and the SendScheduler at full speed and
// at fixed rates. All aim at a blackhole socket in another process that never reads.

import * as dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { SocketRegistry } from '../../src/core/socketRegistry';
import { SendScheduler } from '../../src/core/sendScheduler';
import { type UdpSocket } from '../../src/core/udpSocket';
import { serve } from './ipc';

/** Sends in flight at once: enough to keep the socket busy, bounded so a loop never queues without limit. */
const WINDOW = 256;
const HOST = '127.0.0.1';

let targetPort = 0;
let payload = Buffer.alloc(64);
let raw: dgram.Socket | undefined;
let registry: SocketRegistry | undefined;
let socket: UdpSocket | undefined;
const scheduler = new SendScheduler();

async function setup(args: { port: number; size: number }): Promise<{ ok: true }> {
  targetPort = args.port;
  payload = Buffer.alloc(args.size, 0x62);
  if (!raw) {
    raw = dgram.createSocket('udp4');
    raw.on('error', (e) => console.error(`send bench raw socket: ${e.message}`));
    await new Promise<void>((resolve) => raw!.bind(0, HOST, resolve));
  }
  if (!registry) {
    registry = new SocketRegistry({});
    socket = await registry.open({ type: 'udp4', port: 0, address: HOST });
  }
  return { ok: true };
}

export interface SendResult {
  sent: number;
  failed: number;
  ms: number;
  perSecond: number;
  /** CPU time (user + system) of this process per datagram: robust where wall-clock rates are not. */
  cpuUsPerSend: number;
}

function result(sent: number, failed: number, ms: number, cpuSince: NodeJS.CpuUsage): SendResult {
  const cpu = process.cpuUsage(cpuSince);
  return { sent, failed, ms, perSecond: sent / (ms / 1000), cpuUsPerSend: (cpu.user + cpu.system) / Math.max(1, sent) };
}

/** Raw baseline: socket.send(buf, port, host, callback), WINDOW at a time. */
async function rawLoop({ count }: { count: number }): Promise<SendResult> {
  const s = raw!;
  let failed = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let done = 0; done < count; ) {
    const n = Math.min(WINDOW, count - done);
    await new Promise<void>((resolve) => {
      let left = n;
      const cb = (error: Error | null): void => {
        if (error) failed++;
        if (--left === 0) resolve();
      };
      for (let i = 0; i < n; i++) s.send(payload, targetPort, HOST, cb);
    });
    done += n;
  }
  return result(count - failed, failed, performance.now() - start, cpu);
}

/** The core's send path: UdpSocket.send(bytes, target), WINDOW promises at a time. */
async function coreLoop({ count }: { count: number }): Promise<SendResult> {
  const s = socket!;
  const target = { host: HOST, port: targetPort };
  let failed = 0;
  // One handler for every send, as the raw loop has one callback: the harness's own closures are not the core's.
  const onFailed = (): void => void failed++;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const pending: Array<Promise<unknown>> = new Array<Promise<unknown>>(WINDOW);
  for (let done = 0; done < count; ) {
    const n = Math.min(WINDOW, count - done);
    for (let i = 0; i < n; i++) pending[i] = s.send(payload, target).catch(onFailed);
    await Promise.all(n === WINDOW ? pending : pending.slice(0, n));
    done += n;
  }
  return result(count - failed, failed, performance.now() - start, cpu);
}

/**
 * The scheduler at full speed (no interval, no rate) over the core's send path, in its flood form: callback-style
 * sends (UdpSocket.sendWithCallback), no Promise per datagram.
 */
async function schedulerFull({ count }: { count: number }): Promise<SendResult> {
  const s = socket!;
  const target = { host: HOST, port: targetPort };
  const cpu = process.cpuUsage();
  const start = performance.now();
  const run = scheduler.start({ sendWithCallback: (done) => s.sendWithCallback(payload, target, done), count });
  const done = await run.done;
  return result(done.sent, done.failed, performance.now() - start, cpu);
}

export interface AccuracyResult {
  target: number;
  sent: number;
  /** Achieved rate between the first and the last send: (sent − 1) / (last − first). */
  achieved: number;
  errorPercent: number;
  elapsedMs: number;
}

/** The scheduler at a fixed rate: how close the achieved rate comes to the one asked for. */
async function schedulerRate({ rate, count }: { rate: number; count: number }): Promise<AccuracyResult> {
  const s = socket!;
  const target = { host: HOST, port: targetPort };
  let first = 0;
  let last = 0;
  let calls = 0;
  const run = scheduler.start({
    count,
    ratePerSecond: rate,
    sendWithCallback: (done) => {
      const now = performance.now();
      if (calls++ === 0) first = now;
      last = now;
      s.sendWithCallback(payload, target, done);
    },
  });
  const done = await run.done;
  const achieved = calls > 1 ? ((calls - 1) * 1000) / (last - first) : 0;
  return { target: rate, sent: done.sent, achieved, errorPercent: (100 * Math.abs(achieved - rate)) / rate, elapsedMs: done.elapsedMs };
}

serve({ setup, rawLoop, coreLoop, schedulerFull, schedulerRate });
