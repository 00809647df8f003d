// Datagrams the operating system dropped for one socket because its receive buffer was full — the loss no
// application sees happen: the datagram arrived, but the process was not reading fast enough (a flood, a slow
// consumer such as a terminal the CLI writes to). Linux counts them per socket in /proc/net/udp{,6}; other
// systems do not expose the count, so the answer there is `undefined`, never a guess.

import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import type { Endpoint } from '../shared/dto';

/** The kernel's view of one local UDP socket. */
export interface KernelSocketView {
  /** Bytes that arrived and wait for the application to read them. */
  rxQueueBytes: number;
  /** Datagrams dropped because the receive buffer was full, over the socket's whole life. */
  drops: number;
}

/**
 * The kernel's drop count for the UDP socket bound to `local`, or undefined where it cannot be read (not Linux,
 * no such socket). Read it before and after and subtract: the count covers the socket's whole life.
 */
export function kernelDrops(local: Endpoint): number | undefined {
  return readKernelUdpSocket(local)?.drops;
}

/**
 * What /proc/net/udp{,6} says of the socket bound to `local` (found by port, and by address when given), or
 * undefined where it cannot be read: not Linux, no such socket, or several sockets on the port (Reuse Address)
 * and none with the address as written — not ours to guess.
 */
export function readKernelUdpSocket(local: { port: number; family: 'IPv4' | 'IPv6'; address?: string }): KernelSocketView | undefined {
  const v6 = local.family === 'IPv6';
  let text: string;
  try {
    text = readFileSync(v6 ? '/proc/net/udp6' : '/proc/net/udp', 'utf8');
  } catch {
    return undefined;
  }
  const port = `:${local.port.toString(16).toUpperCase().padStart(4, '0')}`;
  const address = local.address === undefined ? undefined : procAddress(local.address, v6);
  let portOnly: KernelSocketView | undefined;
  let portMatches = 0;
  for (const line of text.split('\n')) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ref pointer drops
    const f = line.trim().split(/\s+/);
    if (f.length < 13 || !f[1]!.endsWith(port)) continue;
    const drops = Number(f[12]);
    if (!Number.isFinite(drops)) continue;
    const view = { rxQueueBytes: parseInt(f[4]!.split(':')[1] ?? '0', 16), drops };
    if (address !== undefined && f[1]!.slice(0, -port.length) === address) return view;
    portMatches++;
    portOnly = view;
  }
  return portMatches === 1 ? portOnly : undefined;
}

/**
 * An IPv4 address as /proc prints it: the 32-bit word in the machine's byte order, in hex. IPv6 sockets are
 * found by their port alone (undefined here), which is unique unless Reuse Address shares it.
 */
function procAddress(address: string, v6: boolean): string | undefined {
  if (v6) return undefined;
  const bytes = address.split('.').map(Number);
  if (bytes.length !== 4 || !bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) return undefined;
  if (endianness() === 'LE') bytes.reverse();
  return bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join('');
}
