// When binding asks first: wildcards and this machine's non-loopback addresses expose the port to the network;
// loopback does not, and an address that is not on this machine cannot be bound at all (the core says why).
import * as assert from 'assert';
import * as os from 'os';
import { exposesToNetwork, isLoopback, isWildcard, localAddresses, senderBindAddress } from '../../../src/core/localAddresses';

describe('core: local addresses, network exposure, and where a sender binds', () => {
  it('knows the wildcards in their spellings', () => {
    for (const a of ['0.0.0.0', '::', '::0', '0:0:0:0:0:0:0:0']) assert.equal(isWildcard(a), true, a);
    for (const a of ['127.0.0.1', '::1', '0.0.0.1', '10.0.0.0']) assert.equal(isWildcard(a), false, a);
  });

  it('knows loopback', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1']) assert.equal(isLoopback(a), true, a);
    for (const a of ['128.0.0.1', '::2', '10.0.0.1']) assert.equal(isLoopback(a), false, a);
  });

  it('warns for wildcards and for this machine’s own non-loopback addresses, not for loopback or foreign ones', () => {
    assert.equal(exposesToNetwork('0.0.0.0'), true);
    assert.equal(exposesToNetwork('::'), true);
    assert.equal(exposesToNetwork('127.0.0.1'), false);
    assert.equal(exposesToNetwork('::1'), false);
    // TEST-NET-3 is never assigned to a real interface: binding it fails, so there is nothing to warn about.
    assert.equal(exposesToNetwork('203.0.113.254'), false);
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === 'IPv4');
    if (external) assert.equal(exposesToNetwork(external.address), true, external.address);
  });

  it('lists this machine’s addresses with link-local IPv6 zoned to its interface', () => {
    const list = localAddresses();
    assert.ok(list.some((l) => l.address === '127.0.0.1' && l.internal), 'loopback is listed');
    for (const l of list.filter((l) => /^fe[89ab]/i.test(l.address))) assert.match(l.address, /%.+$/);
  });

  it('binds a sending socket to loopback for a loopback destination of its family, else to its wildcard', () => {
    assert.equal(senderBindAddress('127.0.0.5', 'udp4'), '127.0.0.1');
    assert.equal(senderBindAddress('localhost', 'udp4'), '127.0.0.1');
    assert.equal(senderBindAddress('localhost', 'udp6'), '::1');
    assert.equal(senderBindAddress('::1', 'udp6'), '::1');
    // An IPv4-mapped loopback address is not reachable from a socket bound to ::1.
    assert.equal(senderBindAddress('::ffff:127.0.0.1', 'udp6'), '::');
    assert.equal(senderBindAddress('192.0.2.1', 'udp4'), '0.0.0.0');
    assert.equal(senderBindAddress('2001:db8::1', 'udp6'), '::');
  });
});
