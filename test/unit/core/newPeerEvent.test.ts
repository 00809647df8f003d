// UdpSocket.onDidSeeNewPeer on real loopback sockets: once per peer the socket does not know (again after the
// bounded peer table forgot it), never for a known peer, and before onDidReceive for the same datagram.
import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { RecentPeers } from '../../../src/core/recentPeers';
import { UdpSocket } from '../../../src/core/udpSocket';
import { collect, nextEvent } from '../support/events';

describe('core: new-peer event', () => {
  const open: Array<{ close(): unknown }> = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });

  async function sender(): Promise<dgram.Socket & { port: number }> {
    const s = dgram.createSocket('udp4');
    s.on('error', () => undefined);
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
    open.push({ close: () => new Promise<void>((r) => s.close(() => r())) });
    return Object.assign(s, { port: s.address().port });
  }

  it('fires for each new peer with its first datagram’s size, not for known peers, before onDidReceive', async () => {
    const socket = new UdpSocket({ type: 'udp4', port: 0, address: '127.0.0.1' });
    open.push(socket);
    const { port } = await socket.bind();
    const order: string[] = [];
    const peers = collect(socket.onDidSeeNewPeer);
    socket.onDidSeeNewPeer((e) => order.push(`new ${e.peer.port}`));
    socket.onDidReceive((d) => order.push(`receive ${d.peer.port} ${d.size}`));
    const [a, b] = [await sender(), await sender()];
    for (const [s, text] of [[a, 'one'], [a, 'two!'], [b, 'three'], [a, 'four']] as const) {
      const received = nextEvent(socket.onDidReceive);
      s.send(text, port, '127.0.0.1');
      await received;
    }
    assert.deepEqual(peers.values.map((e) => [e.peer.port, e.size]), [[a.port, 3], [b.port, 5]]);
    assert.deepEqual(order.slice(0, 2), [`new ${a.port}`, `receive ${a.port} 3`]);
  });

  it('RecentPeers counts what it added, so a peer forgotten past the bound is new again', () => {
    const peers = new RecentPeers(2);
    const at = (port: number) => ({ address: '127.0.0.1', family: 'IPv4' as const, port });
    peers.record(at(1), 1, 1);
    peers.record(at(1), 1, 2);
    peers.record(at(2), 1, 3);
    assert.equal(peers.added, 2);
    peers.record(at(3), 1, 4); // evicts port 1, the least recent
    peers.record(at(1), 1, 5);
    assert.equal(peers.added, 4);
    assert.equal(peers.size, 2);
  });
});
