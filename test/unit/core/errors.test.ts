// The error sentences: every code the issue lists, in the situations users meet it, names the cause, the way out
// and the code. Real dgram/dns errors are used where they are cheap to provoke (the socket tests provoke the rest
// on real sockets); here the mapper's wording is pinned for each context.

import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { lookup } from 'node:dns';
import {
  familyMismatchError,
  isUdpLabError,
  reusePortUnsupportedError,
  toUdpLabError,
  UdpLabError,
  validationError,
  type ErrorContext,
} from '../../../src/core/errors';

/** A Node-style error with a code, as dgram and dns produce them. */
const nodeError = (code: string, message = code): Error => Object.assign(new Error(message), { code });

function sentence(code: string, context: ErrorContext): string {
  const error = toUdpLabError(nodeError(code), context);
  assert.equal(error.code, code === 'UNKNOWN' ? 'UNKNOWN' : error.code);
  // Every sentence carries its code in parentheses, so users can search for it.
  assert.ok(error.userMessage.includes(`(${error.code})`), error.userMessage);
  assert.equal(error.message, error.userMessage);
  return error.userMessage;
}

describe('core: error sentences', () => {
  it('EADDRINUSE on bind names the port and address, and the way out', () => {
    assert.equal(
      sentence('EADDRINUSE', { operation: 'bind', type: 'udp4', local: { address: '127.0.0.1', port: 5000 } }),
      'Port 5000 on 127.0.0.1 is already in use (EADDRINUSE). Choose another port, or enable Reuse Address on every socket that shares it.',
    );
  });

  it('EACCES: low port on bind, broadcast without the flag on send', () => {
    assert.match(sentence('EACCES', { operation: 'bind', type: 'udp4', local: { address: '0.0.0.0', port: 80 } }), /^Binding to port 80 was refused \(EACCES\): ports below 1024 need elevated privileges\. Choose a port from 1024 to 65535/);
    assert.match(sentence('EACCES', { operation: 'send', type: 'udp4', target: { host: '255.255.255.255', port: 9 } }), /^Sending to 255\.255\.255\.255:9 was refused \(EACCES\): it is a broadcast address and Broadcast is off.*Enable Broadcast/);
  });

  it('EADDRNOTAVAIL: bind to a foreign address, a bad multicast interface, leaving an unjoined group', () => {
    assert.match(sentence('EADDRNOTAVAIL', { operation: 'bind', type: 'udp6', local: { address: '2001:db8::1', port: 0 } }), /^2001:db8::1 is not an address of this machine.*Bind to ::1 or :: \(all interfaces\)/);
    assert.match(sentence('EADDRNOTAVAIL', { operation: 'setMulticastInterface', type: 'udp4', iface: '10.1.1.1' }), /^10\.1\.1\.1 is not the address of an interface on this machine/);
    assert.match(sentence('EADDRNOTAVAIL', { operation: 'dropMembership', type: 'udp4', group: '239.1.1.1' }), /^This socket has not joined 239\.1\.1\.1 \(EADDRNOTAVAIL\)/);
  });

  it('EMSGSIZE names the size and the family limit', () => {
    assert.equal(
      sentence('EMSGSIZE', { operation: 'send', type: 'udp4', size: 70000, target: { host: '127.0.0.1', port: 9 } }),
      'The datagram is 70 000 bytes, more than a UDP datagram over IPv4 can carry (65 507 bytes at most) (EMSGSIZE). Shorten it, or split it over several datagrams.',
    );
    assert.match(sentence('EMSGSIZE', { operation: 'send', type: 'udp6', size: 70000, target: { host: '::1', port: 9 } }), /over IPv6 can carry \(65 527 bytes at most\)/);
  });

  it('ECONNREFUSED says nothing listens there', () => {
    assert.equal(
      sentence('ECONNREFUSED', { operation: 'receive', type: 'udp4', target: { host: '127.0.0.1', port: 7 } }),
      '127.0.0.1:7 answered "port unreachable": nothing is listening there (ECONNREFUSED). Start a listener on that port, or disconnect and send somewhere else.',
    );
  });

  it('ENOTFOUND from a real lookup of nonexistent.invalid', async () => {
    const err = await new Promise<Error | null>((resolve) => lookup('nonexistent.invalid', (e) => resolve(e)));
    assert.ok(err);
    const mapped = toUdpLabError(err, { operation: 'send', type: 'udp4', target: { host: 'nonexistent.invalid', port: 9 } });
    assert.ok(['ENOTFOUND', 'EAI_AGAIN'].includes(mapped.code));
    assert.match(mapped.userMessage, /"nonexistent\.invalid"/);
    assert.equal(
      sentence('ENOTFOUND', { operation: 'send', target: { host: 'nonexistent.invalid', port: 9 } }),
      'The host name "nonexistent.invalid" could not be resolved (ENOTFOUND). Check its spelling, or use an IP address.',
    );
  });

  it('EINVAL in its contexts: TTL ranges, non-multicast group, bind family, interface', () => {
    assert.equal(sentence('EINVAL', { operation: 'setTTL', value: 0 }), 'TTL 0 is out of range (EINVAL). Use a whole number from 1 to 255.');
    assert.equal(sentence('EINVAL', { operation: 'setTTL' }), 'The TTL is out of range (EINVAL). Use a whole number from 1 to 255.');
    assert.equal(sentence('EINVAL', { operation: 'setMulticastTTL', value: 300 }), 'Multicast TTL 300 is out of range (EINVAL). Use a whole number from 0 to 255.');
    assert.match(sentence('EINVAL', { operation: 'addMembership', type: 'udp4', group: '10.0.0.1' }), /^10\.0\.0\.1 is not a multicast group address \(EINVAL\)/);
    assert.match(sentence('EINVAL', { operation: 'bind', type: 'udp4', local: { address: '::1', port: 0 } }), /^::1 is an IPv6 address, but this socket is udp4 \(IPv4\) \(EINVAL\)\. Bind a udp6 socket to it/);
    assert.match(sentence('EINVAL', { operation: 'setMulticastInterface', type: 'udp6', iface: 'nope' }), /^nope is not a valid IPv6 interface address \(EINVAL\).*like ::%eth0/);
  });

  it('the dgram-specific codes: connected, not connected, not running, buffer size', () => {
    assert.match(sentence('ERR_SOCKET_DGRAM_IS_CONNECTED', { operation: 'send', target: { host: '::1', port: 9 } }), /cannot send to \[::1\]:9 \(ERR_SOCKET_DGRAM_IS_CONNECTED\)\. Send without a destination/);
    assert.match(sentence('ERR_SOCKET_DGRAM_IS_CONNECTED', { operation: 'connect', target: { host: '127.0.0.1', port: 9 } }), /already connected.*Disconnect it first/);
    assert.match(sentence('ERR_SOCKET_DGRAM_NOT_CONNECTED', { operation: 'disconnect' }), /not connected to a peer \(ERR_SOCKET_DGRAM_NOT_CONNECTED\)\. Connect it first; there is nothing to disconnect/);
    assert.equal(sentence('ERR_SOCKET_DGRAM_NOT_RUNNING', { operation: 'setTTL' }), 'The socket is closed, so it cannot set the TTL (ERR_SOCKET_DGRAM_NOT_RUNNING). Open a new socket.');
    assert.match(sentence('ERR_SOCKET_BUFFER_SIZE', { operation: 'setSendBufferSize', value: 1048576 }), /^The send buffer size could not be set to 1 048 576 bytes \(ERR_SOCKET_BUFFER_SIZE\)/);
    assert.equal(sentence('ERR_SOCKET_BAD_BUFFER_SIZE', { operation: 'setRecvBufferSize' }), 'The buffer size is not valid (ERR_SOCKET_BAD_BUFFER_SIZE). Use a positive whole number of bytes.');
    assert.equal(sentence('ERR_SOCKET_BAD_PORT', { operation: 'send' }), 'The port is not valid (ERR_SOCKET_BAD_PORT). Use a whole number from 1 to 65535.');
  });

  it('real dgram throws map too: not running after close, not connected on disconnect', async () => {
    const s = dgram.createSocket('udp4');
    s.on('error', () => undefined);
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
    let thrown: unknown;
    try {
      s.disconnect();
    } catch (e) {
      thrown = e;
    }
    assert.equal(toUdpLabError(thrown, { operation: 'disconnect' }).code, 'ERR_SOCKET_DGRAM_NOT_CONNECTED');
    await new Promise<void>((resolve) => s.close(() => resolve()));
    try {
      s.close();
    } catch (e) {
      thrown = e;
    }
    assert.equal(toUdpLabError(thrown, { operation: 'close' }).code, 'ERR_SOCKET_DGRAM_NOT_RUNNING');
  });

  it('localhost → ::1 on a udp4 socket is explained as a family mismatch, whatever code the OS gave', () => {
    const context: ErrorContext = { operation: 'send', type: 'udp4', target: { host: 'localhost', port: 9 }, resolved: '::1' };
    for (const code of ['EINVAL', 'EAFNOSUPPORT']) {
      const error = toUdpLabError(nodeError(code), context);
      assert.equal(error.code, 'FAMILY_MISMATCH');
      assert.equal(
        error.userMessage,
        '"localhost" resolves to ::1 (IPv6), but this socket is udp4 (IPv4) and cannot send to it (FAMILY_MISMATCH). Use 127.0.0.1 instead, or use a udp6 socket.',
      );
    }
    assert.match(familyMismatchError({ operation: 'connect', type: 'udp6', target: { host: '10.0.0.1', port: 9 } }, '10.0.0.1').userMessage, /^10\.0\.0\.1 is an IPv4 address, but this socket is udp6 \(IPv6\) and cannot connect to it/);
    // ::ffff:a.b.c.d on a udp6 socket is how dual-stack reaches IPv4: not a mismatch.
    assert.equal(toUdpLabError(nodeError('EINVAL'), { operation: 'send', type: 'udp6', target: { host: '127.0.0.1', port: 9 }, resolved: '::ffff:127.0.0.1' }).code, 'EINVAL');
  });

  it('a group of the other family is named as such', () => {
    assert.match(sentence('ENOPROTOOPT', { operation: 'addMembership', type: 'udp4', group: 'ff02::1' }), /^ff02::1 is an IPv6 group, but this socket is udp4 \(IPv4\) \(ENOPROTOOPT\)\. Join it from a udp6 socket\.$/);
  });

  it('reusePort unsupported, validation, unknown codes and non-errors all become UdpLabErrors', () => {
    const unsupported = reusePortUnsupportedError('Node.js v20.1.0 on linux', { socketId: 's9' });
    assert.equal(unsupported.code, 'UNSUPPORTED');
    assert.equal(unsupported.socketId, 's9');
    assert.match(unsupported.userMessage, /needs Node\.js 22\.12 or newer.*runs Node\.js v20\.1\.0 on linux \(UNSUPPORTED\)\. Turn Reuse Port off, or use Reuse Address/);
    const invalid = validationError('Port 70000 is out of range. Use a number from 0 to 65535.');
    assert.equal(invalid.code, 'VALIDATION');
    assert.ok(isUdpLabError(invalid));
    assert.equal(toUdpLabError(invalid, { operation: 'send' }), invalid, 'UdpLabErrors pass through');
    const odd = toUdpLabError(nodeError('EWEIRD', 'something odd.'), { operation: 'connect' });
    assert.equal(odd.userMessage, 'Could not connect the socket (EWEIRD): something odd. Check the address, port and options, and try again.');
    const plain = toUdpLabError('just a string', { operation: 'send' });
    assert.equal(plain.code, 'UNKNOWN');
    assert.ok(plain instanceof UdpLabError);
    assert.equal(plain.cause, 'just a string');
  });
});
