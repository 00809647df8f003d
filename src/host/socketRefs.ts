// Finds the socket a command is about: the clicked tree element, a `socket` argument (id, local address:port or
// port), or — from the palette — a pick list of the open sockets that the command applies to.

import * as vscode from 'vscode';
import type { SocketRegistry } from '../core/socketRegistry';
import type { UdpSocket } from '../core/udpSocket';
import type { SocketView } from '../shared/dto';
import { parseHostPort, quoteInput } from '../shared/validation';
import { isTreeNode, type ArgObject } from './commandArgs';
import { validationError } from '../core/errors';
import { formatEndpoint, socketCounts, socketTitle } from './format';

/** Looks a socket up by id, local `address:port` / `[v6]:port`, or a port that only one open socket has. */
export function findSocket(registry: SocketRegistry, ref: unknown): UdpSocket {
  if (typeof ref === 'string' && ref.trim() !== '') {
    const byId = registry.get(ref);
    if (byId) return byId;
    const text = ref.trim();
    if (/^\d+$/.test(text)) return findByPort(registry, Number(text), ref);
    const hp = parseHostPort(text);
    if (hp.ok) {
      const match = registry
        .list()
        .find((s) => {
          const local = s.view().local;
          return local !== undefined && local.port === hp.value.port && local.address.toLowerCase() === hp.value.host.toLowerCase();
        });
      if (match) return match;
    }
    throw validationError(`No open socket is ${quoteInput(ref)}. ${openSocketsHint(registry)}`);
  }
  if (typeof ref === 'number') return findByPort(registry, ref, String(ref));
  throw validationError(`The argument "socket" must name an open socket by id, address:port or port. ${openSocketsHint(registry)}`);
}

function findByPort(registry: SocketRegistry, port: number, ref: string): UdpSocket {
  const matches = registry.list().filter((s) => s.view().local?.port === port);
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw validationError(`More than one open socket uses port ${ref}. Name one by address:port, like ${formatEndpoint(matches[0]!.view().local!)}.`);
  }
  throw validationError(`No open socket uses port ${quoteInput(ref)}. ${openSocketsHint(registry)}`);
}

function openSocketsHint(registry: SocketRegistry): string {
  const views = registry.views();
  if (views.length === 0) return 'No socket is open: run "UDP: Listen on Port…" first.';
  const names = views.slice(0, 5).map((v) => (v.local ? formatEndpoint(v.local) : v.id));
  return `Open sockets: ${names.join(', ')}${views.length > 5 ? ', …' : ''}.`;
}

export interface SocketQuestion {
  /** Title of the pick list, e.g. "Close Socket". */
  title: string;
  /** Only sockets this command applies to are offered. */
  filter?: (view: SocketView) => boolean;
  /** The sentence when none qualifies, e.g. "No socket is connected to a peer." */
  none: string;
}

/**
 * The socket for a command: from the tree element, from `args.socket`, or asked for. Resolves undefined when the
 * user dismisses the list; throws a VALIDATION UdpLabError when nothing fits.
 */
export async function socketFor(
  registry: SocketRegistry,
  arg: unknown,
  args: ArgObject | undefined,
  question: SocketQuestion,
): Promise<UdpSocket | undefined> {
  if (isTreeNode(arg)) {
    const s = registry.get(arg.socketId);
    if (!s) throw validationError('That socket has been closed in the meantime.');
    return s;
  }
  if (args && args['socket'] !== undefined) return findSocket(registry, args['socket']);
  return pickSocket(registry, question);
}

export async function pickSocket(registry: SocketRegistry, question: SocketQuestion): Promise<UdpSocket | undefined> {
  const sockets = registry.list().filter((s) => (question.filter ? question.filter(s.view()) : true));
  if (sockets.length === 0) throw validationError(question.none);
  if (sockets.length === 1) return sockets[0];
  const picked = await vscode.window.showQuickPick(
    sockets.map((s) => socketPickItem(s)),
    { title: question.title, placeHolder: 'Choose a socket' },
  );
  return picked?.socket;
}

export function socketPickItem(socket: UdpSocket): vscode.QuickPickItem & { socket: UdpSocket } {
  const v = socket.view();
  return {
    label: `$(${stateIcon(v)}) ${socketTitle(v)}`,
    description: socketCounts(v),
    detail: v.remote ? `connected to ${formatEndpoint(v.remote)}` : undefined,
    socket,
  };
}

function stateIcon(v: SocketView): string {
  switch (v.state) {
    case 'connected':
      return 'plug';
    case 'error':
      return 'error';
    case 'closed':
      return 'circle-slash';
    case 'binding':
      return 'loading~spin';
    default:
      return 'radio-tower';
  }
}
