// UdpSocket on real loopback sockets (127.0.0.1 and ::1): bind, send/receive, connect, options, buffer sizes,
// and every error a user can run into, each checked for its code AND its sentence. No mocked dgram.

import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { setListenerErrorHandler } from '../../../src/core/events';
import { toUdpLabError, UdpLabError } from '../../../src/core/errors';
import { DEFAULT_RECV_BUFFER_BYTES, reusePortSupportedFor, UdpSocket, type ReceivedDatagram } from '../../../src/core/udpSocket';
import type { SocketOptions } from '../../../src/shared/dto';
import { collect, nextEvent, rejectionOf, thrownBy } from '../support/events';

const text = (s: string): Buffer => Buffer.from(s, 'utf8');
const allByteValues = (): Buffer => Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe('core: UdpSocket on loopback', function () {
  const opened: UdpSocket[] = [];
  const raw: dgram.Socket[] = [];

  async function open(options: Partial<SocketOptions> & { type?: SocketOptions['type'] } = {}): Promise<UdpSocket> {
    const socket = new UdpSocket({ type: 'udp4', port: 0, ...options });
    opened.push(socket);
    await socket.bind();
    return socket;
  }

  /** A socket whose bind is expected to fail; still closed after the test. */
  function unbound(options: Partial<SocketOptions> = {}): UdpSocket {
    const socket = new UdpSocket({ type: 'udp4', port: 0, ...options });
    opened.push(socket);
    return socket;
  }

  function target(socket: UdpSocket): { host: string; port: number } {
    return { host: socket.local!.address, port: socket.local!.port };
  }

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    await Promise.all(raw.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });

  describe('bind', () => {
    it('udp4 binds to 127.0.0.1 by default (never a wildcard), on an ephemeral port, and reports it', async () => {
      const socket = unbound();
      assert.equal(socket.state, 'binding');
      const listened = nextEvent(socket.onDidListen);
      const endpoint = await socket.bind();
      assert.equal(endpoint.address, '127.0.0.1');
      assert.equal(endpoint.family, 'IPv4');
      assert.ok(endpoint.port > 0 && endpoint.port <= 65535);
      assert.deepEqual(await listened, endpoint);
      assert.equal(socket.state, 'listening');
      assert.deepEqual(socket.view().local, endpoint);
      assert.equal(socket.bind(), socket.bind(), 'bind() is idempotent: the same promise');
    });

    it('udp6 binds to ::1 by default', async () => {
      const socket = await open({ type: 'udp6' });
      assert.equal(socket.local!.address, '::1');
      assert.equal(socket.local!.family, 'IPv6');
    });

    it('binds to a chosen port and address', async () => {
      const probe = await open({ address: '127.0.0.2' });
      const port = probe.local!.port;
      await probe.close();
      const socket = await open({ address: '127.0.0.2', port });
      assert.deepEqual(socket.local, { address: '127.0.0.2', family: 'IPv4', port });
    });

    it('EADDRINUSE: a port already taken, with the sentence naming the port and the way out', async () => {
      const first = await open();
      const second = unbound({ port: first.local!.port });
      const error = await rejectionOf(second.bind());
      assert.ok(error instanceof UdpLabError);
      assert.equal(error.code, 'EADDRINUSE');
      assert.equal(error.userMessage, `Port ${first.local!.port} on 127.0.0.1 is already in use (EADDRINUSE). Choose another port, or enable Reuse Address on every socket that shares it.`);
      assert.equal(second.state, 'error');
      assert.equal(second.view().lastError, error.userMessage);
      // The first socket is untouched.
      assert.equal(first.state, 'listening');
    });

    it('EADDRNOTAVAIL: an address that is not this machine’s (bind only; nothing is sent)', async () => {
      const socket = unbound({ address: '192.0.2.1' });
      const error = await rejectionOf(socket.bind());
      assert.equal(error.code, 'EADDRNOTAVAIL');
      assert.match(error.userMessage!, /^192\.0\.2\.1 is not an address of this machine, so the socket cannot bind to it \(EADDRNOTAVAIL\)\. Bind to 127\.0\.0\.1/);
    });

    it('an IPv6 address on a udp4 socket, and the reverse, are refused before any socket is made', async () => {
      const v4 = await rejectionOf(unbound({ type: 'udp4', address: '::1' }).bind());
      assert.equal(v4.code, 'FAMILY_MISMATCH');
      assert.match(v4.userMessage!, /::1 is an IPv6 address, but the socket type is udp4 \(FAMILY_MISMATCH\)\. Choose udp6/);
      const v6 = await rejectionOf(unbound({ type: 'udp6', address: '127.0.0.1' }).bind());
      assert.equal(v6.code, 'FAMILY_MISMATCH');
      assert.match(v6.userMessage!, /127\.0\.0\.1 is an IPv4 address, but the socket type is udp6/);
    });

    it('validates port, address, type and buffer sizes before making a socket', async () => {
      for (const [options, pattern] of [
        [{ port: 70000 }, /Port 70000 is out of range/],
        [{ port: -1 }, /Port -1 is out of range/],
        [{ port: 1.5 }, /Port 1\.5 is not a whole number/],
        [{ address: 'not an address' }, /is not a valid host name/],
        [{ type: 'udp5' as 'udp4' }, /Socket type "udp5" is not udp4 or udp6/],
        [{ recvBufferSize: 0 }, /receive buffer size 0 is not a positive whole number/],
        [{ sendBufferSize: -5 }, /send buffer size -5 is not a positive whole number/],
        [{ ipv6Only: true }, /IPv6 Only applies to udp6 sockets/],
      ] as Array<[Partial<SocketOptions>, RegExp]>) {
        const error = await rejectionOf(unbound(options).bind());
        assert.equal(error.code, 'VALIDATION', JSON.stringify(options));
        assert.match(error.userMessage!, pattern);
      }
    });

    it('reuseAddr lets two sockets share one port, and a datagram to it reaches exactly one of them', async () => {
      const a = await open({ reuseAddr: true });
      const b = await open({ reuseAddr: true, port: a.local!.port });
      assert.equal(b.local!.port, a.local!.port);
      const sender = await open();
      const first = Promise.race([nextEvent(a.onDidReceive).then(() => 'a'), nextEvent(b.onDidReceive).then(() => 'b')]);
      await sender.send(text('shared'), target(a));
      assert.ok(['a', 'b'].includes(await first));
      // Without reuseAddr on the newcomer the port stays taken.
      const third = await rejectionOf(unbound({ port: a.local!.port }).bind());
      assert.equal(third.code, 'EADDRINUSE');
    });

    it('exclusive: binds and keeps the port to itself (a second socket gets EADDRINUSE)', async () => {
      const socket = await open({ exclusive: true });
      assert.equal(socket.view().options.exclusive, true);
      const error = await rejectionOf(unbound({ port: socket.local!.port }).bind());
      assert.equal(error.code, 'EADDRINUSE');
    });

    it('reusePort is feature-detected by Node version and platform', () => {
      assert.equal(reusePortSupportedFor('20.19.0', 'linux'), false);
      assert.equal(reusePortSupportedFor('22.11.0', 'linux'), false);
      assert.equal(reusePortSupportedFor('22.12.0', 'linux'), true);
      assert.equal(reusePortSupportedFor('v23.0.0', 'linux'), false);
      assert.equal(reusePortSupportedFor('v23.1.0', 'linux'), true);
      assert.equal(reusePortSupportedFor('24.0.0', 'freebsd'), true);
      assert.equal(reusePortSupportedFor('24.0.0', 'darwin'), false);
      assert.equal(reusePortSupportedFor('24.0.0', 'win32'), false);
      assert.equal(reusePortSupportedFor('garbage', 'linux'), false);
      assert.equal(UdpSocket.reusePortSupported(), reusePortSupportedFor(process.versions.node, process.platform));
    });

    it(`reusePort on this Node (${process.version}): ${UdpSocket.reusePortSupported() ? 'two sockets share the port' : 'a clear UNSUPPORTED error, not a crash'}`, async () => {
      if (UdpSocket.reusePortSupported()) {
        const a = await open({ reusePort: true });
        const b = await open({ reusePort: true, port: a.local!.port });
        assert.equal(b.local!.port, a.local!.port);
      } else {
        const socket = unbound({ reusePort: true });
        const error = await rejectionOf(socket.bind());
        assert.ok(error instanceof UdpLabError);
        assert.equal(error.code, 'UNSUPPORTED');
        assert.equal(
          error.userMessage,
          `Reuse Port needs Node.js 22.12 or newer on Linux, FreeBSD, Solaris or AIX, and this VS Code runs Node.js ${process.version} on ${process.platform} (UNSUPPORTED). Turn Reuse Port off, or use Reuse Address to share the port.`,
        );
        assert.equal(socket.state, 'error');
      }
    });
  });

  describe('send and receive', () => {
    for (const type of ['udp4', 'udp6'] as const) {
      it(`${type}: every byte value arrives exactly, with the sender, size and a receive time`, async () => {
        const receiver = await open({ type });
        const sender = await open({ type });
        const payload = allByteValues();
        const before = Date.now();
        const received = nextEvent(receiver.onDidReceive);
        const sent = await sender.send(payload, target(receiver));
        const d = await received;
        assert.equal(sent, 256);
        assert.deepEqual([...d.bytes], [...payload]);
        assert.equal(d.size, 256);
        assert.equal(d.peer.address, sender.local!.address);
        assert.equal(d.peer.port, sender.local!.port);
        assert.equal(d.peer.family, type === 'udp4' ? 'IPv4' : 'IPv6');
        assert.ok(d.time >= before - 1 && d.time <= Date.now() + 1, `time ${d.time} within the test`);
        // The listener's own copy: changing it changes nothing for anyone else.
        assert.ok(Buffer.isBuffer(d.bytes));
        d.bytes.fill(0);
        assert.equal(receiver.view().stats.bytesIn, 256);
      });
    }

    it('an empty datagram is a datagram', async () => {
      const receiver = await open();
      const sender = await open();
      const received = nextEvent(receiver.onDidReceive);
      assert.equal(await sender.send(new Uint8Array(0), target(receiver)), 0);
      assert.equal((await received).size, 0);
    });

    it('the caller’s buffer is free again once the send is answered: reusing it then changes neither what went out nor what is reported', async () => {
      const receiver = await open();
      const sender = await open();
      const payload = text('original');
      const sentEvent = nextEvent(sender.onDidSend);
      const received = nextEvent(receiver.onDidReceive);
      await sender.send(payload, target(receiver));
      payload.fill(0x58);
      assert.equal((await received).bytes.toString(), 'original');
      const s = await sentEvent;
      assert.equal(s.bytes.toString(), 'original');
      assert.deepEqual(s.peer, { address: '127.0.0.1', family: 'IPv4', port: receiver.local!.port });
      assert.equal(s.size, 8);
    });

    it('resolves host names: "localhost" reaches the family the socket has', async () => {
      const addresses = await lookup('localhost', { all: true });
      const type = addresses.some((a) => a.family === 4) ? 'udp4' : 'udp6';
      const receiver = await open({ type });
      const sender = await open({ type });
      const received = nextEvent(receiver.onDidReceive);
      const sentEvent = nextEvent(sender.onDidSend);
      await sender.send(text('by name'), { host: 'localhost', port: receiver.local!.port });
      assert.equal((await received).bytes.toString(), 'by name');
      // The sent datagram records the address the name resolved to, not the name.
      assert.equal((await sentEvent).peer.address, receiver.local!.address);
    });

    it('a host name that resolves only to the other family is explained (FAMILY_MISMATCH), not a bare ENOTFOUND', async () => {
      const addresses = await lookup('localhost', { all: true });
      const families = new Set(addresses.map((a) => a.family));
      // Pick the socket family "localhost" does NOT resolve to here; if it resolves to both, use the literal case.
      const type = !families.has(6) ? 'udp6' : !families.has(4) ? 'udp4' : undefined;
      const sender = await open({ type: type ?? 'udp4' });
      const host = type ? 'localhost' : '::1';
      const error = await rejectionOf(sender.send(text('x'), { host, port: 9 }));
      assert.equal(error.code, 'FAMILY_MISMATCH');
      assert.match(error.userMessage!, type === 'udp6' ? /^"localhost" resolves to 127\.0\.0\.1 \(IPv4\), but this socket is udp6 \(IPv6\).*Use ::1 instead, or use a udp4 socket\.$/ : /but this socket is udp4/);
    });

    it('an IPv6 address from a udp4 socket, and an IPv4 address from a udp6 socket bound to ::1, are FAMILY_MISMATCH', async () => {
      const v4 = await open({ type: 'udp4' });
      const a = await rejectionOf(v4.send(text('x'), { host: '::1', port: 9 }));
      assert.equal(a.code, 'FAMILY_MISMATCH');
      assert.equal(a.userMessage, '::1 is an IPv6 address, but this socket is udp4 (IPv4) and cannot send to it (FAMILY_MISMATCH). Use an IPv4 address, or use a udp6 socket.');
      const v6 = await open({ type: 'udp6' });
      const b = await rejectionOf(v6.send(text('x'), { host: '127.0.0.1', port: 9 }));
      assert.equal(b.code, 'FAMILY_MISMATCH');
      assert.match(b.userMessage!, /^127\.0\.0\.1 is an IPv4 address, but this socket is udp6/);
      // Nothing was counted as sent.
      assert.equal(v4.view().stats.datagramsOut, 0);
      assert.equal(v6.view().stats.datagramsOut, 0);
    });

    it('a udp4 socket sends to an IPv4-mapped IPv6 literal (::ffff:127.0.0.1) as the IPv4 address inside', async () => {
      const receiver = await open();
      const sender = await open();
      const received = nextEvent(receiver.onDidReceive);
      await sender.send(text('mapped'), { host: '::ffff:127.0.0.1', port: receiver.local!.port });
      assert.equal((await received).bytes.toString(), 'mapped');
    });

    it('ENOTFOUND: a host name that does not exist (nonexistent.invalid)', async () => {
      const sender = await open();
      const error = await rejectionOf(sender.send(text('x'), { host: 'nonexistent.invalid', port: 9 }));
      assert.ok(['ENOTFOUND', 'EAI_AGAIN'].includes(error.code!), error.code);
      if (error.code === 'ENOTFOUND') {
        assert.equal(error.userMessage, 'The host name "nonexistent.invalid" could not be resolved (ENOTFOUND). Check its spelling, or use an IP address.');
      }
      assert.equal(sender.view().lastError, error.userMessage);
    });

    it('EMSGSIZE at 65 508 bytes over IPv4; 65 507 bytes arrive whole', async () => {
      const receiver = await open({ recvBufferSize: 1 << 20 });
      const sender = await open();
      const error = await rejectionOf(sender.send(Buffer.alloc(65508), target(receiver)));
      assert.equal(error.code, 'EMSGSIZE');
      assert.match(error.userMessage!, /65 508 bytes.*65 507 bytes.*\(EMSGSIZE\)/);
      const received = nextEvent(receiver.onDidReceive);
      assert.equal(await sender.send(Buffer.alloc(65507, 7), target(receiver)), 65507);
      const d = await received;
      assert.equal(d.size, 65507);
      assert.ok(d.bytes.every((b) => b === 7));
    });

    it('EMSGSIZE at 65 528 bytes over IPv6; 65 527 bytes arrive whole', async () => {
      const receiver = await open({ type: 'udp6', recvBufferSize: 1 << 20 });
      const sender = await open({ type: 'udp6' });
      const error = await rejectionOf(sender.send(Buffer.alloc(65528), target(receiver)));
      assert.equal(error.code, 'EMSGSIZE');
      assert.match(error.userMessage!, /65 528 bytes.*65 527 bytes.*IPv6.*\(EMSGSIZE\)/);
      const received = nextEvent(receiver.onDidReceive);
      await sender.send(Buffer.alloc(65527), target(receiver));
      assert.equal((await received).size, 65527);
    });

    it('the OS itself answers EMSGSIZE too (raw dgram, mapped by toUdpLabError)', async () => {
      const s = dgram.createSocket('udp4');
      raw.push(s);
      s.on('error', () => undefined);
      await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
      const err = await new Promise<Error | null>((resolve) => s.send(Buffer.alloc(65508), s.address().port, '127.0.0.1', resolve));
      const mapped = toUdpLabError(err, { operation: 'send', type: 'udp4', size: 65508, target: { host: '127.0.0.1', port: s.address().port } });
      assert.equal(mapped.code, 'EMSGSIZE');
      assert.match(mapped.userMessage, /The datagram is 65 508 bytes, more than a UDP datagram over IPv4 can carry/);
    });

    it('refuses port 0 and malformed hosts as destinations before sending', async () => {
      const sender = await open();
      const zero = await rejectionOf(sender.send(text('x'), { host: '127.0.0.1', port: 0 }));
      assert.equal(zero.code, 'VALIDATION');
      assert.match(zero.userMessage!, /Port 0 cannot be a destination/);
      const bad = await rejectionOf(sender.send(text('x'), { host: '1.2.3.999', port: 9 }));
      assert.equal(bad.code, 'VALIDATION');
      assert.match(bad.userMessage!, /not a valid IPv4 address/);
    });

    it('counts datagrams and bytes both ways, remembers the last peer and lists recent peers', async () => {
      const receiver = await open();
      const a = await open();
      const b = await open();
      for (const [s, payload] of [
        [a, 'one'],
        [b, 'two!'],
        [a, 'three'],
      ] as Array<[UdpSocket, string]>) {
        const got = nextEvent(receiver.onDidReceive);
        await s.send(text(payload), target(receiver));
        await got;
      }
      const stats = receiver.view().stats;
      assert.equal(stats.datagramsIn, 3);
      assert.equal(stats.bytesIn, 12);
      assert.deepEqual(stats.lastPeer, a.local);
      assert.ok(stats.rateIn > 0);
      assert.equal(a.view().stats.datagramsOut, 2);
      assert.equal(a.view().stats.bytesOut, 8);
      const peers = receiver.peers();
      assert.deepEqual(
        peers.map((p) => [p.port, p.datagrams, p.bytes]),
        [
          [a.local!.port, 2, 8],
          [b.local!.port, 1, 4],
        ],
      );
      assert.ok(peers[0]!.lastSeen >= peers[0]!.firstSeen);
    });
  });

  describe('connect', () => {
    it('connect, send without a destination, receive only from the peer, remoteAddress, disconnect', async () => {
      const peer = await open();
      const stranger = await open();
      const client = await open();
      const connected = nextEvent(client.onDidConnect);
      const remote = await client.connect('127.0.0.1', peer.local!.port);
      assert.deepEqual(remote, peer.local);
      assert.deepEqual(await connected, peer.local);
      assert.equal(client.state, 'connected');
      assert.deepEqual(client.remoteAddress(), peer.local);
      assert.deepEqual(client.view().remote, peer.local);

      const atPeer = nextEvent(peer.onDidReceive);
      await client.send(text('to my peer'));
      assert.equal((await atPeer).bytes.toString(), 'to my peer');

      // A connected socket hears only its peer: the stranger's datagram (sent first) never shows up.
      const heard = collect(client.onDidReceive);
      const marker = nextEvent(client.onDidReceive, (d) => d.bytes.toString() === 'marker');
      await stranger.send(text('stranger'), target(client));
      await peer.send(text('marker'), target(client));
      await marker;
      assert.deepEqual(
        heard.values.map((d) => d.bytes.toString()),
        ['marker'],
      );
      heard.dispose();

      const withTarget = await rejectionOf(client.send(text('x'), target(stranger)));
      assert.equal(withTarget.code, 'ERR_SOCKET_DGRAM_IS_CONNECTED');
      assert.match(withTarget.userMessage!, /is connected to a peer, so it cannot send to 127\.0\.0\.1:\d+ \(ERR_SOCKET_DGRAM_IS_CONNECTED\)\. Send without a destination/);
      const again = await rejectionOf(client.connect('127.0.0.1', stranger.local!.port));
      assert.equal(again.code, 'ERR_SOCKET_DGRAM_IS_CONNECTED');
      assert.match(again.userMessage!, /already connected.*Disconnect it first/);

      client.disconnect();
      assert.equal(client.state, 'listening');
      assert.equal(client.view().remote, undefined);
      const notConnected = thrownBy(() => client.remoteAddress());
      assert.equal(notConnected.code, 'ERR_SOCKET_DGRAM_NOT_CONNECTED');
      const twice = thrownBy(() => client.disconnect());
      assert.equal(twice.code, 'ERR_SOCKET_DGRAM_NOT_CONNECTED');
      assert.match(twice.userMessage!, /not connected to a peer \(ERR_SOCKET_DGRAM_NOT_CONNECTED\)\. Connect it first/);
      const noTarget = await rejectionOf(client.send(text('x')));
      assert.equal(noTarget.code, 'ERR_SOCKET_DGRAM_NOT_CONNECTED');
      assert.match(noTarget.userMessage!, /a send needs a destination.*Give a host and port, or connect the socket first/);

      // Disconnected, it can send anywhere again.
      const atStranger = nextEvent(stranger.onDidReceive);
      await client.send(text('free again'), target(stranger));
      assert.equal((await atStranger).bytes.toString(), 'free again');
      // ...and it still hears on the port it showed all along (opened with port 0: Linux would release a port it
      // picked itself at disconnect, so the core binds the picked port explicitly).
      const heardAgain = nextEvent(client.onDidReceive);
      await stranger.send(text('still your port?'), target(client));
      assert.equal((await heardAgain).bytes.toString(), 'still your port?');
    });

    it('ECONNREFUSED: a connected socket whose peer closed reports it on the next send, as an event; other sockets are unaffected', async () => {
      const peer = await open();
      const bystander = await open();
      const client = await open();
      await client.connect('127.0.0.1', peer.local!.port);
      const peerEndpoint = `127.0.0.1:${peer.local!.port}`;
      await peer.close();
      const bystanderErrors = collect(bystander.onDidError);
      const refused = nextEvent(client.onDidError, (e) => e.code === 'ECONNREFUSED');
      // The kernel learns from the ICMP answer to this send; the error comes back on the socket (or on a later send).
      const sendOutcome = client.send(text('anyone?')).then(
        () => undefined,
        (e: UdpLabError) => e,
      );
      const error = await Promise.race([refused, sendOutcome.then((e) => (e ? e : refused))]);
      assert.equal(error.code, 'ECONNREFUSED');
      assert.equal(
        error.userMessage,
        `${peerEndpoint} answered "port unreachable": nothing is listening there (ECONNREFUSED). Start a listener on that port, or disconnect and send somewhere else.`,
      );
      assert.equal(client.view().lastError, error.userMessage);
      assert.equal(client.state, 'connected', 'the socket survives the error');
      // A socket's error is its own: the bystander saw nothing and still receives.
      const received = nextEvent(bystander.onDidReceive);
      client.disconnect();
      await client.send(text('still alive'), target(bystander));
      assert.equal((await received).bytes.toString(), 'still alive');
      assert.deepEqual(bystanderErrors.values, []);
      bystanderErrors.dispose();
    });

    it('connect resolves host names and refuses port 0', async () => {
      const peer = await open();
      const client = await open();
      const error = await rejectionOf(client.connect('127.0.0.1', 0));
      assert.equal(error.code, 'VALIDATION');
      const missing = await rejectionOf(client.connect('nonexistent.invalid', 9));
      assert.ok(['ENOTFOUND', 'EAI_AGAIN'].includes(missing.code!));
      assert.equal(client.state, 'listening');
      const addresses = await lookup('localhost', { all: true });
      if (addresses.some((a) => a.family === 4)) {
        assert.deepEqual(await client.connect('localhost', peer.local!.port), peer.local);
      }
    });
  });

  describe('options', () => {
    it('TTL: 1–255 accepted and shown; 0 and 256 are EINVAL with the range', async () => {
      const socket = await open();
      const changes = collect(socket.onDidChange);
      assert.equal(socket.setTTL(1), 1);
      assert.equal(socket.view().ttl, 1);
      assert.equal(socket.setTTL(255), 255);
      assert.ok(changes.values.length >= 2, 'each change fires onDidChange');
      for (const bad of [0, 256]) {
        const error = thrownBy(() => socket.setTTL(bad));
        assert.equal(error.code, 'EINVAL');
        assert.equal(error.userMessage, `TTL ${bad} is out of range (EINVAL). Use a whole number from 1 to 255.`);
      }
      assert.equal(socket.view().ttl, 255, 'a refused value does not replace the last good one');
      changes.dispose();
    });

    it('broadcast flag and multicast TTL/loopback are set and shown (no traffic)', async () => {
      const socket = await open();
      assert.equal(socket.view().broadcast, false);
      socket.setBroadcast(true);
      assert.equal(socket.view().broadcast, true);
      assert.equal(socket.setMulticastTTL(0), 0);
      assert.equal(socket.setMulticastLoopback(false), false);
      const view = socket.view();
      assert.equal(view.multicastTTL, 0);
      assert.equal(view.multicastLoopback, false);
      const error = thrownBy(() => socket.setMulticastTTL(300));
      assert.equal(error.code, 'EINVAL');
    });

    it('asks for a 4 MiB receive buffer when the options name none, within the system limit', async () => {
      const socket = await open();
      // What the kernel grants: the request capped by its maximum (Linux: rmem_max), or more if that is its default.
      let limit = DEFAULT_RECV_BUFFER_BYTES;
      try {
        limit = Math.min(limit, Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8')));
      } catch {
        limit = 65536; // not Linux: only a sane minimum can be asserted
      }
      assert.ok(socket.getRecvBufferSize() >= limit, `recv ${socket.getRecvBufferSize()} for a limit of ${limit}`);
      assert.equal(socket.view().recvBufferSize, socket.getRecvBufferSize());
    });

    it('receive and send buffer sizes: set at open and later, read back (Linux reports double)', async () => {
      const socket = await open({ recvBufferSize: 65536, sendBufferSize: 32768 });
      assert.ok(socket.getRecvBufferSize() >= 65536, `recv ${socket.getRecvBufferSize()}`);
      assert.ok(socket.getSendBufferSize() >= 32768, `send ${socket.getSendBufferSize()}`);
      const view = socket.view();
      assert.equal(view.recvBufferSize, socket.getRecvBufferSize());
      assert.equal(view.sendBufferSize, socket.getSendBufferSize());
      const before = socket.getRecvBufferSize();
      socket.setRecvBufferSize(262144);
      assert.ok(socket.getRecvBufferSize() > before);
      socket.setSendBufferSize(131072);
      assert.ok(socket.getSendBufferSize() >= 131072);
      const bad = thrownBy(() => socket.setRecvBufferSize(-1));
      assert.equal(bad.code, 'ERR_SOCKET_BAD_BUFFER_SIZE');
      assert.match(bad.userMessage!, /Buffer size -1 is not valid.*positive whole number/);
    });

    it('ERR_SOCKET_BUFFER_SIZE from a real unbound dgram socket gets its sentence', () => {
      const s = dgram.createSocket('udp4');
      raw.push(s);
      const err = thrownBy(() => s.getRecvBufferSize());
      const mapped = toUdpLabError(err, { operation: 'getRecvBufferSize', type: 'udp4' });
      assert.equal(mapped.code, 'ERR_SOCKET_BUFFER_SIZE');
      assert.match(mapped.userMessage, /^The receive buffer size could not be read \(ERR_SOCKET_BUFFER_SIZE\)\. The socket must be open and bound/);
    });

    it('send queue size and count are readable and drain to 0', async () => {
      const receiver = await open();
      const sender = await open();
      const sends = Array.from({ length: 20 }, () => sender.send(Buffer.alloc(1000), target(receiver)));
      assert.ok(sender.getSendQueueCount() >= 0);
      assert.ok(sender.getSendQueueSize() >= 0);
      await Promise.all(sends);
      assert.equal(sender.getSendQueueCount(), 0);
      assert.equal(sender.getSendQueueSize(), 0);
    });

    it('unref/ref do not disturb a socket', async () => {
      const receiver = await open();
      const sender = await open();
      receiver.unref();
      receiver.ref();
      const got = nextEvent(receiver.onDidReceive);
      await sender.send(text('still here'), target(receiver));
      assert.equal((await got).bytes.toString(), 'still here');
    });
  });

  describe('close and isolation', () => {
    it('close resolves, fires onDidClose once, is idempotent; every later call is ERR_SOCKET_DGRAM_NOT_RUNNING', async () => {
      const socket = await open();
      const closes = collect(socket.onDidClose);
      await socket.close();
      await socket.close();
      assert.equal(socket.state, 'closed');
      assert.equal(closes.values.length, 1);
      const send = await rejectionOf(socket.send(text('x'), { host: '127.0.0.1', port: 9 }));
      assert.equal(send.code, 'ERR_SOCKET_DGRAM_NOT_RUNNING');
      assert.equal(send.userMessage, 'The socket is closed, so it cannot send the datagram (ERR_SOCKET_DGRAM_NOT_RUNNING). Open a new socket.');
      for (const call of [() => socket.setTTL(5), () => socket.setBroadcast(true), () => socket.getRecvBufferSize(), () => socket.addMembership('239.1.1.1'), () => socket.disconnect()]) {
        assert.equal(thrownBy(call).code, 'ERR_SOCKET_DGRAM_NOT_RUNNING');
      }
      assert.equal((await rejectionOf(socket.connect('127.0.0.1', 9))).code, 'ERR_SOCKET_DGRAM_NOT_RUNNING');
      assert.equal((await rejectionOf(socket.bind())).code, 'ERR_SOCKET_DGRAM_NOT_RUNNING', 'a closed socket cannot be bound again');
    });

    it('closing before bind finishes rejects the bind; a socket never bound refuses calls with NOT_BOUND', async () => {
      const socket = unbound();
      assert.equal(thrownBy(() => socket.setTTL(3)).code, 'NOT_BOUND');
      assert.equal((await rejectionOf(socket.send(text('x'), { host: '127.0.0.1', port: 9 }))).code, 'NOT_BOUND');
      const binding = socket.bind();
      const closing = socket.close();
      const error = await rejectionOf(binding);
      assert.equal(error.code, 'ERR_SOCKET_DGRAM_NOT_RUNNING');
      await closing;
      assert.equal(socket.state, 'closed');
    });

    it('a listener that throws neither breaks the socket nor stops the other listeners', async () => {
      const receiver = await open();
      const sender = await open();
      const reported: unknown[] = [];
      setListenerErrorHandler((e) => reported.push(e));
      try {
        const bad = receiver.onDidReceive(() => {
          throw new Error('listener bug');
        });
        const got: ReceivedDatagram[] = [];
        const good = receiver.onDidReceive((d) => got.push(d));
        for (const word of ['one', 'two']) {
          const next = nextEvent(receiver.onDidReceive);
          await sender.send(text(word), target(receiver));
          await next;
        }
        assert.deepEqual(
          got.map((d) => d.bytes.toString()),
          ['one', 'two'],
        );
        assert.equal(reported.length, 2);
        assert.equal(receiver.view().stats.datagramsIn, 2);
        bad.dispose();
        good.dispose();
      } finally {
        setListenerErrorHandler((e) => console.error('[udp-lab] event listener threw:', e));
      }
    });
  });
});
