// The sends a UdpSocket has handed to dgram and not yet heard back about, oldest first. dgram answers the sends
// of one socket in the order they were made: UdpSocket gives it only resolved address literals, which its
// lookup answers at once (see UdpSocket.lookupForDgram), so every send reaches the kernel inside send(); a send
// the kernel took is answered on the next tick (process.nextTick is first in, first out), and one it could not
// take yet waits in libuv's queue, which sends and completes in order and lets no later send past it. So one
// shared completion callback can take the oldest entry instead of dgram getting a fresh closure per datagram.
// An entry is a slot in parallel arrays (a ring that grows by doubling), so a send allocates nothing here: at
// 10⁵ sends/s a closure, a context object and a Promise per datagram were a visible share of the send path.
//
// The queue holds the caller's bytes, not a copy: UdpSocket's contract (like dgram's own) is that they stay
// unchanged until the send is answered, and the log copies them then. A staging copy per send — into a ring of
// bytes, handed to dgram as a view — cost ~4 % of a flood's throughput on loopback (a copy, a view object and
// fresh memory for the kernel to read every time) for callers that never change what they sent.

import type { Endpoint } from '../shared/dto';
import type { UdpLabError } from './errors';

/** Called once per send: `error` (a UdpLabError) or null and the number of bytes the OS took. */
export type SendCallback = (error: UdpLabError | null, bytes: number) => void;

const INITIAL_CAPACITY = 16;

export class SendQueue {
  // Per entry: the bytes sent (the caller's), the destination (as resolved), what the caller asked for
  // (for the error sentence), and how to answer — a callback, or a Promise's resolve/reject.
  bytes: Array<Uint8Array | undefined> = new Array<Uint8Array | undefined>(INITIAL_CAPACITY);
  peers: Array<Endpoint | undefined> = new Array<Endpoint | undefined>(INITIAL_CAPACITY);
  hosts: Array<string | undefined> = new Array<string | undefined>(INITIAL_CAPACITY);
  resolved: Array<string | undefined> = new Array<string | undefined>(INITIAL_CAPACITY);
  callbacks: Array<SendCallback | undefined> = new Array<SendCallback | undefined>(INITIAL_CAPACITY);
  resolves: Array<((bytes: number) => void) | undefined> = new Array<((bytes: number) => void) | undefined>(INITIAL_CAPACITY);
  rejects: Array<((error: UdpLabError) => void) | undefined> = new Array<((error: UdpLabError) => void) | undefined>(INITIAL_CAPACITY);
  /** Slot of the oldest entry. */
  head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /**
   * Adds the newest entry. `host` is the host the caller named (undefined for the connected peer); give either
   * `callback` or `resolve` and `reject`.
   */
  push(
    bytes: Uint8Array,
    peer: Endpoint,
    host: string | undefined,
    resolved: string | undefined,
    callback: SendCallback | undefined,
    resolve: ((bytes: number) => void) | undefined,
    reject: ((error: UdpLabError) => void) | undefined,
  ): void {
    if (this.count === this.bytes.length) this.grow();
    let slot = this.head + this.count;
    if (slot >= this.bytes.length) slot -= this.bytes.length;
    this.bytes[slot] = bytes;
    this.peers[slot] = peer;
    this.hosts[slot] = host;
    this.resolved[slot] = resolved;
    this.callbacks[slot] = callback;
    this.resolves[slot] = resolve;
    this.rejects[slot] = reject;
    this.count++;
  }

  /** Forgets the oldest entry (read its slot, `head`, first): dgram is done with it. */
  shift(): void {
    const slot = this.head;
    this.clear(slot);
    this.head = slot + 1 === this.bytes.length ? 0 : slot + 1;
    this.count--;
  }

  /** Slot of the newest entry (the one just pushed). */
  get tail(): number {
    const slot = this.head + this.count - 1;
    return slot >= this.bytes.length ? slot - this.bytes.length : slot;
  }

  /** Forgets the newest entry: dgram refused it synchronously, so it will never be answered. */
  pop(): void {
    this.clear(this.tail);
    this.count--;
  }

  private clear(slot: number): void {
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
    this.head = 0;
  }
}
