// This machine's interface addresses (for the Listen / Join pick lists), whether binding an address exposes the
// port to the network (wildcards and non-loopback interface addresses do), and where a socket that only sends
// binds. In core so the CLI can warn about the same binds the editor asks about.

import * as os from 'node:os';
import type { AddressFamily, SocketType } from '../shared/dto';

export interface LocalAddress {
  /** As dgram wants it: link-local IPv6 carries its `%interface` zone. */
  address: string;
  family: AddressFamily;
  interfaceName: string;
  internal: boolean;
}

export function localAddresses(): LocalAddress[] {
  let table: NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  try {
    table = os.networkInterfaces();
  } catch {
    return []; // some sandboxes refuse the query; the pick lists then show the fixed choices only
  }
  const out: LocalAddress[] = [];
  for (const [name, infos] of Object.entries(table)) {
    for (const info of infos ?? []) {
      const family: AddressFamily = info.family === 'IPv6' ? 'IPv6' : 'IPv4';
      const linkLocal = family === 'IPv6' && /^fe[89ab]/i.test(info.address);
      out.push({
        address: linkLocal && !info.address.includes('%') ? `${info.address}%${name}` : info.address,
        family,
        interfaceName: name,
        internal: info.internal,
      });
    }
  }
  return out;
}

export function isWildcard(address: string): boolean {
  const a = address.trim().toLowerCase();
  return a === '0.0.0.0' || a === '::' || /^(0{1,4}:){7}0{1,4}$/.test(a) || a === '::0';
}

export function isLoopback(address: string): boolean {
  const a = address.trim().toLowerCase();
  return /^127\./.test(a) || a === '::1' || a === 'localhost' || /^::ffff:127\./.test(a);
}

/**
 * True when a socket bound here can receive from other machines: a wildcard, or an address of one of this
 * machine's non-loopback interfaces. (An address that is not on this machine cannot be bound at all; the core
 * reports EADDRNOTAVAIL for it, so there is nothing to warn about.)
 */
export function exposesToNetwork(address: string): boolean {
  if (isWildcard(address)) return true;
  if (isLoopback(address)) return false;
  const a = address.toLowerCase();
  return localAddresses().some((l) => !l.internal && (l.address.toLowerCase() === a || l.address.toLowerCase().split('%')[0] === a));
}

/**
 * Where a socket of `type` that only sends to `host` (an address, or localhost) binds: loopback for a loopback
 * destination (nothing leaves the machine), else the family's wildcard so the OS can pick the route. Used by
 * ephemeral and run sockets and by .udp SEND blocks without `From:`.
 */
export function senderBindAddress(host: string, type: SocketType): string {
  const loopback = /^localhost\.?$/i.test(host) || (type === 'udp4' ? /^127\./.test(host) : host === '::1');
  if (loopback) return type === 'udp4' ? '127.0.0.1' : '::1';
  return type === 'udp4' ? '0.0.0.0' : '::';
}
