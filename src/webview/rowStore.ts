// The webview's bounded ring of rows, kept as the RowBlocks the host sent (no object per datagram). Rows have
// absolute indices [first, end) that only grow, so a filtered view can hold indices that stay valid while old
// rows fall out. Caps follow the host's log caps (count, and bytes carried), so memory follows the log.

import type { Direction } from '../shared/dto';
import type { LogCaps, RowBlock } from '../shared/protocol';
import { bytesAt, directionAt, sliceRowBlock } from '../shared/rowBlock';

interface StoredBlock {
  block: RowBlock;
  /** Absolute index of the block's row 0. */
  start: number;
}

export interface RowRef {
  block: RowBlock;
  i: number;
}

export class RowStore {
  private blocks: StoredBlock[] = [];
  /** Index into `blocks` of the first block still holding kept rows. */
  private head = 0;
  private firstRow = 0;
  private endRow = 0;
  private bytesKept = 0;
  /** Whole payloads fetched for rows that arrived truncated (bounded; dropped with their rows). */
  private readonly fullBytes = new Map<number, Uint8Array>();
  /** Rows evicted by the caps since the last clear (the host's log drops its own, counted separately). */
  evicted = 0;

  constructor(private limits: LogCaps) {}

  caps(): LogCaps {
    return this.limits;
  }

  get first(): number {
    return this.firstRow;
  }

  get end(): number {
    return this.endRow;
  }

  get size(): number {
    return this.endRow - this.firstRow;
  }

  get bytes(): number {
    return this.bytesKept;
  }

  setCaps(caps: LogCaps): void {
    this.limits = caps;
    this.evict();
  }

  clear(): void {
    this.blocks = [];
    this.head = 0;
    this.firstRow = this.endRow;
    this.bytesKept = 0;
    this.fullBytes.clear();
    this.evicted = 0;
  }

  /** Appends a block's rows (rows at or below the newest seq held are ignored). Returns the first new row index. */
  append(incoming: RowBlock): number {
    const startRow = this.endRow;
    let block = incoming;
    if (block.count === 0) return startRow;
    if (this.size > 0) {
      const newest = this.seq(this.endRow - 1);
      let skip = 0;
      while (skip < block.count && block.seq[skip]! <= newest) skip++;
      if (skip === block.count) return startRow;
      if (skip > 0) block = sliceRowBlock(block, skip);
    }
    this.blocks.push({ block, start: this.endRow });
    this.endRow += block.count;
    this.bytesKept += block.offsets[block.count]!;
    this.evict();
    return startRow;
  }

  /** Finds the block and in-block index of absolute row r (which must be in [first, end)). */
  locate(r: number): RowRef {
    // Binary search over the kept blocks by start; most lookups hit the last block.
    let hi = this.blocks.length - 1;
    const last = this.blocks[hi]!;
    if (r >= last.start) return { block: last.block, i: r - last.start };
    let lo = this.head;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.blocks[mid]!.start <= r) lo = mid;
      else hi = mid - 1;
    }
    const b = this.blocks[lo]!;
    return { block: b.block, i: r - b.start };
  }

  seq(r: number): number {
    const { block, i } = this.locate(r);
    return block.seq[i]!;
  }

  time(r: number): number {
    const { block, i } = this.locate(r);
    return block.time[i]!;
  }

  direction(r: number): Direction {
    const { block, i } = this.locate(r);
    return directionAt(block, i);
  }

  /** The datagram's true size (the bytes held may be fewer: see truncated()). */
  sizeOf(r: number): number {
    const { block, i } = this.locate(r);
    return block.size[i]!;
  }

  socketId(r: number): string {
    const { block, i } = this.locate(r);
    return block.strings[block.socket[i]!]!;
  }

  peerAddress(r: number): string {
    const { block, i } = this.locate(r);
    return block.strings[block.peerAddress[i]!]!;
  }

  peerPort(r: number): number {
    const { block, i } = this.locate(r);
    return block.peerPort[i]!;
  }

  family(r: number): 'IPv4' | 'IPv6' {
    const { block, i } = this.locate(r);
    return block.peerFamily[i] === 6 ? 'IPv6' : 'IPv4';
  }

  /** The bytes held for row r: the whole payload, unless it arrived truncated and was not fetched yet. */
  bytesOf(r: number): Uint8Array {
    const { block, i } = this.locate(r);
    return this.fullBytes.get(block.seq[i]!) ?? bytesAt(block, i);
  }

  truncated(r: number): boolean {
    const { block, i } = this.locate(r);
    return !this.fullBytes.has(block.seq[i]!) && block.offsets[i + 1]! - block.offsets[i]! < block.size[i]!;
  }

  /** Stores the whole payload of a truncated row (fetched with getBytes). Keeps only a few. */
  setFullBytes(seq: number, bytes: Uint8Array): void {
    this.fullBytes.set(seq, bytes);
    if (this.fullBytes.size > 32) {
      const oldest = this.fullBytes.keys().next().value;
      if (oldest !== undefined) this.fullBytes.delete(oldest);
    }
  }

  /** Calls visit(block, i, r) for rows [from, to) in order, walking blocks instead of looking each row up. */
  scan(from: number, to: number, visit: (block: RowBlock, i: number, r: number) => void): void {
    let r = Math.max(from, this.firstRow);
    const end = Math.min(to, this.endRow);
    while (r < end) {
      const { block, i } = this.locate(r);
      const n = Math.min(block.count - i, end - r);
      for (let k = 0; k < n; k++) visit(block, i + k, r + k);
      r += n;
    }
  }

  /** Absolute row index of the row with this seq, or -1. Rows are in seq order, so this is a binary search. */
  findSeq(seq: number): number {
    let lo = this.firstRow;
    let hi = this.endRow - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.seq(mid);
      if (s === seq) return mid;
      if (s < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Drops the oldest rows until both caps hold, a block's worth at a time. */
  private evict(): void {
    const maxCount = Math.max(1, this.limits.maxCount);
    const maxBytes = Math.max(1, this.limits.maxBytes);
    while (this.size > maxCount || (this.bytesKept > maxBytes && this.size > 1)) {
      const b = this.blocks[this.head]!;
      const block = b.block;
      const from = this.firstRow - b.start;
      let to = from + Math.max(0, Math.min(block.count - from, this.size - maxCount));
      let bytesAfter = this.bytesKept - (block.offsets[to]! - block.offsets[from]!);
      while (bytesAfter > maxBytes && to < block.count && this.size - (to - from) > 1) {
        bytesAfter -= block.offsets[to + 1]! - block.offsets[to]!;
        to++;
      }
      if (to === from) break;
      for (let k = from; k < to; k++) this.fullBytes.delete(block.seq[k]!);
      this.bytesKept = bytesAfter;
      this.firstRow += to - from;
      this.evicted += to - from;
      if (to === block.count) this.dropHeadBlock();
    }
  }

  private dropHeadBlock(): void {
    this.head++;
    // Compact the array now and then instead of shifting it on every drop.
    if (this.head > 64 && this.head * 2 > this.blocks.length) {
      this.blocks = this.blocks.slice(this.head);
      this.head = 0;
    }
  }
}
