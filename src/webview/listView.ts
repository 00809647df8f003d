// The rows the list shows: all rows of the store, or the indices of those matching the filter. Filtering a large
// store runs in time slices (a few ms each) so the page never blocks; new rows are tested as they arrive.

import { compileFilter, type CompiledFilter, type FilterableRow } from '../shared/datagramFilter';
import type { DatagramFilter } from '../shared/protocol';
import { bytesAt, directionAt } from '../shared/rowBlock';
import type { Validation } from '../shared/validation';
import type { RowStore } from './rowStore';

const MATCH_ALL: CompiledFilter = { matchesAll: true, matches: () => true, prefilter: () => true };

export class ListView {
  private filter: CompiledFilter = MATCH_ALL;
  /** Matching absolute row indices, ascending; entries before `head` are stale (evicted rows). */
  private indices: number[] = [];
  private head = 0;
  /** Rows at or after this index have not been tested yet. */
  private scannedTo = 0;
  private readonly probe: FilterableRow = { direction: 'in', socketId: '', peerAddress: '', peerPort: 0, bytes: new Uint8Array(0) };

  constructor(private readonly store: RowStore) {
    this.scannedTo = store.end;
  }

  /** Compiles and applies a filter; returns the reason when it is invalid (the previous filter then stays). */
  setFilter(spec: DatagramFilter): Validation<void> {
    const compiled = compileFilter(spec);
    if (!compiled.ok) return compiled;
    this.filter = compiled.value;
    this.indices = [];
    this.head = 0;
    this.scannedTo = this.store.first;
    if (this.filter.matchesAll) this.scannedTo = this.store.end;
    return { ok: true, value: undefined };
  }

  get filtered(): boolean {
    return !this.filter.matchesAll;
  }

  /** True while some rows have not been tested against the filter yet (call work() until it is false). */
  get pending(): boolean {
    return !this.filter.matchesAll && this.scannedTo < this.store.end;
  }

  /** Fraction of the store tested so far (for a "Filtering… 40 %" hint). */
  get progress(): number {
    const total = this.store.end - this.store.first;
    return total === 0 ? 1 : Math.min(1, (this.scannedTo - this.store.first) / total);
  }

  /** Tests untested rows for up to `budgetMs`; returns true when everything is tested. */
  work(budgetMs: number): boolean {
    this.prune();
    if (this.filter.matchesAll) {
      this.scannedTo = this.store.end;
      return true;
    }
    const deadline = performance.now() + budgetMs;
    const probe = this.probe;
    const matches = this.filter.matches;
    while (this.scannedTo < this.store.end) {
      const to = Math.min(this.store.end, this.scannedTo + 256);
      this.store.scan(this.scannedTo, to, (block, i, r) => {
        probe.direction = directionAt(block, i);
        probe.socketId = block.strings[block.socket[i]!]!;
        probe.peerAddress = block.strings[block.peerAddress[i]!]!;
        probe.peerPort = block.peerPort[i]!;
        probe.bytes = bytesAt(block, i);
        if (matches(probe)) this.indices.push(r);
      });
      this.scannedTo = to;
      if (performance.now() >= deadline) break;
    }
    return this.scannedTo >= this.store.end;
  }

  get length(): number {
    if (this.filter.matchesAll) return this.store.size;
    this.prune();
    return this.indices.length - this.head;
  }

  /** Absolute row index of the v-th visible row. */
  rowAt(v: number): number {
    return this.filter.matchesAll ? this.store.first + v : this.indices[this.head + v]!;
  }

  /** Position of absolute row r in the view, or -1 when it is filtered out or gone. */
  indexOf(r: number): number {
    if (r < this.store.first || r >= this.store.end) return -1;
    if (this.filter.matchesAll) return r - this.store.first;
    let lo = this.head;
    let hi = this.indices.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const x = this.indices[mid]!;
      if (x === r) return mid - this.head;
      if (x < r) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Position of the first view row at or after absolute row r (for keeping the selection near where it was). */
  lowerBound(r: number): number {
    if (this.filter.matchesAll) return Math.max(0, Math.min(this.store.size, r - this.store.first));
    let lo = this.head;
    let hi = this.indices.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.indices[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return lo - this.head;
  }

  /** The store was cleared or replaced: start over with the same filter. */
  reset(): void {
    this.indices = [];
    this.head = 0;
    this.scannedTo = this.filter.matchesAll ? this.store.end : this.store.first;
  }

  /** Drops indices of rows the store evicted. */
  private prune(): void {
    const first = this.store.first;
    if (this.scannedTo < first) this.scannedTo = first;
    while (this.head < this.indices.length && this.indices[this.head]! < first) this.head++;
    if (this.head > 4096 && this.head * 2 > this.indices.length) {
      this.indices = this.indices.slice(this.head);
      this.head = 0;
    }
  }
}
