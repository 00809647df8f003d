// Turns the host a user typed into the address a socket of a given family can send to. We resolve ourselves
// instead of letting dgram do it so that (1) a family mismatch gets a sentence ("localhost resolves to ::1, but
// this socket is udp4") instead of a bare EINVAL/ENOTFOUND, (2) the log records the address actually used, and
// (3) repeated sends to one host name (a scheduled flood) do not each wait on getaddrinfo.

import { lookup } from 'node:dns';
import { isIPv4, isIPv6 } from 'node:net';
import type { SocketType } from '../shared/dto';
import { familyMismatchError, toUdpLabError, type ErrorContext } from './errors';

export interface ResolveOptions {
  type: SocketType;
  /** A udp6 socket bound to `::` without ipv6Only also reaches IPv4 peers, as ::ffff:a.b.c.d. */
  dualStack: boolean;
}

/** How long a host name's answer is reused; short, so a changed DNS record is picked up within seconds. */
const CACHE_TTL_MS = 2_000;
const CACHE_MAX = 64;
const cache = new Map<string, { address: string; expires: number }>();

/** Strips `[...]` around an IPv6 literal. */
export function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** The literal's family, looking past an IPv6 zone (`fe80::1%eth0`); undefined for host names. */
export function literalFamily(host: string): 4 | 6 | undefined {
  const bare = unbracket(host);
  if (isIPv4(bare)) return 4;
  const percent = bare.indexOf('%');
  if (isIPv6(percent === -1 ? bare : bare.slice(0, percent))) return 6;
  return undefined;
}

/** Resolves synchronously when `host` is a literal the socket can use; undefined when a lookup is needed. */
export function resolveLiteral(host: string, options: ResolveOptions, context: ErrorContext): string | undefined {
  const bare = unbracket(host);
  const family = literalFamily(bare);
  if (family === undefined) return undefined;
  if (options.type === 'udp4') {
    if (family === 4) return bare;
    // ::ffff:a.b.c.d is an IPv4 address written the IPv6 way; a udp4 socket can send to the IPv4 inside.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
    if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
    throw familyMismatchError(context, bare);
  }
  if (family === 6) return bare;
  if (options.dualStack) return `::ffff:${bare}`;
  throw familyMismatchError(context, bare);
}

/** The address to send to; rejects with a UdpLabError (ENOTFOUND, FAMILY_MISMATCH, …). */
export async function resolveHost(host: string, options: ResolveOptions, context: ErrorContext): Promise<string> {
  const literal = resolveLiteral(host, options, context);
  if (literal !== undefined) return literal;

  const key = `${options.type}${options.dualStack ? '+' : ''} ${host.toLowerCase()}`;
  const cached = cache.get(key);
  const now = Date.now();
  if (cached && cached.expires > now) return cached.address;

  const addresses = await new Promise<Array<{ address: string; family: number }>>((resolve, reject) => {
    lookup(host, { all: true }, (err, result) => (err ? reject(toUdpLabError(err, { ...context, operation: context.operation })) : resolve(result)));
  });
  const wanted = options.type === 'udp4' ? 4 : 6;
  let address = addresses.find((a) => a.family === wanted)?.address;
  if (address === undefined && options.type === 'udp6' && options.dualStack) {
    const v4 = addresses.find((a) => a.family === 4)?.address;
    if (v4 !== undefined) address = `::ffff:${v4}`;
  }
  if (address === undefined) {
    const other = addresses[0]?.address;
    if (other === undefined) throw toUdpLabError(Object.assign(new Error(`no address for ${host}`), { code: 'ENOTFOUND' }), context);
    throw familyMismatchError({ ...context, resolved: other }, other);
  }
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, { address, expires: now + CACHE_TTL_MS });
  return address;
}
