// The Messages panel's host-side feed over the core's real DatagramLog: snapshot then batches with a stream
// sequence, at most one batch per interval, at most N rows per batch (the newest) with exact totals and the
// skipped count, nothing while hidden or before `ready`, flow control by acks, and Clear.

import * as assert from 'node:assert/strict';
import { DatagramLog } from '../../../src/core/datagramLog';
import { LogFeedSource } from '../../../src/host/panel/logFeedSource';
import { FEED_DEFAULTS, PanelFeed, type FeedTimers } from '../../../src/host/panel/panelFeed';
import type { Batch, HostToWebview, Snapshot } from '../../../src/shared/protocol';
import { bytesAt } from '../../../src/shared/rowBlock';

/** Timers under the test's control: time moves only when the test says so. */
class ManualTimers implements FeedTimers {
  time = 1000;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  /** Advances time, running due timers in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.time = next.at;
      next.fn();
    }
    this.time = end;
  }
  get pending(): number {
    return this.timers.length;
  }
}

const PEER = { address: '127.0.0.1', family: 'IPv4' as const, port: 40000 };

function setup(options: { maxRowsPerBatch?: number; caps?: { maxCount: number; maxBytes: number } } = {}) {
  const log = new DatagramLog(options.caps ?? { maxCount: 10_000, maxBytes: 10_000_000 });
  const source = new LogFeedSource(log);
  const timers = new ManualTimers();
  const posted: HostToWebview[] = [];
  const feed = new PanelFeed({
    source,
    post: (m) => {
      posted.push(m);
    },
    snapshotExtras: () => ({ sockets: [], targets: [], defaultEncoding: 'text' }),
    timers,
    intervalMs: 75,
    coalesceMs: 16,
    ...(options.maxRowsPerBatch ? { maxRowsPerBatch: options.maxRowsPerBatch } : {}),
  });
  const append = (n: number, text = 'x') => {
    for (let i = 0; i < n; i++) log.append('s1', i % 2 ? 'out' : 'in', PEER, new TextEncoder().encode(`${text}${log.lastSeq + 1}`), Date.now());
    feed.notify();
  };
  const batches = () => posted.filter((m): m is Batch => m.type === 'batch');
  return { log, source, timers, posted, feed, append, batches };
}

describe('panel feed (host side of the Messages panel)', () => {
  it('posts nothing before the first snapshot, then a snapshot with the rows, totals and caps', () => {
    const t = setup();
    t.append(3);
    t.timers.advance(1000);
    assert.equal(t.posted.length, 0, 'nothing before ready');
    t.feed.snapshot('ready');
    const snap = t.posted[0] as Snapshot;
    assert.equal(snap.type, 'snapshot');
    assert.equal(snap.seq, 1);
    assert.equal(snap.rows.count, 3);
    assert.deepEqual(Array.from(snap.rows.seq), [1, 2, 3]);
    assert.equal(new TextDecoder().decode(bytesAt(snap.rows, 2)), 'x3');
    assert.deepEqual(snap.totals, { logged: 3, dropped: 0, kept: 3, keptBytes: 6, lastSeq: 3 });
    assert.deepEqual(snap.caps, { maxCount: 10_000, maxBytes: 10_000_000 });
  });

  it('batches: at most one per interval, each with the next stream seq and the rows since the last', () => {
    const t = setup();
    t.feed.snapshot('ready');
    t.append(1);
    t.timers.advance(15);
    assert.equal(t.batches().length, 0, 'a burst is given the coalescing delay to travel together');
    t.append(2);
    t.timers.advance(1);
    // The snapshot went out at t=1000 and the interval is 75 ms: the first batch waits for it.
    t.timers.advance(75);
    assert.equal(t.batches().length, 1);
    const b1 = t.batches()[0]!;
    assert.equal(b1.seq, 2);
    assert.deepEqual(Array.from(b1.rows.seq), [1, 2, 3]);
    assert.equal(b1.skipped, 0);
    t.feed.ack(2);

    t.append(1);
    t.timers.advance(20);
    assert.equal(t.batches().length, 1, 'no second batch within 75 ms of the first');
    t.timers.advance(60);
    assert.equal(t.batches().length, 2);
    assert.equal(t.batches()[1]!.seq, 3);
    assert.deepEqual(Array.from(t.batches()[1]!.rows.seq), [4]);
  });

  it('under a flood sends only the newest N rows per batch, with exact totals and the skipped count', () => {
    const t = setup({ maxRowsPerBatch: 500 });
    t.feed.snapshot('ready');
    let acked = 1;
    let shown = 0;
    let skipped = 0;
    for (let round = 0; round < 40; round++) {
      t.append(2_500); // 2 500 per 75 ms ≈ 33 000/s
      t.timers.advance(75);
      for (const b of t.batches().filter((x) => x.seq > acked)) {
        assert.ok(b.rows.count <= 500, 'rows per batch are bounded');
        // The newest rows: the last carried row is the newest logged at that time.
        assert.equal(b.rows.seq[b.rows.count - 1], b.totals.lastSeq);
        shown += b.rows.count;
        skipped += b.skipped;
        t.feed.ack(b.seq);
        acked = b.seq;
      }
    }
    t.feed.flush();
    for (const b of t.batches().filter((x) => x.seq > acked)) {
      shown += b.rows.count;
      skipped += b.skipped;
    }
    const last = t.batches().at(-1)!;
    assert.equal(last.totals.logged, 100_000);
    assert.equal(shown + skipped, 100_000, 'every datagram is either sent or counted as skipped');
    assert.ok(shown <= 40 * 500 + 500);
    assert.ok(last.totals.dropped === 100_000 - 10_000, 'the log cap dropped the rest, exactly');
  });

  it('keeps at most four batches unacknowledged, then waits for the webview (or forgives it after 2 s)', () => {
    const t = setup();
    t.feed.snapshot('ready');
    t.feed.ack(1);
    for (let i = 0; i < 10; i++) {
      t.append(1);
      t.timers.advance(80);
    }
    assert.equal(t.batches().length, 4, 'four in flight, then the feed waits');
    t.feed.ack(3);
    t.timers.advance(80);
    assert.equal(t.batches().length, 5, 'an ack re-opens the window at once');
    const logged = t.batches().at(-1)!.totals.logged;
    assert.equal(logged, 10, 'the batch after the pause carries everything logged meanwhile');
    t.append(1);
    t.timers.advance(2_100);
    assert.ok(t.batches().length >= 6, 'a webview that never acks is forgiven after the timeout');
  });

  it('posts nothing while hidden; shown again, one snapshot: the re-created webview\'s ready, or after a grace period', () => {
    const t = setup();
    t.feed.snapshot('ready');
    t.feed.setVisible(false);
    t.append(5);
    t.timers.advance(1000);
    assert.equal(t.posted.length, 1, 'only the first snapshot');

    // The usual case: the webview was re-created and says ready while the grace period runs.
    t.feed.setVisible(true);
    t.timers.advance(FEED_DEFAULTS.shownGraceMs / 2);
    assert.equal(t.posted.length, 1, 'nothing before ready (a snapshot now would be one of two)');
    t.feed.snapshot('ready');
    t.timers.advance(FEED_DEFAULTS.shownGraceMs * 2);
    assert.deepEqual(
      t.posted.slice(1).map((m) => (m as Snapshot).reason),
      ['ready'],
      'one snapshot for one showing',
    );

    // A webview that was kept (no ready): the snapshot comes after the grace period.
    t.feed.setVisible(false);
    t.append(2);
    t.feed.setVisible(true);
    t.timers.advance(FEED_DEFAULTS.shownGraceMs);
    const snap = t.posted[2] as Snapshot;
    assert.equal(t.posted.length, 3);
    assert.equal(snap.type, 'snapshot');
    assert.equal(snap.reason, 'visible');
    assert.equal(snap.rows.count, 7);
    assert.equal(snap.seq, 3);
  });

  it('starts over after a clear, and counts what the clear removed', () => {
    const t = setup();
    t.feed.snapshot('ready');
    t.append(5);
    t.timers.advance(100);
    t.log.clear();
    t.feed.snapshot('cleared');
    const snap = t.posted.at(-1) as Snapshot;
    assert.equal(snap.reason, 'cleared');
    assert.equal(snap.rows.count, 0);
    assert.deepEqual(snap.totals, { logged: 5, dropped: 0, cleared: 5, kept: 0, keptBytes: 0, lastSeq: 5 });
    t.append(2);
    t.timers.advance(100);
    const b = t.batches().at(-1)!;
    assert.deepEqual(Array.from(b.rows.seq), [6, 7]);
    assert.deepEqual([b.totals.logged, b.totals.cleared, b.totals.kept], [7, 5, 2]);
    assert.equal(b.skipped, 0);
  });

  it('notices a clear it was not told about and starts over', () => {
    const t = setup();
    t.feed.snapshot('ready');
    t.append(5);
    t.timers.advance(100);
    t.feed.ack(2);
    t.log.clear();
    t.feed.flush();
    assert.equal((t.posted.at(-1) as Snapshot).type, 'snapshot');
  });

  it('keeps each batch within its byte budget, cutting the oldest rows first', () => {
    const log = new DatagramLog({ maxCount: 1000, maxBytes: 100_000_000 });
    const posted: HostToWebview[] = [];
    const timers = new ManualTimers();
    const feed = new PanelFeed({
      source: new LogFeedSource(log),
      post: (m) => {
        posted.push(m);
      },
      snapshotExtras: () => ({ sockets: [], targets: [], defaultEncoding: 'text' }),
      timers,
      batchLimits: { maxBytes: 200_000, truncatedRowBytes: 64 },
    });
    feed.snapshot('ready');
    for (let i = 0; i < 10; i++) log.append('s1', 'in', PEER, new Uint8Array(60_000).fill(i), i);
    feed.notify();
    timers.advance(100);
    const b = posted.find((m): m is Batch => m.type === 'batch')!;
    assert.equal(b.rows.count, 10);
    assert.ok(b.rows.bytes.length <= 200_000 + 10 * 64);
    assert.equal(bytesAt(b.rows, 9).length, 60_000, 'the newest row is whole');
    assert.equal(bytesAt(b.rows, 0).length, 64, 'the oldest is cut to its preview');
    assert.equal(b.rows.size[0], 60_000, 'the true size is kept');
  });
});
