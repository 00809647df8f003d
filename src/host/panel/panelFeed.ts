// What the Messages panel's host side does with the datagram log, as a pure class (no `vscode`): it turns the
// log's cheap "something new" signal into a snapshot and then batches of rows with a stream sequence number,
// at most one batch per interval and at most N rows per batch — the newest N, with exact totals and a count of
// what was skipped — so a flood of 100 000 datagrams/s costs the webview ~13 small messages a second.
//
// It posts nothing until it has been started (the webview said `ready`) and nothing while the panel is hidden.
// It also keeps at most `maxInFlight` batches unacknowledged: a webview that falls behind gets fewer, larger
// samples instead of a growing queue. The bench reuses this class as "the sink that does what the panel does".

import type { Batch, HostToWebview, LogCaps, LogTotals, Snapshot } from '../../shared/protocol';
import { DEFAULT_BLOCK_LIMITS, encodeRowBlock, type BlockLimits, type BlockSource } from '../../shared/rowBlock';

/** The log as the feed needs it (see logFeedSource.ts for the adapter over the core's DatagramLog). */
export interface FeedSource {
  totals(): LogTotals;
  caps(): LogCaps;
  /**
   * Logged entries with seq > afterSeq that the log still keeps, oldest first — only the newest `limit`. Their
   * bytes may be views into the source's memory, valid only until it next changes: pack them at once.
   */
  newestAfter(afterSeq: number, limit: number): readonly BlockSource[];
}

export interface FeedTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface PanelFeedOptions {
  source: FeedSource;
  /** Posts to the webview; a promise resolving to false means it was not delivered (panel gone or hidden). */
  post(message: HostToWebview): void | PromiseLike<boolean>;
  /** Everything a snapshot carries besides rows (sockets, target suggestions, default encoding). */
  snapshotExtras(): Pick<Snapshot, 'sockets' | 'targets' | 'defaultEncoding'>;
  /** Minimum time between two batches. The protocol promises 50–100 ms. */
  intervalMs?: number;
  /** Delay before the first batch after a quiet spell, so a burst travels together. */
  coalesceMs?: number;
  maxRowsPerBatch?: number;
  /** Rows in a snapshot (the newest ones); the rest are counted in `omitted`. */
  maxSnapshotRows?: number;
  batchLimits?: BlockLimits;
  snapshotLimits?: BlockLimits;
  /** Unacknowledged batches allowed before the feed waits for the webview. */
  maxInFlight?: number;
  timers?: FeedTimers;
}

export const FEED_DEFAULTS = {
  intervalMs: 75,
  coalesceMs: 16,
  maxRowsPerBatch: 500,
  maxSnapshotRows: 200_000,
  maxInFlight: 4,
  ackTimeoutMs: 2_000,
  /**
   * After the panel shows again, how long to wait for its re-created webview's `ready` (which brings a snapshot)
   * before sending one anyway, for a webview that was not re-created. Not at once: that snapshot would be the
   * second of two whenever `ready` follows, which is nearly always.
   */
  shownGraceMs: 1_000,
  snapshotLimits: { maxBytes: 32 * 1024 * 1024, truncatedRowBytes: 256 } satisfies BlockLimits,
} as const;

const realTimers: FeedTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface FeedStats {
  snapshots: number;
  batches: number;
  rowsSent: number;
  rowsSkipped: number;
}

export class PanelFeed {
  private readonly o: Required<Omit<PanelFeedOptions, 'timers'>> & { timers: FeedTimers };
  /** Stream sequence of the last snapshot/batch posted. */
  private streamSeq = 0;
  /** Stream sequence the webview has acknowledged. */
  private ackedSeq = 0;
  /** Log seq of the newest datagram the webview has been sent or told about (as skipped). */
  private sentUpTo = 0;
  /** totals.logged when the last snapshot/batch was made: the difference is what arrived since. */
  private loggedAtLast = 0;
  /** totals.cleared at the last snapshot: more means a Clear happened since. */
  private clearedAtLast = 0;
  private started = false;
  private visible = true;
  private timer: unknown;
  private lastPostAt = Number.NEGATIVE_INFINITY;
  private disposed = false;
  readonly stats: FeedStats = { snapshots: 0, batches: 0, rowsSent: 0, rowsSkipped: 0 };

  constructor(options: PanelFeedOptions) {
    this.o = {
      intervalMs: FEED_DEFAULTS.intervalMs,
      coalesceMs: FEED_DEFAULTS.coalesceMs,
      maxRowsPerBatch: FEED_DEFAULTS.maxRowsPerBatch,
      maxSnapshotRows: FEED_DEFAULTS.maxSnapshotRows,
      maxInFlight: FEED_DEFAULTS.maxInFlight,
      batchLimits: DEFAULT_BLOCK_LIMITS,
      snapshotLimits: FEED_DEFAULTS.snapshotLimits,
      timers: realTimers,
      ...options,
    };
  }

  /** True once a snapshot went out and the panel is visible: batches flow. */
  get live(): boolean {
    return this.started && this.visible && !this.disposed;
  }

  /** Sends a full snapshot and starts the batch stream (on `ready`, on `resync`, after a clear). */
  snapshot(reason: Snapshot['reason']): void {
    if (this.disposed) return;
    this.started = true;
    if (!this.visible) return; // setVisible(true) sends one when the panel shows again
    this.cancelTimer();
    const totals = this.o.source.totals();
    const caps = this.o.source.caps();
    const limit = Math.min(this.o.maxSnapshotRows, caps.maxCount);
    const rows = this.o.source.newestAfter(0, limit);
    const message: Snapshot = {
      type: 'snapshot',
      seq: ++this.streamSeq,
      reason,
      caps,
      totals,
      rows: encodeRowBlock(rows, this.o.snapshotLimits),
      omitted: Math.max(0, totals.kept - rows.length),
      ...this.o.snapshotExtras(),
    };
    // A snapshot restarts the stream: whatever was in flight before it no longer counts.
    this.ackedSeq = this.streamSeq - 1;
    this.sentUpTo = totals.lastSeq;
    this.loggedAtLast = totals.logged;
    this.clearedAtLast = totals.cleared ?? 0;
    this.stats.snapshots++;
    this.send(message);
  }

  /** The log has something new (called on every `onDidLog`: O(1) unless a batch is due). */
  notify(): void {
    if (!this.live || this.timer !== undefined) return;
    const now = this.o.timers.now();
    const wait = Math.max(this.o.coalesceMs, this.lastPostAt + this.o.intervalMs - now);
    this.timer = this.o.timers.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  /** The webview processed stream message `seq`. */
  ack(seq: number): void {
    if (seq > this.ackedSeq && seq <= this.streamSeq) {
      const wasBlocked = this.inFlight() >= this.o.maxInFlight;
      this.ackedSeq = seq;
      if (wasBlocked) {
        this.cancelTimer(); // the ack-timeout timer
        this.notify();
      }
    }
  }

  /**
   * Hidden panels get nothing. When the panel shows again its webview has usually been re-created (contexts
   * are not retained) and will say `ready`, whose snapshot cancels this timer; if none comes within
   * shownGraceMs, the webview was kept and gets a snapshot then.
   */
  setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    this.cancelTimer();
    if (visible && this.started) {
      this.timer = this.o.timers.setTimeout(() => {
        this.timer = undefined;
        this.snapshot('visible');
      }, FEED_DEFAULTS.shownGraceMs);
    }
  }

  /** Sends a batch now if anything is new (also used by tests and the bench to drain). */
  flush(): void {
    if (!this.live) return;
    this.cancelTimer();
    if (this.inFlight() >= this.o.maxInFlight) {
      // ack() re-arms the timer. A webview that stops acknowledging altogether (it crashed, or a message was
      // lost) is forgiven after a while, so the stream can never stall for good.
      if (this.o.timers.now() - this.lastPostAt < FEED_DEFAULTS.ackTimeoutMs) {
        this.timer = this.o.timers.setTimeout(() => {
          this.timer = undefined;
          this.flush();
        }, FEED_DEFAULTS.ackTimeoutMs);
        return;
      }
      this.ackedSeq = this.streamSeq;
    }
    const totals = this.o.source.totals();
    if (totals.lastSeq <= this.sentUpTo && totals.logged === this.loggedAtLast && (totals.cleared ?? 0) === this.clearedAtLast) return;
    if ((totals.cleared ?? 0) > this.clearedAtLast) {
      // The log was cleared and nobody told us: start over, or the panel would keep rows the log no longer has.
      this.snapshot('cleared');
      return;
    }
    const rows = this.o.source.newestAfter(this.sentUpTo, this.o.maxRowsPerBatch);
    const arrived = totals.logged - this.loggedAtLast;
    const message: Batch = {
      type: 'batch',
      seq: ++this.streamSeq,
      totals,
      rows: encodeRowBlock(rows, this.o.batchLimits),
      skipped: Math.max(0, arrived - rows.length),
    };
    this.sentUpTo = totals.lastSeq;
    this.loggedAtLast = totals.logged;
    this.stats.batches++;
    this.stats.rowsSent += rows.length;
    this.stats.rowsSkipped += message.skipped;
    this.send(message);
  }

  dispose(): void {
    this.disposed = true;
    this.cancelTimer();
  }

  private inFlight(): number {
    return this.streamSeq - this.ackedSeq;
  }

  private send(message: HostToWebview): void {
    this.lastPostAt = this.o.timers.now();
    const seq = this.streamSeq;
    const result = this.o.post(message);
    if (result && typeof result.then === 'function') {
      // Not delivered: it will never be acknowledged, so it must not hold the window shut. If the webview is
      // still there it sees a gap in the stream and asks for a resync; if not, it says `ready` when it is back.
      const undelivered = (): void => this.ack(seq);
      result.then((delivered) => {
        if (!delivered) undelivered();
      }, undelivered);
    }
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) {
      this.o.timers.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
