// 2. Send: raw dgram.send vs the core's send path and the SendScheduler at full speed, paired per round in
// alternating order; then the scheduler's accuracy at 1 k, 10 k and 100 k datagrams/s.

import { type BenchContext } from '../lib/context';
import { requireWorker } from '../lib/flood';
import { formatNumber } from '../lib/report';
import { describeSpread, summarize } from '../lib/stats';
import { Worker } from '../lib/workers';
import { type AccuracyResult, type SendResult } from '../workers/sendBench';

/** Two measurements of one loop as one: counts and times added, rates recomputed. */
function addSendResults(a: SendResult | undefined, b: SendResult): SendResult {
  if (!a) return b;
  const sent = a.sent + b.sent;
  const ms = a.ms + b.ms;
  const cpuUs = a.cpuUsPerSend * Math.max(1, a.sent) + b.cpuUsPerSend * Math.max(1, b.sent);
  return { sent, failed: a.failed + b.failed, ms, perSecond: sent / (ms / 1000), cpuUsPerSend: cpuUs / Math.max(1, sent) };
}

export async function send(ctx: BenchContext): Promise<void> {
  requireWorker(ctx.outDir, 'sendBench');
  const rounds = ctx.quick ? 1 : 9; // as many pairs as ingest, for the same reason (see floodPlan)
  const count = ctx.quick ? 40_000 : 200_000;
  const blackhole = await Worker.start('blackhole');
  const bench = await Worker.start('sendBench', { execArgv: ctx.workerExecArgv });
  try {
    const { port } = await blackhole.request<{ port: number }>('bind');
    await blackhole.request('block', { ms: 300_000 });
    await bench.request('setup', { port, size: 64 });
    const run = (cmd: string, n: number) => bench.request<SendResult>(cmd, { count: n }, 120_000);
    // Warm-up: JIT and socket buffers, discarded.
    for (const cmd of ['rawLoop', 'coreLoop', 'schedulerFull']) await run(cmd, ctx.quick ? 5_000 : 30_000);

    // Each round runs the three loops in turns of `chunk` sends (order reversed every turn: ABC CBA …) and sums
    // each loop's turns: whole rounds of 200 000 sends per loop one after the other ranged ±30 % pair to pair on
    // this shared machine, and in turns of a few tens of milliseconds all three see the same seconds of it.
    const chunk = ctx.quick ? 10_000 : 20_000;
    const turns = Math.max(1, Math.round(count / chunk));
    const rows: Array<{ raw: SendResult; core: SendResult; sched: SendResult }> = [];
    for (let r = 0; r < rounds; r++) {
      const sums: Record<string, SendResult> = {};
      for (let t = 0; t < turns; t++) {
        const order = (r * turns + t) % 2 === 0 ? ['rawLoop', 'coreLoop', 'schedulerFull'] : ['schedulerFull', 'coreLoop', 'rawLoop'];
        for (const cmd of order) sums[cmd] = addSendResults(sums[cmd], await run(cmd, chunk));
      }
      rows.push({ raw: sums.rawLoop!, core: sums.coreLoop!, sched: sums.schedulerFull! });
    }
    const fmt = (v: number) => `${formatNumber(v)}/s`;
    const raw = summarize(rows.map((r) => r.raw.perSecond));
    const core = summarize(rows.map((r) => r.core.perSecond));
    const sched = summarize(rows.map((r) => r.sched.perSecond));
    ctx.report.info('send 64 B raw dgram.send/s', raw.median, '/s', describeSpread(raw, fmt));
    ctx.report.info('send 64 B core UdpSocket.send/s', core.median, '/s', describeSpread(core, fmt));
    ctx.report.info('send 64 B SendScheduler full speed/s', sched.median, '/s', describeSpread(sched, fmt));
    const coreRatio = summarize(rows.map((r) => r.core.perSecond / r.raw.perSecond));
    const schedRatio = summarize(rows.map((r) => r.sched.perSecond / r.raw.perSecond));
    ctx.report.check('send core/raw ratio', coreRatio.median, 'ratio', 0.9, 'min', describeSpread(coreRatio, (v) => v.toFixed(3)));
    ctx.report.check('send scheduler/raw ratio', schedRatio.median, 'ratio', 0.9, 'min', describeSpread(schedRatio, (v) => v.toFixed(3)));
    const us = (v: number) => `${v.toFixed(2)} µs`;
    const cpuRaw = summarize(rows.map((r) => r.raw.cpuUsPerSend));
    const cpuCore = summarize(rows.map((r) => r.core.cpuUsPerSend));
    const cpuSched = summarize(rows.map((r) => r.sched.cpuUsPerSend));
    ctx.report.info('send raw CPU per datagram', cpuRaw.median, 'µs', describeSpread(cpuRaw, us));
    ctx.report.info('send core CPU per datagram', cpuCore.median, 'µs', describeSpread(cpuCore, us));
    ctx.report.info('send scheduler CPU per datagram', cpuSched.median, 'µs', describeSpread(cpuSched, us));
    const cpuRatio = summarize(rows.map((r) => r.raw.cpuUsPerSend / r.core.cpuUsPerSend));
    const cpuSchedRatio = summarize(rows.map((r) => r.raw.cpuUsPerSend / r.sched.cpuUsPerSend));
    ctx.report.info('send core/raw sends per CPU-second', cpuRatio.median, 'ratio', describeSpread(cpuRatio, (v) => v.toFixed(3)));
    ctx.report.info('send scheduler/raw sends per CPU-second', cpuSchedRatio.median, 'ratio', describeSpread(cpuSchedRatio, (v) => v.toFixed(3)));
    const failed = rows.reduce((n, r) => n + r.raw.failed + r.core.failed + r.sched.failed, 0);
    if (failed > 0) ctx.log(`${failed} sends failed during the send bench`);

    for (const rate of [1_000, 10_000, 100_000]) {
      const seconds = ctx.quick ? 0.3 : 1.5;
      const trials = ctx.quick ? 1 : 3;
      const results: AccuracyResult[] = [];
      for (let t = 0; t < trials; t++) {
        results.push(await bench.request<AccuracyResult>('schedulerRate', { rate, count: Math.round(rate * seconds) }, 60_000));
      }
      const err = summarize(results.map((r) => r.errorPercent));
      const achieved = summarize(results.map((r) => r.achieved));
      // A rate above what this machine's send path reached at full speed in this run cannot be held by any
      // scheduler: say so, so a miss is read as capacity, not timing.
      const capacityBound = rate > 0.9 * sched.median;
      ctx.report.check(
        `scheduler accuracy at ${formatNumber(rate)}/s`,
        err.median,
        '% off',
        2,
        'max',
        `achieved ${formatNumber(achieved.median)}/s (${describeSpread(achieved, fmt)})` +
          (capacityBound ? `; capacity-bound: the scheduler at full speed reached only ${formatNumber(sched.median)}/s in this run` : ''),
      );
    }
  } finally {
    await Promise.all([bench.stop(), blackhole.stop(0)]);
  }
}
