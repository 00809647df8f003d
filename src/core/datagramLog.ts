// The bounded datagram log: every received and sent datagram of every socket, newest last, capped by count AND by
// bytes. What falls off the old end is counted exactly (`dropped`), so the UI can say "12 034 older datagrams
// dropped" instead of silently losing them.
//
// Hot path: `append` runs once per datagram (10⁵/s under a flood). The ring is a struct of arrays (times in a
// Float64Array, directions in a Uint8Array, the rest in plain arrays) so appending allocates nothing; the
// DatagramView objects callers see are made only when they read (a batch every 50–100 ms, a bounded number of rows).

import type { DatagramView, Direction, Endpoint } from '../shared/dto';
import { Emitter, type Event } from './events';

export interface LogCaps {
  /** Most entries kept (≥ 1). */
  maxCount: number;
  /** Most payload bytes kept (≥ 1). A single datagram larger than this is still kept, alone, so the newest is always visible. */
  maxBytes: number;
}

export const DEFAULT_LOG_CAPS: LogCaps = { maxCount: 100_000, maxBytes: 64 * 1024 * 1024 };

const INITIAL_CAPACITY = 1024;
const IN = 0;
const OUT = 1;

export class DatagramLog {
  private caps: LogCaps;
  // Ring storage. `capacity` grows by doubling up to caps.maxCount, so a large cap costs memory only once used.
  // `head` is the slot of the oldest entry.
  private capacity: number;
  private times: Float64Array;
  private directions: Uint8Array;
  private socketIds: Array<string | undefined>;
  private peers: Array<Endpoint | undefined>;
  private payloads: Array<Uint8Array | undefined>;
  private head = 0;
  private count = 0;
  private byteTotal = 0;
  /** Seq of the oldest entry (the one at `head`); when empty, the seq the next entry will get. */
  private oldestSeq = 1;
  private droppedCount = 0;
  private appendedCount = 0;

  private readonly clearEmitter = new Emitter<void>();
  /** Fires after `clear()`: views should drop what they show. */
  readonly onDidClear: Event<void> = this.clearEmitter.event;

  constructor(caps: Partial<LogCaps> = {}) {
    this.caps = normalizeCaps({ ...DEFAULT_LOG_CAPS, ...caps });
    this.capacity = Math.min(this.caps.maxCount, INITIAL_CAPACITY);
    this.times = new Float64Array(this.capacity);
    this.directions = new Uint8Array(this.capacity);
    this.socketIds = new Array<string | undefined>(this.capacity);
    this.peers = new Array<Endpoint | undefined>(this.capacity);
    this.payloads = new Array<Uint8Array | undefined>(this.capacity);
  }

  /** Entries held now. */
  get size(): number {
    return this.count;
  }

  /** Payload bytes held now. */
  get bytes(): number {
    return this.byteTotal;
  }

  /** Entries evicted by the caps since the log was made (clear() does not count as dropping). */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Entries ever appended. */
  get totalAppended(): number {
    return this.appendedCount;
  }

  /** Seq of the oldest entry held; equals lastSeq + 1 when the log is empty. */
  get firstSeq(): number {
    return this.oldestSeq;
  }

  /** Seq of the newest entry ever appended (0 before the first). Seqs start at 1 and are never reused. */
  get lastSeq(): number {
    return this.oldestSeq + this.count - 1;
  }

  getCaps(): LogCaps {
    return { ...this.caps };
  }

  /**
   * Records one datagram and returns its seq. `bytes` must already be the log's own copy (the socket copies
   * received bytes out of dgram's buffer, and sent bytes before handing them to dgram); `peer` is kept as is.
   */
  append(socketId: string, direction: Direction, peer: Endpoint, bytes: Uint8Array, time: number): number {
    const size = bytes.byteLength;
    // Make room: by count, then by bytes (but never evict the entry being added).
    if (this.count === this.capacity) {
      if (this.capacity < this.caps.maxCount) this.relayout(Math.min(this.caps.maxCount, this.capacity * 2));
      else this.evictOldest();
    }
    const maxBytes = this.caps.maxBytes;
    while (this.count > 0 && this.byteTotal + size > maxBytes) this.evictOldest();

    let slot = this.head + this.count;
    if (slot >= this.capacity) slot -= this.capacity;
    this.times[slot] = time;
    this.directions[slot] = direction === 'in' ? IN : OUT;
    this.socketIds[slot] = socketId;
    this.peers[slot] = peer;
    this.payloads[slot] = bytes;
    this.count++;
    this.byteTotal += size;
    this.appendedCount++;
    return this.oldestSeq + this.count - 1;
  }

  private evictOldest(): void {
    const slot = this.head;
    this.byteTotal -= this.payloads[slot]!.byteLength;
    this.socketIds[slot] = undefined;
    this.peers[slot] = undefined;
    this.payloads[slot] = undefined;
    this.head = slot + 1 === this.capacity ? 0 : slot + 1;
    this.count--;
    this.oldestSeq++;
    this.droppedCount++;
  }

  /** The entry with this seq, if it is still held. */
  get(seq: number): DatagramView | undefined {
    const offset = seq - this.oldestSeq;
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.count) return undefined;
    return this.viewAt(offset);
  }

  /**
   * Entries with seq > `afterSeq`, oldest first, at most `limit`. Entries already dropped are skipped, so a reader
   * that fell behind resumes at `firstSeq` (it can tell by comparing with its own last seq).
   */
  since(afterSeq: number, limit = Number.POSITIVE_INFINITY): DatagramView[] {
    const startOffset = Math.max(0, Math.floor(afterSeq) + 1 - this.oldestSeq);
    const end = Math.min(this.count, startOffset + Math.max(0, limit));
    const out: DatagramView[] = [];
    for (let offset = startOffset; offset < end; offset++) out.push(this.viewAt(offset));
    return out;
  }

  /** The newest `n` entries, oldest first. */
  latest(n: number): DatagramView[] {
    const take = Math.max(0, Math.min(this.count, Math.floor(n)));
    const out: DatagramView[] = [];
    for (let offset = this.count - take; offset < this.count; offset++) out.push(this.viewAt(offset));
    return out;
  }

  /** Calls `fn` for each entry held, oldest first, without building an array (exports of the whole log). */
  forEach(fn: (entry: DatagramView) => void): void {
    for (let offset = 0; offset < this.count; offset++) fn(this.viewAt(offset));
  }

  /** Forgets every entry. Seqs continue (never reused); `dropped` is unchanged, since the user asked for this. */
  clear(): void {
    for (let offset = 0; offset < this.count; offset++) {
      const slot = this.slotOf(offset);
      this.socketIds[slot] = undefined;
      this.peers[slot] = undefined;
      this.payloads[slot] = undefined;
    }
    this.oldestSeq += this.count;
    this.head = 0;
    this.count = 0;
    this.byteTotal = 0;
    this.clearEmitter.fire();
  }

  /** Changes the caps; evicts the oldest entries (counted as dropped) until the log fits. */
  setCaps(caps: Partial<LogCaps>): void {
    const next = normalizeCaps({ ...this.caps, ...caps });
    // Evict first while the old layout is valid.
    while (this.count > next.maxCount) this.evictOldest();
    while (this.count > 1 && this.byteTotal > next.maxBytes) this.evictOldest();
    if (this.capacity > next.maxCount) this.relayout(next.maxCount);
    this.caps = next;
  }

  private relayout(capacity: number): void {
    const times = new Float64Array(capacity);
    const directions = new Uint8Array(capacity);
    const socketIds = new Array<string | undefined>(capacity);
    const peers = new Array<Endpoint | undefined>(capacity);
    const payloads = new Array<Uint8Array | undefined>(capacity);
    for (let offset = 0; offset < this.count; offset++) {
      const slot = this.slotOf(offset);
      times[offset] = this.times[slot]!;
      directions[offset] = this.directions[slot]!;
      socketIds[offset] = this.socketIds[slot];
      peers[offset] = this.peers[slot];
      payloads[offset] = this.payloads[slot];
    }
    this.capacity = capacity;
    this.times = times;
    this.directions = directions;
    this.socketIds = socketIds;
    this.peers = peers;
    this.payloads = payloads;
    this.head = 0;
  }

  private slotOf(offset: number): number {
    const slot = this.head + offset;
    return slot >= this.capacity ? slot - this.capacity : slot;
  }

  private viewAt(offset: number): DatagramView {
    const slot = this.slotOf(offset);
    const bytes = this.payloads[slot]!;
    return {
      seq: this.oldestSeq + offset,
      time: this.times[slot]!,
      direction: this.directions[slot] === IN ? 'in' : 'out',
      socketId: this.socketIds[slot]!,
      peer: this.peers[slot]!,
      size: bytes.byteLength,
      bytes,
    };
  }

  dispose(): void {
    this.clearEmitter.dispose();
  }
}

function normalizeCaps(caps: LogCaps): LogCaps {
  const count = Math.floor(caps.maxCount);
  const bytes = Math.floor(caps.maxBytes);
  return {
    maxCount: Number.isFinite(count) && count >= 1 ? count : DEFAULT_LOG_CAPS.maxCount,
    maxBytes: Number.isFinite(bytes) && bytes >= 1 ? bytes : DEFAULT_LOG_CAPS.maxBytes,
  };
}
