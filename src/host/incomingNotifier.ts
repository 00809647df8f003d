// Notifications for incoming datagrams, as `udpLab.notifications.incoming` asks: none, the first datagram from
// each new peer, or every datagram. Either way at most one notification a second — a flood (or a spoofed
// stream of new source ports) becomes one "and 1 204 more" line, never a wall of toasts. The payload is never
// shown here (it is hostile input, and notifications render links); the Messages panel shows it inert.

import * as vscode from 'vscode';
import type { SocketRegistry } from '../core/socketRegistry';
import type { Endpoint } from '../shared/dto';
import type { IncomingNotifications } from './config';
import { Commands, executeCommand } from './commandIds';
import { inertLinks } from './errorReporter';
import { formatCount, formatEndpoint, socketTitle } from './format';
import { forEachSocket } from './perSocket';

const MIN_GAP_MS = 1000;
/** Peers remembered per socket for "first per peer"; beyond it, a new peer may be announced again. */
const MAX_PEERS_REMEMBERED = 10_000;

interface Pending {
  socketId: string;
  peer: Endpoint;
  size: number;
  count: number;
}

export interface IncomingNotifier extends vscode.Disposable {
  setMode(mode: IncomingNotifications): void;
  /** Notifications shown so far (tests). */
  readonly shown: readonly string[];
  /** Fires with each notification's text as it is shown (tests wait on it). */
  readonly onDidNotify: vscode.Event<string>;
}

export function registerIncomingNotifier(registry: SocketRegistry, initial: IncomingNotifications): IncomingNotifier {
  let mode = initial;
  let attached: vscode.Disposable | undefined;
  let pending: Pending | undefined;
  let extra = 0;
  let timer: NodeJS.Timeout | undefined;
  let lastShown = 0;
  const shown: string[] = [];
  const notified = new vscode.EventEmitter<string>();

  const flush = (): void => {
    timer = undefined;
    if (!pending) return;
    const p = pending;
    const more = extra;
    pending = undefined;
    extra = 0;
    lastShown = Date.now();
    const socket = registry.get(p.socketId);
    const where = socket ? socketTitle(socket.view()) : p.socketId;
    const first = mode === 'firstPerPeer';
    const text =
      `${where} received ${first ? 'its first datagram' : 'a datagram'} from ${formatEndpoint(p.peer)} (${formatCount(p.size)} bytes)` +
      (more > 0 ? `, and ${formatCount(more)} more ${first ? 'from new peers' : 'datagrams'}.` : '.');
    // Socket labels are user text: keep link syntax in them inert (see inertLinks).
    const safe = inertLinks(text);
    shown.push(safe);
    if (shown.length > 100) shown.shift();
    notified.fire(safe);
    const actions = socket ? ['Show Messages', 'Reply'] : ['Show Messages'];
    void vscode.window.showInformationMessage(safe, ...actions).then((choice) => {
      if (choice === 'Show Messages') void executeCommand(Commands.ShowMessages);
      else if (choice === 'Reply') {
        void executeCommand(Commands.ReplyToPeer, { kind: 'peer', socketId: p.socketId, peer: p.peer });
      }
    });
  };

  const note = (socketId: string, peer: Endpoint, size: number): void => {
    if (pending) {
      extra++;
    } else {
      pending = { socketId, peer, size, count: 1 };
    }
    if (!timer) timer = setTimeout(flush, Math.max(0, lastShown + MIN_GAP_MS - Date.now()));
  };

  const attach = (): void => {
    attached?.dispose();
    attached = undefined;
    if (mode === 'none') return;
    attached = forEachSocket(registry, (socket) => {
      const seen = new Set<string>();
      return socket.onDidReceive((d) => {
        if (mode === 'firstPerPeer') {
          const key = `${d.peer.address}|${d.peer.port}`;
          if (seen.has(key)) return;
          if (seen.size >= MAX_PEERS_REMEMBERED) seen.clear();
          seen.add(key);
        }
        note(socket.id, d.peer, d.size);
      });
    });
  };
  attach();

  return {
    setMode: (next) => {
      if (next === mode) return;
      mode = next;
      attach();
    },
    shown,
    onDidNotify: notified.event,
    dispose: () => {
      notified.dispose();
      attached?.dispose();
      if (timer) clearTimeout(timer);
    },
  };
}
