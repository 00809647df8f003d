// One ingest trial: a receiver worker binds, the sender worker floods it, the bench waits until the kernel
// queue is drained and the receiver has settled, then computes received/s and loss for that trial.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { SkipSection } from './context';
import { readUdpSocket, waitForEmptyQueue } from './procNetUdp';
import { type Worker } from './workers';
import { type FloodArgs, type FloodResult } from '../workers/sender';

export interface TrialResult {
  sent: number;
  /** The receiver's own count, or the kernel's when the receiver counts by the kernel. */
  received: number;
  /** What the receiver counted itself (undefined for the CLI, which cannot say without printing). */
  ownCount: number | undefined;
  /** Sent minus the datagrams the kernel dropped at the receiving socket. */
  kernelCount: number;
  /** Sender's time plus the time the receiver needed to empty its queue afterwards. */
  ms: number;
  perSecond: number;
  lossPercent: number;
  /** Receiver CPU time (user + system) per datagram taken in: robust where wall-clock rates are not. */
  cpuUsPerDatagram: number | undefined;
}

export interface Settled {
  /** Datagrams it took in; undefined = count from the kernel (sent − drops). */
  received?: number;
  /** CPU time the receiver process used since bind. */
  cpuMs?: number;
}

/** How a receiver reports what it took in; the CLI cannot tell, so the kernel's counters stand in for it. */
export interface Receiver {
  label: string;
  /** Count by the kernel even when the receiver has its own count (to compare receivers alike). */
  countByKernel?: boolean;
  bind(): Promise<number>;
  /** What it took in, once quiet. */
  settle(): Promise<Settled>;
  close(): Promise<void>;
}

export function workerReceiver(label: string, worker: Worker): Receiver {
  return {
    label,
    bind: async () => (await worker.request<{ port: number }>('bind')).port,
    settle: () => worker.request<Settled>('settle', { quietMs: 20 }),
    close: () => worker.request('close'),
  };
}

export async function floodTrial(
  receiver: Receiver,
  sender: Worker,
  flood: Omit<FloodArgs, 'port'>,
): Promise<TrialResult> {
  const port = await receiver.bind();
  try {
    const result = await sender.request<FloodResult>('flood', { ...flood, port }, flood.maxMs + 15_000);
    const drainMs = await waitForEmptyQueue(port, 3_000);
    const kernel = readUdpSocket(port);
    const sent = result.sent - result.errors;
    const settled = await receiver.settle();
    const counted = settled.received;
    const kernelCount = sent - (kernel?.drops ?? 0);
    const received = receiver.countByKernel || counted === undefined ? kernelCount : counted;
    const ms = result.ms + drainMs;
    return {
      sent,
      received,
      ownCount: counted,
      kernelCount,
      ms,
      perSecond: received / (ms / 1000),
      lossPercent: sent > 0 ? (100 * (sent - received)) / sent : 0,
      cpuUsPerDatagram: settled.cpuMs !== undefined && received > 0 ? (settled.cpuMs * 1000) / received : undefined,
    };
  } finally {
    await receiver.close();
  }
}

/** Throws SkipSection when a worker could not be built (its layer is not there yet, or does not compile). */
export function requireWorker(outDir: string, name: string): void {
  if (fs.existsSync(path.join(outDir, 'workers', `${name}.js`))) return;
  let reason = 'it was not built';
  try {
    const errors = JSON.parse(fs.readFileSync(path.join(outDir, 'build-errors.json'), 'utf8')) as Record<string, string>;
    if (errors[name]) reason = errors[name];
  } catch {
    // no build report: keep the generic reason
  }
  throw new SkipSection(`worker ${name} cannot be built: ${reason}`);
}
