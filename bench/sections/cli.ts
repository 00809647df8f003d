// 6. CLI: `udp-lab listen --json` (the production bundle) writing to /dev/null, against the same flood as
// ingest, flooded in turns with a raw dgram receiver that is, like the CLI, a process started for each trial
// (freshRawReceiver). The CLI cannot report a count without
// printing it, so for both receivers the count is the kernel's (sent − datagrams dropped at the socket),
// cross-checked against the raw receiver's own counter.

import { spawn, type ChildProcess } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import { type BenchContext, productionBundle } from '../lib/context';
import { type Receiver, workerReceiver } from '../lib/flood';
import { readUdpSocket } from '../lib/procNetUdp';
import { formatNumber } from '../lib/report';
import { describeSpread, summarize } from '../lib/stats';
import { Worker } from '../lib/workers';
import { floodPlan, interleavedPairs, reportCpu, SIZES } from './ingest';

/** CPU time (user + system) a process has used, from /proc/<pid>/stat (fields 14 and 15, in clock ticks). */
function processCpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ", field 3 (state) is index 0: utime is field 14 → index 11, stime field 15 → index 12.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
/** sysconf(_SC_CLK_TCK): 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

/** A port the OS just handed out and released (the CLI binds it a moment later). */
async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  s.on('error', () => undefined);
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export function cliReceiver(cliFile: string, execArgv: string[], maxSeconds: number): Receiver {
  let child: ChildProcess | undefined;
  let stderr = '';
  let cpuAtBind = 0;
  return {
    label: 'cli',
    async bind() {
      const port = await freePort();
      const devNull = fs.openSync('/dev/null', 'w');
      stderr = '';
      child = spawn(process.execPath, [...execArgv, cliFile, 'listen', `127.0.0.1:${port}`, '--json', '--timeout', String(maxSeconds)], {
        stdio: ['ignore', devNull, 'pipe'],
      });
      fs.closeSync(devNull);
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<never>((_, reject) =>
        child!.once('exit', (code) => reject(new Error(`udp-lab listen exited (${code}) before binding: ${stderr.trim()}`))),
      );
      exited.catch(() => undefined);
      // Ready = the kernel lists the socket (no dependence on what the CLI prints).
      const deadline = performance.now() + 10_000;
      while (!readUdpSocket(port)) {
        if (performance.now() > deadline) throw new Error(`udp-lab listen did not bind 127.0.0.1:${port} within 10 s: ${stderr.trim()}`);
        await Promise.race([new Promise((r) => setTimeout(r, 5)), exited]);
      }
      // Node's start-up is not part of the per-datagram cost.
      cpuAtBind = processCpuMs(child.pid!) ?? 0;
      return port;
    },
    settle: () => {
      const cpu = child?.pid ? processCpuMs(child.pid) : undefined;
      return Promise.resolve(cpu === undefined ? {} : { cpuMs: cpu - cpuAtBind });
    },
    async close() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGTERM');
        setTimeout(() => c.kill('SIGKILL'), 3_000).unref();
      });
    },
  };
}

/**
 * The raw baseline started the way the CLI is: a fresh process per trial (the bench's raw dgram worker, forked for
 * this trial and stopped after it). `udp-lab listen` is a program that starts, so its trials include a cold
 * process — code not yet optimized, caches cold — and a raw receiver kept warm across trials would fold that
 * start-up into the ratio instead of the per-datagram cost the target is about. (The ingest section's raw
 * receiver, warm, stays the baseline for the core path, which runs in an extension host that is already up.)
 */
export function freshRawReceiver(execArgv: string[]): Receiver {
  let worker: Worker | undefined;
  let inner: Receiver | undefined;
  return {
    label: 'raw',
    countByKernel: true,
    async bind() {
      worker = await Worker.start('rawReceiver', { execArgv });
      inner = workerReceiver('raw', worker);
      return inner.bind();
    },
    settle: () => inner!.settle(),
    async close() {
      const w = worker;
      worker = undefined;
      if (!w) return;
      await inner!.close();
      await w.stop();
    },
  };
}

export async function cli(ctx: BenchContext): Promise<void> {
  const cliFile = productionBundle(ctx, 'cli');
  const plan = floodPlan(ctx.quick);
  const sender = await Worker.start('sender');
  const raw = freshRawReceiver(ctx.workerExecArgv);
  const cliRecv = cliReceiver(cliFile, ctx.workerExecArgv, 120);
  try {
    for (const size of SIZES) {
      const label = size >= 1024 ? `${size / 1024} KB` : `${size} B`;
      ctx.log(`cli ${label}: ${plan.trials} trials of ${plan.phasesEach} turns of ${formatNumber(plan.phaseCount)} datagrams each, flat out`);
      const pairs = await interleavedPairs(raw, cliRecv, sender, plan, size);
      const rawRate = summarize(pairs.map((p) => p.base.perSecond));
      const cliRate = summarize(pairs.map((p) => p.cand.perSecond));
      const ratio = summarize(pairs.map((p) => p.cand.perSecond / p.base.perSecond));
      const fmt = (v: number) => `${formatNumber(v)}/s`;
      ctx.report.info(`cli ${label} raw received/s`, rawRate.median, '/s', describeSpread(rawRate, fmt));
      ctx.report.info(`cli ${label} listen --json received/s`, cliRate.median, '/s', describeSpread(cliRate, fmt));
      ctx.report.check(`cli ${label} listen --json / raw ratio`, ratio.median, 'ratio', 0.8, 'min', describeSpread(ratio, (v) => v.toFixed(3)));
      reportCpu(ctx, `cli ${label}`, pairs, 'listen --json');
      const cliLoss = summarize(pairs.map((p) => p.cand.lossPercent));
      ctx.report.info(`cli ${label} listen --json loss, flat out`, cliLoss.median, '%', describeSpread(cliLoss, (v) => `${v.toFixed(2)} %`));
      // Cross-check of the kernel's count against the raw receiver's own counter, trial by trial.
      const worst = Math.max(0, ...pairs.map((p) => Math.abs((p.base.ownCount ?? p.base.kernelCount) - p.base.kernelCount)));
      ctx.report.info(`cli ${label} kernel-count check (raw: |own − kernel|)`, worst, 'datagrams', 'how far the kernel count used for the CLI can be off');
    }
  } finally {
    await cliRecv.close();
    await raw.close();
    await sender.stop();
  }
}
