// Bad input through the commands: each shows its one sentence (cause, way out, code), never a stack trace, and
// every other socket keeps receiving afterwards.
import * as assert from 'assert';
import * as dgram from 'dgram';
import * as vscode from 'vscode';
import type { UdpLabApi } from '../../src/host/api';
import type { SocketView } from '../../src/shared/dto';
import { api, closeAll, expectError, TestPeer, until } from './support/surface';

describe('UDP Lab bad input', () => {
  let udp: UdpLabApi;
  let peer: TestPeer;
  let survivor: SocketView;

  before(async () => {
    udp = await api();
    await closeAll();
    peer = await TestPeer.open();
    survivor = (await vscode.commands.executeCommand<SocketView>('udpLab.listen', { port: 0 }))!;
    assert.ok(survivor, 'could not open the socket that must survive');
  });
  after(async () => {
    await closeAll();
    await peer.close();
  });

  /** After each bad input, the socket opened first still receives. */
  afterEach(async () => {
    const before = udp.registry.get(survivor.id)?.view().stats.datagramsIn ?? -1;
    await peer.send('still here?', survivor.local!.port);
    await until(udp, () => udp.registry.get(survivor.id)?.view().stats.datagramsIn === before + 1, 'the other socket received');
    assert.equal(udp.registry.get(survivor.id)?.view().state, 'listening');
  });

  it('port 70000', async () => {
    await expectError(udp, () => vscode.commands.executeCommand('udpLab.listen', { port: 70000 }), /^Port 70000 is out of range\. Use a number from 0 to 65535\.$/);
  });

  it('port "abc"', async () => {
    await expectError(udp, () => vscode.commands.executeCommand('udpLab.listen', { port: 'abc' }), /^Port "abc" is not a whole number/);
  });

  it('an address that is not on this machine', async () => {
    // 192.0.2.1 is TEST-NET-1: no interface has it, so bind fails locally and nothing is sent anywhere.
    await expectError(udp, () => vscode.commands.executeCommand('udpLab.listen', { port: 0, address: '192.0.2.1' }), /EADDRNOTAVAIL/);
  });

  it('a port that is already in use', async () => {
    const holder = dgram.createSocket('udp4');
    holder.on('error', () => undefined);
    await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', () => resolve()));
    try {
      const port = holder.address().port;
      await expectError(udp, () => vscode.commands.executeCommand('udpLab.listen', { port }), new RegExp(`${port}.*already in use.*\\(EADDRINUSE\\)`));
      assert.equal(udp.registry.list().length, 1, 'a failed bind must not leave a socket behind');
    } finally {
      await new Promise<void>((r) => holder.close(() => r()));
    }
  });

  it('an empty payload', async () => {
    await expectError(udp, () => vscode.commands.executeCommand('udpLab.send', { target: peer.target, payload: '' }), /payload is empty/);
    assert.equal(peer.received.length, 0, 'nothing was sent');
  });

  it('an invalid hex payload', async () => {
    await expectError(
      udp,
      () => vscode.commands.executeCommand('udpLab.send', { target: peer.target, payload: '48 6g', encoding: 'hex' }),
      /^Invalid hex at position 4: "g" is not a hex digit/,
    );
  });

  it('a payload larger than a datagram can carry', async () => {
    await expectError(
      udp,
      () => vscode.commands.executeCommand('udpLab.send', { target: peer.target, payload: 'x'.repeat(65_508) }),
      /65 508 bytes.*65 507.*EMSGSIZE/,
    );
  });

  it('a target without a port, and an unbracketed IPv6 target', async () => {
    await expectError(udp, () => vscode.commands.executeCommand('udpLab.send', { target: '127.0.0.1', payload: 'x' }), /has no port/);
    await expectError(udp, () => vscode.commands.executeCommand('udpLab.send', { target: '::1:9000', payload: 'x' }), /IPv6 address without brackets/);
  });

  it('sending from a udp4 socket to an IPv6 target', async () => {
    await expectError(
      udp,
      () => vscode.commands.executeCommand('udpLab.send', { target: '[::1]:9', payload: 'x', socket: survivor.id }),
      /is IPv4 and cannot send to \[::1\]:9/,
    );
  });

  it('a TTL out of range', async () => {
    await expectError(udp, () => vscode.commands.executeCommand('udpLab.setTtl', { socket: survivor.id, ttl: 0 }), /TTL 0 is out of range/);
  });

  it('a multicast group that is not an address', async () => {
    await expectError(udp, () => vscode.commands.executeCommand('udpLab.joinMulticastGroup', { socket: survivor.id, group: 'not a group' }), /not a valid host name/);
  });
});
