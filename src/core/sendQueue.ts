// The sends a UdpSocket has handed to dgram and not yet heard back about, oldest first. dgram answers the sends
// of one socket in the order they were made: UdpSocket gives it only resolved address literals, which its
// lookup answers at once (see UdpSocket.lookupForDgram), so every send reaches the kernel inside send(); a send
// the kernel took is answered on the next tick (process.nextTick is first in, first out), and one it could not
// take yet waits in libuv's queue, which sends and completes in order and lets no later send past it. So one
// shared completion callback can take the oldest entry instead of dgram getting a fresh closure per datagram. An entry is a slot in parallel arrays (a ring that grows
// by doubling), so a send allocates nothing here: at 10⁵ sends/s a closure, a context object and a Promise per
// datagram were a visible share of the send path.
//
// The queue also holds the socket's copy of each datagram until dgram is done with it. Small datagrams are copied
// into a ring of bytes owned by the queue — freed in the same order the sends complete — instead of a new Buffer
// each (Buffer.from's pool bookkeeping cost more than the copy itself); a datagram that does not fit gets a
// Buffer of its own.

import type { Endpoint } from '../shared/dto';
import type { UdpLabError } from './errors';

/** Called once per send: `error` (a UdpLabError) or null and the number of bytes the OS took. */
export type SendCallback = (error: UdpLabError | null, bytes: number) => void;

const INITIAL_CAPACITY = 16;
/** The staging ring, allocated on the first send and dropped when nothing is in flight at close. */
const RING_BYTES = 128 * 1024;
/** Larger datagrams get a Buffer of their own (they are rarer, and the copy outweighs the bookkeeping). */
const MAX_STAGED_BYTES = 16 * 1024;

export class SendQueue {
  // Per entry: the bytes sent (the socket's own copy), the destination (as resolved), what the caller asked for
  // (for the error sentence), and how to answer — a callback, or a Promise's resolve/reject.
  bytes: Array<Uint8Array | undefined> = new Array<Uint8Array | undefined>(INITIAL_CAPACITY);
  /** Where each entry's copy ends in the ring (-1: a Buffer of its own). */
  private ringEnds: number[] = new Array<number>(INITIAL_CAPACITY).fill(-1);
  peers: Array<Endpoint | undefined> = new Array<Endpoint | undefined>(INITIAL_CAPACITY);
  hosts: Array<string | undefined> = new Array<string | undefined>(INITIAL_CAPACITY);
  resolved: Array<string | undefined> = new Array<string | undefined>(INITIAL_CAPACITY);
  callbacks: Array<SendCallback | undefined> = new Array<SendCallback | undefined>(INITIAL_CAPACITY);
  resolves: Array<((bytes: number) => void) | undefined> = new Array<((bytes: number) => void) | undefined>(INITIAL_CAPACITY);
  rejects: Array<((error: UdpLabError) => void) | undefined> = new Array<((error: UdpLabError) => void) | undefined>(INITIAL_CAPACITY);
  /** Slot of the oldest entry. */
  head = 0;
  private count = 0;
  private ring: Uint8Array | undefined;
  /** Ring bytes in use are [ringRead, ringWrite), or [ringRead, end) + [0, ringWrite) once wrapped. */
  private ringRead = 0;
  private ringWrite = 0;
  /** Entries whose copy is in the ring. */
  private staged = 0;

  get size(): number {
    return this.count;
  }

  /**
   * Copies `bytes` (the caller may reuse its buffer at once) and adds the newest entry; returns the copy to hand
   * to dgram. `host` is the host the caller named (undefined for the connected peer); give either `callback` or
   * `resolve` and `reject`. The copy is valid until the entry is shifted or popped: keep nothing of it after.
   */
  push(
    bytes: Uint8Array,
    peer: Endpoint,
    host: string | undefined,
    resolved: string | undefined,
    callback: SendCallback | undefined,
    resolve: ((bytes: number) => void) | undefined,
    reject: ((error: UdpLabError) => void) | undefined,
  ): Uint8Array {
    if (this.count === this.bytes.length) this.grow();
    let slot = this.head + this.count;
    if (slot >= this.bytes.length) slot -= this.bytes.length;
    const size = bytes.byteLength;
    const at = size > 0 && size <= MAX_STAGED_BYTES ? this.ringSpace(size) : -1;
    let copy: Uint8Array;
    if (at >= 0) {
      const ring = (this.ring ??= new Uint8Array(RING_BYTES));
      ring.set(bytes, at);
      copy = new Uint8Array(ring.buffer, at, size); // (cheaper than subarray, which looks up a species)
      this.ringWrite = at + size;
      this.ringEnds[slot] = at + size;
      this.staged++;
    } else {
      copy = Buffer.from(bytes);
      this.ringEnds[slot] = -1;
    }
    this.bytes[slot] = copy;
    this.peers[slot] = peer;
    this.hosts[slot] = host;
    this.resolved[slot] = resolved;
    this.callbacks[slot] = callback;
    this.resolves[slot] = resolve;
    this.rejects[slot] = reject;
    this.count++;
    return copy;
  }

  /** Where `size` bytes fit in the ring now, or -1. */
  private ringSpace(size: number): number {
    if (this.staged === 0) return 0;
    const read = this.ringRead;
    const write = this.ringWrite;
    if (write >= read) {
      if (write + size <= RING_BYTES) return write;
      return size < read ? 0 : -1; // wrap, leaving a gap at the end; `<`: full never looks like empty
    }
    return write + size < read ? write : -1;
  }

  /** Forgets the oldest entry (read its slot, `head`, first): dgram is done with its copy. */
  shift(): void {
    const slot = this.head;
    const end = this.ringEnds[slot]!;
    if (end >= 0) this.unstage(end);
    this.clear(slot);
    this.head = slot + 1 === this.bytes.length ? 0 : slot + 1;
    this.count--;
  }

  /** The ring up to `end` is free again (the oldest staged copy, or everything when it was the last one). */
  private unstage(end: number): void {
    this.ringRead = end;
    if (--this.staged === 0) this.ringRead = this.ringWrite = 0;
  }

  /** Drops the staging ring's memory (the socket is closed and nothing is in flight). */
  release(): void {
    if (this.count === 0) this.ring = undefined;
  }

  /** Slot of the newest entry (the one just pushed). */
  get tail(): number {
    const slot = this.head + this.count - 1;
    return slot >= this.bytes.length ? slot - this.bytes.length : slot;
  }

  /** Forgets the newest entry: dgram refused it synchronously, so it will never be answered. */
  pop(): void {
    const slot = this.tail;
    // Its ring bytes stay counted until an older copy frees the ring past them, unless it was the only one.
    if (this.ringEnds[slot]! >= 0 && --this.staged === 0) this.ringRead = this.ringWrite = 0;
    this.clear(slot);
    this.count--;
  }

  private clear(slot: number): void {
    this.ringEnds[slot] = -1;
    this.bytes[slot] = undefined;
    this.peers[slot] = undefined;
    this.hosts[slot] = undefined;
    this.resolved[slot] = undefined;
    this.callbacks[slot] = undefined;
    this.resolves[slot] = undefined;
    this.rejects[slot] = undefined;
  }

  private grow(): void {
    const capacity = this.bytes.length * 2;
    const reorder = <T>(from: Array<T | undefined>): Array<T | undefined> => {
      const to = new Array<T | undefined>(capacity);
      for (let i = 0; i < this.count; i++) {
        const slot = this.head + i;
        to[i] = from[slot >= from.length ? slot - from.length : slot];
      }
      return to;
    };
    this.bytes = reorder(this.bytes);
    this.peers = reorder(this.peers);
    this.hosts = reorder(this.hosts);
    this.resolved = reorder(this.resolved);
    this.callbacks = reorder(this.callbacks);
    this.resolves = reorder(this.resolves);
    this.rejects = reorder(this.rejects);
    const ringEnds = reorder(this.ringEnds) as number[];
    for (let i = this.count; i < capacity; i++) ringEnds[i] = -1;
    this.ringEnds = ringEnds;
    this.head = 0;
  }
}
