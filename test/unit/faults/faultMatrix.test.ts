// The fault matrix on the real core (SocketRegistry + UdpSocket + SendScheduler, real loopback sockets): every
// fault a user can run into, each checked for
//   - ONE clear sentence (cause, way out, raw code) on the UdpLabError the host shows,
//   - the socket's state as the tree shows it (view().state, view().lastError, registered or not),
//   - every other socket still receiving — proven after each fault with a real datagram to two witnesses
//     (udp4 127.0.0.1 and udp6 ::1) and to the faulted socket itself when it survives,
//   - no unhandled rejection and no uncaught exception in the process.
// Broadcast (EACCES) runs in a private network namespace (netnsFaults.ts). The table is printed at the end.

import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as path from 'node:path';
import { UdpLabError } from '../../../src/core/errors';
import { SendScheduler } from '../../../src/core/sendScheduler';
import { SocketRegistry, type RegistryChange } from '../../../src/core/socketRegistry';
import type { UdpSocket } from '../../../src/core/udpSocket';
import type { SocketOptions } from '../../../src/shared/dto';
import { settle, watchProcess, type ProcessWatch } from '../../support/processWatch';
import { collect, nextEvent } from '../support/events';
import { runInNetns } from '../support/netns';
import { addressNotOnThisMachine, assertUserSentence, FaultTable, Prober } from './faultKit';

const bytes = (n: number, fill = 0x61): Buffer => Buffer.alloc(n, fill);

/** What a failed call rejected with; fails the test if it did not reject with a UdpLabError. */
async function failure(work: Promise<unknown> | (() => unknown)): Promise<UdpLabError> {
  try {
    if (typeof work === 'function') work();
    else await work;
  } catch (error) {
    assert.ok(error instanceof UdpLabError, `expected a UdpLabError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the operation to fail, but it succeeded');
}

describe('faults: the core explains every fault in one sentence and the other sockets keep receiving', function () {
  this.timeout(20_000);
  const table = new FaultTable();
  let registry: SocketRegistry;
  let prober: Prober;
  let witness4: UdpSocket;
  let witness6: UdpSocket;
  let watch: ProcessWatch;
  /** Sockets a test opened that survive the fault: each must still receive afterwards. */
  let survivors: UdpSocket[] = [];

  const open = async (options: Partial<SocketOptions> = {}): Promise<UdpSocket> => registry.open({ type: 'udp4', port: 0, ...options });
  const target = (s: UdpSocket): { host: string; port: number } => ({ host: s.local!.address, port: s.local!.port });
  const stateOf = (s: UdpSocket): string =>
    `${s.state}${registry.get(s.id) ? '' : ', not in the tree'}${s.view().lastError ? ', the tooltip shows the sentence' : ''}`;

  before(async () => {
    watch = watchProcess();
    registry = new SocketRegistry({});
    prober = await Prober.open();
    witness4 = await open({ label: 'witness udp4' });
    witness6 = await registry.open({ type: 'udp6', port: 0, label: 'witness udp6' });
  });

  afterEach(async function () {
    // The proof: real datagrams reach both witnesses and every socket the fault left open.
    await prober.proveReceives(witness4, 'witness4');
    await prober.proveReceives(witness6, 'witness6');
    for (const s of survivors) await prober.proveReceives(s, s.id);
    assert.equal(witness4.view().lastError, undefined, 'the witness saw no error of another socket');
    assert.equal(witness6.view().lastError, undefined, 'the witness saw no error of another socket');
    await settle();
    assert.equal(watch.problems.length, 0, `unhandled rejections or exceptions:\n${watch.describe()}`);
    table.markOthersOk(`yes (witnesses${survivors.length ? ` + the faulted socket${survivors.length > 1 ? 's' : ''}` : ''} received a datagram)`);
    for (const s of survivors) await registry.close(s.id);
    survivors = [];
    if (this.currentTest?.state === 'failed') table.markOthersOk('TEST FAILED');
  });

  after(async () => {
    table.print('Fault matrix (core, real loopback sockets)');
    await prober?.close();
    registry?.dispose();
    watch?.dispose();
  });

  it('EADDRINUSE: a port another socket holds', async () => {
    const holder = dgram.createSocket('udp4');
    holder.on('error', () => undefined);
    await new Promise<void>((r) => holder.bind(0, '127.0.0.1', () => r()));
    const port = holder.address().port;
    const changes = collect<RegistryChange>(registry.onDidChange);
    try {
      const error = await failure(open({ port }));
      assert.equal(error.code, 'EADDRINUSE');
      assertUserSentence(error.userMessage, 'EADDRINUSE');
      assert.equal(
        error.userMessage,
        `Port ${port} on 127.0.0.1 is already in use (EADDRINUSE). Choose another port, or enable Reuse Address on every socket that shares it.`,
      );
      assert.deepEqual(changes.values, [], 'a socket that failed to bind never appears in the tree');
      assert.equal(registry.size, 2, 'only the witnesses are open');
      table.add('Listen on a port in use', error.code, error.userMessage, 'never added to the tree');
    } finally {
      changes.dispose();
      holder.close();
    }
  });

  it('EACCES: sending to a broadcast address with Broadcast off (in a private network namespace)', async () => {
    const r = await runInNetns<{
      error?: { code: string; message: string; isUdpLabError: boolean };
      sender: { state: string; lastError?: string; registered: boolean };
      witnessReceives: boolean;
      senderReceives: boolean;
      openSockets: number;
      problems: unknown[];
    }>('broadcastWithoutFlag', 20_000, path.join(__dirname, 'netnsFaults.ts'));
    assert.ok(r.error, 'the send was refused');
    assert.equal(r.error.isUdpLabError, true);
    assert.equal(r.error.code, 'EACCES');
    assertUserSentence(r.error.message, 'EACCES');
    assert.match(r.error.message, /^Sending to 127\.255\.255\.255:\d+ was refused \(EACCES\): it is a broadcast address and Broadcast is off on this socket .*Enable Broadcast on the socket, or send to a unicast address\.$/);
    assert.deepEqual(r.sender, { state: 'listening', lastError: r.error.message, registered: true });
    assert.equal(r.witnessReceives, true, 'the other socket in the namespace still receives');
    assert.equal(r.senderReceives, true, 'the refused socket itself still receives');
    assert.equal(r.openSockets, 2);
    assert.deepEqual(r.problems, [], 'no unhandled rejection or exception in the namespace');
    table.add('Send to 127.255.255.255 with Broadcast off (netns)', r.error.code, r.error.message, `${r.sender.state}, the tooltip shows the sentence`);
  });

  it('EADDRNOTAVAIL: binding an address this machine does not have', async () => {
    const address = addressNotOnThisMachine();
    const error = await failure(open({ address }));
    assert.equal(error.code, 'EADDRNOTAVAIL');
    assertUserSentence(error.userMessage, 'EADDRNOTAVAIL');
    assert.match(error.userMessage, new RegExp(`^${address.replace(/\./g, '\\.')} is not an address of this machine, so the socket cannot bind to it \\(EADDRNOTAVAIL\\)\\. Bind to 127\\.0\\.0\\.1`));
    assert.equal(registry.size, 2);
    table.add(`Listen on ${address} (not on this machine)`, error.code, error.userMessage, 'never added to the tree');
  });

  it('EMSGSIZE: 65 508 bytes over IPv4 are refused; 65 507 bytes arrive whole from the same socket', async () => {
    const s = await open();
    survivors.push(s);
    const error = await failure(s.send(bytes(65_508), target(witness4)));
    assert.equal(error.code, 'EMSGSIZE');
    assertUserSentence(error.userMessage, 'EMSGSIZE');
    assert.match(error.userMessage, /65 508 bytes.*65 507.*\(EMSGSIZE\)/);
    assert.equal(s.state, 'listening');
    assert.equal(s.view().lastError, error.userMessage, 'the tree tooltip shows why the last call failed');
    const arrived = nextEvent(witness4.onDidReceive, (d) => d.size === 65_507);
    await s.send(bytes(65_507, 0x7a), target(witness4));
    const d = await arrived;
    assert.ok(d.bytes.equals(bytes(65_507, 0x7a)), 'the largest datagram arrives byte-exact');
    table.add('Send 65 508 bytes over IPv4', error.code, error.userMessage, `${stateOf(s)}; 65 507 bytes then arrive whole`);
  });

  it('ECONNREFUSED: a connected socket whose peer closed hears it on the next operation, as an event with its id', async () => {
    const peer = await open();
    const client = await open();
    survivors.push(client);
    await client.connect('127.0.0.1', peer.local!.port);
    await registry.close(peer.id);
    const refused = nextEvent(registry.onDidError, (e) => e.socketId === client.id && e.error.code === 'ECONNREFUSED');
    // The ICMP "port unreachable" answers this send; the kernel reports it on the socket (an event), or on the send.
    const sendError = client.send(Buffer.from('anyone there?')).then(
      () => undefined,
      (e: UdpLabError) => e,
    );
    const error = await Promise.race([refused.then((e) => e.error), sendError.then((e) => e ?? refused.then((x) => x.error))]);
    assert.equal(error.code, 'ECONNREFUSED');
    assertUserSentence(error.userMessage, 'ECONNREFUSED');
    assert.match(error.userMessage, /^127\.0\.0\.1:\d+ answered "port unreachable": nothing is listening there \(ECONNREFUSED\)\. Start a listener on that port, or disconnect and send somewhere else\.$/);
    assert.equal(client.state, 'connected', 'the socket survives, still connected');
    assert.equal(client.view().lastError, error.userMessage);
    const state = stateOf(client);
    client.disconnect();
    table.add('Connected socket, peer closed, then send', error.code, error.userMessage, `${state} (then disconnected, and receives on its port again)`);
  });

  it('Disconnect keeps the port of a socket opened on port 0 (it still receives there)', async () => {
    // Regression: Linux releases a port the kernel picked at bind(0) when a connected socket disconnects; the
    // socket then showed "listening on 127.0.0.1:P" but nothing sent to P reached it.
    const s = await open({ port: 0 });
    survivors.push(s);
    const port = s.local!.port;
    await s.connect('127.0.0.1', witness4.local!.port);
    s.disconnect();
    assert.equal(s.state, 'listening');
    assert.equal(s.local!.port, port);
    table.add('Connect then Disconnect a socket opened on port 0', '—', '(no error: it listens on its port again)', `${s.state} on the same port`);
  });

  it('an unresolvable host (nonexistent.invalid): send, ephemeral send and bind', async () => {
    const s = await open();
    survivors.push(s);
    const name = /^(The host name "nonexistent\.invalid" could not be resolved \((ENOTFOUND|EAI_NONAME)\)\. Check its spelling, or use an IP address\.|Looking up "nonexistent\.invalid" failed because the name server did not answer in time \(EAI_AGAIN\)\..*)$/;
    const send = await failure(s.send(Buffer.from('x'), { host: 'nonexistent.invalid', port: 9 }));
    assertUserSentence(send.userMessage, send.code);
    assert.match(send.userMessage, name);
    assert.equal(s.state, 'listening');
    const ephemeral = await failure(registry.sendEphemeral(Buffer.from('x'), { host: 'nonexistent.invalid', port: 9 }));
    assert.match(ephemeral.userMessage, name);
    const bind = await failure(open({ address: 'nonexistent.invalid' }));
    assertUserSentence(bind.userMessage, bind.code);
    assert.match(bind.userMessage, /nonexistent\.invalid/);
    assert.equal(registry.size, 3, 'witnesses + the sender; nothing half-open');
    table.add('Send to nonexistent.invalid:9', send.code, send.userMessage, stateOf(s));
    table.add('Listen on nonexistent.invalid', bind.code, bind.userMessage, 'never added to the tree');
  });

  const badPorts: Array<[string, unknown, string]> = [
    ['-1', -1, 'Port -1 is out of range. Use a number from 0 to 65535.'],
    ['65536', 65_536, 'Port 65536 is out of range. Use a number from 0 to 65535.'],
    ['1.5', 1.5, 'Port 1.5 is not a whole number. Use a number from 0 to 65535.'],
    ['abc', 'abc', 'Port "abc" is not a whole number. Use a number from 0 to 65535.'],
    ['empty', '', 'The port is empty. Enter a number from 0 to 65535 (0 picks a free port).'],
  ];
  for (const [name, port, sentence] of badPorts) {
    it(`port ${name}: refused before any socket is made, to listen on and to send to`, async () => {
      const changes = collect<RegistryChange>(registry.onDidChange);
      const bind = await failure(open({ port: port as number }));
      changes.dispose();
      assert.equal(bind.code, 'VALIDATION');
      assert.equal(assertUserSentence(bind.userMessage, 'VALIDATION'), sentence);
      assert.deepEqual(changes.values, [], 'nothing appeared in the tree');
      const s = await open();
      survivors.push(s);
      const send = await failure(s.send(Buffer.from('x'), { host: '127.0.0.1', port: port as number }));
      assert.equal(send.code, 'VALIDATION');
      assert.equal(send.userMessage, sentence);
      assert.equal(s.state, 'listening');
      table.add(`Port ${name === 'empty' ? '"" (empty)' : name} (listen and send)`, bind.code, bind.userMessage, `never added; a sender stays ${s.state}`);
    });
  }

  it('closing a socket while a repeat send runs stops the repeat (no flood of errors, nothing left running)', async () => {
    const scheduler = new SendScheduler();
    const s = await open();
    const sink = dgram.createSocket('udp4');
    sink.on('error', () => undefined);
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
    const payload = Buffer.from('repeat');
    const to = { host: '127.0.0.1', port: sink.address().port };
    const run = scheduler.start({ count: 1_000_000, send: () => s.send(payload, to).then(() => undefined) });
    // As the host does: a socket that closes ends its repeat.
    const stop = s.onDidClose(() => run.cancel());
    await nextEvent(run.onProgress, (p) => p.sent > 0);
    await registry.close(s.id);
    const outcome = await run.done;
    stop.dispose();
    assert.equal(outcome.cancelled, true);
    assert.ok(outcome.sent > 0 && outcome.sent + outcome.failed < 1_000_000, `stopped early: ${outcome.sent} sent, ${outcome.failed} failed`);
    let sentence = `Repeat stopped: ${outcome.sent} sent, ${outcome.failed} failed, cancelled.`;
    if (outcome.failed > 0) {
      // Sends already issued when the socket closed fail with the closed-socket sentence, counted, not thrown.
      const first = outcome.firstError as UdpLabError;
      assert.ok(first instanceof UdpLabError);
      assert.equal(first.code, 'ERR_SOCKET_DGRAM_NOT_RUNNING');
      sentence += ` First failure: ${assertUserSentence(first.userMessage, first.code)}`;
    }
    assert.ok(outcome.failed <= 256, `at most the sends in flight fail (${outcome.failed})`);
    assert.equal(s.state, 'closed');
    assert.equal(registry.get(s.id), undefined, 'gone from the tree');
    sink.close();
    table.add('Close the socket while a 1 000 000 × repeat runs', outcome.failed > 0 ? 'ERR_SOCKET_DGRAM_NOT_RUNNING' : '(cancelled)', sentence, 'closed, removed from the tree');
  });

  it('send (and every other call) after close', async () => {
    const s = await open();
    await registry.close(s.id);
    const send = await failure(s.send(Buffer.from('late'), target(witness4)));
    assert.equal(send.code, 'ERR_SOCKET_DGRAM_NOT_RUNNING');
    assert.equal(
      assertUserSentence(send.userMessage, send.code),
      'The socket is closed, so it cannot send the datagram (ERR_SOCKET_DGRAM_NOT_RUNNING). Open a new socket.',
    );
    const connect = await failure(s.connect('127.0.0.1', witness4.local!.port));
    assert.equal(connect.code, 'ERR_SOCKET_DGRAM_NOT_RUNNING');
    const broadcast = await failure(() => s.setBroadcast(true));
    assert.equal(broadcast.code, 'ERR_SOCKET_DGRAM_NOT_RUNNING');
    await s.close(); // a second close is harmless
    assert.equal(s.state, 'closed');
    assert.equal(registry.get(s.id), undefined);
    table.add('Send after close', send.code, send.userMessage, 'closed, removed from the tree');
  });

  it('an IPv6 address on a udp4 socket: refused to bind and to send to', async () => {
    const bind = await failure(open({ type: 'udp4', address: '::1' }));
    assert.equal(bind.code, 'FAMILY_MISMATCH');
    assertUserSentence(bind.userMessage, 'FAMILY_MISMATCH');
    assert.match(bind.userMessage, /^::1 is an IPv6 address, but the socket type is udp4 \(FAMILY_MISMATCH\)\. Choose udp6/);
    const s = await open();
    survivors.push(s);
    const send = await failure(s.send(Buffer.from('x'), target(witness6)));
    assert.equal(send.code, 'FAMILY_MISMATCH');
    assertUserSentence(send.userMessage, 'FAMILY_MISMATCH');
    assert.match(send.userMessage, /^::1 is an IPv6 address, but this socket is udp4 \(IPv4\) and cannot send to it \(FAMILY_MISMATCH\)\./);
    assert.equal(s.state, 'listening');
    table.add('Listen udp4 on ::1', bind.code, bind.userMessage, 'never added to the tree');
    table.add('Send from udp4 to [::1]', send.code, send.userMessage, stateOf(s));
  });

  it('an IPv4 address on a udp6 socket: refused to bind and to send to', async () => {
    const bind = await failure(registry.open({ type: 'udp6', port: 0, address: '127.0.0.1' }));
    assert.equal(bind.code, 'FAMILY_MISMATCH');
    assertUserSentence(bind.userMessage, 'FAMILY_MISMATCH');
    assert.match(bind.userMessage, /^127\.0\.0\.1 is an IPv4 address, but the socket type is udp6 \(FAMILY_MISMATCH\)\./);
    const s = await registry.open({ type: 'udp6', port: 0 });
    survivors.push(s);
    const send = await failure(s.send(Buffer.from('x'), target(witness4)));
    assert.equal(send.code, 'FAMILY_MISMATCH');
    assertUserSentence(send.userMessage, 'FAMILY_MISMATCH');
    assert.match(send.userMessage, /^127\.0\.0\.1 is an IPv4 address, but this socket is udp6 \(IPv6\) and cannot send to it/);
    assert.equal(s.state, 'listening');
    table.add('Listen udp6 on 127.0.0.1', bind.code, bind.userMessage, 'never added to the tree');
    table.add('Send from udp6 [::1] to 127.0.0.1', send.code, send.userMessage, stateOf(s));
  });
});
