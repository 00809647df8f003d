// Commands on one socket (or all): Close, Close All, Connect to Peer / Disconnect, Enable / Disable Broadcast,
// Set TTL, Join / Leave Multicast Group, Copy Local Address. Each takes the clicked tree element, a `socket`
// argument, or asks (offering only the sockets the command applies to). The socket work itself is the core's.

import * as vscode from 'vscode';
import type { UdpSocket } from '../core/udpSocket';
import type { MembershipView, SocketView } from '../shared/dto';
import { validateAddress } from '../shared/validation';
import { argObject, checkInt, isTreeNode, optBoolean, optInt, optString, reqString, reqTarget, unwrap } from './commandArgs';
import { Commands } from './commandIds';
import { validationError } from '../core/errors';
import { formatEndpoint, socketTitle } from './format';
import { registerGuarded } from './guardedCommand';
import { localAddresses } from '../core/localAddresses';
import { askInput, askPick, BACK } from './quickInput';
import { findSocket, socketFor, socketPickItem } from './socketRefs';
import type { SurfaceDeps } from './surfaceDeps';
import { askTarget, targetText } from './targetPick';

const isOpen = (v: SocketView): boolean => v.state === 'listening' || v.state === 'connected';

export function registerSocketCommands(deps: SurfaceDeps): vscode.Disposable {
  const { registry, errors, log } = deps;
  const reg = registerGuarded;
  const title = (v: SocketView): string => socketTitle(v);

  return vscode.Disposable.from(
    reg(errors, Commands.CloseSocket, async (arg, more) => {
      const targets = await socketsToClose(deps, arg, more);
      if (!targets) return undefined;
      for (const s of targets) {
        const name = title(s.view());
        await registry.close(s.id);
        log.info(`Closed ${name} (${s.id}).`);
      }
      return targets.length;
    }),

    reg(errors, Commands.CloseAllSockets, async () => {
      const count = registry.list().length;
      await registry.closeAll();
      if (count > 0) log.info(`Closed all ${count} sockets.`);
      return count;
    }),

    reg(errors, Commands.ConnectSocket, async (arg) => {
      const args = argObject(arg);
      const socket = await socketFor(registry, arg, args, {
        title: 'UDP: Connect Socket to Peer',
        filter: (v) => v.state === 'listening',
        none: 'No open socket can be connected: every one is already connected or closed. Listen on a port first.',
      });
      if (!socket) return undefined;
      const target = args ? reqTarget(args) : await askTarget(registry, deps.recents, {
        title: `UDP: Connect ${title(socket.view())} to…`,
        placeholder: 'The peer this socket will send to and only receive from (host:port)',
      });
      if (!target || target === BACK) return undefined;
      await socket.connect(target.host, target.port);
      log.info(`Connected ${title(socket.view())} to ${targetText(target)}.`);
      void deps.recents.addTarget(targetText(target));
      return socket.view();
    }),

    reg(errors, Commands.DisconnectSocket, async (arg) => {
      const socket = await socketFor(registry, arg, argObject(arg), {
        title: 'UDP: Disconnect Socket',
        filter: (v) => v.state === 'connected',
        none: 'No socket is connected to a peer, so there is nothing to disconnect.',
      });
      if (!socket) return undefined;
      const remote = socket.view().remote;
      await socket.disconnect();
      log.info(`Disconnected ${title(socket.view())}${remote ? ` from ${formatEndpoint(remote)}` : ''}.`);
      return socket.view();
    }),

    reg(errors, Commands.EnableBroadcast, async (arg) => setBroadcast(deps, arg, true)),
    reg(errors, Commands.DisableBroadcast, async (arg) => setBroadcast(deps, arg, false)),

    reg(errors, Commands.SetTtl, async (arg) => {
      const args = argObject(arg);
      const socket = await socketFor(registry, arg, args, { title: 'UDP: Set TTL', filter: isOpen, none: 'No socket is open. Listen on a port first.' });
      if (!socket) return undefined;
      let multicast: boolean;
      let ttl: number;
      if (args) {
        multicast = optBoolean(args, 'multicast') ?? false;
        const v = optInt(args, 'ttl', 1, 255, multicast ? 'The multicast TTL' : 'The TTL');
        if (v === undefined) throw validationError('The argument "ttl" is missing. Pass a hop count from 1 to 255.');
        ttl = v;
      } else {
        const answer = await askTtl(socket);
        if (!answer) return undefined;
        ({ multicast, ttl } = answer);
      }
      if (multicast) await socket.setMulticastTTL(ttl);
      else await socket.setTTL(ttl);
      log.info(`Set the ${multicast ? 'multicast ' : ''}TTL of ${title(socket.view())} to ${ttl}.`);
      return socket.view();
    }),

    reg(errors, Commands.JoinMulticastGroup, async (arg) => {
      const args = argObject(arg);
      const socket = await socketFor(registry, arg, args, {
        title: 'UDP: Join Multicast Group',
        filter: (v) => v.state === 'listening',
        none: 'No socket can join a group: open one with "UDP: Listen on Port…" (a connected socket cannot join).',
      });
      if (!socket) return undefined;
      const m = args ? membershipFromArgs(args) : await askMembership(socket);
      if (!m) return undefined;
      if (m.source) await socket.addSourceSpecificMembership(m.source, m.group, m.interface);
      else await socket.addMembership(m.group, m.interface);
      log.info(`${title(socket.view())} joined ${describeMembership(m)}.`);
      return socket.view();
    }),

    reg(errors, Commands.LeaveMulticastGroup, async (arg) => {
      const args = argObject(arg);
      let socket: UdpSocket | undefined;
      let m: MembershipView | undefined;
      if (isTreeNode(arg) && arg.kind === 'membership') {
        socket = registry.get(arg.socketId);
        m = (arg as unknown as { membership: MembershipView }).membership;
        if (!socket) throw validationError('That socket has been closed in the meantime; closing left its groups.');
      } else {
        socket = await socketFor(registry, arg, args, {
          title: 'UDP: Leave Multicast Group',
          filter: (v) => v.memberships.length > 0,
          none: 'No socket has joined a multicast group.',
        });
        if (!socket) return undefined;
        m = args ? membershipFromArgs(args) : await pickMembership(socket);
      }
      if (!m) return undefined;
      if (m.source) await socket.dropSourceSpecificMembership(m.source, m.group, m.interface);
      else await socket.dropMembership(m.group, m.interface);
      log.info(`${title(socket.view())} left ${describeMembership(m)}.`);
      return socket.view();
    }),

    reg(errors, Commands.CopyLocalAddress, async (arg) => {
      const socket = await socketFor(registry, arg, argObject(arg), {
        title: 'UDP: Copy Local Address',
        filter: (v) => v.local !== undefined,
        none: 'No socket is open, so there is no local address to copy.',
      });
      if (!socket) return undefined;
      const local = socket.view().local;
      if (!local) throw validationError(`${title(socket.view())} is not bound yet, so it has no local address.`);
      const text = formatEndpoint(local);
      await vscode.env.clipboard.writeText(text);
      vscode.window.setStatusBarMessage(`$(copy) Copied ${text}`, 3000);
      return text;
    }),
  );
}

/** Close Socket: the clicked item (or the whole multi-selection), `socket` argument, or a multi-pick. */
async function socketsToClose(deps: SurfaceDeps, arg: unknown, more: unknown): Promise<UdpSocket[] | undefined> {
  const { registry } = deps;
  if (isTreeNode(arg)) {
    const nodes = Array.isArray(more) && more.some((m) => isTreeNode(m) && m.socketId === arg.socketId) ? more.filter(isTreeNode) : [arg];
    const ids = [...new Set(nodes.map((n) => n.socketId))];
    return ids.map((id) => registry.get(id)).filter((s): s is UdpSocket => s !== undefined);
  }
  const args = argObject(arg);
  if (args) return [findSocket(registry, args['socket'])];
  const open = registry.list();
  if (open.length === 0) throw validationError('No socket is open, so there is nothing to close.');
  const picked = await vscode.window.showQuickPick(open.map((s) => socketPickItem(s)), {
    title: 'UDP: Close Socket',
    placeHolder: 'Choose the sockets to close',
    canPickMany: true,
  });
  return picked && picked.length > 0 ? picked.map((p) => p.socket) : undefined;
}

async function setBroadcast(deps: SurfaceDeps, arg: unknown, on: boolean): Promise<SocketView | undefined> {
  const socket = await socketFor(deps.registry, arg, argObject(arg), {
    title: on ? 'UDP: Enable Broadcast' : 'UDP: Disable Broadcast',
    filter: (v) => isOpen(v) && v.broadcast !== on,
    none: on ? 'No open socket has broadcast off.' : 'No open socket has broadcast on.',
  });
  if (!socket) return undefined;
  await socket.setBroadcast(on);
  deps.log.info(`${on ? 'Enabled' : 'Disabled'} broadcast on ${socketTitle(socket.view())}.`);
  return socket.view();
}

async function askTtl(socket: UdpSocket): Promise<{ multicast: boolean; ttl: number } | undefined> {
  const v = socket.view();
  const kind = await vscode.window.showQuickPick(
    [
      { label: 'Unicast TTL', description: `IP_TTL · now ${v.ttl ?? 'the system default (usually 64)'}`, multicast: false },
      { label: 'Multicast TTL', description: `IP_MULTICAST_TTL · now ${v.multicastTTL ?? '1 (the default)'}`, multicast: true },
    ],
    { title: `UDP: Set TTL of ${socketTitle(v)}`, placeHolder: 'Which hop limit?' },
  );
  if (!kind) return undefined;
  const result = await askInput({
    title: `UDP: Set ${kind.label} of ${socketTitle(v)}`,
    prompt: 'Hops a datagram may cross before routers drop it (1–255). 1 keeps multicast on the local network.',
    value: String((kind.multicast ? v.multicastTTL : v.ttl) ?? (kind.multicast ? 1 : 64)),
    validate: (text) => {
      try {
        checkInt(/^\s*\d+\s*$/.test(text) ? Number(text) : text, 1, 255, 'The TTL');
        return {};
      } catch (e) {
        return { error: (e as Error).message };
      }
    },
  });
  if (!result || result === BACK || result.kind !== 'value') return undefined;
  return { multicast: kind.multicast, ttl: Number(result.value.trim()) };
}

function membershipFromArgs(args: Record<string, unknown>): MembershipView {
  const group = unwrap(validateAddress(reqString(args, 'group', 'the multicast group address, like 239.1.2.3'))).address;
  const iface = optString(args, 'interface');
  const source = optString(args, 'source');
  return {
    group,
    ...(iface !== undefined && iface.trim() !== '' ? { interface: unwrap(validateAddress(iface)).address } : {}),
    ...(source !== undefined && source.trim() !== '' ? { source: unwrap(validateAddress(source)).address } : {}),
  };
}

function describeMembership(m: MembershipView): string {
  return `multicast group ${m.group}${m.source ? ` (source ${m.source})` : ''}${m.interface ? ` on ${m.interface}` : ''}`;
}

/** Group → interface → optional source (SSM), with Back. */
async function askMembership(socket: UdpSocket): Promise<MembershipView | undefined> {
  const v = socket.view();
  const family = v.type === 'udp6' ? 'IPv6' : 'IPv4';
  const title = `UDP: Join Multicast Group on ${socketTitle(v)}`;
  let step = 1;
  let group = '';
  let iface: string | undefined;
  for (;;) {
    if (step === 1) {
      const r = await askInput({
        title,
        step: 1,
        totalSteps: 3,
        prompt: family === 'IPv4' ? 'Group address, 224.0.0.0–239.255.255.255 (e.g. 239.1.2.3)' : 'Group address, ff00::/8 (e.g. ff02::1:3)',
        value: group,
        validate: (text) => {
          const a = validateAddress(text);
          if (!a.ok) return { error: a.message };
          if (a.value.kind === 'hostname') return { error: 'A multicast group is an IP address, not a host name.' };
          if ((a.value.kind === 'ipv6') !== (family === 'IPv6')) return { error: `This socket is ${v.type}: type an ${family} group address.` };
          return {};
        },
      });
      if (!r || r === BACK || r.kind !== 'value') return undefined;
      group = unwrap(validateAddress(r.value)).address;
      step = 2;
    } else if (step === 2) {
      type IfaceItem = vscode.QuickPickItem & { address?: string };
      const items: IfaceItem[] = [
        { label: 'Any interface', description: "the system's choice (the default route's interface)" },
        ...localAddresses()
          .filter((l) => l.family === family)
          .map((l) => ({ label: l.address, description: `${l.interfaceName}${l.internal ? ' · loopback' : ''}`, address: l.address })),
      ];
      const r = await askPick<IfaceItem>({
        title,
        step: 2,
        totalSteps: 3,
        back: true,
        placeholder: 'Join on which interface? (or type an address)',
        items,
        custom: (text) => {
          const a = validateAddress(text);
          return a.ok ? { item: { label: a.value.address, description: 'typed', address: a.value.address } } : { error: a.message };
        },
      });
      if (r === undefined) return undefined;
      if (r === BACK) {
        step = 1;
        continue;
      }
      if (r.kind !== 'item') continue;
      iface = r.item.address;
      step = 3;
    } else {
      const r = await askInput({
        title,
        step: 3,
        totalSteps: 3,
        back: true,
        prompt: 'Source address for a source-specific join (SSM); leave empty to receive from any source.',
        validate: (text) => {
          if (text.trim() === '') return {};
          const a = validateAddress(text);
          return a.ok ? {} : { error: a.message };
        },
      });
      if (r === undefined) return undefined;
      if (r === BACK) {
        step = 2;
        continue;
      }
      if (r.kind !== 'value') continue;
      const source = r.value.trim() === '' ? undefined : unwrap(validateAddress(r.value)).address;
      return { group, ...(iface ? { interface: iface } : {}), ...(source ? { source } : {}) };
    }
  }
}

async function pickMembership(socket: UdpSocket): Promise<MembershipView | undefined> {
  const memberships = socket.view().memberships;
  if (memberships.length === 1) return memberships[0];
  const picked = await vscode.window.showQuickPick(
    memberships.map((m) => ({ label: m.group, description: [m.source ? `source ${m.source}` : '', m.interface ? `on ${m.interface}` : ''].filter(Boolean).join(' · '), m })),
    { title: `UDP: Leave Multicast Group on ${socketTitle(socket.view())}` },
  );
  return picked?.m;
}
