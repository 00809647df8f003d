// Every editor-surface command run through executeCommand with arguments, as another extension or a keybinding
// would, against real loopback sockets: what it returns, what a real peer receives, what the core reports.
import * as assert from 'assert';
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { UdpLabApi } from '../../src/host/api';
import { ALL_COMMANDS, Commands, executeCommand, type ExportLogResult, type RepeatSendResult, type SendResult } from '../../src/host/commandIds';
import type { SocketView } from '../../src/shared/dto';
import { contributedCommands } from './support/extension';
import { expectError, until, type TestPeer } from './support/surface';
import { surfaceSuite } from './support/suite';

describe('UDP Lab commands with arguments', () => {
  let udp: UdpLabApi;
  let peer: TestPeer;

  surfaceSuite({ onApi: (api) => (udp = api), onPeer: (p) => (peer = p) });

  const listen = async (args: object = { port: 0 }): Promise<SocketView> => {
    const view = await vscode.commands.executeCommand<SocketView | undefined>('udpLab.listen', args);
    assert.ok(view, `listen ${JSON.stringify(args)} returned nothing; shown: ${JSON.stringify(udp.testing.shownMessages().at(-1))}`);
    return view;
  };

  it('the typed command ids, the registered commands and package.json agree', async () => {
    assert.deepEqual([...ALL_COMMANDS].sort(), contributedCommands().sort());
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(ALL_COMMANDS.filter((c) => !registered.has(c)), []);
    // The typed helper runs the real command and its result is typed by id.
    const view = await executeCommand(Commands.Listen, { port: 0 });
    assert.equal(view?.state, 'listening');
  });

  it('Listen on Port binds 127.0.0.1 by default and returns the socket view', async () => {
    const view = await listen({ port: 0 });
    assert.equal(view.type, 'udp4');
    assert.equal(view.state, 'listening');
    assert.equal(view.local?.address, '127.0.0.1');
    assert.ok(view.local && view.local.port > 0);
    assert.ok(udp.registry.get(view.id), 'the registry does not hold the new socket');
    // It really receives: a datagram from the peer is counted on it.
    await peer.send('ping', view.local.port);
    await until(udp, () => udp.registry.get(view.id)!.view().stats.datagramsIn === 1, 'the socket counted the datagram');
  });

  it('Listen on Port takes address, family and options, and accepts the port as a string', async () => {
    const view = await listen({ port: '0', address: '::1', reuseAddr: true, label: 'statsd' });
    assert.equal(view.type, 'udp6');
    assert.equal(view.local?.address, '::1');
    assert.equal(view.options.reuseAddr, true);
    assert.equal(view.label ?? view.options.label, 'statsd');
  });

  it('Send… delivers the payload byte-exact from an ephemeral socket, in every encoding', async () => {
    const cases: Array<[string, string, Buffer]> = [
      ['hello', 'text', Buffer.from('hello')],
      ['00 01 ff fe', 'hex', Buffer.from([0, 1, 0xff, 0xfe])],
      ['AAH//g==', 'base64', Buffer.from([0, 1, 0xff, 0xfe])],
      ['a\\x00\\r\\n', 'escaped', Buffer.from([0x61, 0, 0x0d, 0x0a])],
    ];
    for (const [payload, encoding, bytes] of cases) {
      const result = await vscode.commands.executeCommand<SendResult>('udpLab.send', { target: peer.target, payload, encoding });
      assert.deepEqual(result, { bytes: bytes.length, target: peer.target, from: 'ephemeral' });
    }
    const got = await peer.receivedCount(cases.length);
    assert.deepEqual(
      got.map((g) => g.bytes.toString('hex')),
      cases.map((c) => c[2].toString('hex')),
    );
  });

  it('Send… from an open socket leaves from that socket’s port', async () => {
    const view = await listen();
    const result = await vscode.commands.executeCommand<SendResult>('udpLab.send', { target: peer.target, payload: 'from me', socket: view.id });
    assert.equal(result?.from, view.id);
    const [got] = await peer.receivedCount(1);
    assert.equal(got!.port, view.local!.port);
    assert.equal(got!.bytes.toString(), 'from me');
    // The sent datagram is counted on the socket.
    await until(udp, () => udp.registry.get(view.id)!.view().stats.datagramsOut === 1, 'the send was counted');
  });

  it('a socket can be named by local address:port or by its port', async () => {
    const view = await listen();
    await vscode.commands.executeCommand('udpLab.send', { target: peer.target, payload: 'a', socket: `127.0.0.1:${view.local!.port}` });
    await vscode.commands.executeCommand('udpLab.send', { target: peer.target, payload: 'b', socket: view.local!.port });
    const got = await peer.receivedCount(2);
    assert.deepEqual(got.map((g) => [g.bytes.toString(), g.port]), [['a', view.local!.port], ['b', view.local!.port]]);
  });

  it('Reply to Peer answers the peer from the socket it wrote to', async () => {
    const view = await listen();
    await peer.send('question', view.local!.port);
    await until(udp, () => udp.registry.get(view.id)!.peers().length === 1, 'the peer was seen');
    const result = await vscode.commands.executeCommand<SendResult>('udpLab.replyToPeer', {
      socket: view.id,
      peer: { address: '127.0.0.1', port: peer.port },
      payload: 'answer',
    });
    assert.equal(result?.from, view.id);
    const [got] = await peer.receivedCount(1);
    assert.equal(got!.bytes.toString(), 'answer');
    assert.equal(got!.port, view.local!.port);
  });

  it('Repeat Send… sends the count it was asked for and reports it', async () => {
    const result = await vscode.commands.executeCommand<RepeatSendResult>('udpLab.repeatSend', {
      target: peer.target,
      payload: 'tick',
      count: 25,
      intervalMs: 0,
    });
    assert.equal(result?.sent, 25);
    assert.equal(result?.failed, 0);
    assert.equal(result?.cancelled, false);
    const got = await peer.receivedCount(25);
    assert.ok(got.every((g) => g.bytes.toString() === 'tick'));
  });

  it('closing the socket a repeat sends from ends the repeat, with what was sent so far', async () => {
    const view = await listen();
    const run = vscode.commands.executeCommand<RepeatSendResult>('udpLab.repeatSend', { target: peer.target, payload: 'x', count: 1000, intervalMs: 20, socket: view.id });
    await peer.receivedCount(2);
    await vscode.commands.executeCommand('udpLab.closeSocket', { socket: view.id });
    const result = await run;
    assert.equal(result?.cancelled, true);
    assert.ok(result!.sent >= 2 && result!.sent < 1000, `sent ${result?.sent}`);
  });

  it('Connect Socket to Peer / Disconnect Socket change the socket’s state and where it sends', async () => {
    const view = await listen();
    const connected = await vscode.commands.executeCommand<SocketView>('udpLab.connectSocket', { socket: view.id, target: peer.target });
    assert.equal(connected?.state, 'connected');
    assert.equal(connected?.remote?.port, peer.port);
    // A connected socket sends to its peer (the target is its peer, so no destination is passed to dgram).
    await vscode.commands.executeCommand('udpLab.send', { target: peer.target, payload: 'over the connection', socket: view.id });
    const [got] = await peer.receivedCount(1);
    assert.equal(got!.bytes.toString(), 'over the connection');
    const disconnected = await vscode.commands.executeCommand<SocketView>('udpLab.disconnectSocket', { socket: view.id });
    assert.equal(disconnected?.state, 'listening');
    assert.equal(disconnected?.remote, undefined);
  });

  it('Enable / Disable Broadcast and Set TTL change the socket (read back from the core)', async () => {
    const view = await listen();
    assert.equal((await vscode.commands.executeCommand<SocketView>('udpLab.enableBroadcast', { socket: view.id }))?.broadcast, true);
    assert.equal((await vscode.commands.executeCommand<SocketView>('udpLab.disableBroadcast', { socket: view.id }))?.broadcast, false);
    assert.equal((await vscode.commands.executeCommand<SocketView>('udpLab.setTtl', { socket: view.id, ttl: 7 }))?.ttl, 7);
    assert.equal((await vscode.commands.executeCommand<SocketView>('udpLab.setTtl', { socket: view.id, ttl: 3, multicast: true }))?.multicastTTL, 3);
  });

  it('Copy Local Address puts address:port on the clipboard', async () => {
    const view = await listen({ port: 0, address: '::1' });
    const text = await vscode.commands.executeCommand<string>('udpLab.copyLocalAddress', { socket: view.id });
    assert.equal(text, `[::1]:${view.local!.port}`);
    assert.equal(await vscode.env.clipboard.readText(), text);
  });

  it('Export Log… writes one JSON line per datagram (time, direction, socket, peer, family, size, hex); Clear Log empties it', async () => {
    await vscode.commands.executeCommand('udpLab.clearLog');
    const view = await listen();
    await peer.send(Buffer.from([0, 0x68, 0x69, 0xff]), view.local!.port);
    await until(udp, () => udp.registry.log.size === 1, 'the datagram was logged');
    await vscode.commands.executeCommand('udpLab.send', { target: peer.target, payload: 'out', socket: view.id });
    await until(udp, () => udp.registry.log.size === 2, 'the sent datagram was logged');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'udp-lab-export-')), 'log.jsonl');
    const result = await vscode.commands.executeCommand<ExportLogResult>('udpLab.exportLog', { path: file });
    assert.deepEqual(result, { path: file, datagrams: 2 });
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 2);
    const [incoming, outgoing] = lines;
    assert.equal(incoming!.direction, 'in');
    assert.equal(incoming!.socket, view.id);
    assert.equal(incoming!.peer, peer.target);
    assert.equal(incoming!.family, 'IPv4');
    assert.equal(incoming!.size, 4);
    assert.equal(incoming!.hex, '006869ff');
    assert.ok(!Number.isNaN(Date.parse(String(incoming!.time))), 'time is an ISO date');
    assert.equal(outgoing!.direction, 'out');
    assert.equal(outgoing!.hex, Buffer.from('out').toString('hex'));
    fs.rmSync(path.dirname(file), { recursive: true, force: true });

    const cleared = await vscode.commands.executeCommand<number>('udpLab.clearLog');
    assert.equal(cleared, 2);
    assert.equal(udp.registry.log.size, 0);
  });

  it('Close Socket frees the port at once; Close All Sockets closes every one and leaves no handle open', async () => {
    const udpHandles = (): number => process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;
    const handlesBefore = udpHandles();
    const a = await listen();
    const b = await listen();
    const c = await listen({ port: 0, address: '::1' });
    assert.equal(await vscode.commands.executeCommand<number>('udpLab.closeSocket', { socket: a.id }), 1);
    assert.equal(udp.registry.get(a.id), undefined);
    // The OS released the port: a fresh dgram socket can bind it without reuse options.
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.bind(a.local!.port, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((r) => probe.close(() => r()));
    // A tree element works as the argument too.
    assert.equal(await vscode.commands.executeCommand<number>('udpLab.closeSocket', { kind: 'socket', socketId: b.id }), 1);
    assert.equal(await vscode.commands.executeCommand<number>('udpLab.closeAllSockets'), 1);
    assert.equal(udp.registry.list().length, 0);
    assert.equal(udp.registry.get(c.id), undefined);
    // The extension host shares this process: its count of UDP handles is back where it was. libuv frees a closed
    // handle on the loop turn after 'close', so give it a few turns (bounded; no timer).
    for (let turn = 0; turn < 50 && udpHandles() !== handlesBefore; turn++) await new Promise((r) => setImmediate(r));
    assert.equal(udpHandles(), handlesBefore, 'a UDP handle is still open after Close All Sockets');
  });

  it('Show Messages runs without an error', async () => {
    const before = udp.testing.shownMessages().length;
    await vscode.commands.executeCommand('udpLab.showMessages');
    assert.equal(udp.testing.shownMessages().length, before, `Show Messages showed: ${JSON.stringify(udp.testing.shownMessages().at(-1))}`);
  });

  it('wrong argument shapes are refused with a sentence, never an exception', async () => {
    await expectError(udp, () => vscode.commands.executeCommand('udpLab.listen', 5000), /expected an object of named arguments/);
    await expectError(udp, () => vscode.commands.executeCommand('udpLab.listen', {}), /"port" is missing/);
    await expectError(udp, () => vscode.commands.executeCommand('udpLab.send', { target: peer.target, payload: 'x', encoding: 'rot13' }), /encoding "rot13" is not one UDP Lab knows/);
    await expectError(udp, () => vscode.commands.executeCommand('udpLab.send', { target: peer.target, payload: 'x', socket: 'nope' }), /No open socket is "nope"/);
    await expectError(udp, () => vscode.commands.executeCommand('udpLab.setTtl', { socket: 1, ttl: 300 }), /No open socket uses port|out of range/);
    await expectError(udp, () => vscode.commands.executeCommand('udpLab.repeatSend', { target: peer.target, payload: 'x', count: 0 }), /repeat count 0 is out of range/);
    await expectError(udp, () => vscode.commands.executeCommand('udpLab.joinMulticastGroup', { socket: 'nope', group: '239.1.2.3' }), /No open socket/);
  });
});
