// `udp-lab listen` that cannot keep up loses nothing silently. Two ways to fall behind, each with its own count:
// - the CLI does not read (busy, or stopped): the system drops what overflows the socket's queue, and the CLI says
//   how many, exactly as the kernel counted them (Linux);
// - the reader of its output stalls: stdout to a pipe is written asynchronously, so the CLI keeps reading and holds
//   the output in memory up to a bound (64 MiB), then skips lines and says how many.
// Either way: printed + skipped + dropped by the system = sent.

import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { kernelDrops, readKernelUdpSocket } from '../../../src/core/kernelDrops';
import { startCli, type RunningCli } from './cliProcess';

/** A port the OS just handed out and released (the CLI binds it a moment later). */
async function freePort(): Promise<number> {
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
  const port = probe.address().port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Waits until the CLI has read all but `bytes` of what waits in its socket's queue (Linux; nothing signals it). */
async function queueBelow(port: number, bytes: number, what: string): Promise<void> {
  if (process.platform !== 'linux') return;
  for (const deadline = Date.now() + 20_000; readKernelUdpSocket({ address: '127.0.0.1', family: 'IPv4', port })!.rxQueueBytes > bytes; ) {
    assert.ok(Date.now() < deadline, what);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * Sends `total` datagrams of 1 KB to the port, 500 in flight at a time, and closes the socket. `paced`: after
 * every 2 000, waits for the CLI to read its queue down, so the system drops nothing.
 */
async function flood(port: number, total: number, paced = false): Promise<void> {
  const sender = dgram.createSocket('udp4');
  sender.on('error', () => undefined);
  await new Promise<void>((resolve) => sender.bind(0, '127.0.0.1', resolve));
  const payload = Buffer.alloc(1024, 0x41);
  for (let sent = 0; sent < total; sent += 500) {
    await new Promise<void>((resolve) => {
      let left = 500;
      for (let i = 0; i < 500; i++) sender.send(payload, port, '127.0.0.1', () => --left === 0 && resolve());
    });
    if (paced && (sent + 500) % 2000 === 0) await queueBelow(port, 1024 * 1024, 'the CLI kept reading');
  }
  await new Promise<void>((resolve) => sender.close(() => resolve()));
}

/** Counts the CLI's output lines as they arrive; `until(n)` resolves once n have. */
function lineCounter(listener: RunningCli): { count(): number; until(n: number): Promise<void> } {
  let lines = 0;
  let waiting: { n: number; resolve: () => void } | undefined;
  listener.child.stdout.on('data', (chunk: string) => {
    for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) lines++;
    if (waiting && lines >= waiting.n) waiting.resolve();
  });
  return {
    count: () => lines,
    until: (n) => (lines >= n ? Promise.resolve() : new Promise<void>((resolve) => (waiting = { n, resolve }))),
  };
}

const SKIPPED = /^(\d+) datagrams were not printed because the output could not keep up\.$/m;
const DROPPED = /^(\d+) datagrams were dropped by the system before udp-lab could read them: they arrived faster than the output was written/m;

describe('cli: listen when it cannot keep up', function () {
  this.timeout(60_000);

  it('a CLI that does not read: it reports exactly what the system dropped; printed + dropped = sent', async () => {
    if (process.platform !== 'linux') {
      // The count is Linux's (/proc/net/udp); elsewhere it is unknown, and nothing may be claimed.
      assert.equal(kernelDrops({ address: '127.0.0.1', family: 'IPv4', port: 9 }), undefined);
      return;
    }
    const port = await freePort();
    const listener = await startCli(['listen', `127.0.0.1:${port}`, '--json'], { timeoutMs: 50_000 });
    await listener.waitForStderr('Listening on');
    const lines = lineCounter(listener);
    // Stopped, the CLI reads nothing: what does not fit its socket's queue is dropped by the system. (Linux doubles
    // the 4 MiB asked for, and counts each 1 KB datagram at its ~2.3 KB in memory: 3 640 fit here; 30 000 overflow.)
    listener.child.kill('SIGSTOP');
    const total = 30_000;
    try {
      await flood(port, total);
    } finally {
      listener.child.kill('SIGCONT');
    }
    const dropped = kernelDrops({ address: '127.0.0.1', family: 'IPv4', port })!;
    assert.ok(dropped > 0, 'the flood overflowed the stopped CLI');

    console.log(`      stopped CLI: ${total - dropped} printed + ${dropped} dropped by the system, of ${total} sent`);
    await lines.until(total - dropped);
    listener.child.kill('SIGINT');
    const result = await listener.done;
    assert.equal(result.code, 0);
    assert.equal(lines.count(), total - dropped, 'every datagram not dropped was printed');
    assert.equal(Number(DROPPED.exec(result.stderr)?.[1]), dropped, result.stderr);
    assert.doesNotMatch(result.stderr, SKIPPED);
  });

  it('a reader that stalls: output is held up to its bound, the rest skipped and counted; printed + skipped + dropped = sent', async () => {
    const port = await freePort();
    const listener = await startCli(['listen', `127.0.0.1:${port}`, '--json'], { timeoutMs: 50_000 });
    await listener.waitForStderr('Listening on');
    const lines = lineCounter(listener);
    // Nobody reads the CLI's stdout: the pipe fills, and the CLI holds what it cannot write.
    listener.child.stdout.pause();
    // 50 000 lines of ~2.2 KB are more than the 64 MiB the CLI holds for a stalled reader; paced so that the CLI
    // reads them all (the system drops none, or few).
    const total = 50_000;
    await flood(port, total, true);
    // Once the socket's queue is empty, every datagram was read (then held or skipped) or dropped by the system.
    const linux = process.platform === 'linux';
    await queueBelow(port, 0, 'the CLI kept reading while its output was stalled');
    const dropped = kernelDrops({ address: '127.0.0.1', family: 'IPv4', port }) ?? 0;
    // Read everything back, then stop it: it writes what it held and accounts for the rest.
    listener.child.stdout.resume();
    listener.child.kill('SIGINT');
    const result = await listener.done;
    assert.equal(result.code, 0);
    const skipped = Number(SKIPPED.exec(result.stderr)?.[1] ?? 0);
    assert.ok(skipped > 0, `the stalled reader made the CLI skip lines: ${result.stderr}`);
    const droppedReported = Number(DROPPED.exec(result.stderr)?.[1] ?? 0);
    assert.equal(droppedReported, dropped, 'the system\'s drops are reported as counted');
    console.log(`      stalled reader: ${lines.count()} printed + ${skipped} skipped + ${dropped} dropped by the system, of ${total} sent`);
    if (linux) assert.equal(lines.count() + skipped + dropped, total, 'printed + skipped + dropped by the system = sent');
    else assert.ok(lines.count() + skipped <= total);
  });
});
