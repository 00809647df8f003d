// 1. Ingest: the same flood at a raw dgram receiver and at UDP Lab's core path (socket → log ring → stats →
// batched view updates into a sink doing the panel host's work), alternating raw/core in every round
// (ABBA order against drift) and comparing each round's pair, so the machine's noise hits both alike.

import { type BenchContext } from '../lib/context';
import { floodTrial, type Receiver, type TrialResult, requireWorker, workerReceiver } from '../lib/flood';
import { formatNumber } from '../lib/report';
import { describeSpread, summarize } from '../lib/stats';
import { Worker } from '../lib/workers';

export const SIZES = [64, 1024] as const;

/** The product's design rate (the panel keeps up with 100 000 datagrams/s): loss is compared there. */
const PACED_RATE = 100_000;

export interface FloodPlan {
  rounds: number;
  count: number;
  pacedRounds: number;
  pacedCount: number;
}

export function floodPlan(quick: boolean): FloodPlan {
  return quick
    ? { rounds: 1, count: 60_000, pacedRounds: 1, pacedCount: 30_000 }
    : // 9 pairs, not 5: on this shared 2-core machine single pairs range ±15 % around the median, and with 5 the
      // median itself moved from run to run by more than the margin the 0.9 targets are judged by (ingest 1 KB
      // core/raw 1.18, 0.92 and 0.88 in three full runs of one day).
      { rounds: 9, count: 300_000, pacedRounds: 3, pacedCount: 200_000 };
}

/** Runs `rounds` rounds of baseline/candidate pairs (order alternating), one warm-up pair first. */
export async function pairedRounds(
  baseline: Receiver,
  candidate: Receiver,
  sender: Worker,
  rounds: number,
  flood: { size: number; count: number; rate: number; maxMs: number },
  warmUp: boolean,
): Promise<Array<{ base: TrialResult; cand: TrialResult }>> {
  if (warmUp) {
    const small = { ...flood, count: Math.min(flood.count, 50_000), rate: 0 };
    await floodTrial(baseline, sender, small);
    await floodTrial(candidate, sender, small);
  }
  const pairs: Array<{ base: TrialResult; cand: TrialResult }> = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      const base = await floodTrial(baseline, sender, flood);
      const cand = await floodTrial(candidate, sender, flood);
      pairs.push({ base, cand });
    } else {
      const cand = await floodTrial(candidate, sender, flood);
      const base = await floodTrial(baseline, sender, flood);
      pairs.push({ base, cand });
    }
  }
  return pairs;
}

const rate = (v: number) => `${formatNumber(v)}/s`;

/**
 * CPU time per datagram of each receiver, and their ratio: on a shared machine the wall-clock rate moves with
 * whatever else runs, while the CPU each datagram costs hardly does — this is the figure to trust when the two
 * disagree. `raw µs / candidate µs` reads like the rate ratio (1 = as cheap as raw).
 */
export function reportCpu(ctx: BenchContext, prefix: string, pairs: Array<{ base: TrialResult; cand: TrialResult }>, candLabel = 'core'): void {
  const usable = pairs.filter((p) => p.base.cpuUsPerDatagram !== undefined && p.cand.cpuUsPerDatagram !== undefined);
  if (usable.length === 0) return;
  const us = (v: number) => `${v.toFixed(2)} µs`;
  const base = summarize(usable.map((p) => p.base.cpuUsPerDatagram!));
  const cand = summarize(usable.map((p) => p.cand.cpuUsPerDatagram!));
  const ratio = summarize(usable.map((p) => p.base.cpuUsPerDatagram! / p.cand.cpuUsPerDatagram!));
  ctx.report.info(`${prefix} raw CPU per datagram`, base.median, 'µs', describeSpread(base, us));
  ctx.report.info(`${prefix} ${candLabel} CPU per datagram`, cand.median, 'µs', describeSpread(cand, us));
  ctx.report.info(`${prefix} ${candLabel}/raw throughput per CPU-second`, ratio.median, 'ratio', describeSpread(ratio, (v) => v.toFixed(3)));
}
const pct = (v: number) => `${v.toFixed(2)} %`;

export async function ingest(ctx: BenchContext): Promise<void> {
  requireWorker(ctx.outDir, 'coreReceiver');
  const plan = floodPlan(ctx.quick);
  const sender = await Worker.start('sender');
  const rawWorker = await Worker.start('rawReceiver', { execArgv: ctx.workerExecArgv });
  const coreWorker = await Worker.start('coreReceiver', { execArgv: ctx.workerExecArgv });
  const raw = workerReceiver('raw', rawWorker);
  const core = workerReceiver('core', coreWorker);
  try {
    for (const size of SIZES) {
      const label = size >= 1024 ? `${size / 1024} KB` : `${size} B`;
      ctx.log(`ingest ${label}: ${plan.rounds} rounds of ${plan.count} datagrams, flat out`);
      const flat = await pairedRounds(raw, core, sender, plan.rounds, { size, count: plan.count, rate: 0, maxMs: 20_000 }, !ctx.quick);
      const rawRate = summarize(flat.map((p) => p.base.perSecond));
      const coreRate = summarize(flat.map((p) => p.cand.perSecond));
      const ratio = summarize(flat.map((p) => p.cand.perSecond / p.base.perSecond));
      ctx.report.info(`ingest ${label} raw received/s`, rawRate.median, '/s', describeSpread(rawRate, rate));
      ctx.report.info(`ingest ${label} core received/s`, coreRate.median, '/s', describeSpread(coreRate, rate));
      ctx.report.check(`ingest ${label} core/raw ratio`, ratio.median, 'ratio', 0.9, 'min', describeSpread(ratio, (v) => v.toFixed(3)));
      reportCpu(ctx, `ingest ${label}`, flat);
      const rawLoss = summarize(flat.map((p) => p.base.lossPercent));
      const coreLoss = summarize(flat.map((p) => p.cand.lossPercent));
      ctx.report.info(`ingest ${label} raw loss, flat out`, rawLoss.median, '%', describeSpread(rawLoss, pct));
      ctx.report.info(`ingest ${label} core loss, flat out`, coreLoss.median, '%', describeSpread(coreLoss, pct));

      ctx.log(`ingest ${label}: ${plan.pacedRounds} rounds of ${plan.pacedCount} datagrams at ${PACED_RATE}/s`);
      const maxMs = (plan.pacedCount / PACED_RATE) * 1000 + 5_000;
      const paced = await pairedRounds(raw, core, sender, plan.pacedRounds, { size, count: plan.pacedCount, rate: PACED_RATE, maxMs }, false);
      const pRaw = summarize(paced.map((p) => p.base.lossPercent));
      const pCore = summarize(paced.map((p) => p.cand.lossPercent));
      ctx.report.info(`ingest ${label} raw loss at 100k/s`, pRaw.median, '%', describeSpread(pRaw, pct));
      // "No more loss than raw", with a 0.1-point allowance for a scheduler hiccup on a shared machine.
      ctx.report.check(`ingest ${label} core loss at 100k/s`, pCore.median, '%', pRaw.median + 0.1, 'max', describeSpread(pCore, pct));
    }
  } finally {
    await Promise.all([sender.stop(), rawWorker.stop(), coreWorker.stop()]);
  }
}
