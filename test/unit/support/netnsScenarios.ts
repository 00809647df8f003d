// Child process for netns.ts: runs ONE scenario on the real core inside the private network namespace and prints
// `NETNS_RESULT {"ok":true,"result":…}`. Never run this directly on a host: it sends broadcast and multicast.
// Each scenario reports observations (payloads received, error codes and sentences, views); the mocha test in
// test/unit/core/multicast.test.ts asserts on them.

import * as os from 'node:os';
import { SocketRegistry } from '../../../src/core/socketRegistry';
import type { UdpSocket } from '../../../src/core/udpSocket';
import { UdpLabError } from '../../../src/core/errors';
import { nextEvent } from './events';

const registry = new SocketRegistry({});
const text = (s: string): Buffer => Buffer.from(s, 'utf8');

interface ErrorReport {
  code: string;
  message: string;
}

async function errorOf(work: Promise<unknown> | (() => unknown)): Promise<ErrorReport | undefined> {
  try {
    if (typeof work === 'function') work();
    else await work;
    return undefined;
  } catch (error) {
    if (error instanceof UdpLabError) return { code: error.code, message: error.userMessage };
    return { code: 'NOT_A_UDPLAB_ERROR', message: String(error) };
  }
}

/** Payloads (as text) the socket receives until one equals `marker`; the marker is included last. */
function receiveUntil(socket: UdpSocket, marker: string, timeoutMs = 4000): Promise<Array<{ text: string; from: string; family: string }>> {
  const seen: Array<{ text: string; from: string; family: string }> = [];
  return nextEvent(
    socket.onDidReceive,
    (d) => {
      seen.push({ text: d.bytes.toString('utf8'), from: d.peer.address, family: d.peer.family });
      return d.bytes.toString('utf8') === marker;
    },
    timeoutMs,
    `"${marker}" on ${socket.id}`,
  ).then(() => seen);
}

/** Proof we are in the private namespace: only lo and our veth pair exist. */
function interfaces(): string[] {
  return Object.keys(os.networkInterfaces()).sort();
}

const scenarios: Record<string, () => Promise<unknown>> = {
  async broadcast() {
    const receiver = await registry.open({ type: 'udp4', port: 0, address: '0.0.0.0' });
    const port = receiver.local!.port;
    const sender = await registry.open({ type: 'udp4', port: 0, address: '127.0.0.1' });
    const target = { host: '127.255.255.255', port };
    const withoutFlag = await errorOf(sender.send(text('refused'), target));
    sender.setBroadcast(true);
    const broadcastView = sender.view().broadcast;
    const arrived = receiveUntil(receiver, 'hello broadcast');
    await sender.send(text('hello broadcast'), target);
    const received = await arrived;
    sender.setBroadcast(false);
    const afterOff = await errorOf(sender.send(text('refused again'), target));
    const log = registry.log.latest(10).map((d) => ({ direction: d.direction, socketId: d.socketId, text: Buffer.from(d.bytes).toString('utf8'), peer: d.peer.address }));
    return { interfaces: interfaces(), withoutFlag, broadcastView, received, afterOff, afterOffView: sender.view().broadcast, log, senderId: sender.id, receiverId: receiver.id };
  },

  async multicast4() {
    const group = '239.255.0.1';
    const receiver = await registry.open({ type: 'udp4', port: 0, address: '0.0.0.0', reuseAddr: true });
    const port = receiver.local!.port;
    receiver.addMembership(group, '127.0.0.1');
    const membershipsAfterJoin = receiver.view().memberships;
    const joinTwice = await errorOf(() => receiver.addMembership(group, '127.0.0.1'));

    const sender = await registry.open({ type: 'udp4', port: 0, address: '127.0.0.1' });
    sender.setMulticastInterface('127.0.0.1');
    const ttlResult = sender.setMulticastTTL(2);
    const loopResult = sender.setMulticastLoopback(true);
    const senderView = sender.view();
    const first = receiveUntil(receiver, 'to the group');
    await sender.send(text('to the group'), { host: group, port });
    const joined = await first;

    receiver.dropMembership(group, '127.0.0.1');
    const membershipsAfterLeave = receiver.view().memberships;
    const second = receiveUntil(receiver, 'unicast marker');
    await sender.send(text('after leaving'), { host: group, port });
    await sender.send(text('unicast marker'), { host: '127.0.0.1', port });
    const afterLeave = await second;

    const leaveUnjoined = await errorOf(() => receiver.dropMembership('239.255.0.99', '127.0.0.1'));
    const notAGroup = await errorOf(() => receiver.addMembership('127.0.0.1'));
    const badInterface = await errorOf(() => sender.setMulticastInterface('10.9.9.9'));
    const badMulticastTTL = await errorOf(() => sender.setMulticastTTL(256));
    const wrongFamilyGroup = await errorOf(() => receiver.addMembership('ff12::1'));
    return {
      interfaces: interfaces(),
      membershipsAfterJoin,
      joinTwice,
      ttlResult,
      loopResult,
      senderView: { multicastTTL: senderView.multicastTTL, multicastLoopback: senderView.multicastLoopback, multicastInterface: senderView.multicastInterface },
      joined,
      membershipsAfterLeave,
      afterLeave,
      leaveUnjoined,
      notAGroup,
      badInterface,
      badMulticastTTL,
      wrongFamilyGroup,
    };
  },

  async sourceSpecific() {
    const group = '232.1.2.3';
    const receiver = await registry.open({ type: 'udp4', port: 0, address: '0.0.0.0' });
    const port = receiver.local!.port;
    receiver.addSourceSpecificMembership('127.0.0.1', group, '127.0.0.1');
    const memberships = receiver.view().memberships;
    // 127.0.0.2 is local too (all of 127/8 is on lo) but is not the source the receiver subscribed to.
    const otherSource = await registry.open({ type: 'udp4', port: 0, address: '127.0.0.2' });
    const rightSource = await registry.open({ type: 'udp4', port: 0, address: '127.0.0.1' });
    for (const s of [otherSource, rightSource]) s.setMulticastInterface(s.local!.address);
    const first = receiveUntil(receiver, 'from the subscribed source');
    await otherSource.send(text('from another source'), { host: group, port });
    await rightSource.send(text('from the subscribed source'), { host: group, port });
    const joined = await first;

    receiver.dropSourceSpecificMembership('127.0.0.1', group, '127.0.0.1');
    const membershipsAfterLeave = receiver.view().memberships;
    const second = receiveUntil(receiver, 'unicast marker');
    await rightSource.send(text('after leaving'), { host: group, port });
    await rightSource.send(text('unicast marker'), { host: '127.0.0.1', port });
    const afterLeave = await second;
    const notAGroup = await errorOf(() => receiver.addSourceSpecificMembership('127.0.0.1', '10.1.2.3', '127.0.0.1'));
    return { interfaces: interfaces(), memberships, joined, membershipsAfterLeave, afterLeave, notAGroup };
  },

  async multicast6() {
    const group = 'ff12::1234';
    const receiver = await registry.open({ type: 'udp6', port: 0, address: '::' });
    const port = receiver.local!.port;
    receiver.addMembership(group, '::%v1');
    const sender = await registry.open({ type: 'udp6', port: 0, address: '::' });
    sender.setMulticastInterface('::%v0');
    sender.setMulticastTTL(1);
    const arrived = receiveUntil(receiver, 'hello v6 group');
    await sender.send(text('hello v6 group'), { host: group, port });
    const joined = await arrived;
    receiver.dropMembership(group, '::%v1');
    const second = receiveUntil(receiver, 'unicast marker');
    await sender.send(text('after leaving'), { host: group, port });
    await sender.send(text('unicast marker'), { host: '::1', port });
    const afterLeave = await second;
    const membershipsAfterLeave = receiver.view().memberships;

    // IP_MULTICAST_LOOP decides whether a receiver joined on the SENDING interface (v0) gets the datagram too.
    // (On lo every packet comes back anyway, so loopback is observable only on a real link like the veth.)
    const local = await registry.open({ type: 'udp6', port: 0, address: '::' });
    local.addMembership('ff12::5678', '::%v0');
    sender.setMulticastLoopback(true);
    const loopOn = receiveUntil(local, 'loopback on');
    await sender.send(text('loopback on'), { host: 'ff12::5678', port: local.local!.port });
    const withLoopback = await loopOn;
    sender.setMulticastLoopback(false);
    const loopOff = receiveUntil(local, 'unicast marker');
    await sender.send(text('loopback off'), { host: 'ff12::5678', port: local.local!.port });
    await sender.send(text('unicast marker'), { host: '::1', port: local.local!.port });
    const withoutLoopback = await loopOff;
    return {
      interfaces: interfaces(),
      joined,
      afterLeave,
      senderInterface: sender.view().multicastInterface,
      membershipsAfterLeave,
      withLoopback,
      withoutLoopback,
      loopbackView: sender.view().multicastLoopback,
    };
  },

  /** Wildcard binds (here only, never on the host): dual-stack udp6 vs ipv6Only. */
  async dualStack() {
    const dual = await registry.open({ type: 'udp6', port: 0, address: '::' });
    const v6only = await registry.open({ type: 'udp6', port: 0, address: '::', ipv6Only: true });
    const v4 = await registry.open({ type: 'udp4', port: 0, address: '127.0.0.1' });
    // A udp4 sender reaches the dual-stack socket; the sender shows as an IPv4-mapped IPv6 address.
    const toDual = receiveUntil(dual, 'ipv4 to dual-stack');
    await v4.send(text('ipv4 to dual-stack'), { host: '127.0.0.1', port: dual.local!.port });
    const dualReceived = await toDual;
    // The dual-stack socket can answer an IPv4 peer (we map 127.0.0.1 to ::ffff:127.0.0.1 for it).
    const reply = receiveUntil(v4, 'reply from dual-stack');
    await dual.send(text('reply from dual-stack'), { host: '127.0.0.1', port: v4.local!.port });
    const replyReceived = await reply;
    const replyLogged = registry.log.latest(5).find((d) => d.socketId === dual.id && d.direction === 'out')?.peer;
    // ipv6Only: IPv4 cannot reach it (the port is not even bound for IPv4), and it cannot send to IPv4.
    const toV6Only = receiveUntil(v6only, 'unicast marker');
    await v4.send(text('ipv4 to v6-only'), { host: '127.0.0.1', port: v6only.local!.port });
    await dual.send(text('unicast marker'), { host: '::1', port: v6only.local!.port });
    const v6onlyReceived = await toV6Only;
    const v6onlyToV4 = await errorOf(v6only.send(text('nope'), { host: '127.0.0.1', port: v4.local!.port }));
    return { interfaces: interfaces(), dualReceived, replyReceived, replyLogged, v6onlyReceived, v6onlyToV4, v6onlyView: v6only.view().options.ipv6Only };
  },
};

async function main(): Promise<void> {
  const name = process.argv[2] ?? '';
  const scenario = scenarios[name];
  let payload: { ok: boolean; result?: unknown; error?: string };
  if (!scenario) payload = { ok: false, error: `unknown scenario "${name}" (have: ${Object.keys(scenarios).join(', ')})` };
  else {
    try {
      payload = { ok: true, result: await scenario() };
    } catch (error) {
      payload = { ok: false, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) };
    }
  }
  await registry.closeAll();
  registry.dispose();
  process.stdout.write(`NETNS_RESULT ${JSON.stringify(payload)}\n`);
}

void main();
