// The rows the list shows: all rows of the store, or the indices of those matching the filter. Filtering a large
// store runs in time slices (a few ms each) so the page never blocks; new rows are tested as they arrive.
// A regex that can backtrack (src/shared/regexRisk.ts) is tested in a Web Worker, a batch of rows at a time under a
// time limit (regexWorker.ts): a payload that makes it backtrack turns the filter off with a sentence naming the
// datagram, instead of freezing the panel.

import { compileFilter, regexText, type CompiledFilter, type FilterableRow } from '../shared/datagramFilter';
import type { DatagramFilter, RowBlock } from '../shared/protocol';
import { mayBacktrack, showPattern } from '../shared/regexRisk';
import { bytesAt, directionAt } from '../shared/rowBlock';
import type { Validation } from '../shared/validation';
import { RegexWorker } from './regexWorker';
import type { RowStore } from './rowStore';

/** A batch of rows gets this long in the worker; far above the microseconds a sane pattern needs per row. */
const BATCH_LIMIT_MS = 250;
/**
 * After a batch runs out of time its rows are tried one by one, each with this limit (longer: a busy machine can
 * take the worker off the CPU for a while), so the sentence names the one datagram that made the pattern backtrack.
 */
const ROW_LIMIT_MS = 1000;
/**
 * Rows and characters per worker batch. The characters bound the worker's time and the page's time building the
 * batch (so does the frame's budget); the rows only bound the answer's size — a few thousand short rows take a sane
 * pattern a few milliseconds, and one batch per frame must keep up with a flood.
 */
const BATCH_ROWS = 4096;
const BATCH_CHARS = 256 * 1024;

/** What the list hears about regex work done off the page's thread. */
export interface ListViewListener {
  /** Results of a worker batch arrived (redraw). */
  progressed(): void;
  /** The filter's regex ran out of time and was turned off; `message` is the sentence for the user. */
  regexTurnedOff(message: string): void;
}

interface RegexBatch {
  rows: number[];
  texts: string[];
}

/** Points the one reused probe at row `i` of `block` (no object per row while a filter scans). */
function fillProbe(probe: FilterableRow, block: RowBlock, i: number): void {
  probe.direction = directionAt(block, i);
  probe.socketId = block.strings[block.socket[i]!]!;
  probe.peerAddress = block.strings[block.peerAddress[i]!]!;
  probe.peerPort = block.peerPort[i]!;
  probe.bytes = bytesAt(block, i);
}

const MATCH_ALL: CompiledFilter = { matchesAll: true, matches: () => true, prefilter: () => true };

export class ListView {
  private filter: CompiledFilter = MATCH_ALL;
  /** Matching absolute row indices, ascending; entries before `head` are stale (evicted rows). */
  private indices: number[] = [];
  private head = 0;
  /** Rows at or after this index have not been tested yet. */
  private scannedTo = 0;
  private readonly probe: FilterableRow = { direction: 'in', socketId: '', peerAddress: '', peerPort: 0, bytes: new Uint8Array(0) };
  /** The filter's regex when it runs in the worker (it can backtrack); undefined when `filter.matches` runs here. */
  private offThread: RegExp | undefined;
  private worker: RegexWorker | undefined;
  /** A batch is in the worker; its results complete the rows before `scannedTo`. */
  private waiting = false;
  /** Rows of a batch that ran out of time, to be tried one by one. */
  private retry: RegexBatch | undefined;
  /** Bumped whenever the filter or the store starts over, so a late worker answer is ignored. */
  private generation = 0;
  listener: ListViewListener | undefined;
  private spec: DatagramFilter = {};
  /** The last pattern turned off for running out of time (flags/source), and the sentence that said so. */
  private turnedOff: { key: string; message: string } | undefined;

  constructor(private readonly store: RowStore) {
    this.scannedTo = store.end;
  }

  /** Compiles and applies a filter; returns the reason when it is invalid (the previous filter then stays). */
  setFilter(spec: DatagramFilter): Validation<void> {
    const compiled = compileFilter(spec);
    if (!compiled.ok) return compiled;
    this.spec = spec;
    this.filter = compiled.value;
    const regex = compiled.value.regex;
    const regexKey = regex === undefined ? undefined : `${regex.flags}/${regex.source}`;
    // Another pattern (or none) forgets the one turned off: going back to it later tries it again.
    if (this.turnedOff !== undefined && regexKey !== this.turnedOff.key) this.turnedOff = undefined;
    if (this.turnedOff !== undefined) {
      // The pattern that ran out of time, re-applied because another part of the filter changed: it stays off (the
      // rest applies) until the pattern itself changes, instead of costing the time limit again.
      this.withoutSearch();
      return { ok: false, message: this.turnedOff.message };
    }
    this.offThread = regex !== undefined && mayBacktrack(regex.source) ? regex : undefined;
    this.reset();
    return { ok: true, value: undefined };
  }

  get filtered(): boolean {
    return !this.filter.matchesAll;
  }

  /** True while some rows have not been tested against the filter yet (call work() until it is false). */
  get pending(): boolean {
    return !this.filter.matchesAll && (this.scannedTo < this.store.end || this.waiting || this.retry !== undefined);
  }

  /** True while a batch is in the worker: its answer schedules the next step, so nothing needs to poll. */
  get waitingForWorker(): boolean {
    return this.waiting;
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
    if (this.offThread) return this.workOffThread(this.offThread, budgetMs);
    const deadline = performance.now() + budgetMs;
    const probe = this.probe;
    const matches = this.filter.matches;
    while (this.scannedTo < this.store.end) {
      const to = Math.min(this.store.end, this.scannedTo + 256);
      this.store.scan(this.scannedTo, to, (block, i, r) => {
        fillProbe(probe, block, i);
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
    this.generation++;
    this.waiting = false;
    this.retry = undefined;
    this.worker?.abandon();
  }

  /**
   * The regex path: the cheap tests run here, the regex in the worker, one batch at a time (indices stay in row
   * order because the next batch leaves only when the previous one answered). Returns true when everything is tested.
   */
  private workOffThread(regex: RegExp, budgetMs: number): boolean {
    if (this.waiting) return false;
    if (this.retry) {
      // One row per batch, so the row that runs out of time is known.
      const rows = this.retry.rows.splice(0, 1);
      const texts = this.retry.texts.splice(0, 1);
      if (this.retry.rows.length === 0) this.retry = undefined;
      if (rows.length > 0) this.send(regex, { rows, texts }, ROW_LIMIT_MS);
      return false;
    }
    const deadline = performance.now() + budgetMs;
    const batch: RegexBatch = { rows: [], texts: [] };
    let chars = 0;
    const probe = this.probe;
    const prefilter = this.filter.prefilter;
    while (this.scannedTo < this.store.end && batch.rows.length < BATCH_ROWS && chars < BATCH_CHARS) {
      const to = Math.min(this.store.end, this.scannedTo + 32);
      this.store.scan(this.scannedTo, to, (block, i, r) => {
        fillProbe(probe, block, i);
        if (!prefilter(probe)) return;
        const text = regexText(probe.bytes);
        batch.rows.push(r);
        batch.texts.push(text);
        chars += text.length;
      });
      this.scannedTo = to;
      if (performance.now() >= deadline) break;
    }
    if (batch.rows.length > 0) this.send(regex, batch, BATCH_LIMIT_MS);
    return !this.pending;
  }

  private send(regex: RegExp, batch: RegexBatch, limitMs: number): void {
    this.worker ??= new RegexWorker();
    this.waiting = true;
    const generation = this.generation;
    void this.worker.test(regex.source, regex.flags, batch.texts, limitMs).then((result) => {
      if (generation !== this.generation) return;
      this.waiting = false;
      if (result.kind === 'done') {
        for (let i = 0; i < batch.rows.length; i++) if (result.matches[i] === 1) this.indices.push(batch.rows[i]!);
      } else if (result.kind === 'timeout' && limitMs < ROW_LIMIT_MS) {
        // A batch (even of one row) ran out of its short limit: try its rows one by one with the longer one, so a
        // busy machine does not turn off a sane pattern and a stuck one is named by its datagram. A batch is only
        // sent when no retry is left, so the retry is exactly this batch.
        this.retry = batch;
      } else {
        const shown = showPattern(regex.source, regex.flags);
        const row = batch.rows[0]!;
        const seq = row >= this.store.first && row < this.store.end ? `datagram #${this.store.seq(row)}` : 'a datagram';
        this.turnOffRegex(
          regex,
          result.kind === 'timeout'
            ? `The filter ${shown} took longer than ${limitMs} ms on ${seq} and was turned off. Simplify the pattern (nested or adjacent repetition like (a+)+ backtracks without end on some payloads), or search as text or hex.`
            : `The filter ${shown} could not run (${result.reason}) and was turned off. Search as text or hex instead.`,
        );
        return;
      }
      this.listener?.progressed();
    });
  }

  /** Keeps every other part of the filter (socket, peer, direction) and drops the search. */
  private turnOffRegex(regex: RegExp, message: string): void {
    this.turnedOff = { key: `${regex.flags}/${regex.source}`, message };
    this.withoutSearch();
    this.listener?.regexTurnedOff(message);
  }

  private withoutSearch(): void {
    const { search: _dropped, ...rest } = this.spec;
    const compiled = compileFilter(rest);
    this.filter = compiled.ok ? compiled.value : MATCH_ALL;
    this.offThread = undefined;
    this.reset();
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
