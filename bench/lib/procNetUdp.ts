// Reads the kernel's view of one local UDP socket from /proc/net/udp{,6}: bytes still queued for the
// application (rx_queue) and datagrams the kernel dropped because the socket's receive buffer was full.
// This lets the bench count what any receiver (even a separate CLI process writing to /dev/null) took in,
// without adding a single instruction to its hot path.

import * as fs from 'node:fs';

export interface KernelSocketView {
  rxQueueBytes: number;
  drops: number;
}

export function readUdpSocket(port: number, family: 'IPv4' | 'IPv6' = 'IPv4'): KernelSocketView | undefined {
  const file = family === 'IPv4' ? '/proc/net/udp' : '/proc/net/udp6';
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ref pointer drops
    if (f.length < 13 || !f[1]!.endsWith(`:${portHex}`)) continue;
    const rx = f[4]!.split(':')[1] ?? '0';
    return { rxQueueBytes: parseInt(rx, 16), drops: Number(f[12]) };
  }
  return undefined;
}

/** Waits until the socket's receive queue is empty (the application has read everything); returns the wait. */
export async function waitForEmptyQueue(port: number, maxMs: number): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < maxMs) {
    const view = readUdpSocket(port);
    if (!view || view.rxQueueBytes === 0) break;
    await new Promise((r) => setTimeout(r, 1));
  }
  return performance.now() - start;
}
