// Per-socket counters: datagrams and bytes in/out, current rates, last peer and last activity.
// `recordIn`/`recordOut` run once per datagram, so they are O(1) and allocation-free: rates come from a ring of
// fixed time buckets (RATE_BUCKET_MS wide) summed only when someone reads them.

import type { Endpoint, SocketStatsView } from '../shared/dto';

/** Width of one rate bucket. */
export const RATE_BUCKET_MS = 250;
/** Buckets in the sliding window: RATE_BUCKETS × RATE_BUCKET_MS = the window rates are averaged over. */
export const RATE_BUCKETS = 12;
/** The sliding window (3 s): long enough to be steady, short enough to fall to 0 soon after traffic stops. */
export const RATE_WINDOW_MS = RATE_BUCKET_MS * RATE_BUCKETS;

/** Datagrams and bytes per time bucket, for one direction. */
class RateWindow {
  private readonly datagrams = new Float64Array(RATE_BUCKETS);
  private readonly bytes = new Float64Array(RATE_BUCKETS);
  /** Absolute bucket number (time / RATE_BUCKET_MS) of the newest bucket written. */
  private current = -1;
  /** The newest bucket's slot and time range, so the common case (same bucket as last time) is two compares. */
  private slot = 0;
  private bucketStart = Number.POSITIVE_INFINITY;
  private bucketEnd = Number.NEGATIVE_INFINITY;

  add(size: number, time: number): void {
    if (time < this.bucketStart || time >= this.bucketEnd) this.enter(time);
    this.datagrams[this.slot]! += 1;
    this.bytes[this.slot]! += size;
  }

  private enter(time: number): void {
    const bucket = Math.floor(time / RATE_BUCKET_MS);
    if (bucket !== this.current) this.advance(bucket);
    // A clock that went back keeps adding to the newest bucket (advance ignores it).
    this.slot = this.current % RATE_BUCKETS;
    this.bucketStart = bucket === this.current ? this.current * RATE_BUCKET_MS : Number.NEGATIVE_INFINITY;
    this.bucketEnd = bucket === this.current ? this.bucketStart + RATE_BUCKET_MS : Number.NEGATIVE_INFINITY;
  }

  /** Zeroes the buckets between the last one written and `bucket` (at most RATE_BUCKETS of them). */
  private advance(bucket: number): void {
    if (bucket < this.current) return; // clock went back: keep adding to the current bucket's slot
    const gap = this.current < 0 ? RATE_BUCKETS : Math.min(RATE_BUCKETS, bucket - this.current);
    for (let i = 1; i <= gap; i++) {
      const slot = (bucket - gap + i) % RATE_BUCKETS;
      this.datagrams[slot] = 0;
      this.bytes[slot] = 0;
    }
    this.current = bucket;
  }

  /** [datagrams/s, bytes/s] over the window ending `now`, counting only since `since` if that is later. */
  rates(now: number, since: number): [number, number] {
    if (this.current < 0) return [0, 0];
    const nowBucket = Math.floor(now / RATE_BUCKET_MS);
    const oldest = nowBucket - RATE_BUCKETS + 1;
    let datagrams = 0;
    let bytes = 0;
    for (let b = Math.max(oldest, this.current - RATE_BUCKETS + 1); b <= Math.min(this.current, nowBucket); b++) {
      const slot = b % RATE_BUCKETS;
      datagrams += this.datagrams[slot]!;
      bytes += this.bytes[slot]!;
    }
    // The window covers the full old buckets plus the part of the current one that has elapsed; a socket younger
    // than the window is averaged over its own lifetime, so a fresh burst does not read as a low rate.
    const windowStart = Math.max(oldest * RATE_BUCKET_MS, since);
    const seconds = Math.max(now - windowStart, RATE_BUCKET_MS) / 1000;
    return [datagrams / seconds, bytes / seconds];
  }

  reset(): void {
    this.datagrams.fill(0);
    this.bytes.fill(0);
    this.current = -1;
    this.bucketStart = Number.POSITIVE_INFINITY;
    this.bucketEnd = Number.NEGATIVE_INFINITY;
  }
}

export class SocketStats {
  datagramsIn = 0;
  bytesIn = 0;
  datagramsOut = 0;
  bytesOut = 0;
  lastPeer: Endpoint | undefined;
  /**
   * When the last datagram came or went; NaN before the first. A number from the start, never undefined: V8 then
   * keeps the field as a double it overwrites in place, where a field that was once undefined holds a boxed
   * number — a fresh heap object per datagram, and a write barrier to record it (perf: ~0.5 % of a flood).
   */
  private lastActivityMs = Number.NaN;
  private readonly inRate = new RateWindow();
  private readonly outRate = new RateWindow();
  private startedAt: number;

  constructor(now: number = Date.now()) {
    this.startedAt = now;
  }

  /** When the last datagram came or went (ms since the epoch); undefined before the first. */
  get lastActivity(): number | undefined {
    return Number.isNaN(this.lastActivityMs) ? undefined : this.lastActivityMs;
  }

  /** One datagram received from `peer` at `time` (ms since the epoch). */
  recordIn(size: number, peer: Endpoint, time: number): void {
    this.datagramsIn++;
    this.bytesIn += size;
    this.lastPeer = peer;
    this.lastActivityMs = time;
    this.inRate.add(size, time);
  }

  /** One datagram sent to `peer` at `time`. `lastPeer` stays the last sender: it is who a reply would go to. */
  recordOut(size: number, _peer: Endpoint, time: number): void {
    this.datagramsOut++;
    this.bytesOut += size;
    this.lastActivityMs = time;
    this.outRate.add(size, time);
  }

  view(now: number = Date.now()): SocketStatsView {
    const [rateIn, bytesRateIn] = this.inRate.rates(now, this.startedAt);
    const [rateOut, bytesRateOut] = this.outRate.rates(now, this.startedAt);
    const view: SocketStatsView = {
      datagramsIn: this.datagramsIn,
      bytesIn: this.bytesIn,
      datagramsOut: this.datagramsOut,
      bytesOut: this.bytesOut,
      rateIn,
      rateOut,
      bytesRateIn,
      bytesRateOut,
    };
    if (this.lastPeer) view.lastPeer = { address: this.lastPeer.address, family: this.lastPeer.family, port: this.lastPeer.port };
    if (!Number.isNaN(this.lastActivityMs)) view.lastActivity = this.lastActivityMs;
    return view;
  }

  reset(now: number = Date.now()): void {
    this.datagramsIn = 0;
    this.bytesIn = 0;
    this.datagramsOut = 0;
    this.bytesOut = 0;
    this.lastPeer = undefined;
    this.lastActivityMs = Number.NaN;
    this.inRate.reset();
    this.outRate.reset();
    this.startedAt = now;
  }
}
