// Per-socket stats and the recent-peers table, with explicit timestamps (the clock is an argument, so rates are
// checked exactly without waiting).

import * as assert from 'node:assert/strict';
import { RecentPeers } from '../../../src/core/recentPeers';
import { RATE_BUCKET_MS, RATE_WINDOW_MS, SocketStats } from '../../../src/core/socketStats';
import type { Endpoint } from '../../../src/shared/dto';

const peer = (port: number, address = '127.0.0.1'): Endpoint => ({ address, family: 'IPv4', port });
const T0 = 1_700_000_000_000;

describe('core: SocketStats', () => {
  it('counts datagrams and bytes each way, remembers the last sender and the last activity', () => {
    const stats = new SocketStats(T0);
    stats.recordIn(10, peer(1), T0 + 1);
    stats.recordIn(20, peer(2), T0 + 2);
    stats.recordOut(5, peer(3), T0 + 3);
    const v = stats.view(T0 + 4);
    assert.equal(v.datagramsIn, 2);
    assert.equal(v.bytesIn, 30);
    assert.equal(v.datagramsOut, 1);
    assert.equal(v.bytesOut, 5);
    assert.deepEqual(v.lastPeer, peer(2), 'the last sender, not the last destination: who a reply goes to');
    assert.equal(v.lastActivity, T0 + 3);
  });

  it('rates: a steady 100/s over the whole window reads as 100/s, bytes likewise', () => {
    const stats = new SocketStats(T0);
    // 100 datagrams per second for 10 s, 50 bytes each.
    for (let i = 0; i < 1000; i++) stats.recordIn(50, peer(1), T0 + i * 10);
    const v = stats.view(T0 + 10_000);
    assert.ok(Math.abs(v.rateIn - 100) < 100 * 0.05, `rateIn ${v.rateIn}`);
    assert.ok(Math.abs(v.bytesRateIn - 5000) < 5000 * 0.05, `bytesRateIn ${v.bytesRateIn}`);
    assert.equal(v.rateOut, 0);
  });

  it('rates fall to 0 once traffic stops for longer than the window', () => {
    const stats = new SocketStats(T0);
    for (let i = 0; i < 100; i++) stats.recordOut(1, peer(1), T0 + i);
    assert.ok(stats.view(T0 + 100).rateOut > 0);
    assert.equal(stats.view(T0 + 100 + RATE_WINDOW_MS + RATE_BUCKET_MS).rateOut, 0);
    // And a new burst after a long silence counts only itself (old buckets were cleared, not reused).
    stats.recordOut(1, peer(1), T0 + 1_000_000);
    const v = stats.view(T0 + 1_000_000 + RATE_BUCKET_MS);
    assert.ok(v.rateOut > 0 && v.rateOut <= 1 / ((RATE_BUCKET_MS) / 1000) + 1e-9, `rateOut ${v.rateOut}`);
  });

  it('a socket younger than the window is averaged over its own life, not the whole window', () => {
    const stats = new SocketStats(T0);
    for (let i = 0; i < 100; i++) stats.recordIn(1, peer(1), T0 + i * 10); // 100/s for 1 s
    const v = stats.view(T0 + 1000);
    assert.ok(Math.abs(v.rateIn - 100) < 10, `rateIn ${v.rateIn}`);
  });

  it('reset zeroes everything', () => {
    const stats = new SocketStats(T0);
    assert.equal(stats.lastActivity, undefined, 'no activity before the first datagram');
    stats.recordIn(10, peer(1), T0);
    assert.equal(stats.lastActivity, T0);
    stats.reset(T0 + 1);
    assert.equal(stats.lastActivity, undefined, 'none again after a reset');
    assert.deepEqual(stats.view(T0 + 2), { datagramsIn: 0, bytesIn: 0, datagramsOut: 0, bytesOut: 0, rateIn: 0, rateOut: 0, bytesRateIn: 0, bytesRateOut: 0 });
  });
});

describe('core: RecentPeers', () => {
  it('tracks each (address, port) with counts, bytes, first and last seen; lists the most recent first', () => {
    const peers = new RecentPeers();
    peers.record(peer(1), 10, 100);
    peers.record(peer(2, '::1'), 5, 110);
    peers.record(peer(1), 20, 120);
    assert.deepEqual(peers.list(), [
      { address: '127.0.0.1', family: 'IPv4', port: 1, datagrams: 2, bytes: 30, firstSeen: 100, lastSeen: 120 },
      { address: '::1', family: 'IPv4', port: 2, datagrams: 1, bytes: 5, firstSeen: 110, lastSeen: 110 },
    ]);
    assert.equal(peers.size, 2);
  });

  it('is bounded: a new peer at a full table evicts the one heard from least recently', () => {
    const peers = new RecentPeers(3);
    peers.record(peer(1), 1, 1);
    peers.record(peer(2), 1, 2);
    peers.record(peer(3), 1, 3);
    peers.record(peer(1), 1, 4); // 1 is fresh again; 2 is now the least recent
    peers.record(peer(4), 1, 5);
    assert.deepEqual(peers.list().map((p) => p.port), [4, 1, 3]);
    assert.equal(peers.evicted, 1);
    for (let port = 100; port < 1100; port++) peers.record(peer(port), 1, port);
    assert.equal(peers.size, 3);
    assert.equal(peers.list().length, 3);
    peers.clear();
    assert.equal(peers.size, 0);
  });

  it('counts runs from one peer on its fast path exactly, and never mixes peers that share a port or an address', () => {
    const peers = new RecentPeers(2);
    const first = peers.record(peer(7), 1, 1);
    for (let i = 2; i <= 1000; i++) assert.equal(peers.record(peer(7), 2, i), first, 'one shared endpoint per peer');
    const sameAddressOtherPort = peers.record(peer(8), 3, 1001);
    const samePortOtherAddress = peers.record(peer(7, '127.0.0.2'), 4, 1002); // evicts 127.0.0.1:7, the least recent
    assert.notEqual(sameAddressOtherPort, first);
    assert.notEqual(samePortOtherAddress, first);
    assert.equal(samePortOtherAddress.address, '127.0.0.2');
    assert.deepEqual(peers.list().map((p) => [p.address, p.port, p.datagrams, p.bytes]), [
      ['127.0.0.2', 7, 1, 4],
      ['127.0.0.1', 8, 1, 3],
    ]);
    // Evicted peers that come back are new, counted afresh, however recently the fast path saw them.
    peers.record(peer(9), 1, 1003); // evicts 127.0.0.1:8
    peers.record(peer(10), 1, 1004); // evicts 127.0.0.2:7
    assert.notEqual(peers.record(peer(7, '127.0.0.2'), 1, 1004.5), samePortOtherAddress); // evicts 127.0.0.1:9
    assert.equal(peers.list()[0]!.datagrams, 1);
    const again = peers.record(peer(10), 5, 1005);
    assert.deepEqual(peers.list()[0], { address: '127.0.0.1', family: 'IPv4', port: 10, datagrams: 2, bytes: 6, firstSeen: 1004, lastSeen: 1005 });
    assert.equal(peers.evicted, 4);
    peers.clear();
    assert.notEqual(peers.record(peer(10), 1, 1006), again, 'clear() forgets the fast path too');
    assert.equal(peers.list()[0]!.datagrams, 1);
  });
});
