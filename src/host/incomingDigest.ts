// What the incoming-datagram notifications say and when, without VS Code (incomingNotifier.ts shows them):
// none, the first datagram from each new peer, or every datagram — at most one notice every `minGapMs`, so a
// flood (or a spoofed stream of new source ports) becomes one "and 1 204 more" line, never a wall of toasts.
//
// Nothing here runs per datagram. "First per peer" listens to the socket's own new-peer event (the core's
// bounded peer table decides what is new, so a peer forgotten after 256 others is announced again); "every"
// listens for ONE datagram per socket and notice (to name its sender and size), then reads how many followed
// from the socket's counter when the notice goes out. What waits to be said belongs to its socket and is said
// about that socket only: a socket that closes takes its pending notice with it.

import type { Disposable } from '../core/events';
import type { SocketRegistry } from '../core/socketRegistry';
import type { UdpSocket } from '../core/udpSocket';
import type { Endpoint } from '../shared/dto';
import type { IncomingNotifications } from './config';
import { formatCount, formatEndpoint, socketTitle } from './format';
import { forEachSocket } from './perSocket';

export const MIN_NOTICE_GAP_MS = 1000;

/** Runs `run` after `delayMs`; the real one is setTimeout (tests pass their own to decide when a notice goes out). */
export type NoticeScheduler = (run: () => void, delayMs: number) => Disposable;

const setTimeoutScheduler: NoticeScheduler = (run, delayMs) => {
  const timer = setTimeout(run, delayMs);
  return { dispose: () => clearTimeout(timer) };
};

export interface IncomingNotice {
  text: string;
  /** The socket and peer the notice starts with (its Reply action answers them). */
  socketId: string;
  peer: Endpoint;
}

/** What one socket has to announce in the next notice. */
interface Pending {
  socket: UdpSocket;
  /** The first datagram of this notice: who sent it and how big it was. */
  peer: Endpoint;
  size: number;
  /** "First per peer": new peers heard from after `peer`. */
  newPeers: number;
  /** "Every": the socket's received count once `peer`'s datagram was counted; the rest is counted from it. */
  receivedAtFirst: number;
}

export class IncomingDigest implements Disposable {
  private attached: Disposable | undefined;
  /** By socket id, in the order their first datagram arrived. */
  private readonly pending = new Map<string, Pending>();
  /** "Every": per socket, how to listen again for the first datagram of its next notice. */
  private readonly rearm = new Map<string, () => void>();
  private timer: Disposable | undefined;
  private lastShown = Number.NEGATIVE_INFINITY;
  private readonly minGapMs: number;
  private readonly schedule: NoticeScheduler;

  constructor(
    private readonly registry: SocketRegistry,
    private mode: IncomingNotifications,
    private readonly show: (notice: IncomingNotice) => void,
    options: { minGapMs?: number; schedule?: NoticeScheduler } = {},
  ) {
    this.minGapMs = options.minGapMs ?? MIN_NOTICE_GAP_MS;
    this.schedule = options.schedule ?? setTimeoutScheduler;
    this.attach();
  }

  setMode(mode: IncomingNotifications): void {
    if (mode === this.mode) return;
    this.mode = mode;
    this.attach();
  }

  dispose(): void {
    this.attached?.dispose();
    this.attached = undefined;
    this.timer?.dispose();
    this.timer = undefined;
  }

  private attach(): void {
    this.attached?.dispose();
    this.attached = undefined;
    if (this.mode === 'none') return;
    const watch = this.mode === 'firstPerPeer' ? this.watchNewPeers : this.watchEvery;
    this.attached = forEachSocket(this.registry, (socket) => {
      const subscription = watch(socket);
      return {
        dispose: () => {
          subscription.dispose();
          // Closed (or the mode changed): what it had to say goes with it; its datagrams are in the log.
          this.pending.delete(socket.id);
        },
      };
    });
  }

  private readonly watchNewPeers = (socket: UdpSocket): Disposable =>
    socket.onDidSeeNewPeer(({ peer, size }) => {
      const p = this.pending.get(socket.id);
      if (p) p.newPeers++;
      else this.add({ socket, peer, size, newPeers: 0, receivedAtFirst: 0 });
    });

  private readonly watchEvery = (socket: UdpSocket): Disposable => {
    let listening: Disposable | undefined;
    const listen = (): void => {
      listening ??= socket.onDidReceive(({ peer, size }) => {
        // One datagram per notice is enough: the next ones are read from the counter (no copy per datagram).
        listening?.dispose();
        listening = undefined;
        this.add({ socket, peer, size, newPeers: 0, receivedAtFirst: socket.stats.datagramsIn });
      });
    };
    this.rearm.set(socket.id, listen);
    listen();
    return {
      dispose: () => {
        listening?.dispose();
        this.rearm.delete(socket.id);
      },
    };
  };

  private add(p: Pending): void {
    this.pending.set(p.socket.id, p);
    this.timer ??= this.schedule(this.flush, Math.max(0, this.lastShown + this.minGapMs - Date.now()));
  }

  private readonly flush = (): void => {
    this.timer = undefined;
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const p of entries) this.rearm.get(p.socket.id)?.();
    const [head, ...others] = entries;
    if (!head) return;
    this.lastShown = Date.now();
    this.show({ text: noticeText(this.mode, head, others), socketId: head.socket.id, peer: head.peer });
  };
}

/**
 * `udp4 127.0.0.1:5000 received a datagram from 127.0.0.1:40123 (7 bytes), and 19 more datagrams.` — the socket
 * whose datagram came first, with its own counts; other sockets waiting in the same interval are summed after it.
 */
function noticeText(mode: IncomingNotifications, head: Pending, others: readonly Pending[]): string {
  const first = mode === 'firstPerPeer';
  const more = (p: Pending): number => (first ? p.newPeers : Math.max(0, p.socket.stats.datagramsIn - p.receivedAtFirst));
  const headMore = more(head);
  let text =
    `${socketTitle(head.socket.view())} received ${first ? 'its first datagram' : 'a datagram'} from ${formatEndpoint(head.peer)} (${formatCount(head.size)} bytes)` +
    (headMore > 0 ? `, and ${formatCount(headMore)} more ${first ? 'from new peers' : 'datagrams'}` : '');
  if (others.length > 0) {
    const total = others.reduce((sum, p) => sum + 1 + more(p), 0);
    const sockets = others.length === 1 ? '1 other socket' : `${formatCount(others.length)} other sockets`;
    text += first
      ? `; ${sockets} heard from ${formatCount(total)} new ${total === 1 ? 'peer' : 'peers'}`
      : `; ${sockets} received ${formatCount(total)} ${total === 1 ? 'datagram' : 'datagrams'}`;
  }
  return `${text}.`;
}
