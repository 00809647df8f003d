// kernelDrops on real loopback sockets: datagrams the system dropped because the socket's receive buffer was
// full, read from /proc/net/udp{,6} on Linux (elsewhere it must say "unknown", never a guess).

import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { kernelDrops } from '../../../src/core/kernelDrops';
import { UdpSocket } from '../../../src/core/udpSocket';
import { nextEvent } from '../support/events';

const linux = process.platform === 'linux';

describe('core: kernelDrops', () => {
  const opened: Array<{ close(): unknown }> = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  for (const type of ['udp4', 'udp6'] as const) {
    it(`counts what a full receive buffer dropped, exactly (${type})`, async () => {
      const host = type === 'udp4' ? '127.0.0.1' : '::1';
      // The smallest buffer the system allows: a burst sent before the receiver's next read overflows it.
      const receiver = new UdpSocket({ type, port: 0, address: host, recvBufferSize: 1 });
      opened.push(receiver);
      const local = await receiver.bind();
      const before = kernelDrops(local);
      if (!linux) {
        assert.equal(before, undefined);
        return;
      }
      assert.equal(before, 0, 'a fresh socket has dropped nothing');
      const sender = dgram.createSocket(type);
      sender.on('error', () => undefined);
      opened.push({ close: () => new Promise<void>((resolve) => sender.close(() => resolve())) });
      await new Promise<void>((resolve) => sender.bind(0, host, resolve));
      const payload = Buffer.alloc(1024, 1);
      const total = 200;
      await new Promise<void>((resolve) => {
        let left = total;
        for (let i = 0; i < total; i++) sender.send(payload, local.port, host, () => --left === 0 && resolve());
      });
      // Loopback delivers (or drops) inside the send, so the count is final once every send has completed.
      const drops = kernelDrops(local)!;
      assert.ok(drops > 0 && drops < total, `${drops} dropped of ${total}`);
      if (receiver.stats.datagramsIn < total - drops) await nextEvent(receiver.onDidReceive, () => receiver.stats.datagramsIn === total - drops);
      assert.equal(receiver.stats.datagramsIn + drops, total, 'received + dropped by the system = sent');
      assert.equal(kernelDrops({ ...local, port: sender.address().port }), 0, 'another socket has its own count');
    });
  }

  it('is undefined for a port no socket is bound to', async () => {
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
    const port = probe.address().port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    assert.equal(kernelDrops({ address: '127.0.0.1', family: 'IPv4', port }), undefined);
  });
});
