// Reads the kernel's view of one local UDP socket from /proc/net/udp{,6}: bytes still queued for the
// application (rx_queue) and datagrams the kernel dropped because the socket's receive buffer was full.
// This lets the bench count what any receiver (even a separate CLI process writing to /dev/null) took in,
// without adding a single instruction to its hot path.

import { readKernelUdpSocket, type KernelSocketView } from '../../src/core/kernelDrops';

export type { KernelSocketView };

/** The socket on `port` (the bench's ports are its own, so the port alone finds it). */
export function readUdpSocket(port: number, family: 'IPv4' | 'IPv6' = 'IPv4'): KernelSocketView | undefined {
  return readKernelUdpSocket({ port, family });
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
