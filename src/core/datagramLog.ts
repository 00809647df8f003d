// The bounded datagram log: every received and sent datagram of every socket, newest last, capped by count AND by
// bytes. What falls off the old end is counted exactly (`dropped`), so the UI can say "12 034 older datagrams
// dropped" instead of silently losing them.
//
// Hot path: `append` runs once per datagram (10⁵/s under a flood), so it allocates nothing per datagram:
//   - payload bytes are copied into slabs (1 MiB ArrayBuffers filled front to back); an entry is a (slab, offset,
//     size) triple. (One retained ArrayBuffer or Buffer per datagram made V8's GC the bottleneck of a flood.)
//     Entries leave in the order they came, so a slab's entries are one contiguous run: when the last of them is
//     evicted the slab is empty, and it is kept for reuse instead of being left to the GC while a fresh one is
//     allocated — at the caps a flood then turns over the same few slabs, and RSS stays flat (a fresh 1 MiB slab
//     every ~1 000 datagrams of 1 KB made RSS swing by tens of MB, and cost page faults on every new slab).
//   - the other fields live in a struct of arrays (times in a Float64Array, directions in a Uint8Array, socket ids
//     and peers as references to strings and endpoint objects the sockets share between datagrams).
// The DatagramView objects callers see, with an exact copy of the bytes, are made only when they read (a batch
// every 50–100 ms, a bounded number of rows).

import type { DatagramView, Direction, Endpoint } from '../shared/dto';
import { Emitter, type Event } from './events';

export interface LogCaps {
  /** Most entries kept (≥ 1). */
  maxCount: number;
  /** Most payload bytes kept (≥ 1). A single datagram larger than this is still kept, alone, so the newest is always visible. */
  maxBytes: number;
}

export const DEFAULT_LOG_CAPS: LogCaps = { maxCount: 100_000, maxBytes: 64 * 1024 * 1024 };

/** Slab size: large enough that slab turnover is rare, small enough that a half-evicted slab wastes little. */
const SLAB_BYTES = 1024 * 1024;
/**
 * Emptied slabs kept for reuse. In steady state one slab empties for each one filled, so a couple suffice; the
 * bound keeps a burst of evictions (setCaps, a huge datagram) from holding memory the caps no longer allow.
 */
const MAX_SPARE_SLABS = 2;
const INITIAL_CAPACITY = 1024;
const IN = 0;
const OUT = 1;
const EMPTY_SLAB = new Uint8Array(0);
/**
 * The copy into a slab, called as `copyInto.call(slab, bytes, offset)`. `slab.set(...)` reads the method off the
 * slab first, and in this hot path V8 compiled that read (and `byteLength` reads, hence `slabBytes` and the
 * `size` argument) as calls to its generic property-lookup stub; a known function called directly is not.
 */
const copyInto = Uint8Array.prototype.set;

export class DatagramLog {
  private caps: LogCaps;
  // Ring of entry slots. `capacity` grows by doubling up to caps.maxCount, so a large cap costs memory only once
  // used. `head` is the slot of the oldest entry.
  private capacity: number;
  private times: Float64Array;
  private directions: Uint8Array;
  private sizes: Int32Array;
  private offsets: Int32Array;
  private slabOf: Array<Uint8Array | undefined>;
  private socketIds: Array<string | undefined>;
  private peers: Array<Endpoint | undefined>;
  private head = 0;
  private count = 0;
  private byteTotal = 0;
  /** Seq of the oldest entry (the one at `head`); when empty, the seq the next entry will get. */
  private oldestSeq = 1;
  private droppedCount = 0;
  private appendedCount = 0;
  /** The slab being filled and where its free space starts. */
  private slab: Uint8Array = EMPTY_SLAB;
  private slabUsed = 0;
  /** `slab.byteLength`, kept as a number (see copyInto). */
  private slabBytes = 0;
  /** Emptied full-size slabs, ready to be filled again (see MAX_SPARE_SLABS). */
  private readonly spareSlabs: Uint8Array[] = [];
  private slabAllocations = 0;
  private appendSignalPending = false;

  private readonly clearEmitter = new Emitter<void>();
  private readonly appendEmitter = new Emitter<void>();
  /** Fires after `clear()`: views should drop what they show. */
  readonly onDidClear: Event<void> = this.clearEmitter.event;
  /**
   * Something was appended. Coalesced to at most once per event-loop turn however many datagrams arrived, so a
   * listener (the panel feed) can afford to react to every signal; read what is new with `since(lastSeq)`.
   */
  readonly onDidAppend: Event<void> = this.appendEmitter.event;

  constructor(caps: Partial<LogCaps> = {}) {
    this.caps = normalizeCaps({ ...DEFAULT_LOG_CAPS, ...caps });
    this.capacity = Math.min(this.caps.maxCount, INITIAL_CAPACITY);
    this.times = new Float64Array(this.capacity);
    this.directions = new Uint8Array(this.capacity);
    this.sizes = new Int32Array(this.capacity);
    this.offsets = new Int32Array(this.capacity);
    this.slabOf = new Array<Uint8Array | undefined>(this.capacity);
    this.socketIds = new Array<string | undefined>(this.capacity);
    this.peers = new Array<Endpoint | undefined>(this.capacity);
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

  /** Payload slabs allocated since the log was made (reused ones are not counted again): memory diagnostics. */
  get slabsAllocated(): number {
    return this.slabAllocations;
  }

  getCaps(): LogCaps {
    return { ...this.caps };
  }

  /**
   * Records one datagram and returns its seq. The log copies `bytes` (the caller may reuse its buffer at once);
   * `peer` is kept by reference, so it must not be mutated afterwards (sockets pass one object per peer).
   * `size` is `bytes.byteLength`, for a caller that has read it already.
   */
  append(socketId: string, direction: Direction, peer: Endpoint, bytes: Uint8Array, time: number, size: number = bytes.byteLength): number {
    // Make room: by count, then by bytes (but never evict the entry being added).
    if (this.count === this.capacity) {
      if (this.capacity < this.caps.maxCount) this.relayout(Math.min(this.caps.maxCount, this.capacity * 2));
      else this.evictOldest();
    }
    const maxBytes = this.caps.maxBytes;
    while (this.count > 0 && this.byteTotal + size > maxBytes) this.evictOldest();

    if (this.slabUsed + size > this.slabBytes) {
      const full = this.slab;
      this.slab = (size <= SLAB_BYTES && this.spareSlabs.pop()) || this.newSlab(size > SLAB_BYTES ? size : SLAB_BYTES);
      this.slabUsed = 0;
      this.slabBytes = this.slab.byteLength;
      // Small caps can evict a slab's entries while it is still being filled: then it is empty as it is left.
      if (full !== EMPTY_SLAB && (this.count === 0 || this.slabOf[this.slotOf(this.count - 1)] !== full)) this.recycle(full);
    }
    const offset = this.slabUsed;
    copyInto.call(this.slab, bytes, offset);
    this.slabUsed = offset + size;

    let slot = this.head + this.count;
    if (slot >= this.capacity) slot -= this.capacity;
    this.times[slot] = time;
    this.directions[slot] = direction === 'in' ? IN : OUT;
    this.sizes[slot] = size;
    this.offsets[slot] = offset;
    this.slabOf[slot] = this.slab;
    this.socketIds[slot] = socketId;
    this.peers[slot] = peer;
    this.count++;
    this.byteTotal += size;
    this.appendedCount++;
    if (!this.appendSignalPending) {
      this.appendSignalPending = true;
      setImmediate(this.flushAppendSignal);
    }
    return this.oldestSeq + this.count - 1;
  }

  private readonly flushAppendSignal = (): void => {
    this.appendSignalPending = false;
    this.appendEmitter.fire();
  };

  private evictOldest(): void {
    const slot = this.head;
    const slab = this.slabOf[slot];
    this.byteTotal -= this.sizes[slot]!;
    this.slabOf[slot] = undefined;
    this.socketIds[slot] = undefined;
    this.peers[slot] = undefined;
    this.head = slot + 1 === this.capacity ? 0 : slot + 1;
    this.count--;
    this.oldestSeq++;
    this.droppedCount++;
    // The slab's entries were a contiguous run: if the next entry is elsewhere, this was its last one.
    if (slab !== undefined && slab !== this.slab && (this.count === 0 || this.slabOf[this.head] !== slab)) this.recycle(slab);
  }

  private newSlab(bytes: number): Uint8Array {
    this.slabAllocations++;
    return new Uint8Array(bytes);
  }

  /** Keeps an emptied slab for reuse (only full-size ones: an oversized datagram's own slab goes to the GC). */
  private recycle(slab: Uint8Array): void {
    if (slab.byteLength === SLAB_BYTES && this.spareSlabs.length < MAX_SPARE_SLABS) this.spareSlabs.push(slab);
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

  /**
   * since() without the copies: each entry's `bytes` is a view into the log's own memory, valid only until the log
   * is next changed (appended to, cleared, re-capped: its slabs are reused). For a reader that copies what it needs
   * at once — the panel feed packs a batch into one buffer synchronously — where a copy per row in its own
   * ArrayBuffer was most of the cost of a batch (500 allocations, and the GC work to free them).
   */
  peekSince(afterSeq: number, limit = Number.POSITIVE_INFINITY): DatagramView[] {
    const startOffset = Math.max(0, Math.floor(afterSeq) + 1 - this.oldestSeq);
    const end = Math.min(this.count, startOffset + Math.max(0, limit));
    const out: DatagramView[] = [];
    for (let offset = startOffset; offset < end; offset++) out.push(this.viewAt(offset, false));
    return out;
  }

  /** The newest `n` entries, oldest first. */
  latest(n: number): DatagramView[] {
    const take = Math.max(0, Math.min(this.count, Math.floor(n)));
    const out: DatagramView[] = [];
    for (let offset = this.count - take; offset < this.count; offset++) out.push(this.viewAt(offset));
    return out;
  }

  /** The ids of the sockets whose datagrams the log holds, oldest first (read from the id column: no entry built). */
  socketIdsHeld(): Set<string> {
    const ids = new Set<string>();
    let last: string | undefined;
    for (let offset = 0; offset < this.count; offset++) {
      const id = this.socketIds[this.slotOf(offset)];
      // Runs of one socket are the common case: skip the set lookup while the id repeats.
      if (id === undefined || id === last) continue;
      last = id;
      ids.add(id);
    }
    return ids;
  }

  /** Calls `fn` for each entry held, oldest first, without building an array (exports of the whole log). */
  forEach(fn: (entry: DatagramView) => void): void {
    for (let offset = 0; offset < this.count; offset++) fn(this.viewAt(offset));
  }

  /** Forgets every entry. Seqs continue (never reused); `dropped` is unchanged, since the user asked for this. */
  clear(): void {
    for (let offset = 0; offset < this.count; offset++) {
      const slot = this.slotOf(offset);
      this.slabOf[slot] = undefined;
      this.socketIds[slot] = undefined;
      this.peers[slot] = undefined;
    }
    this.oldestSeq += this.count;
    this.head = 0;
    this.count = 0;
    this.byteTotal = 0;
    // Start a fresh slab so the old ones can be freed (a spare or two is kept for what comes next).
    if (this.slab !== EMPTY_SLAB) this.recycle(this.slab);
    this.slab = EMPTY_SLAB;
    this.slabUsed = 0;
    this.slabBytes = 0;
    this.clearEmitter.fire();
  }

  /** Changes the caps; evicts the oldest entries (counted as dropped) until the log fits. */
  setCaps(caps: Partial<LogCaps>): void {
    const next = normalizeCaps({ ...this.caps, ...caps });
    while (this.count > next.maxCount) this.evictOldest();
    while (this.count > 1 && this.byteTotal > next.maxBytes) this.evictOldest();
    if (this.capacity > next.maxCount) this.relayout(next.maxCount);
    this.caps = next;
  }

  private relayout(capacity: number): void {
    const times = new Float64Array(capacity);
    const directions = new Uint8Array(capacity);
    const sizes = new Int32Array(capacity);
    const offsets = new Int32Array(capacity);
    const slabOf = new Array<Uint8Array | undefined>(capacity);
    const socketIds = new Array<string | undefined>(capacity);
    const peers = new Array<Endpoint | undefined>(capacity);
    for (let offset = 0; offset < this.count; offset++) {
      const slot = this.slotOf(offset);
      times[offset] = this.times[slot]!;
      directions[offset] = this.directions[slot]!;
      sizes[offset] = this.sizes[slot]!;
      offsets[offset] = this.offsets[slot]!;
      slabOf[offset] = this.slabOf[slot];
      socketIds[offset] = this.socketIds[slot];
      peers[offset] = this.peers[slot];
    }
    this.capacity = capacity;
    this.times = times;
    this.directions = directions;
    this.sizes = sizes;
    this.offsets = offsets;
    this.slabOf = slabOf;
    this.socketIds = socketIds;
    this.peers = peers;
    this.head = 0;
  }

  private slotOf(offset: number): number {
    const slot = this.head + offset;
    return slot >= this.capacity ? slot - this.capacity : slot;
  }

  /** `copy` false: the bytes are a view into the slab (see peekSince). */
  private viewAt(offset: number, copy = true): DatagramView {
    const slot = this.slotOf(offset);
    const size = this.sizes[slot]!;
    const start = this.offsets[slot]!;
    const stored = this.slabOf[slot]!.subarray(start, start + size);
    let bytes: Uint8Array = stored;
    if (copy) {
      // An exact copy in its own memory: readers may keep it, post it or transfer its buffer.
      bytes = Buffer.allocUnsafeSlow(size);
      bytes.set(stored);
    }
    return {
      seq: this.oldestSeq + offset,
      time: this.times[slot]!,
      direction: this.directions[slot] === IN ? 'in' : 'out',
      socketId: this.socketIds[slot]!,
      peer: this.peers[slot]!,
      size,
      bytes,
    };
  }

  dispose(): void {
    this.clearEmitter.dispose();
    this.appendEmitter.dispose();
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
