// Every open UDP Lab socket, under a stable id (s1, s2, …), with one shared datagram log. The registry is what the
// host, the panel, the .udp runner and the CLI drive: open (validate, create, bind), list, close, and the events
// that tell views to refresh. Sockets never affect each other: each socket's errors are its own, and a socket that
// closes (or fails) is removed without touching the rest.

import { lookup } from 'node:dns';
import type { Endpoint, SocketOptions, SocketType, SocketView } from '../shared/dto';
import { validateAddress, validatePort } from '../shared/validation';
import { DatagramLog, type LogCaps } from './datagramLog';
import { toUdpLabError, validationError, type ErrorContext, type UdpLabError } from './errors';
import { DisposableStore, Emitter, type Disposable, type Event } from './events';
import { literalFamily, unbracket } from './hostResolver';
import { senderBindAddress } from './localAddresses';
import { UdpSocket, type SendTarget } from './udpSocket';

export interface SocketRegistryOptions {
  logCaps?: Partial<LogCaps>;
}

export interface RegistryChange {
  kind: 'added' | 'removed' | 'changed';
  id: string;
}

export interface SocketErrorEvent {
  socketId: string;
  error: UdpLabError;
}

export interface EphemeralSendResult {
  /** Bytes the OS accepted. */
  bytes: number;
  /** The throw-away socket's id, as recorded in the log (`ephemeral-N`). */
  socketId: string;
  /** Where the throw-away socket was bound. */
  local: Endpoint;
  /** The destination as resolved. */
  peer: Endpoint;
  /** The log seq of the sent datagram. */
  seq: number;
}

export class SocketRegistry implements Disposable {
  readonly log: DatagramLog;
  private readonly sockets = new Map<string, { socket: UdpSocket; subscriptions: DisposableStore }>();
  private nextId = 1;
  private nextEphemeral = 1;
  private disposed = false;

  private readonly changeEmitter = new Emitter<RegistryChange>();
  private readonly errorEmitter = new Emitter<SocketErrorEvent>();

  /** A socket was added (bound), removed (closed) or changed (state, options, memberships, last error). */
  readonly onDidChange: Event<RegistryChange> = this.changeEmitter.event;
  /**
   * Something new is in the log. Coalesced to at most once per event-loop turn however many datagrams arrived,
   * so listeners (the panel feed) can afford to react to every signal.
   */
  readonly onDidLog: Event<void>;
  /** An open socket reported an error not tied to a call (e.g. ECONNREFUSED on a connected socket). */
  readonly onDidError: Event<SocketErrorEvent> = this.errorEmitter.event;

  constructor(options: SocketRegistryOptions = {}) {
    this.log = new DatagramLog(options.logCaps);
    this.onDidLog = this.log.onDidAppend;
  }

  /**
   * Validates the options, creates the socket, binds it and starts recording its datagrams. Rejects with a
   * UdpLabError (VALIDATION, UNSUPPORTED, EADDRINUSE, …); a socket that fails to bind is not registered.
   */
  async open(options: SocketOptions): Promise<UdpSocket> {
    if (this.disposed) throw validationError('UDP Lab is shutting down, so no socket can be opened. Try again after the window reloads.', { operation: 'open' });
    const id = `s${this.nextId++}`;
    const socket = new UdpSocket(options, id, { log: this.log });
    const subscriptions = new DisposableStore();
    this.attach(socket, subscriptions);
    try {
      await socket.bind();
    } catch (error) {
      subscriptions.dispose();
      await socket.close();
      throw toUdpLabError(error, { operation: 'bind', socketId: id, type: options.type });
    }
    if (this.disposed || socket.state === 'closed') {
      subscriptions.dispose();
      await socket.close();
      throw toUdpLabError(Object.assign(new Error('Not running'), { code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' }), { operation: 'open', socketId: id });
    }
    this.sockets.set(id, { socket, subscriptions });
    // Watch for close only once registered, so a failed bind never reports 'removed' for a socket never 'added'.
    subscriptions.add(socket.onDidClose(() => this.forget(id)));
    this.changeEmitter.fire({ kind: 'added', id });
    return socket;
  }

  /** Forwards the socket's changes and errors (its datagrams go straight into the log it was given). */
  private attach(socket: UdpSocket, subscriptions: DisposableStore): void {
    const id = socket.id;
    subscriptions.add(
      socket.onDidChange(() => {
        if (this.sockets.has(id)) this.changeEmitter.fire({ kind: 'changed', id });
      }),
    );
    subscriptions.add(socket.onDidError((error) => this.errorEmitter.fire({ socketId: id, error })));
  }

  private forget(id: string): void {
    const entry = this.sockets.get(id);
    if (!entry) return;
    this.sockets.delete(id);
    entry.subscriptions.dispose();
    this.changeEmitter.fire({ kind: 'removed', id });
  }

  get(id: string): UdpSocket | undefined {
    return this.sockets.get(id)?.socket;
  }

  /** Open sockets, in the order they were opened. */
  list(): UdpSocket[] {
    return [...this.sockets.values()].map((e) => e.socket);
  }

  views(): SocketView[] {
    return this.list().map((s) => s.view());
  }

  get size(): number {
    return this.sockets.size;
  }

  /** Closes one socket; resolves when it is closed and removed. Unknown ids resolve at once. */
  async close(id: string): Promise<void> {
    const entry = this.sockets.get(id);
    if (!entry) return;
    await entry.socket.close();
    this.forget(id);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sockets.keys()].map((id) => this.close(id)));
  }

  /**
   * Opens a socket for a run of sends to `host` (Send Selection's several datagrams, Repeat Send): the family and
   * bind address a one-off send there would use (ephemeralSocketFor), so every datagram of the run leaves from one
   * port. It is in the registry (and the tree) under `label` while the run lasts; the caller closes it.
   */
  async openRunSocket(host: string, port: number, type: SocketType | undefined, label: string): Promise<UdpSocket> {
    const plan = await ephemeralSocketFor(host, type, { operation: 'send', target: { host, port } });
    return this.open({ type: plan.type, port: 0, address: plan.bindAddress, label });
  }

  /**
   * Sends from a throw-away socket (bound to an ephemeral port, closed right after) — "send to host:port" without
   * opening anything first. The type follows the destination when not given: an IPv6 literal or a name that
   * resolves to IPv6 first gets udp6. The datagram is recorded in the log under the socket's `ephemeral-N` id.
   */
  async sendEphemeral(bytes: Uint8Array, target: SendTarget, type?: SocketType): Promise<EphemeralSendResult> {
    const socketId = `ephemeral-${this.nextEphemeral++}`;
    const context = { operation: 'send' as const, socketId, target: { host: target.host, port: target.port }, size: bytes.byteLength };
    const port = validatePort(target.port);
    if (!port.ok) throw validationError(port.message, context);
    const address = validateAddress(target.host);
    if (!address.ok) throw validationError(address.message, context);

    const { host, type: socketType, bindAddress } = await ephemeralSocketFor(address.value.address, type, context);
    const socket = new UdpSocket({ type: socketType, port: 0, address: bindAddress }, socketId, { log: this.log, neverConnects: true });
    let sent: { seq: number; peer: Endpoint } | undefined;
    // The socket logs the datagram before it fires onDidSend, so lastSeq is that datagram's seq here.
    const subscription = socket.onDidSend((d) => (sent = { seq: this.log.lastSeq, peer: d.peer }));
    try {
      const local = await socket.bind();
      const count = await socket.send(bytes, { host, port: target.port });
      return { bytes: count, socketId, local, peer: sent!.peer, seq: sent!.seq };
    } finally {
      subscription.dispose();
      await socket.close();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const id of [...this.sockets.keys()]) {
      const entry = this.sockets.get(id)!;
      entry.socket.dispose();
      this.forget(id);
    }
    this.changeEmitter.dispose();
    this.errorEmitter.dispose();
    this.log.dispose();
  }
}

/** A throw-away sending socket for one destination: its family, where it binds, and the host to send to. */
export interface EphemeralSocketPlan {
  type: SocketType;
  bindAddress: string;
  /** The destination as given (an address literal), or the address a host name resolved to first. */
  host: string;
}

/**
 * The socket to send to `destination` from when the user picked none (ephemeral sends, Send Selection's and
 * Repeat Send's run sockets). Without a `type`, a host name decides by what it resolves to first (localhost may
 * be ::1 before 127.0.0.1), so a listener on either family is reached. Where it binds: senderBindAddress (the
 * socket lives only for its sends, so a wildcard bind leaves nothing exposed).
 */
export async function ephemeralSocketFor(destination: string, type: SocketType | undefined, context: ErrorContext): Promise<EphemeralSocketPlan> {
  let host = unbracket(destination);
  let socketType = type;
  if (socketType === undefined) {
    const literal = literalFamily(host);
    if (literal !== undefined) socketType = literal === 6 ? 'udp6' : 'udp4';
    else {
      const first = await new Promise<{ address: string; family: number }>((resolve, reject) =>
        lookup(host, {}, (err, addr, family) => (err ? reject(toUdpLabError(err, context)) : resolve({ address: addr, family }))),
      );
      socketType = first.family === 6 ? 'udp6' : 'udp4';
      host = first.address;
    }
  }
  return { type: socketType, bindAddress: senderBindAddress(host, socketType), host };
}
