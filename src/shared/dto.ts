// Plain data shapes that cross boundaries (core → host → webview → CLI). No classes, no Node types:
// bytes travel as Uint8Array, which both postMessage and Node's Buffer understand.

export type SocketType = 'udp4' | 'udp6';
export type AddressFamily = 'IPv4' | 'IPv6';
export type Direction = 'in' | 'out';
export type PayloadEncoding = 'text' | 'hex' | 'base64' | 'escaped';

/** What a user can ask for when opening a socket; mirrors dgram.createSocket options + bind(). */
export interface SocketOptions {
  type: SocketType;
  /** 0 = an ephemeral port chosen by the OS. */
  port: number;
  /** Bind address; default 127.0.0.1 (udp4) or ::1 (udp6). Never a wildcard unless the user chose one. */
  address?: string;
  reuseAddr?: boolean;
  /** Node ≥ 22.12 only; feature-detected. */
  reusePort?: boolean;
  ipv6Only?: boolean;
  recvBufferSize?: number;
  sendBufferSize?: number;
  exclusive?: boolean;
  /** A user-visible label, e.g. "statsd". */
  label?: string;
}

export type SocketState = 'binding' | 'listening' | 'connected' | 'error' | 'closed';

export interface Endpoint {
  address: string;
  family: AddressFamily;
  port: number;
}

export interface MembershipView {
  group: string;
  /** Local interface address the group was joined on, if one was given. */
  interface?: string;
  /** For source-specific joins. */
  source?: string;
}

export interface SocketStatsView {
  datagramsIn: number;
  bytesIn: number;
  datagramsOut: number;
  bytesOut: number;
  /** Datagrams per second over the last few seconds. */
  rateIn: number;
  rateOut: number;
  bytesRateIn: number;
  bytesRateOut: number;
  lastPeer?: Endpoint;
  lastActivity?: number;
}

export interface PeerView extends Endpoint {
  datagrams: number;
  bytes: number;
  firstSeen: number;
  lastSeen: number;
}

export interface SocketView {
  id: string;
  label?: string;
  type: SocketType;
  state: SocketState;
  /** Where it is bound, once listening. */
  local?: Endpoint;
  /** The peer a connected socket is tied to. */
  remote?: Endpoint;
  options: SocketOptions;
  broadcast: boolean;
  ttl?: number;
  multicastTTL?: number;
  multicastLoopback?: boolean;
  multicastInterface?: string;
  memberships: MembershipView[];
  recvBufferSize?: number;
  sendBufferSize?: number;
  stats: SocketStatsView;
  /** The user-facing sentence of the last error, if any. */
  lastError?: string;
  createdAt: number;
}

/** One datagram as it crosses to the webview or an export. */
export interface DatagramView {
  /** Sequence number in the log; strictly increasing, never reused. */
  seq: number;
  /** Receive or send time, ms since the epoch (fractional part = sub-ms precision where known). */
  time: number;
  direction: Direction;
  socketId: string;
  /** The remote side: the sender for 'in', the destination for 'out'. */
  peer: Endpoint;
  size: number;
  bytes: Uint8Array;
}
