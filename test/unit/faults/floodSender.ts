// Child process for flood.test.ts: sends COUNT datagrams of SIZE bytes to 127.0.0.1:PORT from a plain dgram
// socket, in bursts (at most BURST sends outstanding, refilled at half, so memory stays flat), and stops by itself after COUNT
// datagrams or MAX_MS milliseconds, whichever comes first. Reports over IPC: { sent, failed, elapsedMs } where
// `sent` counts the sends the kernel accepted — on loopback each one is then either received or counted as a
// drop at the receiving socket (/proc/net/udp), which is what the test checks.
// Usage (forked with tsx): floodSender.ts PORT COUNT SIZE MAX_MS

import * as dgram from 'node:dgram';

const [port, count, size, maxMs] = process.argv.slice(2, 6).map(Number) as [number, number, number, number];
const BURST = 1024;

const socket = dgram.createSocket('udp4');
const payload = Buffer.alloc(size, 0x66);
let issued = 0;
let sent = 0;
let failed = 0;
let inFlight = 0;
let started = 0;

const finish = (): void => {
  const report = { sent, failed, elapsedMs: performance.now() - started };
  socket.close();
  process.send?.(report, () => process.exit(0));
};

const pump = (): void => {
  if (issued >= count || performance.now() - started > maxMs) {
    if (inFlight === 0) finish();
    return;
  }
  const burst = Math.min(BURST - inFlight, count - issued);
  for (let i = 0; i < burst; i++) {
    issued++;
    inFlight++;
    socket.send(payload, port, '127.0.0.1', onSent);
  }
};

let pumpScheduled = false;
function onSent(error: Error | null): void {
  inFlight--;
  if (error) failed++;
  else sent++;
  // Refill when half the burst has gone out; the last callback of the run finishes it.
  if ((inFlight <= BURST / 2 && !pumpScheduled) || inFlight === 0) {
    pumpScheduled = true;
    setImmediate(() => {
      pumpScheduled = false;
      pump();
    });
  }
}

socket.on('error', () => undefined);
socket.bind(0, '127.0.0.1', () => {
  started = performance.now();
  pump();
});
// The parent going away ends the flood at once.
process.on('disconnect', () => process.exit(0));
