// SendScheduler: counts, pacing (never ahead of schedule), bursts at high rates, cancel, failures, back-pressure,
// progress, and a real run over loopback sockets. Rate accuracy as a number is the benchmark's job
// (`npm run bench`); here we check the invariants that must hold on any machine, however loaded.

import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { SendScheduler, type ScheduleProgress } from '../../../src/core/sendScheduler';
import { SocketRegistry } from '../../../src/core/socketRegistry';
import { nextEvent } from '../support/events';

describe('core: SendScheduler', () => {
  const scheduler = new SendScheduler();
  afterEach(() => scheduler.cancelAll());

  it('back to back: sends count datagrams, reports final progress, resolves done', async () => {
    let calls = 0;
    const run = scheduler.start({ count: 500, send: () => Promise.resolve(void calls++) });
    const progress: ScheduleProgress[] = [];
    run.onProgress((p) => progress.push(p));
    const result = await run.done;
    assert.equal(calls, 500);
    assert.equal(result.sent, 500);
    assert.equal(result.failed, 0);
    assert.equal(result.cancelled, false);
    assert.ok(result.elapsedMs >= 0);
    assert.deepEqual(progress.at(-1), { sent: 500, failed: 0, total: 500 });
    assert.equal(run.total, 500);
  });

  it('the first send goes out before start() returns', () => {
    let calls = 0;
    const run = scheduler.start({ count: 3, intervalMs: 1000, send: () => void calls++ });
    assert.equal(calls, 1);
    run.cancel();
  });

  it('every T ms: send i never goes before start + i·T', async () => {
    const times: number[] = [];
    const start = performance.now();
    const result = await scheduler.start({ count: 6, intervalMs: 25, send: () => void times.push(performance.now()) }).done;
    assert.equal(result.sent, 6);
    times.forEach((t, i) => assert.ok(t - start >= i * 25 - 1, `send ${i} at ${(t - start).toFixed(1)} ms`));
    assert.ok(result.elapsedMs >= 5 * 25 - 1);
  });

  it('at a rate: never ahead of schedule, and at 100 000/s it sends in bursts per timer tick', async () => {
    const times: number[] = [];
    const start = performance.now();
    const rate = 100_000;
    const result = await scheduler.start({ count: 20_000, ratePerSecond: rate, send: () => void times.push(performance.now()) }).done;
    assert.equal(result.sent, 20_000);
    times.forEach((t, i) => assert.ok(t - start >= (i * 1000) / rate - 1, `send ${i} early`));
    // Bursts: far fewer distinct ticks than datagrams (a timer per datagram could never reach 100 000/s).
    const ticks = new Set(times.map((t) => Math.floor(t * 4))).size;
    assert.ok(ticks < times.length / 5, `${ticks} ticks for ${times.length} sends`);
  });

  it('cancel stops the run: nothing more is sent, done says cancelled', async () => {
    let calls = 0;
    const run = scheduler.start({ count: 1000, ratePerSecond: 200, send: () => void calls++ });
    await nextEvent(run.onProgress, (p) => p.sent >= 3, 5000, 'three sends');
    run.cancel();
    const atCancel = calls;
    const result = await run.done;
    assert.equal(result.cancelled, true);
    assert.equal(result.sent, atCancel);
    assert.ok(atCancel < 1000);
    assert.equal(calls, atCancel, 'no send after cancel');
    run.cancel();
  });

  it('cancel waits for sends in flight before resolving done', async () => {
    const pending: Array<() => void> = [];
    const run = scheduler.start({ count: 10, send: () => new Promise<void>((resolve) => pending.push(resolve)) });
    run.cancel();
    let finished = false;
    void run.done.then(() => (finished = true));
    await Promise.resolve();
    assert.equal(finished, false);
    pending.forEach((resolve) => resolve());
    const result = await run.done;
    assert.equal(result.cancelled, true);
    assert.equal(result.sent, 10, 'the ten already issued completed');
  });

  it('counts failures (rejections and throws) and keeps going; remembers the first error', async () => {
    let i = 0;
    const result = await scheduler.start({
      count: 10,
      send: () => {
        i++;
        if (i % 3 === 0) throw new Error(`throw ${i}`);
        if (i % 2 === 0) return Promise.reject(new Error(`reject ${i}`));
        return Promise.resolve();
      },
    }).done;
    assert.equal(result.sent + result.failed, 10);
    assert.equal(result.failed, 7); // throws at 3, 6, 9; rejections at 2, 4, 8, 10
    // The first failure to settle: the throw at 3 settles at once, the rejection at 2 a microtask later.
    assert.equal((result.firstError as Error).message, 'throw 3');
  });

  it('stopOnError ends the run at the first failure', async () => {
    let calls = 0;
    const result = await scheduler.start({
      count: 100,
      intervalMs: 1,
      stopOnError: true,
      send: () => {
        if (++calls === 3) throw new Error('boom');
      },
    }).done;
    assert.equal(result.cancelled, true);
    assert.equal(result.failed, 1);
    assert.equal(result.sent, 2);
    assert.equal(calls, 3, 'nothing was sent after the failure');
  });

  it('keeps at most maxInFlight sends outstanding (back-pressure)', async () => {
    let inFlight = 0;
    let peak = 0;
    const result = await scheduler.start({
      count: 200,
      maxInFlight: 8,
      send: () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        return new Promise<void>((resolve) =>
          setImmediate(() => {
            inFlight--;
            resolve();
          }),
        );
      },
    }).done;
    assert.equal(result.sent, 200);
    assert.equal(peak, 8);
  });

  it('throttles progress events and always ends with the final counts', async () => {
    const events: ScheduleProgress[] = [];
    const run = scheduler.start({ count: 50_000, send: () => undefined });
    run.onProgress((p) => events.push(p));
    const result = await run.done;
    assert.equal(result.sent, 50_000);
    assert.ok(events.length < 1000, `${events.length} progress events for 50 000 sends`);
    assert.deepEqual(events.at(-1), { sent: 50_000, failed: 0, total: 50_000 });
  });

  it('count 0 finishes at once; a bad count is refused', async () => {
    const result = await scheduler.start({ count: 0, send: () => assert.fail('no send') }).done;
    assert.deepEqual({ sent: result.sent, failed: result.failed, cancelled: result.cancelled }, { sent: 0, failed: 0, cancelled: false });
    assert.throws(() => scheduler.start({ count: 2.5, send: () => undefined }), /not a whole number/);
    assert.throws(() => scheduler.start({ count: -1, send: () => undefined }), /not a whole number/);
    assert.equal(scheduler.active, 0);
  });

  it('cancelAll cancels every run, and Infinity runs until cancelled', async () => {
    const a = scheduler.start({ count: Number.POSITIVE_INFINITY, intervalMs: 5, send: () => undefined });
    const b = scheduler.start({ count: 1000, intervalMs: 5, send: () => undefined });
    assert.equal(scheduler.active, 2);
    scheduler.cancelAll();
    const [ra, rb] = await Promise.all([a.done, b.done]);
    assert.equal(ra.cancelled, true);
    assert.equal(rb.cancelled, true);
    assert.equal(scheduler.active, 0);
  });

  it('callback-style sends: counts, failures (callback errors and throws), back-pressure; exactly one form', async () => {
    let inFlight = 0;
    let peak = 0;
    let calls = 0;
    const run = scheduler.start({
      count: 300,
      maxInFlight: 8,
      sendWithCallback: (done) => {
        const n = calls++;
        if (n === 7) throw new Error('thrown');
        inFlight++;
        peak = Math.max(peak, inFlight);
        setImmediate(() => {
          inFlight--;
          if (n % 100 === 50) done(new Error(`failed ${n}`));
          else done(n % 2 === 0 ? undefined : null);
        });
      },
    });
    const result = await run.done;
    assert.equal(calls, 300);
    assert.deepEqual({ sent: result.sent, failed: result.failed }, { sent: 296, failed: 4 });
    assert.equal((result.firstError as Error).message, 'thrown');
    assert.equal(peak, 8);
    assert.throws(() => scheduler.start({ count: 1 }), /exactly one of send and sendWithCallback/);
    assert.throws(() => scheduler.start({ count: 1, send: () => undefined, sendWithCallback: (done) => done() }), /exactly one/);
  });

  it('drives a real socket through sendWithCallback: 2 000 back to back, all logged and counted', async () => {
    const registry = new SocketRegistry();
    try {
      const receiver = await registry.open({ type: 'udp4', port: 0, recvBufferSize: 4 << 20 });
      const sender = await registry.open({ type: 'udp4', port: 0 });
      const all = nextEvent(receiver.onDidReceive, () => receiver.view().stats.datagramsIn === 2000);
      const payload = Buffer.from('tick');
      const target = { host: '127.0.0.1', port: receiver.local!.port };
      const result = await scheduler.start({ count: 2000, maxInFlight: 64, sendWithCallback: (done) => sender.sendWithCallback(payload, target, done) }).done;
      assert.deepEqual({ sent: result.sent, failed: result.failed }, { sent: 2000, failed: 0 });
      assert.equal(sender.view().stats.datagramsOut, 2000);
      await all;
      assert.equal(registry.log.size, 4000);
    } finally {
      await registry.closeAll();
      registry.dispose();
    }
  });

  it('drives a real socket: 200 datagrams at 2 000/s all arrive and are logged', async () => {
    const registry = new SocketRegistry();
    try {
      const receiver = await registry.open({ type: 'udp4', port: 0, recvBufferSize: 1 << 20 });
      const sender = await registry.open({ type: 'udp4', port: 0 });
      const all = nextEvent(receiver.onDidReceive, () => receiver.view().stats.datagramsIn === 200);
      const payload = Buffer.from('tick');
      const result = await scheduler.start({
        count: 200,
        ratePerSecond: 2000,
        send: () => sender.send(payload, { host: '127.0.0.1', port: receiver.local!.port }).then(() => undefined),
      }).done;
      await all;
      assert.equal(result.sent, 200);
      assert.equal(sender.view().stats.datagramsOut, 200);
      assert.equal(registry.log.size, 400);
    } finally {
      await registry.closeAll();
      registry.dispose();
    }
  });
});
