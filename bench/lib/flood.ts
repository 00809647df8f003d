// One ingest trial: a receiver worker binds, the sender worker floods it, the bench waits until the kernel
// queue is drained and the receiver has settled, then computes received/s and loss for that trial.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { SkipSection } from './context';
import { readUdpSocket, waitForEmptyQueue } from './procNetUdp';
import { type Worker } from './workers';
import { type FloodArgs, type FloodResult, type InterleaveResult } from '../workers/sender';

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

/**
 * A trial's figures from what the sender and the kernel saw (`sent`, `kernelCount` = sent − drops at the socket)
 * and what the receiver said of itself (`ownCount`, `cpuMs`): received is its own count unless it counts by the
 * kernel (or has none); the rate is over `ms`, the sending plus the draining of its queue.
 */
function trialResult(receiver: Receiver, sent: number, kernelCount: number, ownCount: number | undefined, ms: number, cpuMs: number | undefined): TrialResult {
  const received = receiver.countByKernel || ownCount === undefined ? kernelCount : ownCount;
  return {
    sent,
    received,
    ownCount,
    kernelCount,
    ms,
    perSecond: received / (ms / 1000),
    lossPercent: sent > 0 ? (100 * (sent - received)) / sent : 0,
    cpuUsPerDatagram: cpuMs !== undefined && received > 0 ? (cpuMs * 1000) / received : undefined,
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
    return trialResult(receiver, sent, sent - (kernel?.drops ?? 0), settled.received, result.ms + drainMs, settled.cpuMs);
  } finally {
    await receiver.close();
  }
}

export interface InterleavePlan {
  size: number;
  /** Datagrams per phase (one receiver's turn). */
  phaseCount: number;
  /** Measured phases per receiver. */
  phasesEach: number;
  /** Datagrams each receiver gets first, unmeasured: code optimized, buffers and the log's memory in use. */
  warmUpCount: number;
}

/**
 * One flat-out trial of several receivers at once: all bound, then flooded in turns of one phase each (see the
 * sender's `interleave`), so that they are compared over the same seconds of this shared machine instead of
 * trials seconds apart. Each receiver's figures sum its phases; CPU is what its process used from the end of the
 * warm-up to the end of the trial. Results come in the order the receivers are given.
 */
export async function interleavedTrial(receivers: readonly Receiver[], sender: Worker, plan: InterleavePlan): Promise<TrialResult[]> {
  const ports: number[] = [];
  try {
    for (const receiver of receivers) ports.push(await receiver.bind());
    const maxMs = 120_000;
    if (plan.warmUpCount > 0) await sender.request<InterleaveResult>('interleave', { ports, size: plan.size, phaseCount: plan.warmUpCount, phasesEach: 1, maxMs }, maxMs + 15_000);
    const before = await Promise.all(receivers.map((r) => r.settle()));
    const result = await sender.request<InterleaveResult>('interleave', { ports, size: plan.size, phaseCount: plan.phaseCount, phasesEach: plan.phasesEach, maxMs }, maxMs + 15_000);
    const after = await Promise.all(receivers.map((r) => r.settle()));
    const growth = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? b - a : undefined);
    return receivers.map((receiver, i) => {
      const totals = result.perPort[i]!;
      const own = growth(before[i]!.received, after[i]!.received);
      return trialResult(receiver, totals.sent, totals.sent - totals.drops, own, totals.ms, growth(before[i]!.cpuMs, after[i]!.cpuMs));
    });
  } finally {
    for (const receiver of receivers) await receiver.close(); // (each is safe to close unbound)
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
