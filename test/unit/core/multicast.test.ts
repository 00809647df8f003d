// Broadcast and multicast on the real core, ONLY inside a private network namespace each test creates
// (support/netns.ts). The scenario runs in a child process in that namespace; here we assert on what it saw.
// If the namespace cannot be created these tests fail (never skip): the capability would otherwise go untested.

import * as assert from 'node:assert/strict';
import { assertNetnsAvailable, runInNetns } from '../support/netns';

interface ErrorReport {
  code: string;
  message: string;
}
interface Received {
  text: string;
  from: string;
  family: string;
}

/** Every scenario first proves it ran in the namespace: nothing but lo and our own veth pair. */
function assertPrivateNamespace(result: { interfaces: string[] }): void {
  assert.deepEqual(result.interfaces, ['lo', 'v0', 'v1']);
}

describe('core: broadcast and multicast (inside a private network namespace)', function () {
  this.timeout(60_000);

  it('a private network namespace can be created here (unshare -rn, ip)', () => {
    assert.doesNotThrow(() => assertNetnsAvailable());
  });

  it('broadcast: EACCES without the flag, delivery to 127.255.255.255 with it, EACCES again after turning it off', async () => {
    const r = await runInNetns<{
      interfaces: string[];
      withoutFlag?: ErrorReport;
      broadcastView: boolean;
      received: Received[];
      afterOff?: ErrorReport;
      afterOffView: boolean;
      log: Array<{ direction: string; socketId: string; text: string; peer: string }>;
      senderId: string;
      receiverId: string;
    }>('broadcast');
    assertPrivateNamespace(r);
    assert.equal(r.withoutFlag?.code, 'EACCES');
    assert.match(r.withoutFlag!.message, /127\.255\.255\.255:\d+ was refused \(EACCES\).*broadcast address.*Enable Broadcast/);
    assert.equal(r.broadcastView, true);
    assert.deepEqual(r.received, [{ text: 'hello broadcast', from: '127.0.0.1', family: 'IPv4' }]);
    assert.equal(r.afterOff?.code, 'EACCES');
    assert.equal(r.afterOffView, false);
    // The log has the sent broadcast (to the broadcast address) and its reception, and not the refused sends.
    assert.deepEqual(r.log, [
      { direction: 'out', socketId: r.senderId, text: 'hello broadcast', peer: '127.255.255.255' },
      { direction: 'in', socketId: r.receiverId, text: 'hello broadcast', peer: '127.0.0.1' },
    ]);
  });

  it('IPv4 multicast: join, multicast TTL/loopback/interface, receive, leave (then nothing), and the error sentences', async () => {
    const r = await runInNetns<{
      interfaces: string[];
      membershipsAfterJoin: unknown[];
      joinTwice?: ErrorReport;
      ttlResult: number;
      loopResult: boolean;
      senderView: { multicastTTL?: number; multicastLoopback?: boolean; multicastInterface?: string };
      joined: Received[];
      membershipsAfterLeave: unknown[];
      afterLeave: Received[];
      leaveUnjoined?: ErrorReport;
      notAGroup?: ErrorReport;
      badInterface?: ErrorReport;
      badMulticastTTL?: ErrorReport;
      wrongFamilyGroup?: ErrorReport;
    }>('multicast4');
    assertPrivateNamespace(r);
    assert.deepEqual(r.membershipsAfterJoin, [{ group: '239.255.0.1', interface: '127.0.0.1' }]);
    assert.equal(r.ttlResult, 2);
    assert.equal(r.loopResult, true);
    assert.deepEqual(r.senderView, { multicastTTL: 2, multicastLoopback: true, multicastInterface: '127.0.0.1' });
    assert.deepEqual(r.joined, [{ text: 'to the group', from: '127.0.0.1', family: 'IPv4' }]);
    assert.deepEqual(r.membershipsAfterLeave, []);
    // After leaving, the group datagram sent before the marker never arrives.
    assert.deepEqual(r.afterLeave.map((d) => d.text), ['unicast marker']);

    assert.equal(r.joinTwice?.code, 'EADDRINUSE');
    assert.match(r.joinTwice!.message, /already joined 239\.255\.0\.1/);
    assert.equal(r.leaveUnjoined?.code, 'EADDRNOTAVAIL');
    assert.match(r.leaveUnjoined!.message, /has not joined 239\.255\.0\.99/);
    assert.equal(r.notAGroup?.code, 'EINVAL');
    assert.match(r.notAGroup!.message, /127\.0\.0\.1 is not a multicast group address \(EINVAL\)\. Use a group in 224\.0\.0\.0\/4/);
    assert.equal(r.badInterface?.code, 'EADDRNOTAVAIL');
    assert.match(r.badInterface!.message, /10\.9\.9\.9 is not the address of an interface on this machine/);
    assert.equal(r.badMulticastTTL?.code, 'EINVAL');
    assert.match(r.badMulticastTTL!.message, /Multicast TTL 256 is out of range.*0 to 255/);
    assert.ok(r.wrongFamilyGroup, 'joining an IPv6 group on udp4 must fail');
    assert.match(r.wrongFamilyGroup.message, /ff12::1 is an IPv6 group, but this socket is udp4.*Join it from a udp6 socket/);
  });

  it('source-specific multicast: only the subscribed source is received; leave stops it', async () => {
    const r = await runInNetns<{
      interfaces: string[];
      memberships: unknown[];
      joined: Received[];
      membershipsAfterLeave: unknown[];
      afterLeave: Received[];
      notAGroup?: ErrorReport;
    }>('sourceSpecific');
    assertPrivateNamespace(r);
    assert.deepEqual(r.memberships, [{ group: '232.1.2.3', source: '127.0.0.1', interface: '127.0.0.1' }]);
    // "from another source" (sent first, from 127.0.0.2) was filtered out by the kernel.
    assert.deepEqual(r.joined, [{ text: 'from the subscribed source', from: '127.0.0.1', family: 'IPv4' }]);
    assert.deepEqual(r.membershipsAfterLeave, []);
    assert.deepEqual(r.afterLeave.map((d) => d.text), ['unicast marker']);
    assert.equal(r.notAGroup?.code, 'EINVAL');
    assert.match(r.notAGroup!.message, /10\.1\.2\.3 is not a multicast group address/);
  });

  it('IPv6 multicast over a veth pair: join on ::%v1, send on ::%v0, leave; multicast loopback on/off', async () => {
    const r = await runInNetns<{
      interfaces: string[];
      joined: Received[];
      afterLeave: Received[];
      senderInterface?: string;
      membershipsAfterLeave: unknown[];
      withLoopback: Received[];
      withoutLoopback: Received[];
      loopbackView: boolean;
    }>('multicast6');
    assertPrivateNamespace(r);
    assert.equal(r.joined.length, 1);
    assert.equal(r.joined[0]!.text, 'hello v6 group');
    assert.equal(r.joined[0]!.family, 'IPv6');
    // Sent from v0's link-local address, received on v1: the zone names the receiving interface.
    assert.match(r.joined[0]!.from, /^fe80::[0-9a-f:]+%v1$/);
    assert.equal(r.senderInterface, '::%v0');
    assert.deepEqual(r.membershipsAfterLeave, []);
    assert.deepEqual(r.afterLeave.map((d) => d.text), ['unicast marker']);
    assert.deepEqual(r.withLoopback.map((d) => d.text), ['loopback on']);
    assert.deepEqual(r.withoutLoopback.map((d) => d.text), ['unicast marker']);
    assert.equal(r.loopbackView, false);
  });

  it('dual-stack udp6 (bound to ::) talks to IPv4 peers via ::ffff:a.b.c.d; ipv6Only refuses IPv4 both ways', async () => {
    const r = await runInNetns<{
      interfaces: string[];
      dualReceived: Received[];
      replyReceived: Received[];
      replyLogged?: { address: string; family: string };
      v6onlyReceived: Received[];
      v6onlyToV4?: ErrorReport;
      v6onlyView: boolean;
    }>('dualStack');
    assertPrivateNamespace(r);
    assert.deepEqual(r.dualReceived, [{ text: 'ipv4 to dual-stack', from: '::ffff:127.0.0.1', family: 'IPv6' }]);
    assert.deepEqual(r.replyReceived, [{ text: 'reply from dual-stack', from: '127.0.0.1', family: 'IPv4' }]);
    assert.equal(r.replyLogged?.address, '::ffff:127.0.0.1');
    // The IPv4 datagram to the ipv6Only port (sent before the marker) never arrived.
    assert.deepEqual(r.v6onlyReceived, [{ text: 'unicast marker', from: '::1', family: 'IPv6' }]);
    assert.equal(r.v6onlyToV4?.code, 'FAMILY_MISMATCH');
    assert.match(r.v6onlyToV4!.message, /127\.0\.0\.1 is an IPv4 address, but this socket is udp6/);
    assert.equal(r.v6onlyView, true);
  });
});
