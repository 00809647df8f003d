// Errors users see. Every failure that leaves the core is a UdpLabError whose `userMessage` is one sentence (or
// two) naming the cause, the raw code in parentheses for searching, and the way out:
//   "Port 5000 on 127.0.0.1 is already in use (EADDRINUSE). Choose another port, or enable Reuse Address …"
// `toUdpLabError` turns Node's dgram/dns errors into those sentences using what the caller knew at the time
// (the operation, the socket's family, the local and remote endpoints, the payload size).

import type { SocketType } from '../shared/dto';
import { formatCount } from '../shared/format';
import { MAX_PAYLOAD_IPV4, MAX_PAYLOAD_IPV6 } from '../shared/validation';

/** What the core was doing when the error happened; picks the wording of the sentence. */
export type Operation =
  | 'open'
  | 'bind'
  | 'send'
  | 'receive'
  | 'connect'
  | 'disconnect'
  | 'remoteAddress'
  | 'resolve'
  | 'close'
  | 'setBroadcast'
  | 'setTTL'
  | 'setMulticastTTL'
  | 'setMulticastLoopback'
  | 'setMulticastInterface'
  | 'addMembership'
  | 'dropMembership'
  | 'addSourceSpecificMembership'
  | 'dropSourceSpecificMembership'
  | 'getRecvBufferSize'
  | 'getSendBufferSize'
  | 'setRecvBufferSize'
  | 'setSendBufferSize'
  | 'getSendQueue';

export interface ErrorContext {
  operation: Operation;
  socketId?: string;
  /** The socket's family: decides IPv4/IPv6 wording and detects family mismatches. */
  type?: SocketType;
  /** The local side: the bind request, or where the socket is bound. */
  local?: { address?: string; port?: number };
  /** The remote side as the user gave it (host name or address) and port. */
  target?: { host: string; port?: number };
  /** The address a host name resolved to, when resolution happened. */
  resolved?: string;
  /** Payload size for sends. */
  size?: number;
  /** Multicast group, source (source-specific joins) and interface. */
  group?: string;
  source?: string;
  iface?: string;
  /** The number the user gave (TTL, buffer size). */
  value?: number;
}

/** Codes the core makes itself (Node's own codes pass through unchanged). */
export const CoreErrorCode = {
  Validation: 'VALIDATION',
  Unsupported: 'UNSUPPORTED',
  FamilyMismatch: 'FAMILY_MISMATCH',
  NotBound: 'NOT_BOUND',
} as const;

/** Marks every UdpLabError, whichever copy of this module made it (a global symbol: one for all copies). */
const UDP_LAB_ERROR = Symbol.for('udp-lab.UdpLabError');

export class UdpLabError extends Error {
  /**
   * The bundles loaded on first use (dist/udpFiles.js, dist/panel.js; see src/host/lazyBundle.ts) carry their own
   * copy of this class, and errors cross between them (the panel catches what the main bundle's registry threw):
   * `instanceof` recognises the mark, not one copy's prototype.
   */
  static override [Symbol.hasInstance](value: unknown): value is UdpLabError {
    return typeof value === 'object' && value !== null && (value as { [UDP_LAB_ERROR]?: unknown })[UDP_LAB_ERROR] === true;
  }

  /** EADDRINUSE, ENOTFOUND, ERR_SOCKET_DGRAM_NOT_RUNNING, VALIDATION, UNSUPPORTED, FAMILY_MISMATCH, … */
  readonly code: string;
  /** The sentence for the user (also this error's `message`). */
  readonly userMessage: string;
  readonly operation?: Operation;
  readonly socketId?: string;

  constructor(code: string, userMessage: string, options: { cause?: unknown; operation?: Operation; socketId?: string } = {}) {
    super(userMessage, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'UdpLabError';
    Object.defineProperty(this, UDP_LAB_ERROR, { value: true });
    this.code = code;
    this.userMessage = userMessage;
    if (options.operation !== undefined) this.operation = options.operation;
    if (options.socketId !== undefined) this.socketId = options.socketId;
  }
}

export function isUdpLabError(value: unknown): value is UdpLabError {
  return value instanceof UdpLabError;
}

/** A failed pre-check (port, address, payload size, option value): the message is already a sentence. */
export function validationError(message: string, context?: Partial<ErrorContext>): UdpLabError {
  return new UdpLabError(CoreErrorCode.Validation, message, {
    ...(context?.operation !== undefined ? { operation: context.operation } : {}),
    ...(context?.socketId !== undefined ? { socketId: context.socketId } : {}),
  });
}

/** "udp4 socket" and "IPv6" wording helpers. */
function familyOf(type: SocketType | undefined): 'IPv4' | 'IPv6' | undefined {
  return type === 'udp4' ? 'IPv4' : type === 'udp6' ? 'IPv6' : undefined;
}

/** Which IP family an address literal belongs to (undefined for host names). Zones and brackets are tolerated. */
export function addressFamily(address: string | undefined): 'IPv4' | 'IPv6' | undefined {
  if (address === undefined) return undefined;
  const bare = address.replace(/^\[|\]$/g, '');
  if (bare.includes(':')) {
    // An IPv4-mapped IPv6 address is IPv6 on the wire of the socket that sends it.
    return 'IPv6';
  }
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(bare) ? 'IPv4' : undefined;
}

/** host:port with IPv6 in brackets, as users type it. */
export function formatHostPort(host: string, port: number | undefined): string {
  const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return port === undefined ? shown : `${shown}:${port}`;
}

const OPERATION_TEXT: Record<Operation, string> = {
  open: 'open the socket',
  bind: 'bind the socket',
  send: 'send the datagram',
  receive: 'receive datagrams',
  connect: 'connect the socket',
  disconnect: 'disconnect the socket',
  remoteAddress: 'read the connected peer',
  resolve: 'resolve the host name',
  close: 'close the socket',
  setBroadcast: 'change Broadcast',
  setTTL: 'set the TTL',
  setMulticastTTL: 'set the multicast TTL',
  setMulticastLoopback: 'change multicast loopback',
  setMulticastInterface: 'set the multicast interface',
  addMembership: 'join the multicast group',
  dropMembership: 'leave the multicast group',
  addSourceSpecificMembership: 'join the source-specific multicast group',
  dropSourceSpecificMembership: 'leave the source-specific multicast group',
  getRecvBufferSize: 'read the receive buffer size',
  getSendBufferSize: 'read the send buffer size',
  setRecvBufferSize: 'set the receive buffer size',
  setSendBufferSize: 'set the send buffer size',
  getSendQueue: 'read the send queue',
};

export function describeOperation(operation: Operation): string {
  return OPERATION_TEXT[operation];
}

interface NodeLikeError {
  code?: unknown;
  message?: unknown;
  errno?: unknown;
  syscall?: unknown;
  hostname?: unknown;
  info?: { message?: unknown };
}

/** The code of a Node error (`EADDRINUSE`, `ERR_SOCKET_DGRAM_NOT_RUNNING`, …), if it has one. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null) {
    const code = (err as NodeLikeError).code;
    if (typeof code === 'string' && code !== '') return code;
  }
  return undefined;
}

function rawMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && typeof (err as NodeLikeError).message === 'string') {
    return (err as { message: string }).message;
  }
  return String(err);
}

/**
 * A host name whose addresses are all of the other family than the socket: `localhost` → ::1 on a udp4 socket.
 * Made by the socket when resolution finds only the wrong family, and by `toUdpLabError` when the context shows it.
 */
export function familyMismatchError(context: ErrorContext, otherAddress: string, cause?: unknown): UdpLabError {
  const socketFamily = familyOf(context.type) ?? 'IPv4';
  const otherFamily = socketFamily === 'IPv4' ? 'IPv6' : 'IPv4';
  const host = context.target?.host ?? otherAddress;
  const isName = addressFamily(host) === undefined;
  const what = isName ? `"${host}" resolves to ${otherAddress} (${otherFamily})` : `${host} is an ${otherFamily} address`;
  const instead =
    socketFamily === 'IPv4'
      ? `${isName && /^localhost\.?$/i.test(host) ? 'Use 127.0.0.1 instead, ' : 'Use an IPv4 address, '}or use a udp6 socket`
      : `${isName && /^localhost\.?$/i.test(host) ? 'Use ::1 instead, ' : 'Use an IPv6 address, '}or use a udp4 socket`;
  const verb = context.operation === 'bind' ? 'bind to it' : context.operation === 'connect' ? 'connect to it' : 'send to it';
  return new UdpLabError(
    CoreErrorCode.FamilyMismatch,
    `${what}, but this socket is ${context.type ?? 'udp4'} (${socketFamily}) and cannot ${verb} (${CoreErrorCode.FamilyMismatch}). ${instead}.`,
    withOrigin(context, cause),
  );
}

/** The "reusePort needs a newer Node" error; `runtime` describes this process ("Node.js v20.19.0 on linux"). */
export function reusePortUnsupportedError(runtime: string, context?: Partial<ErrorContext>): UdpLabError {
  return new UdpLabError(
    CoreErrorCode.Unsupported,
    `Reuse Port needs Node.js 22.12 or newer on Linux, FreeBSD, Solaris or AIX, and this VS Code runs ${runtime} (${CoreErrorCode.Unsupported}). Turn Reuse Port off, or use Reuse Address to share the port.`,
    withOrigin({ operation: context?.operation ?? 'open', ...(context?.socketId !== undefined ? { socketId: context.socketId } : {}) }),
  );
}

function withOrigin(context: ErrorContext, cause?: unknown): { cause?: unknown; operation: Operation; socketId?: string } {
  return {
    operation: context.operation,
    ...(cause !== undefined ? { cause } : {}),
    ...(context.socketId !== undefined ? { socketId: context.socketId } : {}),
  };
}

function targetText(context: ErrorContext): string {
  if (context.target) {
    const main = formatHostPort(context.target.host, context.target.port);
    return context.resolved && context.resolved !== context.target.host ? `${main} (${context.resolved})` : main;
  }
  return 'the destination';
}

function localText(context: ErrorContext): string {
  const address = context.local?.address ?? (context.type === 'udp6' ? '::1' : '127.0.0.1');
  return formatHostPort(address, context.local?.port);
}

function isMulticast(address: string | undefined): boolean {
  if (address === undefined) return false;
  const bare = address.split('%')[0]!.toLowerCase();
  if (bare.includes(':')) return bare.startsWith('ff');
  const first = Number(bare.split('.')[0]);
  return first >= 224 && first <= 239;
}

/** The family of the peer the context names (resolved address first, then the literal target). */
function peerFamily(context: ErrorContext): 'IPv4' | 'IPv6' | undefined {
  const resolved = context.resolved;
  if (resolved !== undefined) {
    // ::ffff:a.b.c.d is how a dual-stack udp6 socket reaches IPv4; it is not a mismatch.
    if (/^::ffff:\d/i.test(resolved)) return 'IPv6';
    return addressFamily(resolved);
  }
  return addressFamily(context.target?.host);
}

/** Maps any thrown value to a UdpLabError with a sentence for the user. UdpLabErrors pass through unchanged. */
export function toUdpLabError(err: unknown, context: ErrorContext): UdpLabError {
  if (err instanceof UdpLabError) return err;
  const code = errorCode(err) ?? 'UNKNOWN';
  const origin = withOrigin(context, err);
  const make = (sentence: string): UdpLabError => new UdpLabError(code, sentence, origin);
  const op = context.operation;
  const family = familyOf(context.type);

  // A peer of the other family explains EINVAL/EAFNOSUPPORT on send/connect better than the code does.
  const peer = peerFamily(context);
  if (
    (op === 'send' || op === 'connect') &&
    family !== undefined &&
    peer !== undefined &&
    peer !== family &&
    (code === 'EINVAL' || code === 'EAFNOSUPPORT' || code === 'ENOTFOUND' || code === 'UNKNOWN')
  ) {
    return familyMismatchError(context, context.resolved ?? context.target?.host ?? '', err);
  }

  // A group of the other family fails with EINVAL or ENOPROTOOPT depending on the call; say what is wrong.
  if (op.endsWith('Membership') && family !== undefined) {
    const groupFamily = addressFamily(context.group);
    if (groupFamily !== undefined && groupFamily !== family) {
      return make(
        `${context.group} is an ${groupFamily} group, but this socket is ${context.type} (${family}) (${code}). Join it from a ${groupFamily === 'IPv6' ? 'udp6' : 'udp4'} socket.`,
      );
    }
  }

  switch (code) {
    case 'ENOPROTOOPT':
      return make(`This socket does not support the option used to ${describeOperation(op)} (ENOPROTOOPT). Check that the address belongs to this socket's family.`);

    case 'EADDRINUSE':
      if (op === 'addMembership' || op === 'addSourceSpecificMembership') {
        return make(`This socket has already joined ${context.group ?? 'that group'}${context.iface ? ` on ${context.iface}` : ''} (EADDRINUSE). It is receiving the group already; leave it first to join again.`);
      }
      if (op === 'bind' || op === 'open') {
        return make(
          `Port ${context.local?.port ?? '?'} on ${context.local?.address ?? 'this address'} is already in use (EADDRINUSE). Choose another port, or enable Reuse Address on every socket that shares it.`,
        );
      }
      return make(`The address is already in use, so the socket could not ${describeOperation(op)} (EADDRINUSE). Choose another port, or enable Reuse Address.`);

    case 'EACCES':
      if (op === 'bind' || op === 'open') {
        const port = context.local?.port;
        return make(
          port !== undefined && port > 0 && port < 1024
            ? `Binding to port ${port} was refused (EACCES): ports below 1024 need elevated privileges. Choose a port from 1024 to 65535, or grant this program the right to bind low ports.`
            : `Binding to ${localText(context)} was refused (EACCES). Choose another port or address, or check what forbids it on this machine.`,
        );
      }
      if (op === 'send' || op === 'connect') {
        return make(
          `Sending to ${targetText(context)} was refused (EACCES): it is a broadcast address and Broadcast is off on this socket (or a firewall forbids it). Enable Broadcast on the socket, or send to a unicast address.`,
        );
      }
      return make(`The system refused to ${describeOperation(op)} (EACCES): permission denied. Check what forbids it on this machine.`);

    case 'EADDRNOTAVAIL':
      if (op === 'bind' || op === 'open') {
        return make(
          `${context.local?.address ?? 'The address'} is not an address of this machine, so the socket cannot bind to it (EADDRNOTAVAIL). Bind to ${context.type === 'udp6' ? '::1 or :: (all interfaces)' : '127.0.0.1 or 0.0.0.0 (all interfaces)'}, or to one of this machine's addresses.`,
        );
      }
      if (op === 'setMulticastInterface' || ((op === 'addMembership' || op === 'addSourceSpecificMembership') && context.iface)) {
        return make(
          `${context.iface ?? 'The interface'} is not the address of an interface on this machine (EADDRNOTAVAIL). Give the ${family ?? 'IP'} address of the interface to use, or leave it empty to let the system choose.`,
        );
      }
      if (op === 'dropMembership' || op === 'dropSourceSpecificMembership') {
        return make(`This socket has not joined ${context.group ?? 'that group'}${context.iface ? ` on ${context.iface}` : ''} (EADDRNOTAVAIL). Leave only a group the socket has joined.`);
      }
      if (op === 'send' || op === 'connect') {
        return make(
          `${targetText(context)} cannot be reached from this socket's address ${localText(context)} (EADDRNOTAVAIL). Bind the socket to an address that can reach it, or to all interfaces.`,
        );
      }
      return make(`The address is not available to ${describeOperation(op)} (EADDRNOTAVAIL). Use an address of this machine.`);

    case 'EMSGSIZE': {
      const peerFam = peer ?? family ?? 'IPv4';
      const max = peerFam === 'IPv6' ? MAX_PAYLOAD_IPV6 : MAX_PAYLOAD_IPV4;
      const size = context.size !== undefined ? `${formatCount(context.size)} bytes` : 'too large';
      return make(
        `The datagram is ${size}, more than a UDP datagram over ${peerFam} can carry (${formatCount(max)} bytes at most) (EMSGSIZE). Shorten it, or split it over several datagrams.`,
      );
    }

    case 'ECONNREFUSED':
      return make(
        `${context.target ? targetText(context) : 'The peer'} answered "port unreachable": nothing is listening there (ECONNREFUSED). Start a listener on that port, or ${op === 'receive' || context.operation === 'send' ? 'disconnect and ' : ''}send somewhere else.`,
      );

    case 'ENOTFOUND':
    case 'EAI_NONAME':
    case 'EAI_NODATA':
    case 'ENODATA': {
      const host = context.target?.host ?? (typeof (err as NodeLikeError).hostname === 'string' ? String((err as NodeLikeError).hostname) : 'the host');
      return make(`The host name "${host}" could not be resolved (${code}). Check its spelling, or use an IP address.`);
    }

    case 'EAI_AGAIN':
    case 'ETIMEOUT': {
      const host = context.target?.host ?? 'the host';
      return make(`Looking up "${host}" failed because the name server did not answer in time (${code}). Check the network and DNS settings and try again, or use an IP address.`);
    }

    case 'EINVAL':
      return make(invalidSentence(context, family));

    case 'EAFNOSUPPORT':
    case 'EPROTONOSUPPORT':
      return make(
        `${family ?? 'This address family'} is not available on this machine (${code}). ${family === 'IPv6' ? 'Use a udp4 socket, or enable IPv6.' : 'Use the other socket type.'}`,
      );

    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return make(`There is no route to ${targetText(context)} (${code}). Check the address, or bind the socket to an interface that can reach it.`);

    case 'EPERM':
      return make(`The system did not permit the socket to ${describeOperation(op)} (EPERM); a firewall rule may forbid it. Check the firewall, or use another address.`);

    case 'ENOBUFS':
    case 'EAGAIN':
    case 'EWOULDBLOCK':
      return make(`The system's send queue is full, so the datagram was not sent (${code}). Send more slowly, or enlarge the send buffer.`);

    case 'ENOTSUP':
    case 'EOPNOTSUPP':
      return make(`This system does not support what was asked while trying to ${describeOperation(op)} (${code}). Turn off Reuse Port or the option just changed, and try again.`);

    case 'EBADF':
      return make(`The socket is not bound yet, so it cannot ${describeOperation(op)} (EBADF). Wait until it is listening, or open it again.`);

    case 'ERR_SOCKET_DGRAM_IS_CONNECTED':
      return make(
        op === 'connect'
          ? `This socket is already connected${context.target ? ` (asked for ${targetText(context)})` : ''} (ERR_SOCKET_DGRAM_IS_CONNECTED). Disconnect it first to connect to another peer.`
          : `This socket is connected to a peer, so it cannot send to ${targetText(context)} (ERR_SOCKET_DGRAM_IS_CONNECTED). Send without a destination to reach its peer, or disconnect it first.`,
      );

    case 'ERR_SOCKET_DGRAM_NOT_CONNECTED':
      return make(
        op === 'send'
          ? `This socket is not connected to a peer, so a send needs a destination (ERR_SOCKET_DGRAM_NOT_CONNECTED). Give a host and port, or connect the socket first.`
          : `This socket is not connected to a peer (ERR_SOCKET_DGRAM_NOT_CONNECTED). Connect it first; there is nothing to ${op === 'disconnect' ? 'disconnect' : 'read'}.`,
      );

    case 'ERR_SOCKET_DGRAM_NOT_RUNNING':
      return make(`The socket is closed, so it cannot ${describeOperation(op)} (ERR_SOCKET_DGRAM_NOT_RUNNING). Open a new socket.`);

    case 'ERR_SOCKET_BUFFER_SIZE':
      return make(
        `The ${op === 'getSendBufferSize' || op === 'setSendBufferSize' ? 'send' : 'receive'} buffer size could not be ${op.startsWith('get') ? 'read' : 'set'}${context.value !== undefined ? ` to ${formatCount(context.value)} bytes` : ''} (ERR_SOCKET_BUFFER_SIZE). The socket must be open and bound; use a positive whole number of bytes within the system limit (net.core.rmem_max / wmem_max).`,
      );

    case 'ERR_SOCKET_BAD_BUFFER_SIZE':
      return make(`${context.value !== undefined ? `Buffer size ${context.value}` : 'The buffer size'} is not valid (ERR_SOCKET_BAD_BUFFER_SIZE). Use a positive whole number of bytes.`);

    case 'ERR_SOCKET_BAD_PORT': {
      const port = context.target?.port ?? context.local?.port;
      return make(`${port !== undefined ? `Port ${port}` : 'The port'} is not valid (ERR_SOCKET_BAD_PORT). Use a whole number from ${op === 'bind' ? 0 : 1} to 65535.`);
    }

    case 'ERR_SOCKET_ALREADY_BOUND':
      return make('This socket is already bound (ERR_SOCKET_ALREADY_BOUND). Open a new socket to listen on another port.');

    case 'ERR_INVALID_ARG_TYPE':
    case 'ERR_INVALID_ARG_VALUE':
    case 'ERR_OUT_OF_RANGE':
      return make(`The value given to ${describeOperation(op)} is not valid (${code}): ${rawMessage(err)} Correct it and try again.`);

    default:
      return make(`Could not ${describeOperation(op)} (${code}): ${rawMessage(err).replace(/\.$/, '')}. Check the address, port and options, and try again.`);
  }
}

function invalidSentence(context: ErrorContext, family: 'IPv4' | 'IPv6' | undefined): string {
  const op = context.operation;
  switch (op) {
    case 'bind':
    case 'open': {
      const bound = addressFamily(context.local?.address);
      if (family && bound && bound !== family) {
        return `${context.local?.address} is an ${bound} address, but this socket is ${context.type} (${family}) (EINVAL). Bind a ${bound === 'IPv6' ? 'udp6' : 'udp4'} socket to it, or use an ${family} address.`;
      }
      return `The system rejected binding to ${localText(context)} (EINVAL). Check that the address belongs to this socket's family.`;
    }
    case 'setTTL':
      return `${context.value !== undefined ? `TTL ${context.value}` : 'The TTL'} is out of range (EINVAL). Use a whole number from 1 to 255.`;
    case 'setMulticastTTL':
      return `${context.value !== undefined ? `Multicast TTL ${context.value}` : 'The multicast TTL'} is out of range (EINVAL). Use a whole number from 0 to 255.`;
    case 'addMembership':
    case 'dropMembership':
    case 'addSourceSpecificMembership':
    case 'dropSourceSpecificMembership': {
      if (!isMulticast(context.group)) {
        return `${context.group ?? 'The group'} is not a multicast group address (EINVAL). Use a group in 224.0.0.0/4 (IPv4) or ff00::/8 (IPv6).`;
      }
      if (op.includes('Source') && context.source !== undefined && isMulticast(context.source)) {
        return `The source ${context.source} is a multicast address, but a source must be a unicast sender (EINVAL). Give the address of the host that sends to ${context.group}.`;
      }
      const fam = addressFamily(context.group);
      if (family && fam && fam !== family) {
        return `${context.group} is an ${fam} group, but this socket is ${context.type} (${family}) (EINVAL). Join it from a ${fam === 'IPv6' ? 'udp6' : 'udp4'} socket.`;
      }
      return `The system rejected ${describeOperation(op)} ${context.group ?? ''}${context.iface ? ` on ${context.iface}` : ''} (EINVAL). Check the interface address belongs to this socket's family, or leave it empty.`;
    }
    case 'setMulticastInterface':
      return `${context.iface ?? 'The interface'} is not a valid ${family !== undefined ? `${family} ` : ''}interface address (EINVAL). Give an address of this socket's family${family === 'IPv6' ? ' with a scope, like ::%eth0' : ', like 192.168.1.10'}.`;
    case 'send':
    case 'connect':
      return `The system rejected ${op === 'send' ? 'sending to' : 'connecting to'} ${targetText(context)} (EINVAL). Check that the address and port are valid for this ${context.type !== undefined ? `${context.type} ` : ''}socket.`;
    default:
      return `The system rejected the value given to ${describeOperation(op)} (EINVAL). Check it and try again.`;
  }
}
