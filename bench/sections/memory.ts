// 3. Memory: the core path takes 1 000 000 datagrams with the default log caps. Heap and RSS are sampled
// (after a full GC) before, when the log first reaches its cap, and at the end: past the cap, memory must not
// grow (the ring lets go of what it drops), the log must hold no more than its caps, and its dropped count
// must be exact: every datagram the socket took in is either kept or counted as dropped.

import { type BenchContext } from '../lib/context';
import { requireWorker } from '../lib/flood';
import { readUdpSocket, waitForEmptyQueue } from '../lib/procNetUdp';
import { formatNumber } from '../lib/report';
import { Worker } from '../lib/workers';
import { type FloodResult } from '../workers/sender';

const MB = 1024 * 1024;
/** Samples after the cap is reached (even: the RSS check compares the last half). */
const STEPS = 4;

interface MemorySample {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  logSize: number;
  logBytes: number;
  logDropped: number;
  logTotal: number;
  datagramsIn: number;
  maxCount: number;
  maxBytes: number;
}

export async function memory(ctx: BenchContext): Promise<void> {
  requireWorker(ctx.outDir, 'coreReceiver');
  const total = ctx.memoryDatagrams ?? (ctx.quick ? 200_000 : 1_000_000);
  const sizes = ctx.quick ? [64] : [64, 1024];
  for (const size of sizes) {
    const label = size >= 1024 ? `${size / 1024} KB` : `${size} B`;
    const receiver = await Worker.start('coreReceiver', { execArgv: ['--expose-gc', ...ctx.workerExecArgv] });
    const sender = await Worker.start('sender');
    try {
      const { port } = await receiver.request<{ port: number }>('bind');
      const sample = () => receiver.request<MemorySample>('memory');
      const baseline = await sample();
      // Where the log stops growing: whichever cap binds first for this size.
      const capAt = Math.min(baseline.maxCount, Math.floor(baseline.maxBytes / size));
      let sentOk = 0;
      /**
       * Floods until the socket has taken in at least `target` datagrams. On a loaded machine much of a flood
       * can be lost, so each round sends what is missing scaled by the loss seen so far (bounded rounds).
       */
      const fillTo = async (target: number): Promise<void> => {
        let keptRatio = 1;
        for (let attempt = 0; attempt < 30; attempt++) {
          const before = (await sample()).datagramsIn;
          if (before >= target) return;
          const count = Math.min(4 * target, Math.ceil((target - before) / Math.max(0.1, keptRatio)) + 1_000);
          // Paced below what the core path takes on a quiet machine, so on a quiet one little is lost.
          const r = await sender.request<FloodResult>('flood', { port, size, count, rate: 100_000, maxMs: 60_000 }, 90_000);
          sentOk += r.sent - r.errors;
          await waitForEmptyQueue(port, 3_000);
          const after = (await sample()).datagramsIn;
          keptRatio = Math.max(0.05, (after - before) / Math.max(1, r.sent - r.errors));
        }
        throw new Error(`the core path took in fewer than ${target} datagrams after 30 floods`);
      };
      ctx.log(`memory ${label}: filling the log to its cap (${formatNumber(capAt)} datagrams), then ${formatNumber(total)} in all`);
      await fillTo(Math.min(total, Math.ceil(capAt * 1.05)));
      const atCap = await sample();
      // Samples along the way too: RSS (unlike the heap) also holds allocator slack, so what matters is that it
      // levels off; the check compares the second half of the run.
      const steps: MemorySample[] = [];
      for (let k = 1; k <= STEPS; k++) {
        await fillTo(Math.round(atCap.datagramsIn + ((total - atCap.datagramsIn) * k) / STEPS));
        steps.push(await sample());
      }
      const mid = steps[STEPS / 2 - 1]!;
      const end = steps[STEPS - 1]!;
      const kernelDrops = readUdpSocket(port)?.drops ?? 0;

      const mb = (v: number) => v / MB;
      ctx.report.info(
        `memory ${label} RSS after ${formatNumber(end.datagramsIn)} datagrams`,
        mb(end.rss),
        'MB',
        `baseline ${mb(baseline.rss).toFixed(1)} MB, at cap ${mb(atCap.rss).toFixed(1)} MB, then ${steps.map((x) => `${mb(x.rss).toFixed(1)}`).join(' → ')} MB`,
      );
      // RSS also holds allocator slack and swings as slabs come and go, so "levels off" means: the highest RSS of
      // the second half of the run is no higher than the highest of the first half (plus an allowance).
      const firstHalfMax = Math.max(atCap.rss, ...steps.slice(0, STEPS / 2).map((x) => x.rss));
      const secondHalfMax = Math.max(...steps.slice(STEPS / 2).map((x) => x.rss));
      const rssAllowance = Math.max(8 * MB, 0.1 * firstHalfMax);
      ctx.report.check(
        `memory ${label} RSS growth over the second half`,
        mb(secondHalfMax - firstHalfMax),
        'MB',
        mb(rssAllowance),
        'max',
        `highest RSS up to ${formatNumber(mid.datagramsIn)} datagrams vs after; allowance max(8 MB, 10 %)`,
      );
      ctx.report.info(
        `memory ${label} heap after ${formatNumber(end.datagramsIn)} datagrams`,
        mb(end.heapUsed + end.arrayBuffers),
        'MB',
        `heap+buffers; baseline ${mb(baseline.heapUsed + baseline.arrayBuffers).toFixed(1)} MB, at cap ${mb(atCap.heapUsed + atCap.arrayBuffers).toFixed(1)} MB`,
      );
      const fill = atCap.heapUsed + atCap.arrayBuffers - (baseline.heapUsed + baseline.arrayBuffers);
      const growth = end.heapUsed + end.arrayBuffers - (atCap.heapUsed + atCap.arrayBuffers);
      ctx.report.info(
        `memory ${label} cost per kept datagram`,
        end.logSize > 0 ? fill / atCap.logSize : 0,
        'B',
        `${size} B payload + bookkeeping; ${formatNumber(atCap.logSize)} kept at cap`,
      );
      // Past the cap nothing may accumulate: allow 5 % of the fill (GC timing) or 2 MB, whichever is larger.
      const allowance = Math.max(2 * MB, 0.05 * fill);
      ctx.report.check(`memory ${label} heap growth from cap to end`, mb(growth), 'MB', mb(allowance), 'max', `allowance max(2 MB, 5 % of the ${mb(fill).toFixed(1)} MB fill)`);
      ctx.report.property(
        `memory ${label} log within its caps`,
        end.logSize <= end.maxCount && end.logBytes <= end.maxBytes,
        `${formatNumber(end.logSize)} ≤ ${formatNumber(end.maxCount)} datagrams, ${mb(end.logBytes).toFixed(1)} ≤ ${mb(end.maxBytes).toFixed(0)} MB`,
      );
      const exact = end.logDropped === end.logTotal - end.logSize && end.logTotal === end.datagramsIn && end.datagramsIn === sentOk - kernelDrops;
      ctx.report.property(
        `memory ${label} dropped count exact`,
        exact,
        `dropped ${formatNumber(end.logDropped)} = logged ${formatNumber(end.logTotal)} − kept ${formatNumber(end.logSize)}; logged = received ${formatNumber(end.datagramsIn)} = sent ${formatNumber(sentOk)} − kernel drops ${formatNumber(kernelDrops)}`,
      );
    } finally {
      await Promise.all([receiver.stop(), sender.stop()]);
    }
  }
}
