// The core's DatagramLog as the panel feed reads it. Also keeps the panel's totals honest across "Clear": the
// log never resets its counters (seqs are never reused), so this adapter counts from the last clear.

import type { DatagramLog } from '../../core/datagramLog';
import type { Disposable } from '../../core/events';
import type { LogCaps, LogTotals } from '../../shared/protocol';
import type { BlockSource } from '../../shared/rowBlock';
import type { FeedSource } from './panelFeed';

export class LogFeedSource implements FeedSource, Disposable {
  private appendedAtClear: number;
  private droppedAtClear: number;
  private readonly subscription: Disposable;

  constructor(private readonly log: DatagramLog) {
    this.appendedAtClear = 0;
    this.droppedAtClear = 0;
    this.subscription = log.onDidClear(() => {
      this.appendedAtClear = log.totalAppended;
      this.droppedAtClear = log.dropped;
    });
  }

  totals(): LogTotals {
    const log = this.log;
    return {
      logged: log.totalAppended - this.appendedAtClear,
      dropped: log.dropped - this.droppedAtClear,
      kept: log.size,
      keptBytes: log.bytes,
      lastSeq: log.lastSeq,
    };
  }

  caps(): LogCaps {
    return this.log.getCaps();
  }

  newestAfter(afterSeq: number, limit: number): readonly BlockSource[] {
    const from = Math.max(afterSeq, this.log.lastSeq - limit);
    return this.log.since(from, limit);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
