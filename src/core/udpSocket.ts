// One dgram endpoint as UDP Lab models it: options, bind, send (with host-name resolution), connect, broadcast,
// TTLs, multicast, buffer sizes, send queue, stats and recent peers — with every failure turned into a UdpLabError
// sentence. Rules this file keeps:
//   - the 'error' listener is attached before bind; errors that are not the answer to a call become onDidError
//     events, and nothing here throws out of a dgram event handler;
//   - received bytes are copied out of dgram's Buffer (into the log's slabs, and for listeners into a Buffer);
//   - the receive path does O(1) work and allocates nothing per datagram beyond what listeners are handed
//     (no closures, no strings; one shared endpoint object per peer).

import * as dgram from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import type { AddressFamily, Endpoint, MembershipView, PeerView, SocketOptions, SocketState, SocketType, SocketView } from '../shared/dto';
import { checkPayloadSize, MAX_PAYLOAD_IPV4, MAX_PAYLOAD_IPV6, validateAddress, validatePort } from '../shared/validation';
import { batchClockMs } from './clock';
import type { DatagramLog } from './datagramLog';
import {
  CoreErrorCode,
  describeOperation,
  errorCode,
  reusePortUnsupportedError,
  toUdpLabError,
  UdpLabError,
  validationError,
  type ErrorContext,
  type Operation,
} from './errors';
import { Emitter, reportListenerError, type Disposable, type Event } from './events';
import { resolveHost, resolveLiteral, unbracket } from './hostResolver';
import { RecentPeers } from './recentPeers';
import { SendQueue, type SendCallback } from './sendQueue';
import { SocketStats } from './socketStats';

export type { SendCallback } from './sendQueue';

/**
 * A datagram that arrived. `bytes` is the listener's own copy; `peer` is the sender — one shared object per peer,
 * so do not mutate it.
 */
export interface ReceivedDatagram {
  bytes: Buffer;
  peer: Endpoint;
  size: number;
  /** When UDP Lab read it: ms since the epoch, sub-millisecond precision, one reading per event-loop batch. */
  time: number;
}

/** The first datagram from a peer this socket does not know (new, or forgotten since: see RecentPeers). */
export interface NewPeer {
  peer: Endpoint;
  /** Size of that first datagram. */
  size: number;
  time: number;
}

/**
 * Reads each received datagram as dgram delivered it, synchronously: `bytes` is dgram's own buffer, valid only
 * during the call (copy what you keep). `peer` is the shared endpoint of the sender (do not mutate it).
 */
export type ReceiveReader = (bytes: Buffer, peer: Endpoint, time: number) => void;

/** A datagram the OS accepted for sending. `peer` is the destination as resolved (an address, not a host name). */
export interface SentDatagram {
  bytes: Buffer;
  peer: Endpoint;
  size: number;
  time: number;
}

export interface SendTarget {
  host: string;
  port: number;
}

/**
 * Whether this Node supports dgram's `reusePort` (added in v22.12.0 and v23.1.0) on this platform (libuv
 * implements it where SO_REUSEPORT balances load: Linux, FreeBSD, Solaris, AIX). Pure, for tests of the table.
 */
export function reusePortSupportedFor(nodeVersion: string, platform: string): boolean {
  const match = /^v?(\d+)\.(\d+)/.exec(nodeVersion);
  if (!match) return false;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  const versionOk = major >= 24 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
  return versionOk && ['linux', 'freebsd', 'sunos', 'aix'].includes(platform);
}

/** "Node.js v20.19.0 on linux", for the unsupported-option sentence. */
export function describeRuntime(): string {
  return `Node.js ${process.version} on ${process.platform}`;
}

/**
 * The receive buffer UDP Lab asks for when the options name none (4 MiB). The system default (208 KiB on Linux)
 * holds ~200 datagrams of 1 KB — 2 ms of a 100 000/s flood — so any pause of the receiving thread longer than
 * that (a garbage collection, the panel encoding a batch) drops datagrams that a larger buffer would have kept
 * until the thread came back. The kernel caps the request at its own limit (Linux: net.core.rmem_max, often
 * 208 KiB; raise it with `sysctl -w net.core.rmem_max=4194304` for the full size), and it is only ever raised:
 * a system default above this is kept. Memory is used only while datagrams wait to be read.
 */
export const DEFAULT_RECV_BUFFER_BYTES = 4 * 1024 * 1024;

/** Best effort: a platform that refuses the size (ENOBUFS above its maximum) keeps its default. */
function raiseRecvBuffer(socket: dgram.Socket): void {
  try {
    // Linux reports twice what is usable (it counts its bookkeeping): a report below the request is smaller.
    if (socket.getRecvBufferSize() < DEFAULT_RECV_BUFFER_BYTES) socket.setRecvBufferSize(DEFAULT_RECV_BUFFER_BYTES);
  } catch {
    // The system default stays; nothing the user asked for failed.
  }
}

let nextSocketNumber = 1;

export class UdpSocket implements Disposable {
  static reusePortSupported(): boolean {
    return reusePortSupportedFor(process.versions.node, process.platform);
  }

  readonly id: string;
  readonly type: SocketType;
  /** The options it was opened with (a copy; never changes). */
  readonly options: Readonly<SocketOptions>;
  readonly createdAt = Date.now();

  private socket: dgram.Socket | undefined;
  private currentState: SocketState = 'binding';
  private localEndpoint: Endpoint | undefined;
  private remoteEndpoint: Endpoint | undefined;
  private lastErrorMessage: string | undefined;
  private broadcast = false;
  private ttl: number | undefined;
  private multicastTTL: number | undefined;
  private multicastLoopback: boolean | undefined;
  private multicastInterface: string | undefined;
  private readonly memberships: MembershipView[] = [];
  private bindPromise: Promise<Endpoint> | undefined;
  /** The last literal destination validated and resolved by send(): repeated sends to it skip both. */
  private lastTarget: { host: string; port: number; address: string; peer: Endpoint; maxPayload: number } | undefined;
  private pendingBind: { resolve: (e: Endpoint) => void; reject: (e: unknown) => void; retryIfTaken?: boolean } | undefined;
  private closePromise: Promise<void> | undefined;
  private closeRequested = false;
  private resolveClose: (() => void) | undefined;

  readonly stats: SocketStats;
  private readonly recentPeers = new RecentPeers();

  private readonly listenEmitter = new Emitter<Endpoint>();
  private readonly receiveEmitter = new Emitter<ReceivedDatagram>();
  private readonly newPeerEmitter = new Emitter<NewPeer>();
  private readonly sendEmitter = new Emitter<SentDatagram>();
  private readonly connectEmitter = new Emitter<Endpoint>();
  private readonly closeEmitter = new Emitter<void>();
  private readonly errorEmitter = new Emitter<UdpLabError>();
  private readonly changeEmitter = new Emitter<void>();

  /** Bound and listening; carries the bound address. */
  readonly onDidListen: Event<Endpoint> = this.listenEmitter.event;
  /** One event per datagram received. */
  readonly onDidReceive: Event<ReceivedDatagram> = this.receiveEmitter.event;
  /**
   * A datagram from a peer that was not in peers() (fired just before onDidReceive for it). No copy of the bytes and no
   * per-datagram cost beyond a counter: for "first datagram from each peer" without listening to every datagram.
   */
  readonly onDidSeeNewPeer: Event<NewPeer> = this.newPeerEmitter.event;
  /** One event per datagram the OS accepted for sending. */
  readonly onDidSend: Event<SentDatagram> = this.sendEmitter.event;
  /** Connected to a peer; carries the peer. */
  readonly onDidConnect: Event<Endpoint> = this.connectEmitter.event;
  readonly onDidClose: Event<void> = this.closeEmitter.event;
  /** Errors not tied to a call the caller is awaiting (e.g. ECONNREFUSED reported by a later receive). */
  readonly onDidError: Event<UdpLabError> = this.errorEmitter.event;
  /** State, options, membership or last error changed (not fired per datagram: read stats from view()). */
  readonly onDidChange: Event<void> = this.changeEmitter.event;

  private receiveReader: ReceiveReader | undefined;

  /**
   * Hands every received datagram to `reader` without a copy or an event object (see ReceiveReader): for a
   * consumer that formats each datagram and lets go of it at once, like the CLI's output, where onDidReceive's
   * copy and event per datagram were a visible share of the work. One reader at a time; undefined removes it.
   */
  setReceiveReader(reader: ReceiveReader | undefined): void {
    this.receiveReader = reader;
  }

  /** Where this socket records its datagrams (the registry's log), if anywhere. */
  private readonly log: DatagramLog | undefined;
  private readonly probeFreePort: boolean;

  /**
   * `neverConnects`: a socket that only sends and closes (an ephemeral send) binds port 0 as is: the probe that
   * keeps a free port across connect + disconnect (see bindToFreePort) would cost it a second socket for nothing.
   */
  constructor(options: SocketOptions, id?: string, attachments: { log?: DatagramLog; neverConnects?: boolean } = {}) {
    this.id = id ?? `socket-${nextSocketNumber++}`;
    this.log = attachments.log;
    this.probeFreePort = attachments.neverConnects !== true;
    this.type = options.type;
    this.options = Object.freeze({ ...options });
    this.stats = new SocketStats(this.createdAt);
  }

  get state(): SocketState {
    return this.currentState;
  }

  /** Where it is bound, once listening. */
  get local(): Endpoint | undefined {
    return this.localEndpoint;
  }

  /** The connected peer, if connected. */
  get remote(): Endpoint | undefined {
    return this.remoteEndpoint;
  }

  get lastError(): string | undefined {
    return this.lastErrorMessage;
  }

  /** The bind address used when the options name none: loopback, never a wildcard the user did not choose. */
  get bindAddress(): string {
    return this.options.address !== undefined && this.options.address !== '' ? unbracket(this.options.address) : this.type === 'udp6' ? '::1' : '127.0.0.1';
  }

  private context(operation: Operation, extra?: Partial<ErrorContext>): ErrorContext {
    const context: ErrorContext = { operation, socketId: this.id, type: this.type, ...extra };
    if (!context.local) context.local = this.localEndpoint ?? { address: this.bindAddress, port: this.options.port };
    return context;
  }

  // ------------------------------------------------------------------------------------------- bind

  /** Creates the dgram socket and binds it. Resolves with the bound endpoint; rejects with a UdpLabError. */
  bind(): Promise<Endpoint> {
    if (this.currentState === 'closed') {
      return Promise.reject(toUdpLabError(Object.assign(new Error('Not running'), { code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' }), this.context('bind')));
    }
    this.bindPromise ??= this.options.port === 0 && this.probeFreePort && this.checkOptions() === undefined ? this.bindToFreePort() : this.doBind(this.options.port);
    return this.bindPromise;
  }

  /**
   * Port 0 ("any free port") is bound as the explicit port the kernel picks for a probe socket. Linux keeps a
   * socket's port across connect() + disconnect() only when the port was bound explicitly; a port the kernel chose
   * at bind(0) is released by the disconnect, and the socket would go deaf while still showing that port.
   */
  private async bindToFreePort(): Promise<Endpoint> {
    // Another process can take the probed port before we bind it; the user asked for "any port", so try again.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort(this.type, this.bindAddress, this.options.ipv6Only === true);
      // Closed while probing: the socket stays closed (not 'error'), as when closed during a bind.
      if (this.currentState === 'closed' || this.closeRequested) {
        throw toUdpLabError(Object.assign(new Error('Not running'), { code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' }), this.context('bind'));
      }
      // If the probe could not bind, binding 0 reports the real reason (EADDRNOTAVAIL, ENOTFOUND, …).
      if (port === undefined) return this.doBind(0, false);
      try {
        return await this.doBind(port, attempt < FREE_PORT_ATTEMPTS);
      } catch (error) {
        if (error !== PORT_TAKEN) throw error;
      }
    }
  }

  /** `retryIfTaken`: an EADDRINUSE rejects with PORT_TAKEN, leaving no trace (no state change, no event). */
  private doBind(port: number, retryIfTaken = false): Promise<Endpoint> {
    return new Promise<Endpoint>((resolve, reject) => {
      const context = this.context('bind');
      if (this.currentState === 'closed') {
        reject(this.fail(toUdpLabError(Object.assign(new Error('Not running'), { code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' }), context)));
        return;
      }
      const problem = this.checkOptions();
      if (problem) {
        reject(this.fail(problem));
        return;
      }
      let socket: dgram.Socket;
      try {
        socket = dgram.createSocket({
          type: this.type,
          reuseAddr: this.options.reuseAddr === true,
          ipv6Only: this.options.ipv6Only === true,
          lookup: this.lookupForDgram,
          // Buffer sizes are applied after 'listening' by us, not by dgram: dgram would throw them out of its
          // own listening callback, where nothing can catch them.
          ...(this.options.reusePort ? ({ reusePort: true } as object) : {}),
        });
      } catch (error) {
        reject(this.fail(toUdpLabError(error, context)));
        return;
      }
      this.socket = socket;
      socket.on('error', this.handleSocketError);
      socket.on('message', this.handleMessage);
      socket.on('close', this.handleSocketClose);
      this.pendingBind = { resolve, reject, retryIfTaken };
      socket.once('listening', this.handleListening);
      try {
        socket.bind({ port, address: this.bindAddress, exclusive: this.options.exclusive === true });
      } catch (error) {
        this.pendingBind = undefined;
        reject(this.failBind(toUdpLabError(error, context)));
      }
    });
  }

  /** Pre-checks that need no socket: the values dgram would otherwise reject late or not at all. */
  private checkOptions(): UdpLabError | undefined {
    const o = this.options;
    const ctx = { operation: 'bind' as const, socketId: this.id };
    if (o.type !== 'udp4' && o.type !== 'udp6') return validationError(`Socket type ${JSON.stringify(o.type)} is not udp4 or udp6. Choose udp4 (IPv4) or udp6 (IPv6).`, ctx);
    const port = validatePort(o.port);
    if (!port.ok) return validationError(port.message, ctx);
    if (o.address !== undefined && o.address !== '') {
      const address = validateAddress(o.address);
      if (!address.ok) return validationError(address.message, ctx);
      const literal = address.value.kind === 'hostname' ? undefined : address.value.kind === 'ipv4' ? 'udp4' : 'udp6';
      if (literal !== undefined && literal !== o.type) {
        const fam = literal === 'udp4' ? 'IPv4' : 'IPv6';
        return new UdpLabError(
          CoreErrorCode.FamilyMismatch,
          `${address.value.address} is an ${fam} address, but the socket type is ${o.type} (${CoreErrorCode.FamilyMismatch}). Choose ${literal} for this address, or bind to ${o.type === 'udp4' ? '127.0.0.1 or 0.0.0.0' : '::1 or ::'}.`,
          ctx,
        );
      }
    }
    for (const key of ['recvBufferSize', 'sendBufferSize'] as const) {
      const size = o[key];
      if (size !== undefined && (!Number.isInteger(size) || size <= 0 || size > 0x7fffffff)) {
        return validationError(`The ${key === 'recvBufferSize' ? 'receive' : 'send'} buffer size ${size} is not a positive whole number of bytes. Enter a size like 262144, or leave it empty for the system default.`, ctx);
      }
    }
    if (o.reusePort && !UdpSocket.reusePortSupported()) return reusePortUnsupportedError(describeRuntime(), ctx);
    if (o.ipv6Only && o.type !== 'udp6') return validationError('IPv6 Only applies to udp6 sockets. Turn it off, or choose udp6.', ctx);
    return undefined;
  }

  private readonly handleListening = (): void => {
    const pending = this.pendingBind;
    this.pendingBind = undefined;
    const socket = this.socket;
    if (!pending || !socket) return;
    try {
      const address = socket.address();
      this.localEndpoint = { address: address.address, family: toFamily(address.family), port: address.port };
      if (this.options.recvBufferSize !== undefined) socket.setRecvBufferSize(this.options.recvBufferSize);
      else raiseRecvBuffer(socket);
      if (this.options.sendBufferSize !== undefined) socket.setSendBufferSize(this.options.sendBufferSize);
    } catch (error) {
      const which = this.options.recvBufferSize !== undefined ? 'setRecvBufferSize' : 'setSendBufferSize';
      const err = toUdpLabError(error, this.context(which, { value: this.options.recvBufferSize ?? this.options.sendBufferSize }));
      pending.reject(this.failBind(err));
      return;
    }
    this.currentState = 'listening';
    this.listenEmitter.fire(this.localEndpoint);
    this.changeEmitter.fire();
    pending.resolve(this.localEndpoint);
  };

  /** A bind that failed leaves nothing usable: release the handle, remember why. */
  private failBind(error: UdpLabError): UdpLabError {
    this.fail(error);
    const socket = this.socket;
    if (socket) {
      try {
        socket.close();
      } catch {
        // Already closed by dgram; the 'close' handler (or its absence) is fine either way.
      }
    }
    return error;
  }

  private fail(error: UdpLabError): UdpLabError {
    this.currentState = 'error';
    this.lastErrorMessage = error.userMessage;
    this.changeEmitter.fire();
    return error;
  }

  // ---------------------------------------------------------------------------------- dgram handlers

  private readonly handleMessage = (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
    const size = msg.length;
    const time = batchClockMs();
    // One shared endpoint per peer instead of dgram's per-datagram rinfo (see RecentPeers).
    const peersAdded = this.recentPeers.added;
    const peer = this.recentPeers.record(rinfo as Endpoint, size, time);
    this.stats.recordIn(size, peer, time);
    // The log copies the bytes into its own slabs; dgram's buffer is never kept.
    const log = this.log;
    if (log !== undefined) log.append(this.id, 'in', peer, msg, time, size);
    if (this.recentPeers.added !== peersAdded && this.newPeerEmitter.hasListeners) this.newPeerEmitter.fire({ peer, size, time });
    const reader = this.receiveReader;
    if (reader !== undefined) {
      try {
        reader(msg, peer, time);
      } catch (error) {
        reportListenerError(error);
      }
    }
    // Listeners get their own copy (only made when someone listens).
    if (this.receiveEmitter.hasListeners) this.receiveEmitter.fire({ bytes: Buffer.from(msg), peer, size, time });
  };

  private readonly handleSocketError = (error: Error): void => {
    if (this.pendingBind) {
      const pending = this.pendingBind;
      this.pendingBind = undefined;
      if (pending.retryIfTaken && errorCode(error) === 'EADDRINUSE' && this.socket) {
        // Lost the race for a probed port: drop this handle without a trace and let bindToFreePort try again.
        const lost = this.socket;
        this.socket = undefined;
        lost.removeListener('close', this.handleSocketClose);
        lost.removeListener('message', this.handleMessage);
        try {
          lost.close();
        } catch {
          // dgram may have released it already
        }
        pending.reject(PORT_TAKEN);
        return;
      }
      pending.reject(this.failBind(toUdpLabError(error, this.context('bind'))));
      return;
    }
    // After bind, dgram reports errors of receives here (ECONNREFUSED on a connected socket whose peer is gone).
    const mapped = toUdpLabError(error, this.context('receive', this.remoteEndpoint ? { target: { host: this.remoteEndpoint.address, port: this.remoteEndpoint.port } } : {}));
    this.lastErrorMessage = mapped.userMessage;
    this.errorEmitter.fire(mapped);
    this.changeEmitter.fire();
  };

  private readonly handleSocketClose = (): void => {
    this.markClosed();
  };

  private markClosed(): void {
    if (this.currentState === 'closed') return;
    // A failed bind releases the handle itself; the socket stays in 'error' (with its reason) until closed.
    if (this.currentState === 'error' && !this.closeRequested) return;
    this.currentState = 'closed';
    this.remoteEndpoint = undefined;
    this.failInFlight();
    if (this.pendingBind) {
      const pending = this.pendingBind;
      this.pendingBind = undefined;
      pending.reject(toUdpLabError(Object.assign(new Error('Not running'), { code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' }), this.context('bind')));
    }
    this.closeEmitter.fire();
    this.changeEmitter.fire();
    this.resolveClose?.();
  }

  // ------------------------------------------------------------------------------------------- send

  /**
   * Sends `bytes` to `target` (host names resolved, respecting this socket's family), or to the connected peer
   * when `target` is omitted. Resolves with the number of bytes sent once the OS has taken the datagram.
   * As with dgram's own send, `bytes` must stay unchanged until then: the send may wait in the OS's queue, and
   * the log copies the bytes when it is answered (one copy per datagram, not two).
   */
  send(bytes: Uint8Array, target?: SendTarget): Promise<number> {
    // The shared executor hands over resolve/reject without a closure per send (see captureSettlers).
    const promise = new Promise<number>(captureSettlers);
    const resolve = capturedResolve!;
    const reject = capturedReject!;
    capturedResolve = capturedReject = undefined;
    this.dispatch(bytes, target, undefined, resolve, reject);
    return promise;
  }

  /**
   * `send` for hot loops (the scheduler, floods): the same checks, stats and log, answered through
   * `callback` — always asynchronously, exactly once — instead of a Promise per datagram. The callback gets a
   * UdpLabError or null, and the number of bytes sent.
   */
  sendWithCallback(bytes: Uint8Array, target: SendTarget | undefined, callback: SendCallback): void {
    this.dispatch(bytes, target, callback, undefined, undefined);
  }

  /** Validates and resolves the destination (once per literal destination: see lastTarget), then transmits. */
  private dispatch(bytes: Uint8Array, target: SendTarget | undefined, callback: SendCallback | undefined, resolve: ((n: number) => void) | undefined, reject: ((e: UdpLabError) => void) | undefined): void {
    const socket = this.socket;
    if (socket === undefined || this.currentState === 'binding' || this.currentState === 'error' || this.currentState === 'closed' || this.closeRequested) {
      answerError(this.noteError(this.usableSocket(this.sendContext(bytes.byteLength, target)) as UdpLabError), callback, reject);
      return;
    }
    if (target === undefined) {
      const remote = this.remoteEndpoint;
      if (!remote) {
        answerError(this.noteError(toUdpLabError(Object.assign(new Error('Not connected'), { code: 'ERR_SOCKET_DGRAM_NOT_CONNECTED' }), this.sendContext(bytes.byteLength))), callback, reject);
        return;
      }
      this.transmit(socket, bytes, undefined, remote, this.remoteMaxPayload, undefined, undefined, callback, resolve, reject);
      return;
    }
    if (this.remoteEndpoint) {
      answerError(this.noteError(toUdpLabError(Object.assign(new Error('Already connected'), { code: 'ERR_SOCKET_DGRAM_IS_CONNECTED' }), this.sendContext(bytes.byteLength, target))), callback, reject);
      return;
    }
    // A flood to one destination validates and resolves it once (the hot path of the scheduler and the bench).
    const cached = this.lastTarget;
    if (cached !== undefined && cached.host === target.host && cached.port === target.port) {
      this.transmit(socket, bytes, cached.address, cached.peer, cached.maxPayload, target.host, undefined, callback, resolve, reject);
      return;
    }
    const context = this.sendContext(bytes.byteLength, target);
    const problem = checkTarget(target, context);
    if (problem) {
      answerError(this.noteError(problem), callback, reject);
      return;
    }
    let literal: string | undefined;
    try {
      literal = resolveLiteral(target.host, this.resolveOptions(), context);
    } catch (error) {
      answerError(this.noteError(toUdpLabError(error, context)), callback, reject);
      return;
    }
    if (literal !== undefined) {
      const entry = { host: target.host, port: target.port, address: literal, peer: endpointOf(literal, target.port), maxPayload: maxPayloadFor(literal) };
      this.lastTarget = entry;
      this.transmit(socket, bytes, entry.address, entry.peer, entry.maxPayload, target.host, undefined, callback, resolve, reject);
      return;
    }
    // Host names go through the resolver (which caches briefly), never into lastTarget: DNS answers change.
    resolveHost(target.host, this.resolveOptions(), context).then(
      (address) => {
        // The socket may have closed while the name was looked up.
        const usable = this.usableSocket(context);
        if (usable instanceof UdpLabError) answerError(this.noteError(usable), callback, reject);
        else this.transmit(usable, bytes, address, endpointOf(address, target.port), maxPayloadFor(address), target.host, address, callback, resolve, reject);
      },
      (error: unknown) => answerError(this.noteError(toUdpLabError(error, context)), callback, reject),
    );
  }

  /** The error context of a send, built only when something went wrong. */
  private sendContext(size: number, target?: SendTarget, resolved?: string): ErrorContext {
    const remote = this.remoteEndpoint;
    const shown = target ?? (remote ? { host: remote.address, port: remote.port } : undefined);
    return this.context('send', { size, ...(shown ? { target: { host: shown.host, port: shown.port } } : {}), ...(resolved !== undefined ? { resolved } : {}) });
  }

  /**
   * dgram looks up the destination of every send, even an address literal (dns.lookup checks it with a regex and
   * answers on the next tick). UdpSocket resolves destinations itself before dgram sees them, so every send
   * hands dgram a literal, answered here at once: a send goes out inside send(), without a lookup and a tick per
   * datagram. All sends taking the same path also keeps dgram's answers in the order the sends were made, which
   * the in-flight queue relies on (a lookup answered on the next tick for some destinations but not others would
   * let a later send overtake an earlier one). A host name (a bind address) still goes to dns.lookup.
   */
  private readonly lookupForDgram = (address: string, options: LookupOneOptions, callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void): void => {
    // The destination of a flood is the string resolved last: no need to parse it again.
    const family = address === this.lastTarget?.address ? (this.lastTarget.peer.family === 'IPv6' ? 6 : 4) : isIP(address);
    if (family !== 0) callback(null, address, family);
    else dnsLookup(address, options, callback);
  };

  /** The largest payload the connected peer's family carries (worked out once, at connect). */
  private remoteMaxPayload = MAX_PAYLOAD_IPV4;

  /** Sends in flight, oldest first: dgram answers them in order, through the one `afterSend` below. */
  private readonly inFlight = new SendQueue();

  /** `address` undefined = the connected peer (`peer`); `host` is what the caller named, for error sentences. */
  private transmit(
    socket: dgram.Socket,
    bytes: Uint8Array,
    address: string | undefined,
    peer: Endpoint,
    maxPayload: number,
    host: string | undefined,
    resolved: string | undefined,
    callback: SendCallback | undefined,
    resolve: ((n: number) => void) | undefined,
    reject: ((e: UdpLabError) => void) | undefined,
  ): void {
    const size = bytes.byteLength;
    if (size > maxPayload) {
      const message = checkPayloadSize(size, maxPayload === MAX_PAYLOAD_IPV6 ? 'IPv6' : 'IPv4').error!;
      answerError(this.noteError(new UdpLabError('EMSGSIZE', message, { operation: 'send', socketId: this.id })), callback, reject);
      return;
    }
    // No copy here: the caller keeps `bytes` unchanged until the answer (see send), and the log copies them then.
    this.inFlight.push(bytes, peer, host, resolved, callback, resolve, reject);
    try {
      if (address === undefined) socket.send(bytes, this.afterSend);
      else socket.send(bytes, peer.port, address, this.afterSend);
    } catch (error) {
      // Refused synchronously (dgram never calls back then): it is the newest entry.
      this.inFlight.pop();
      this.failSend(error, size, host, peer.port, resolved, callback, reject);
    }
  }

  /** A send dgram refused or failed, in a sentence naming what the caller asked for (`host`) and what it resolved to. */
  private failSend(error: unknown, size: number, host: string | undefined, port: number, resolved: string | undefined, callback: SendCallback | undefined, reject: ((e: UdpLabError) => void) | undefined): void {
    answerError(this.noteError(toUdpLabError(error, this.sendContext(size, host !== undefined ? { host, port } : undefined, resolved))), callback, reject);
  }

  /** dgram's answer to the oldest send in flight. */
  private readonly afterSend = (error: Error | null, sent?: number): void => {
    const queue = this.inFlight;
    if (queue.size === 0) return; // already failed by close (dgram cancels queued sends after 'close')
    const slot = queue.head;
    const bytes = queue.bytes[slot]!;
    const peer = queue.peers[slot]!;
    const callback = queue.callbacks[slot];
    const resolve = queue.resolves[slot];
    const reject = queue.rejects[slot];
    const size = bytes.byteLength;
    if (error) {
      const host = queue.hosts[slot];
      const resolved = queue.resolved[slot];
      queue.shift();
      this.failSend(error, size, host, peer.port, resolved, callback, reject);
      return;
    }
    const time = batchClockMs();
    this.stats.recordOut(size, peer, time);
    const log = this.log;
    if (log !== undefined) log.append(this.id, 'out', peer, bytes, time, size);
    // The bytes are the caller's, free for it to reuse after this answer: listeners get a copy of their own.
    if (this.sendEmitter.hasListeners) this.sendEmitter.fire({ bytes: Buffer.from(bytes), peer, size, time });
    queue.shift();
    if (callback !== undefined) callback(null, sent ?? size);
    else resolve!(sent ?? size);
  };

  /** Sends dgram will never answer (the socket closed under them) fail with the reason. */
  private failInFlight(): void {
    const queue = this.inFlight;
    while (queue.size > 0) {
      const slot = queue.head;
      const callback = queue.callbacks[slot];
      const reject = queue.rejects[slot];
      const size = queue.bytes[slot]!.byteLength;
      queue.shift();
      answerError(toUdpLabError(Object.assign(new Error('Not running'), { code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' }), this.context('send', { size })), callback, reject);
    }
  }

  private resolveOptions(): { type: SocketType; dualStack: boolean } {
    const local = this.localEndpoint?.address;
    return { type: this.type, dualStack: this.type === 'udp6' && this.options.ipv6Only !== true && (local === '::' || local === '::0') };
  }

  /** Remembers a failed call's sentence for the view; the caller gets the error itself (no onDidError). */
  private noteError(error: UdpLabError): UdpLabError {
    this.lastErrorMessage = error.userMessage;
    this.changeEmitter.fire();
    return error;
  }

  /** The dgram socket if it is bound and open, else the error that explains why not. */
  private usableSocket(context: ErrorContext): dgram.Socket | UdpLabError {
    if (this.currentState === 'closed' || this.closeRequested) {
      return toUdpLabError(Object.assign(new Error('Not running'), { code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' }), context);
    }
    if (!this.socket || this.currentState === 'binding' || this.currentState === 'error') {
      return new UdpLabError(
        CoreErrorCode.NotBound,
        this.currentState === 'error'
          ? `The socket failed to open, so it cannot ${describeOperation(context.operation)} (${CoreErrorCode.NotBound}). Fix the problem it reported and open it again.`
          : `The socket is not bound yet, so it cannot ${describeOperation(context.operation)} (${CoreErrorCode.NotBound}). Wait until it is listening.`,
        { operation: context.operation, socketId: this.id },
      );
    }
    return this.socket;
  }

  // ---------------------------------------------------------------------------------------- connect

  /** Ties the socket to one peer: sends go there without a destination, and only its datagrams are received. */
  connect(host: string, port: number): Promise<Endpoint> {
    const context = this.context('connect', { target: { host, port } });
    const socket = this.usableSocket(context);
    if (socket instanceof UdpLabError) return Promise.reject(this.noteError(socket));
    if (this.remoteEndpoint) {
      return Promise.reject(this.noteError(toUdpLabError(Object.assign(new Error('Already connected'), { code: 'ERR_SOCKET_DGRAM_IS_CONNECTED' }), context)));
    }
    const problem = checkTarget({ host, port }, context);
    if (problem) return Promise.reject(this.noteError(problem));
    return resolveHost(host, this.resolveOptions(), context).then(
      (address) =>
        new Promise<Endpoint>((resolve, reject) => {
          const ctx = { ...context, resolved: address };
          try {
            socket.connect(port, address, (error?: Error) => {
              if (error) {
                reject(this.noteError(toUdpLabError(error, ctx)));
                return;
              }
              try {
                const remote = socket.remoteAddress();
                this.remoteEndpoint = { address: remote.address, family: toFamily(remote.family), port: remote.port };
                this.remoteMaxPayload = maxPayloadFor(remote.address);
              } catch (readError) {
                reject(this.noteError(toUdpLabError(readError, { ...ctx, operation: 'remoteAddress' })));
                return;
              }
              this.currentState = 'connected';
              this.connectEmitter.fire(this.remoteEndpoint);
              this.changeEmitter.fire();
              resolve(this.remoteEndpoint);
            });
          } catch (error) {
            reject(this.noteError(toUdpLabError(error, ctx)));
          }
        }),
      (error: unknown) => Promise.reject(this.noteError(toUdpLabError(error, context))),
    );
  }

  /** Unties a connected socket (it receives from anyone again). Throws a UdpLabError when not connected. */
  disconnect(): void {
    this.withSocket('disconnect', {}, (socket) => {
      if (!this.remoteEndpoint) throw Object.assign(new Error('Not connected'), { code: 'ERR_SOCKET_DGRAM_NOT_CONNECTED' });
      socket.disconnect();
      this.remoteEndpoint = undefined;
      this.currentState = 'listening';
    });
  }

  /** The connected peer, as dgram reports it. Throws ERR_SOCKET_DGRAM_NOT_CONNECTED (as a UdpLabError) if none. */
  remoteAddress(): Endpoint {
    const context = this.context('remoteAddress');
    const socket = this.usableSocket(context);
    if (socket instanceof UdpLabError) throw socket;
    try {
      const remote = socket.remoteAddress();
      return { address: remote.address, family: toFamily(remote.family), port: remote.port };
    } catch (error) {
      throw toUdpLabError(error, context);
    }
  }

  // ------------------------------------------------------------------------------- socket options

  /**
   * Runs a synchronous dgram call on the bound socket: maps what it throws to a UdpLabError (thrown to the caller
   * and remembered as the last error), and fires onDidChange when it worked.
   */
  private withSocket<T>(operation: Operation, extra: Partial<ErrorContext>, fn: (socket: dgram.Socket) => T, notify = true): T {
    const context = this.context(operation, extra);
    const socket = this.usableSocket(context);
    if (socket instanceof UdpLabError) throw this.noteError(socket);
    let result: T;
    try {
      result = fn(socket);
    } catch (error) {
      throw this.noteError(toUdpLabError(error, context));
    }
    if (notify) this.changeEmitter.fire();
    return result;
  }

  /** SO_BROADCAST: allows sending to broadcast addresses (otherwise the OS answers EACCES). */
  setBroadcast(flag: boolean): void {
    this.withSocket('setBroadcast', {}, (s) => {
      s.setBroadcast(flag);
      this.broadcast = flag;
    });
  }

  /** IP_TTL, 1–255 hops (64 is the usual default). */
  setTTL(ttl: number): number {
    return this.withSocket('setTTL', { value: ttl }, (s) => {
      const result = s.setTTL(ttl);
      this.ttl = ttl;
      return result;
    });
  }

  /** IP_MULTICAST_TTL, 0–255 hops (1 by default: multicast stays on the local network). */
  setMulticastTTL(ttl: number): number {
    return this.withSocket('setMulticastTTL', { value: ttl }, (s) => {
      const result = s.setMulticastTTL(ttl);
      this.multicastTTL = ttl;
      return result;
    });
  }

  /** IP_MULTICAST_LOOP: whether this host also receives the multicast it sends. */
  setMulticastLoopback(flag: boolean): boolean {
    return this.withSocket('setMulticastLoopback', {}, (s) => {
      const result = s.setMulticastLoopback(flag);
      this.multicastLoopback = flag;
      return result;
    });
  }

  /**
   * The outgoing multicast interface: an IPv4 address of a local interface, or for udp6 `::%ifname`. The family's
   * any-address (0.0.0.0 / ::) hands the choice back to the system.
   */
  setMulticastInterface(iface: string): void {
    this.withSocket('setMulticastInterface', { iface }, (s) => {
      s.setMulticastInterface(iface);
      this.multicastInterface = iface === '0.0.0.0' || iface === '::' ? undefined : iface;
    });
  }

  /** Joins a multicast group (IP_ADD_MEMBERSHIP), on `iface` (a local address) or an interface the OS picks. */
  addMembership(group: string, iface?: string): void {
    this.withSocket('addMembership', { group, ...(iface !== undefined ? { iface } : {}) }, (s) => {
      s.addMembership(group, iface);
      this.memberships.push({ group, ...(iface !== undefined ? { interface: iface } : {}) });
    });
  }

  dropMembership(group: string, iface?: string): void {
    this.withSocket('dropMembership', { group, ...(iface !== undefined ? { iface } : {}) }, (s) => {
      s.dropMembership(group, iface);
      this.forgetMembership(group, iface, undefined);
    });
  }

  /** Joins a source-specific multicast channel (IP_ADD_SOURCE_MEMBERSHIP): only `source`'s datagrams to `group`. */
  addSourceSpecificMembership(source: string, group: string, iface?: string): void {
    this.withSocket('addSourceSpecificMembership', { group, source, ...(iface !== undefined ? { iface } : {}) }, (s) => {
      s.addSourceSpecificMembership(source, group, iface);
      this.memberships.push({ group, source, ...(iface !== undefined ? { interface: iface } : {}) });
    });
  }

  dropSourceSpecificMembership(source: string, group: string, iface?: string): void {
    this.withSocket('dropSourceSpecificMembership', { group, source, ...(iface !== undefined ? { iface } : {}) }, (s) => {
      s.dropSourceSpecificMembership(source, group, iface);
      this.forgetMembership(group, iface, source);
    });
  }

  private forgetMembership(group: string, iface: string | undefined, source: string | undefined): void {
    const index = this.memberships.findIndex((m) => m.group === group && m.interface === iface && m.source === source);
    if (index !== -1) this.memberships.splice(index, 1);
  }

  /** SO_RCVBUF as the OS reports it (Linux reports twice what was set: it counts its bookkeeping). */
  getRecvBufferSize(): number {
    return this.withSocket('getRecvBufferSize', {}, (s) => s.getRecvBufferSize(), false);
  }

  getSendBufferSize(): number {
    return this.withSocket('getSendBufferSize', {}, (s) => s.getSendBufferSize(), false);
  }

  setRecvBufferSize(size: number): void {
    this.withSocket('setRecvBufferSize', { value: size }, (s) => s.setRecvBufferSize(size));
  }

  setSendBufferSize(size: number): void {
    this.withSocket('setSendBufferSize', { value: size }, (s) => s.setSendBufferSize(size));
  }

  /** Bytes waiting in dgram's send queue. */
  getSendQueueSize(): number {
    return this.withSocket('getSendQueue', {}, (s) => s.getSendQueueSize(), false);
  }

  /** Send requests waiting in dgram's send queue. */
  getSendQueueCount(): number {
    return this.withSocket('getSendQueue', {}, (s) => s.getSendQueueCount(), false);
  }

  /** Lets the process exit while this socket is open (CLI one-shots); `ref()` undoes it. */
  unref(): void {
    this.socket?.unref();
  }

  ref(): void {
    this.socket?.ref();
  }

  // ------------------------------------------------------------------------------------------ close

  /** Closes the socket; resolves once dgram has closed it. Safe to call more than once. */
  close(): Promise<void> {
    if (this.closePromise) return this.closePromise;
    this.closeRequested = true;
    this.closePromise = new Promise<void>((resolve) => {
      this.resolveClose = resolve;
      const socket = this.socket;
      if (!socket || this.currentState === 'closed') {
        this.markClosed();
        resolve();
        return;
      }
      try {
        socket.close();
      } catch {
        // dgram had closed it already (a failed bind): there will be no second 'close' event.
        this.markClosed();
        resolve();
      }
    });
    return this.closePromise;
  }

  dispose(): void {
    void this.close();
  }

  // ------------------------------------------------------------------------------------------ views

  /** A plain snapshot for the tree, the panel and the CLI. */
  view(): SocketView {
    const view: SocketView = {
      id: this.id,
      type: this.type,
      state: this.currentState,
      options: { ...this.options },
      broadcast: this.broadcast,
      memberships: this.memberships.map((m) => ({ ...m })),
      stats: this.stats.view(),
      createdAt: this.createdAt,
    };
    if (this.options.label !== undefined) view.label = this.options.label;
    if (this.localEndpoint) view.local = { ...this.localEndpoint };
    if (this.remoteEndpoint) view.remote = { ...this.remoteEndpoint };
    if (this.ttl !== undefined) view.ttl = this.ttl;
    if (this.multicastTTL !== undefined) view.multicastTTL = this.multicastTTL;
    if (this.multicastLoopback !== undefined) view.multicastLoopback = this.multicastLoopback;
    if (this.multicastInterface !== undefined) view.multicastInterface = this.multicastInterface;
    if (this.lastErrorMessage !== undefined) view.lastError = this.lastErrorMessage;
    if (this.socket && (this.currentState === 'listening' || this.currentState === 'connected')) {
      try {
        view.recvBufferSize = this.socket.getRecvBufferSize();
        view.sendBufferSize = this.socket.getSendBufferSize();
      } catch {
        // Between close() and 'close' the handle is gone; the sizes are simply unknown then.
      }
    }
    return view;
  }

  /** The peers heard from recently, most recent first (bounded; see RecentPeers). */
  peers(): PeerView[] {
    return this.recentPeers.list();
  }
}

// A Promise's resolve/reject, handed out by one shared executor so that send() makes no closure per call.
let capturedResolve: ((bytes: number) => void) | undefined;
let capturedReject: ((error: UdpLabError) => void) | undefined;
function captureSettlers(resolve: (bytes: number) => void, reject: (error: UdpLabError) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/** A send's failure, to its callback (asynchronously, as dgram would) or to its Promise. */
function answerError(error: UdpLabError, callback: SendCallback | undefined, reject: ((e: UdpLabError) => void) | undefined): void {
  if (callback !== undefined) process.nextTick(callback, error, 0);
  else reject!(error);
}

/** The peer as the log shows it; ::ffff:a.b.c.d stays IPv6-shaped, as it is on the wire of a udp6 socket. */
function endpointOf(address: string, port: number): Endpoint {
  return { address, family: address.includes(':') ? 'IPv6' : 'IPv4', port };
}

const FREE_PORT_ATTEMPTS = 5;
/** Internal signal from doBind to bindToFreePort: the probed port was taken meanwhile. */
const PORT_TAKEN = Symbol('port taken');

/** A port free on `address` right now, as the kernel picks it for bind(0); undefined if the probe cannot bind. */
function freePort(type: SocketType, address: string, ipv6Only: boolean): Promise<number | undefined> {
  return new Promise((resolve) => {
    let probe: dgram.Socket;
    try {
      probe = dgram.createSocket({ type, ipv6Only });
    } catch {
      resolve(undefined);
      return;
    }
    probe.on('error', () => {
      try {
        probe.close();
      } catch {
        // already closed
      }
      resolve(undefined);
    });
    try {
      probe.bind({ port: 0, address }, () => {
        const port = probe.address().port;
        probe.close();
        resolve(port);
      });
    } catch {
      resolve(undefined);
    }
  });
}

/** IPv4 (and IPv4-mapped) destinations carry at most 65 507 bytes, IPv6 ones 65 527. */
function maxPayloadFor(address: string): number {
  return address.includes(':') && !/^::ffff:\d/i.test(address) ? MAX_PAYLOAD_IPV6 : MAX_PAYLOAD_IPV4;
}

function toFamily(family: string | number): AddressFamily {
  return family === 'IPv6' || family === 6 ? 'IPv6' : 'IPv4';
}

/** A destination must be a real port (1–65535) and a host that parses; checked before any lookup. */
function checkTarget(target: SendTarget, context: ErrorContext): UdpLabError | undefined {
  const ctx = { operation: context.operation, ...(context.socketId !== undefined ? { socketId: context.socketId } : {}) };
  const port = validatePort(target.port);
  if (!port.ok) return validationError(port.message, ctx);
  if (port.value === 0) return validationError('Port 0 cannot be a destination. Use the port the peer listens on (1–65535).', ctx);
  const address = validateAddress(target.host);
  if (!address.ok) return validationError(address.message, ctx);
  return undefined;
}
