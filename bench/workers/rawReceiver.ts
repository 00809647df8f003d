// The baseline receiver: a bare dgram socket whose 'message' handler only counts. Anything UDP Lab does on
// top of this is what the ratios measure.

import * as dgram from 'node:dgram';
import { delay, serve } from './ipc';

let socket: dgram.Socket | undefined;
let received = 0;
let bytes = 0;
let cpuAtBind = process.cpuUsage();

async function bind(): Promise<{ port: number }> {
  received = 0;
  bytes = 0;
  cpuAtBind = process.cpuUsage();
  const s = dgram.createSocket('udp4');
  s.on('error', (e) => console.error(`raw receiver: ${e.message}`));
  s.on('message', (msg) => {
    received++;
    bytes += msg.length;
  });
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  socket = s;
  return { port: s.address().port };
}

/** Waits until nothing new has arrived for `quietMs`, then reports the counts. */
async function settle({ quietMs }: { quietMs: number }): Promise<{ received: number; bytes: number; cpuMs: number }> {
  let last = -1;
  while (last !== received) {
    last = received;
    await delay(quietMs);
  }
  const cpu = process.cpuUsage(cpuAtBind);
  return { received, bytes, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function close(): Promise<void> {
  const s = socket;
  socket = undefined;
  if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
}

serve({ bind, settle, close });
