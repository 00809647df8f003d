// The incoming-datagram notices (src/host/incomingDigest.ts) on real loopback sockets: what each mode says, that
// a notice counts only its own socket's datagrams (others are summed apart), and that a socket which closes
// takes its pending notice with it. When a notice goes out is the test's decision (a scheduler it holds), so
// nothing here sleeps or races a timer.
import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { SocketRegistry } from '../../../src/core/socketRegistry';
import type { UdpSocket } from '../../../src/core/udpSocket';
import { IncomingDigest, type IncomingNotice, type NoticeScheduler } from '../../../src/host/incomingDigest';
import { nextEvent } from '../support/events';

/** A sender on its own loopback port. */
async function openPeer(): Promise<{ port: number; send(text: string, to: number): Promise<void>; close(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    send: (text, to) => new Promise<void>((resolve, reject) => socket.send(text, to, '127.0.0.1', (e) => (e ? reject(e) : resolve()))),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** Resolves once `socket` has counted `n` received datagrams (the socket counts before any listener hears of it). */
async function counted(registry: SocketRegistry, socket: UdpSocket, n: number): Promise<void> {
  while (socket.stats.datagramsIn < n) await nextEvent(registry.onDidLog, () => true, 5000, `${n} datagrams on ${socket.id}`);
}

describe('host: incoming-datagram notices', () => {
  let registry: SocketRegistry;
  let digest: IncomingDigest | undefined;
  const peers: Array<{ close(): Promise<void> }> = [];
  const notices: IncomingNotice[] = [];
  /** The notice the digest has scheduled, run when the test says so. */
  let due: { run: () => void; delayMs: number } | undefined;
  const schedule: NoticeScheduler = (run, delayMs) => {
    const entry = { run, delayMs };
    due = entry;
    return { dispose: () => (due === entry ? (due = undefined) : undefined) };
  };
  /** Read through a function: assertions on `due` must not narrow what later lines see. */
  const scheduled = (): { run: () => void; delayMs: number } | undefined => due;
  const shown = (): string[] => notices.map((n) => n.text);
  const fire = (): void => {
    const d = due;
    assert.ok(d, 'a notice is scheduled');
    due = undefined;
    d.run();
  };

  beforeEach(() => {
    registry = new SocketRegistry({});
    notices.length = 0;
    due = undefined;
  });
  afterEach(async () => {
    digest?.dispose();
    digest = undefined;
    await registry.closeAll();
    registry.dispose();
    await Promise.all(peers.splice(0).map((p) => p.close()));
  });

  const start = (mode: 'none' | 'firstPerPeer' | 'every'): IncomingDigest =>
    (digest = new IncomingDigest(registry, mode, (n) => notices.push(n), { minGapMs: 1000, schedule }));
  const peer = async () => {
    const p = await openPeer();
    peers.push(p);
    return p;
  };

  it('first per peer: one notice for a new peer, none for its next datagrams, and new peers in one interval are counted', async () => {
    start('firstPerPeer');
    const socket = await registry.open({ type: 'udp4', port: 0, address: '127.0.0.1' });
    const port = socket.view().local!.port;
    const a = await peer();
    await a.send('hi', port);
    await counted(registry, socket, 1);
    assert.equal(scheduled()?.delayMs, 0, 'the first notice goes out at once');
    fire();
    assert.deepEqual(notices.map((n) => n.text), [`udp4 127.0.0.1:${port} received its first datagram from 127.0.0.1:${a.port} (2 bytes).`]);
    assert.deepEqual([notices[0]!.socketId, notices[0]!.peer.port], [socket.id, a.port]);

    await a.send('again', port);
    await counted(registry, socket, 2);
    assert.equal(scheduled(), undefined, 'a known peer schedules nothing');

    const [b, c, d] = [await peer(), await peer(), await peer()];
    for (const p of [b, c, d]) await p.send('new here', port);
    await counted(registry, socket, 5);
    assert.ok((scheduled()?.delayMs ?? 0) > 0, 'the next notice waits for its slot');
    fire();
    assert.equal(notices[1]?.text, `udp4 127.0.0.1:${port} received its first datagram from 127.0.0.1:${b.port} (8 bytes), and 2 more from new peers.`);
  });

  it('every: a notice counts its own socket’s datagrams; other sockets in the same interval are summed apart', async () => {
    start('every');
    const one = await registry.open({ type: 'udp4', port: 0, address: '127.0.0.1', label: 'one' });
    const two = await registry.open({ type: 'udp4', port: 0, address: '127.0.0.1', label: 'two' });
    const [p1, p2] = [one.view().local!.port, two.view().local!.port];
    const sender = await peer();
    for (let i = 0; i < 20; i++) await sender.send(`burst ${String(i).padStart(2, '0')}`, p1);
    for (let i = 0; i < 5; i++) await sender.send('x', p2);
    await counted(registry, one, 20);
    await counted(registry, two, 5);
    fire();
    assert.deepEqual(notices.map((n) => n.text), [
      `one · udp4 127.0.0.1:${p1} received a datagram from 127.0.0.1:${sender.port} (8 bytes), and 19 more datagrams; 1 other socket received 5 datagrams.`,
    ]);

    // The next interval starts from zero for each socket.
    await sender.send('later', p2);
    await counted(registry, two, 6);
    fire();
    assert.equal(notices[1]?.text, `two · udp4 127.0.0.1:${p2} received a datagram from 127.0.0.1:${sender.port} (5 bytes).`);
  });

  it('a socket that closes takes its pending notice with it (no notice naming a socket that is gone)', async () => {
    start('firstPerPeer');
    const gone = await registry.open({ type: 'udp4', port: 0, address: '127.0.0.1' });
    const stays = await registry.open({ type: 'udp4', port: 0, address: '127.0.0.1' });
    const sender = await peer();
    await sender.send('to the one that closes', gone.view().local!.port);
    await counted(registry, gone, 1);
    await registry.close(gone.id);
    fire();
    assert.deepEqual(shown(), [], 'nothing is said about a closed socket');

    await sender.send('hi', stays.view().local!.port);
    await counted(registry, stays, 1);
    fire();
    assert.match(shown()[0] ?? '', new RegExp(`^udp4 127\\.0\\.0\\.1:${stays.view().local!.port} received its first datagram`));
  });

  it('none says nothing; switching mode drops what was pending and starts over', async () => {
    const d = start('none');
    const socket = await registry.open({ type: 'udp4', port: 0, address: '127.0.0.1' });
    const port = socket.view().local!.port;
    const sender = await peer();
    await sender.send('quiet', port);
    await counted(registry, socket, 1);
    assert.equal(scheduled(), undefined);

    d.setMode('every');
    await sender.send('one', port);
    await counted(registry, socket, 2);
    d.setMode('firstPerPeer');
    fire();
    assert.deepEqual(shown(), [], 'the pending "every" notice went with the mode');
    // The peer is already known to the socket: "first per peer" has nothing to say about it.
    await sender.send('two', port);
    await counted(registry, socket, 3);
    assert.equal(scheduled(), undefined);
  });
});
