// Timestamps for datagrams: milliseconds since the epoch with sub-millisecond precision. Date.now() is only
// whole milliseconds, which is too coarse to order or time datagrams arriving 100 per millisecond; the monotonic
// clock is precise but has its own origin. We anchor the monotonic clock to the wall clock and re-anchor every
// few seconds, so a long session does not drift from the system time (NTP adjustments, suspend).

import { performance } from 'node:perf_hooks';

const REANCHOR_MS = 5_000;

let offset = Date.now() - performance.now();
let nextAnchor = performance.now() + REANCHOR_MS;

/** Wall-clock time in ms since the epoch, fractional; never goes backwards between re-anchors. */
export function wallClockMs(): number {
  const mono = performance.now();
  if (mono >= nextAnchor) {
    // Keep sub-ms continuity: only move the offset when the wall clock disagrees by more than a millisecond.
    const fresh = Date.now() - mono;
    if (Math.abs(fresh - offset) > 1) offset = fresh;
    nextAnchor = mono + REANCHOR_MS;
  }
  return offset + mono;
}

let batchTime = 0;
let batchValid = false;
const endBatch = (): void => {
  batchValid = false;
};

/**
 * The wall-clock time, read once per event-loop turn and shared by everything stamped in that turn. Under a flood
 * libuv hands over a batch of datagrams per poll (up to 32 per socket), all read in the same turn: they get the
 * same stamp, which is when UDP Lab read them — a fresh clock read would say the same to within microseconds, at
 * the price of a clock call per datagram (costly under some sandboxes: ~0.3 µs each). Order is given by seq.
 */
export function batchClockMs(): number {
  if (batchValid) return batchTime;
  batchTime = wallClockMs();
  batchValid = true;
  setImmediate(endBatch);
  return batchTime;
}

/** Monotonic milliseconds for measuring durations (schedulers, timeouts). */
export function monotonicMs(): number {
  return performance.now();
}
