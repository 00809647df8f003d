// A bound UDP socket that never reads: after binding, this process blocks its only thread, so the kernel
// queues datagrams until the receive buffer is full and then drops them, at no cost to the sender beyond the
// loopback delivery itself. The send benchmarks aim at it so no receiver competes with the sender for a core.

import * as dgram from 'node:dgram';
import { serve } from './ipc';

let socket: dgram.Socket | undefined;

async function bind(): Promise<{ port: number }> {
  const s = dgram.createSocket('udp4');
  s.on('error', (e) => console.error(`blackhole: ${e.message}`));
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  socket = s;
  return { port: s.address().port };
}

/** Answers first, then blocks the thread for `ms` (bounded) and exits: the socket is never read. */
function block({ ms }: { ms: number }): { blocking: true } {
  setTimeout(() => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(ms, 600_000));
    socket?.close();
    process.exit(0);
  }, 20);
  return { blocking: true };
}

serve({ bind, block });
