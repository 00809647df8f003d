// The core's DatagramLog as the panel feed reads it. Totals are lifetime counts the log keeps exactly; what
// Clear removed is derived from them (entries leave only by eviction or by Clear), so the panel can say
// "452 logged · 450 cleared" whenever it was opened.

import type { DatagramLog } from '../../core/datagramLog';
import type { LogCaps, LogTotals } from '../../shared/protocol';
import type { BlockSource } from '../../shared/rowBlock';
import type { FeedSource } from './panelFeed';

export class LogFeedSource implements FeedSource {
  constructor(private readonly log: DatagramLog) {}

  totals(): LogTotals {
    const log = this.log;
    const cleared = log.totalAppended - log.dropped - log.size;
    return {
      logged: log.totalAppended,
      dropped: log.dropped,
      ...(cleared > 0 ? { cleared } : {}),
      kept: log.size,
      keptBytes: log.bytes,
      lastSeq: log.lastSeq,
    };
  }

  caps(): LogCaps {
    return this.log.getCaps();
  }

  /** Nothing to release (kept so callers can treat every feed source alike). */
  dispose(): void {}

  /** Views into the log's memory, not copies: the feed packs them into a block before the log can change. */
  newestAfter(afterSeq: number, limit: number): readonly BlockSource[] {
    const from = Math.max(afterSeq, this.log.lastSeq - limit);
    return this.log.peekSince(from, limit);
  }
}
