// Lifecycle on the real core: 1 000 sockets opened and closed in a loop (udp4 and udp6, some with traffic both
// ways) leave the process with the handles and memory it started with; disposing of the registry (what the
// extension's deactivation does) closes every socket and frees every handle. The figures are printed.

import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { SocketRegistry } from '../../../src/core/socketRegistry';
import type { UdpSocket } from '../../../src/core/udpSocket';
import { count, describeResources, mib, sampleResources, type ResourceSample } from '../../support/resourceMeter';
import { nextEvent } from '../support/events';

const LOOPS = 1000;
/** Heap after a full GC may differ by what V8 keeps compiled or cached; a leak of 1 000 sockets is far larger. */
const HEAP_TOLERANCE = 4 * 1024 * 1024;
/** RSS moves with allocator pages the process keeps for reuse; this bounds it without calling noise a leak. */
const RSS_TOLERANCE = 24 * 1024 * 1024;

describe('lifecycle: sockets opened and closed in a loop leave nothing behind', function () {
  this.timeout(60_000);
  let peer: dgram.Socket;
  /** Disposed after each test even when it fails, so a failure never leaves sockets that keep mocha alive. */
  const registries: SocketRegistry[] = [];
  afterEach(() => {
    for (const r of registries.splice(0)) r.dispose();
  });

  before(async () => {
    peer = dgram.createSocket('udp4');
    peer.on('error', () => undefined);
    await new Promise<void>((r) => peer.bind(0, '127.0.0.1', () => r()));
  });
  after(() => peer.close());

  /** One open → (traffic) → close round; every 10th socket receives one datagram and sends one. */
  async function round(registry: SocketRegistry, i: number): Promise<void> {
    const socket = await registry.open(i % 4 === 3 ? { type: 'udp6', port: 0 } : { type: 'udp4', port: 0 });
    if (i % 10 === 0 && socket.type === 'udp4') {
      const arrived = nextEvent(socket.onDidReceive);
      peer.send(`hello ${i}`, socket.local!.port, '127.0.0.1');
      await arrived;
      await socket.send(Buffer.from(`bye ${i}`), { host: '127.0.0.1', port: peer.address().port });
    }
    await registry.close(socket.id);
  }

  function report(title: string, before: ResourceSample, after: ResourceSample, extra = ''): void {
    console.log(
      `      ${title}: UDP handles (UDPWrap) ${count(before, 'UDPWrap')} → ${count(after, 'UDPWrap')}; ` +
        `all resources [${describeResources(before)}] → [${describeResources(after)}]; ` +
        `RSS ${mib(before.rss)} → ${mib(after.rss)}; heap ${mib(before.heapUsed)} → ${mib(after.heapUsed)} ` +
        `(${after.gcRan ? 'after a full GC' : 'no GC available'})${extra}`,
    );
  }

  it(`open and close ${LOOPS} sockets: handles back to the start, memory within tolerance`, async () => {
    const registry = new SocketRegistry({});
    registries.push(registry);
    // Warm up (JIT, lazy module state, the log's first slab) so the baseline is the steady state.
    for (let i = 0; i < 50; i++) await round(registry, i);
    registry.log.clear();
    const before = await sampleResources();
    const started = performance.now();
    for (let i = 0; i < LOOPS; i++) await round(registry, i);
    const elapsed = performance.now() - started;
    assert.equal(registry.size, 0);
    // The log keeps datagrams on purpose (the user may export them); clearing it is the user's choice.
    const logged = registry.log.size;
    registry.log.clear();
    const after = await sampleResources();
    report(`lifecycle (core, ${LOOPS} sockets in ${(elapsed / 1000).toFixed(1)} s)`, before, after, `; ${logged} datagrams were logged and cleared`);

    assert.equal(count(after, 'UDPWrap'), count(before, 'UDPWrap'), 'every UDP handle was released');
    for (const type of Object.keys(after.resources)) {
      assert.ok(count(after, type) <= count(before, type), `no ${type} left over: ${describeResources(before)} → ${describeResources(after)}`);
    }
    if (after.gcRan) assert.ok(after.heapUsed - before.heapUsed < HEAP_TOLERANCE, `heap grew by ${mib(after.heapUsed - before.heapUsed)}`);
    assert.ok(after.rss - before.rss < RSS_TOLERANCE, `RSS grew by ${mib(after.rss - before.rss)}`);
  });

  it('disposing of the registry (deactivation) closes every open socket and frees its handle', async () => {
    const before = await sampleResources();
    const registry = new SocketRegistry({});
    registries.push(registry);
    const sockets: UdpSocket[] = [];
    for (let i = 0; i < 100; i++) sockets.push(await registry.open({ type: i % 2 ? 'udp6' : 'udp4', port: 0 }));
    const during = await sampleResources();
    assert.equal(count(during, 'UDPWrap'), count(before, 'UDPWrap') + 100);
    const closed = Promise.all(sockets.map((s) => nextEvent(s.onDidClose)));
    registry.dispose();
    await closed;
    const after = await sampleResources();
    report('deactivation (registry.dispose with 100 open)', during, after);
    assert.ok(sockets.every((s) => s.state === 'closed'));
    assert.equal(count(after, 'UDPWrap'), count(before, 'UDPWrap'), 'no UDP handle left after dispose');
    // The ports are free again: bind each one explicitly.
    const ports = sockets.map((s) => s.local!);
    for (const local of ports.slice(0, 10)) {
      const probe = dgram.createSocket(local.family === 'IPv6' ? 'udp6' : 'udp4');
      await new Promise<void>((resolve, reject) => {
        probe.once('error', reject);
        probe.bind(local.port, local.address, () => resolve());
      });
      probe.close();
    }
  });
});
