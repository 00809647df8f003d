// The send path on real loopback sockets: send() and sendWithCallback() share one queue of sends in flight that
// dgram answers in order, so every answer must reach its own send (checked with a different size per datagram),
// sends a closed socket will never hear back about must still be answered, and the callback form must behave like
// a Node callback (asynchronous, exactly once) with the same sentences as the Promise form.

import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { DatagramLog } from '../../../src/core/datagramLog';
import { UdpLabError } from '../../../src/core/errors';
import { setListenerErrorHandler } from '../../../src/core/events';
import { UdpSocket } from '../../../src/core/udpSocket';
import { collect } from '../support/events';

describe('core: send path (in-flight queue, callback form)', () => {
  const opened: Array<{ close(): Promise<void> | void }> = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  async function socket(log?: DatagramLog): Promise<UdpSocket> {
    const s = new UdpSocket({ type: 'udp4', port: 0, address: '127.0.0.1' }, undefined, log ? { log } : {});
    opened.push(s);
    await s.bind();
    return s;
  }

  /** A raw receiver that keeps what arrives and resolves once `count` datagrams (of any size) came. */
  async function receiver(): Promise<{ port: number; sizes: number[]; payloads: Buffer[]; until(count: number): Promise<void> }> {
    const r = dgram.createSocket('udp4');
    r.on('error', () => undefined);
    await new Promise<void>((resolve) => r.bind(0, '127.0.0.1', resolve));
    // Large enough that a burst of 600 small datagrams is not dropped by the kernel before the test reads it.
    r.setRecvBufferSize(4 * 1024 * 1024);
    opened.push({ close: () => new Promise<void>((resolve) => r.close(() => resolve())) });
    const sizes: number[] = [];
    const payloads: Buffer[] = [];
    let waiting: { count: number; resolve: () => void } | undefined;
    r.on('message', (msg) => {
      sizes.push(msg.length);
      payloads.push(Buffer.from(msg));
      if (waiting && sizes.length >= waiting.count) waiting.resolve();
    });
    return {
      port: r.address().port,
      sizes,
      payloads,
      until: (count) => (sizes.length >= count ? Promise.resolve() : new Promise<void>((resolve) => (waiting = { count, resolve }))),
    };
  }

  it('answers each of 600 sends in flight with its own size, in order, through both forms mixed', async () => {
    const log = new DatagramLog();
    const s = await socket(log);
    const r = await receiver();
    const sent = collect(s.onDidSend);
    const target = { host: '127.0.0.1', port: r.port };
    const answers: Array<Promise<number>> = [];
    const order: number[] = [];
    for (let size = 1; size <= 600; size++) {
      const bytes = Buffer.alloc(size, size & 0xff);
      if (size % 3 === 0) {
        answers.push(
          new Promise<number>((resolve, reject) => {
            let calls = 0;
            let sync = true;
            s.sendWithCallback(bytes, target, (error, n) => {
              calls++;
              assert.equal(sync, false, 'the callback is never called synchronously');
              assert.equal(calls, 1, 'exactly once');
              order.push(size);
              bytes.fill(0); // answered: the caller may reuse its buffer now
              if (error) reject(error);
              else resolve(n);
            });
            sync = false;
          }),
        );
      } else {
        answers.push(s.send(bytes, target).then((n) => (order.push(size), bytes.fill(0), n)));
      }
    }
    const results = await Promise.all(answers);
    assert.deepEqual(results, Array.from({ length: 600 }, (_, i) => i + 1), 'each send answered with its own byte count');
    // Callbacks run inside dgram's answer, Promise reactions a microtask later: each form is in order on its own.
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    assert.deepEqual(order.filter((n) => n % 3 === 0), sorted(order.filter((n) => n % 3 === 0)), 'callbacks answered in the order sent');
    assert.deepEqual(order.filter((n) => n % 3 !== 0), sorted(order.filter((n) => n % 3 !== 0)), 'promises settled in the order sent');
    await r.until(600);
    assert.deepEqual(r.sizes, results);
    assert.ok(r.payloads.every((p) => p.every((b) => b === (p.length & 0xff))), 'every datagram arrived with the bytes given');
    assert.deepEqual(sent.values.map((d) => d.size), results, 'onDidSend once per datagram, in order');
    assert.ok(sent.values.every((d) => d.bytes.every((b) => b === (d.size & 0xff))), 'listeners got copies: the buffers reused after the answer left them alone');
    const logged = log.since(0);
    assert.equal(logged.length, 600);
    assert.ok(logged.every((d, i) => d.direction === 'out' && d.size === i + 1 && d.bytes.every((b) => b === ((i + 1) & 0xff)) && d.peer.port === r.port), 'the log copied the bytes as sent');
    assert.equal(s.stats.datagramsOut, 600);
  });

  it('keeps every datagram exact while sends overlap in waves (sizes up to 20 KB), each buffer reused once answered', async () => {
    const log = new DatagramLog();
    const s = await socket(log);
    const r = await receiver();
    const target = { host: '127.0.0.1', port: r.port };
    const pattern = (n: number, size: number) => {
      const b = Buffer.alloc(size, n & 0xff);
      if (size >= 4) b.writeUInt32BE(n, 0);
      return b;
    };
    const sizes: number[] = [];
    // A sliding window of sends in flight (the scheduler's back-pressure), so completions and new copies overlap.
    const sendOne = (done: (error?: unknown) => void): void => {
      const n = sizes.length;
      // Up to 20 KB, some empty.
      const size = n % 37 === 0 ? 20_000 : n % 41 === 0 ? 0 : 500 + ((n * 977) % 15_000);
      sizes.push(size);
      const bytes = pattern(n, size);
      // Answered: the caller reuses its buffer, which must change neither what went out nor what was logged.
      const answered = (error?: unknown): void => {
        bytes.fill(0xee);
        done(error);
      };
      if (n % 2) s.send(bytes, target).then(() => answered(), answered);
      else s.sendWithCallback(bytes, target, answered);
    };
    // Each answer starts the next send at once (80 chains, ~600 KB in flight).
    const total = 400; // ~3 MB: within the receiver's buffer, so the kernel drops none
    let failed = 0;
    await new Promise<void>((resolve) => {
      let answered = 0;
      const next = (error?: unknown): void => {
        if (error) failed++;
        if (++answered === total) resolve();
        else if (sizes.length < total) sendOne(next);
      };
      for (let i = 0; i < 80; i++) sendOne(next);
    });
    assert.equal(failed, 0);
    const n = sizes.length;
    await r.until(n);
    assert.deepEqual(r.sizes, sizes);
    r.payloads.forEach((p, i) => assert.ok(p.equals(pattern(i, sizes[i]!)), `datagram ${i} (${sizes[i]} B) arrived as given`));
    log.since(0).forEach((d, i) => assert.ok(Buffer.from(d.bytes).equals(pattern(i, sizes[i]!)), `datagram ${i} logged as given`));
  });

  it('answers every send when the socket closes under it: none is left hanging', async () => {
    const s = await socket();
    const r = await receiver();
    await s.send(Buffer.from('warm the resolver'), { host: 'localhost', port: r.port });
    const outcomes: Array<Promise<string>> = [];
    const settle = (p: Promise<number>) => outcomes.push(p.then(() => 'sent', (e: UdpLabError) => e.code));
    for (let i = 0; i < 100; i++) {
      // A literal goes out inside send(); a host name is resolved first (a cached answer a microtask later).
      settle(s.send(Buffer.alloc(32, i), { host: '127.0.0.1', port: r.port }));
      settle(s.send(Buffer.alloc(32, i), { host: 'localhost', port: r.port }));
    }
    outcomes.push(new Promise<string>((resolve) => s.sendWithCallback(Buffer.alloc(8), { host: 'localhost', port: r.port }, (error) => resolve(error ? error.code : 'sent'))));
    const closed = s.close();
    const settled = await Promise.all(outcomes);
    await closed;
    assert.equal(settled.length, 201);
    assert.deepEqual(
      settled.filter((_, i) => i % 2 === 0 && i < 200),
      Array<string>(100).fill('sent'),
      'sends to a literal were out before close',
    );
    assert.deepEqual(new Set(settled.filter((_, i) => i % 2 === 1 || i === 200)), new Set(['ERR_SOCKET_DGRAM_NOT_RUNNING']), 'sends still resolving their host name are answered with the reason');
  });

  it('keeps each answer with its own send when sends to a host name and to a literal interleave', async () => {
    const log = new DatagramLog();
    const s = await socket(log);
    const near = await receiver(); // 127.0.0.1, reached as "localhost"
    const far = dgram.createSocket('udp4');
    far.on('error', () => undefined);
    await new Promise<void>((resolve) => far.bind(0, '127.0.0.2', resolve));
    opened.push({ close: () => new Promise<void>((resolve) => far.close(() => resolve())) });
    await s.send(Buffer.from('warm the resolver'), { host: 'localhost', port: near.port });
    const answers: Array<Promise<number>> = [];
    for (let i = 0; i < 200; i++) {
      // Different sizes per destination: an answer taken by the wrong send would show.
      answers.push(s.send(Buffer.alloc(100 + i), { host: 'localhost', port: near.port }));
      // The name's answer reaches dgram a few microtasks later; the literal is sent right after it, so it would
      // overtake the name's send if the two reached the kernel by different paths.
      for (let k = 0; k < 3; k++) await Promise.resolve();
      answers.push(s.send(Buffer.alloc(1000 + i), { host: '127.0.0.2', port: far.address().port }));
    }
    const sizes = await Promise.all(answers);
    assert.deepEqual(sizes, Array.from({ length: 400 }, (_, k) => (k % 2 === 0 ? 100 : 1000) + (k >> 1)));
    for (const d of log.since(1)) assert.equal(d.peer.address, d.size >= 1000 ? '127.0.0.2' : '127.0.0.1', `a ${d.size}-byte datagram logged with its own destination`);
  });

  it('sends to a literal destination go out before send() returns; closing right after loses none', async () => {
    const s = await socket();
    const r = await receiver();
    const target = { host: '127.0.0.1', port: r.port };
    const outcomes = Array.from({ length: 300 }, (_, i) => s.send(Buffer.alloc(32, i), target));
    await s.close();
    assert.deepEqual(await Promise.all(outcomes), Array<number>(300).fill(32));
    await r.until(300);
  });

  it('reports failures through the callback with the same sentences as send(), asynchronously', async () => {
    const s = await socket();
    const viaCallback = (bytes: Uint8Array, target?: { host: string; port: number }) =>
      new Promise<UdpLabError>((resolve, reject) => {
        let sync = true;
        s.sendWithCallback(bytes, target, (error, n) => {
          if (sync) reject(new Error('called synchronously'));
          else if (error) resolve(error);
          else reject(new Error(`sent ${n} bytes`));
        });
        sync = false;
      });
    const cases: Array<[Uint8Array, { host: string; port: number } | undefined]> = [
      [Buffer.alloc(1), undefined], // not connected
      [Buffer.alloc(1), { host: '127.0.0.1', port: 0 }], // port 0
      [Buffer.alloc(1), { host: 'not a host!', port: 9 }], // validation
      [Buffer.alloc(65_508), { host: '127.0.0.1', port: 9 }], // too big for IPv4
      [Buffer.alloc(1), { host: '::1', port: 9 }], // family mismatch
    ];
    for (const [bytes, target] of cases) {
      const fromCallback = await viaCallback(bytes, target);
      const fromPromise = await s.send(bytes, target).then(
        () => assert.fail('should fail'),
        (e: UdpLabError) => e,
      );
      assert.ok(fromCallback instanceof UdpLabError);
      assert.equal(fromCallback.code, fromPromise.code);
      assert.equal(fromCallback.userMessage, fromPromise.userMessage);
    }
    await s.close();
    const afterClose = await viaCallback(Buffer.alloc(1), { host: '127.0.0.1', port: 9 });
    assert.equal(afterClose.code, 'ERR_SOCKET_DGRAM_NOT_RUNNING');
  });

  it('a receive reader sees each datagram without a copy, alongside the log and onDidReceive; a throwing reader breaks nothing', async () => {
    const log = new DatagramLog();
    const s = await socket(log);
    const r = await socket();
    const seen: string[] = [];
    const events = collect(s.onDidReceive);
    let throwOnce = true;
    s.setReceiveReader((bytes, peer, time) => {
      seen.push(`${bytes.toString()} ${peer.port} ${typeof time}`);
      if (throwOnce) {
        throwOnce = false;
        throw new Error('reader bug');
      }
    });
    const reported: unknown[] = [];
    setListenerErrorHandler((error) => reported.push(error));
    try {
      for (const text of ['one', 'two']) await r.send(Buffer.from(text), { host: '127.0.0.1', port: s.local!.port });
      while (events.values.length < 2) await new Promise<void>((resolve) => s.onDidReceive(() => resolve()));
    } finally {
      setListenerErrorHandler((error) => console.error('[udp-lab] event listener threw:', error));
    }
    assert.deepEqual(seen, [`one ${r.local!.port} number`, `two ${r.local!.port} number`]);
    assert.equal((reported[0] as Error).message, 'reader bug');
    assert.deepEqual(events.values.map((d) => d.bytes.toString()), ['one', 'two']);
    assert.equal(log.size, 2);
    s.setReceiveReader(undefined);
    const third = new Promise<void>((resolve) => s.onDidReceive(() => resolve()));
    await r.send(Buffer.from('three'), { host: '127.0.0.1', port: s.local!.port });
    await third;
    assert.equal(seen.length, 2, 'removed');
  });

  it('sends to the connected peer through the callback form', async () => {
    const s = await socket();
    const r = await receiver();
    await s.connect('127.0.0.1', r.port);
    const n = await new Promise<number>((resolve, reject) => s.sendWithCallback(Buffer.from('hello'), undefined, (error, bytes) => (error ? reject(error) : resolve(bytes))));
    assert.equal(n, 5);
    await r.until(1);
    assert.deepEqual(r.sizes, [5]);
  });
});
