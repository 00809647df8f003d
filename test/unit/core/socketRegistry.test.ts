// SocketRegistry on real loopback sockets: ids, change events, the shared log of in/out datagrams, the coalesced
// log signal, failures that leave the rest alone, ephemeral sends, close/closeAll/dispose.

import * as assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { ephemeralSocketFor, SocketRegistry, type RegistryChange } from '../../../src/core/socketRegistry';
import { UdpLabError } from '../../../src/core/errors';
import { collect, nextEvent, rejectionOf } from '../support/events';

const text = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('core: SocketRegistry', () => {
  let registry: SocketRegistry;

  beforeEach(() => {
    registry = new SocketRegistry({});
  });

  afterEach(async () => {
    await registry.closeAll();
    registry.dispose();
  });

  it('opens bound sockets under stable ids, announces them, lists, finds and views them', async () => {
    const changes = collect(registry.onDidChange);
    const a = await registry.open({ type: 'udp4', port: 0, label: 'statsd' });
    const b = await registry.open({ type: 'udp6', port: 0 });
    assert.deepEqual([a.id, b.id], ['s1', 's2']);
    assert.deepEqual(changes.values.filter((c) => c.kind === 'added'), [
      { kind: 'added', id: 's1' },
      { kind: 'added', id: 's2' },
    ]);
    assert.equal(registry.get('s1'), a);
    assert.equal(registry.get('nope'), undefined);
    assert.deepEqual(registry.list(), [a, b]);
    const views = registry.views();
    assert.deepEqual(views.map((v) => [v.id, v.type, v.state, v.label]), [
      ['s1', 'udp4', 'listening', 'statsd'],
      ['s2', 'udp6', 'listening', undefined],
    ]);
    assert.equal(views[0]!.local!.address, '127.0.0.1');
    changes.dispose();
  });

  it('records received and sent datagrams in one log with seqs, socket ids and peers', async () => {
    const receiver = await registry.open({ type: 'udp4', port: 0 });
    const sender = await registry.open({ type: 'udp4', port: 0 });
    const got = nextEvent(receiver.onDidReceive);
    await sender.send(text('ping'), { host: '127.0.0.1', port: receiver.local!.port });
    await got;
    const entries = registry.log.since(0);
    assert.deepEqual(
      entries.map((d) => [d.seq, d.direction, d.socketId, d.peer.port, Buffer.from(d.bytes).toString()]),
      [
        [1, 'out', sender.id, receiver.local!.port, 'ping'],
        [2, 'in', receiver.id, sender.local!.port, 'ping'],
      ],
    );
    assert.ok(entries[1]!.time >= entries[0]!.time);
  });

  it('onDidLog is a cheap signal: it fires after new entries, fewer times than entries under a burst', async () => {
    // A roomy receive buffer so the burst cannot overflow it (a dropped datagram would never be logged).
    const receiver = await registry.open({ type: 'udp4', port: 0, recvBufferSize: 1 << 20 });
    const sender = await registry.open({ type: 'udp4', port: 0 });
    let signals = 0;
    registry.onDidLog(() => signals++);
    const all = nextEvent(receiver.onDidReceive, () => receiver.view().stats.datagramsIn === 200);
    await Promise.all(Array.from({ length: 200 }, (_, i) => sender.send(text(`n${i}`), { host: '127.0.0.1', port: receiver.local!.port })));
    await all;
    await nextEvent(registry.onDidLog);
    assert.equal(registry.log.size, 400);
    assert.ok(signals >= 1 && signals < 400, `signals ${signals} for 400 entries`);
  });

  it('fires changed for option changes and removed when a socket closes (through the registry or by itself)', async () => {
    const a = await registry.open({ type: 'udp4', port: 0 });
    const b = await registry.open({ type: 'udp4', port: 0 });
    const changes = collect(registry.onDidChange);
    a.setBroadcast(true);
    assert.deepEqual(changes.values, [{ kind: 'changed', id: a.id }]);
    await registry.close(a.id);
    assert.ok(changes.values.some((c) => c.kind === 'removed' && c.id === a.id));
    assert.equal(registry.get(a.id), undefined);
    const removed = nextEvent(registry.onDidChange, (c: RegistryChange) => c.kind === 'removed' && c.id === b.id);
    await b.close();
    await removed;
    assert.equal(registry.size, 0);
    await registry.close('unknown');
    changes.dispose();
  });

  it('a socket that fails to open is not registered, announces nothing, and does not disturb the others', async () => {
    const a = await registry.open({ type: 'udp4', port: 0 });
    const changes = collect(registry.onDidChange);
    const taken = await rejectionOf(registry.open({ type: 'udp4', port: a.local!.port }));
    assert.ok(taken instanceof UdpLabError);
    assert.equal(taken.code, 'EADDRINUSE');
    const invalid = await rejectionOf(registry.open({ type: 'udp4', port: 99999 }));
    assert.equal(invalid.code, 'VALIDATION');
    assert.match(invalid.message, /Port 99999 is out of range/);
    assert.deepEqual(changes.values, []);
    assert.deepEqual(registry.list(), [a]);
    const b = await registry.open({ type: 'udp4', port: 0 });
    const got = nextEvent(a.onDidReceive);
    await b.send(text('fine'), { host: '127.0.0.1', port: a.local!.port });
    assert.equal((await got).bytes.toString(), 'fine');
    changes.dispose();
  });

  it('forwards a socket’s own errors with its id, and only its own', async () => {
    const peer = await registry.open({ type: 'udp4', port: 0 });
    const client = await registry.open({ type: 'udp4', port: 0 });
    const other = await registry.open({ type: 'udp4', port: 0 });
    await client.connect('127.0.0.1', peer.local!.port);
    await registry.close(peer.id);
    const errors = collect(registry.onDidError);
    const refused = nextEvent(registry.onDidError, (e) => e.error.code === 'ECONNREFUSED');
    // The kernel learns from the ICMP answer to this send; dgram reports it on the socket as an error event.
    await client.send(text('anyone?'));
    const event = await refused;
    assert.equal(event.socketId, client.id);
    assert.match(event.error.userMessage, /nothing is listening there \(ECONNREFUSED\)/);
    assert.ok(errors.values.every((e) => e.socketId === client.id));
    assert.equal(other.state, 'listening');
    errors.dispose();
  });

  it('sendEphemeral sends from a throw-away socket, logs it, and closes it', async () => {
    const receiver = await registry.open({ type: 'udp4', port: 0 });
    const got = nextEvent(receiver.onDidReceive);
    const result = await registry.sendEphemeral(text('one-shot'), { host: '127.0.0.1', port: receiver.local!.port });
    const d = await got;
    assert.equal(d.bytes.toString(), 'one-shot');
    assert.equal(result.bytes, 8);
    assert.match(result.socketId, /^ephemeral-\d+$/);
    assert.equal(result.local.address, '127.0.0.1', 'a loopback destination is reached from loopback');
    assert.equal(d.peer.port, result.local.port);
    assert.deepEqual(result.peer, { address: '127.0.0.1', family: 'IPv4', port: receiver.local!.port });
    const logged = registry.log.get(result.seq);
    assert.equal(logged?.direction, 'out');
    assert.equal(logged?.socketId, result.socketId);
    assert.equal(registry.size, 1, 'the throw-away socket is not registered');
  });

  it('sendEphemeral picks udp6 for an IPv6 destination, and follows the name for localhost', async () => {
    const v6 = await registry.open({ type: 'udp6', port: 0 });
    const got6 = nextEvent(v6.onDidReceive);
    const r6 = await registry.sendEphemeral(text('six'), { host: '::1', port: v6.local!.port });
    assert.equal((await got6).bytes.toString(), 'six');
    assert.equal(r6.local.family, 'IPv6');

    const first = await lookup('localhost');
    const target = await registry.open({ type: first.family === 6 ? 'udp6' : 'udp4', port: 0 });
    const got = nextEvent(target.onDidReceive);
    const r = await registry.sendEphemeral(text('by name'), { host: 'localhost', port: target.local!.port });
    assert.equal((await got).bytes.toString(), 'by name');
    assert.equal(r.peer.address, first.address);
  });

  it('sendEphemeral errors: validation, EMSGSIZE, ENOTFOUND, family mismatch — each a sentence', async () => {
    const port = await rejectionOf(registry.sendEphemeral(text('x'), { host: '127.0.0.1', port: 70000 }));
    assert.equal(port.code, 'VALIDATION');
    const big = await rejectionOf(registry.sendEphemeral(Buffer.alloc(65508), { host: '127.0.0.1', port: 9 }));
    assert.equal(big.code, 'EMSGSIZE');
    const missing = await rejectionOf(registry.sendEphemeral(text('x'), { host: 'nonexistent.invalid', port: 9 }));
    assert.ok(['ENOTFOUND', 'EAI_AGAIN'].includes(missing.code!));
    assert.match(missing.message, /nonexistent\.invalid/);
    const mismatch = await rejectionOf(registry.sendEphemeral(text('x'), { host: '::1', port: 9 }, 'udp4'));
    assert.equal(mismatch.code, 'FAMILY_MISMATCH');
  });

  it('honours logCaps, closeAll closes everything, dispose refuses new sockets', async () => {
    const capped = new SocketRegistry({ logCaps: { maxCount: 2 } });
    try {
      const a = await capped.open({ type: 'udp4', port: 0 });
      const b = await capped.open({ type: 'udp4', port: 0 });
      const all = nextEvent(a.onDidReceive, () => a.view().stats.datagramsIn === 3);
      for (const word of ['1', '2', '3']) await b.send(text(word), { host: '127.0.0.1', port: a.local!.port });
      await all;
      assert.equal(capped.log.size, 2);
      assert.equal(capped.log.dropped, 4);
      await capped.closeAll();
      assert.equal(capped.size, 0);
      assert.equal(a.state, 'closed');
      assert.equal(b.state, 'closed');
    } finally {
      capped.dispose();
    }
    const gone = await rejectionOf(capped.open({ type: 'udp4', port: 0 }));
    assert.match(gone.message, /shutting down/);
  });

  it('dispose closes every socket', async () => {
    const r = new SocketRegistry();
    const a = await r.open({ type: 'udp4', port: 0 });
    const closed = nextEvent(a.onDidClose);
    r.dispose();
    await closed;
    assert.equal(a.state, 'closed');
    assert.equal(r.size, 0);
  });
});

describe('core: ephemeralSocketFor (the socket a send without a chosen socket leaves from)', () => {
  const context = { operation: 'send' as const };

  it('follows an address literal: loopback binds loopback, anything else the wildcard of its family', async () => {
    assert.deepEqual(await ephemeralSocketFor('127.0.0.7', undefined, context), { type: 'udp4', bindAddress: '127.0.0.1', host: '127.0.0.7' });
    assert.deepEqual(await ephemeralSocketFor('[::1]', undefined, context), { type: 'udp6', bindAddress: '::1', host: '::1' });
    assert.deepEqual(await ephemeralSocketFor('192.0.2.1', undefined, context), { type: 'udp4', bindAddress: '0.0.0.0', host: '192.0.2.1' });
    assert.deepEqual(await ephemeralSocketFor('2001:db8::1', undefined, context), { type: 'udp6', bindAddress: '::', host: '2001:db8::1' });
  });

  it('lets a host name decide by the address it resolves to first (as the send will), and keeps a given type', async () => {
    const first = await lookup('localhost');
    const plan = await ephemeralSocketFor('localhost', undefined, context);
    assert.equal(plan.type, first.family === 6 ? 'udp6' : 'udp4');
    assert.equal(plan.host, first.address);
    assert.equal(plan.bindAddress, first.family === 6 ? '::1' : '127.0.0.1');
    assert.deepEqual(await ephemeralSocketFor('localhost', 'udp4', context), { type: 'udp4', bindAddress: '127.0.0.1', host: 'localhost' });
  });
});
