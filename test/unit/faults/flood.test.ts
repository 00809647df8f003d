// Flood: 1 000 000 datagrams into one socket of the real core, from a sender in a child process (loopback only;
// bounded by count and by time, it stops by itself). What the user is promised:
//   - memory stays within the log's caps (the log never holds more than its count and byte caps; the process's
//     heap + array buffers after GC grow by about the byte cap, not by what flowed through),
//   - the log's dropped + kept == what the socket received (UDP may drop in the kernel when the receive buffer is
//     full; that is counted by the kernel per socket, and sent == received + kernel drops, exactly),
//   - the totals the tree shows (the socket's stats, and the description built from them) and the totals the
//     Messages panel's host feed posts are exact, and the rows + skipped counts it streamed add up to them.
// The figures are printed for the closing note.

import * as assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as path from 'node:path';
import { readUdpSocket } from '../../../bench/lib/procNetUdp';
import { SocketRegistry } from '../../../src/core/socketRegistry';
import { socketCounts, formatCount } from '../../../src/host/format';
import { LogFeedSource } from '../../../src/host/panel/logFeedSource';
import { PanelFeed } from '../../../src/host/panel/panelFeed';
import type { Batch, HostToWebview, LogTotals } from '../../../src/shared/protocol';
import { mib, sampleResources } from '../../support/resourceMeter';

const COUNT = 1_000_000;
const SIZE = 100;
const SENDER_MAX_MS = 25_000;
const CAPS = { maxCount: 50_000, maxBytes: 4 * 1024 * 1024 };

interface SenderReport {
  sent: number;
  failed: number;
  elapsedMs: number;
}

describe('flood: 1 000 000 datagrams into one socket', function () {
  this.timeout(90_000);

  it('memory within the log caps; dropped + kept == received == sent − kernel drops; exact totals in tree and panel feed', async () => {
    const registry = new SocketRegistry({ logCaps: CAPS });
    const marker = dgram.createSocket('udp4');
    marker.on('error', () => undefined);
    let sampler: NodeJS.Timeout | undefined;
    try {
      const socket = await registry.open({ type: 'udp4', port: 0, recvBufferSize: 4 * 1024 * 1024 });
      const port = socket.local!.port;

      // The panel's host feed, as a visible panel whose webview acknowledges every message at once.
      const source = new LogFeedSource(registry.log);
      // Only the counts and the last batch are kept (holding every batch's rows would be this test's own leak).
      const streamedTotals = { batches: 0, rows: 0, skipped: 0 };
      let lastBatch: Batch | undefined;
      let onPost: (() => void) | undefined;
      const feed: PanelFeed = new PanelFeed({
        source,
        post: (m: HostToWebview) => {
          if (m.type === 'batch') {
            streamedTotals.batches++;
            streamedTotals.rows += m.rows.count;
            streamedTotals.skipped += m.skipped;
            lastBatch = m;
          }
          if (m.type === 'batch' || m.type === 'snapshot') queueMicrotask(() => feed.ack(m.seq));
          onPost?.();
        },
        snapshotExtras: () => ({ sockets: [], targets: [], defaultEncoding: 'text' }),
      });
      feed.snapshot('ready');

      // The log never exceeds its caps, checked on every "something new" signal.
      let maxKept = 0;
      let maxKeptBytes = 0;
      const onLog = registry.onDidLog(() => {
        maxKept = Math.max(maxKept, registry.log.size);
        maxKeptBytes = Math.max(maxKeptBytes, registry.log.bytes);
        feed.notify();
      });

      const before = await sampleResources();
      const baseline = before.heapUsed + process.memoryUsage().arrayBuffers;
      let peakRss = before.rss;
      sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100);

      // The sender: a child process, so this process only receives (as the extension host would).
      const child = fork(path.join(__dirname, 'floodSender.ts'), [String(port), String(COUNT), String(SIZE), String(SENDER_MAX_MS)], {
        execArgv: ['--require', 'tsx/cjs'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const report = await new Promise<SenderReport>((resolve, reject) => {
        child.once('message', (m) => resolve(m as SenderReport));
        child.once('error', reject);
        child.once('exit', (code) => reject(new Error(`the flood sender exited with ${code} before reporting`)));
      });
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));

      // End of flood: end markers, one at a time, each awaited as an event (and replaced if the kernel dropped it).
      // When marker k is the newest log entry, everything sent before it was received or dropped.
      let markers = 0;
      for (;;) {
        markers++;
        const text = `END ${markers}`;
        const seen = new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => {
            sub.dispose();
            resolve(false);
          }, 1000);
          const sub = registry.onDidLog(() => {
            const newest = registry.log.latest(1)[0];
            if (newest && Buffer.from(newest.bytes).toString('latin1') === text) {
              clearTimeout(timer);
              sub.dispose();
              resolve(true);
            }
          });
        });
        marker.send(text, port, '127.0.0.1');
        if (await seen) break;
        assert.ok(markers < 20, 'the end marker never arrived');
      }
      clearInterval(sampler);
      sampler = undefined;
      onLog.dispose();

      const stats = socket.view().stats;
      const kernel = readUdpSocket(port);
      assert.ok(kernel, 'the socket is listed in /proc/net/udp');
      const log = registry.log;
      const received = stats.datagramsIn;

      // The panel feed's last batch carries the final totals; it is due within one batch interval.
      const finalBatch = (): Batch | undefined => (lastBatch && lastBatch.totals.lastSeq === log.lastSeq ? lastBatch : undefined);
      const lastTotals = await new Promise<LogTotals>((resolve) => {
        const done = finalBatch();
        if (done) return resolve(done.totals);
        onPost = () => {
          const batch = finalBatch();
          if (batch) resolve(batch.totals);
        };
        feed.notify();
      });
      onPost = undefined;
      const after = await sampleResources();
      const grown = after.heapUsed + process.memoryUsage().arrayBuffers - baseline;

      lastBatch = undefined;
      const streamed = streamedTotals.rows + streamedTotals.skipped;
      const tree = socketCounts(socket.view());

      console.log(
        `      flood: sender ${formatCount(report.sent)} sent (${report.failed} failed) in ${(report.elapsedMs / 1000).toFixed(1)} s` +
          ` + ${markers} end marker(s); socket received ${formatCount(received)}, kernel dropped ${formatCount(kernel.drops)};` +
          ` log kept ${formatCount(log.size)} (${mib(log.bytes)}), dropped ${formatCount(log.dropped)}, caps ${formatCount(CAPS.maxCount)} / ${mib(CAPS.maxBytes)}` +
          ` (max seen ${formatCount(maxKept)} / ${mib(maxKeptBytes)});` +
          ` panel feed: ${streamedTotals.batches} batches, ${formatCount(streamedTotals.rows)} rows sent + ${formatCount(streamedTotals.skipped)} skipped;` +
          ` tree "${tree}"; RSS ${mib(before.rss)} → peak ${mib(peakRss)} → ${mib(after.rss)} after GC; heap + array buffers grew ${mib(grown)}`,
      );

      // Bounded, and it really was a flood.
      assert.equal(report.failed, 0);
      assert.ok(report.sent + report.failed <= COUNT);
      assert.ok(received > CAPS.maxCount, `the socket received more than the log keeps (${received})`);
      // Every datagram the kernel accepted was received or counted as dropped at this socket.
      assert.equal(report.sent + markers, received + kernel.drops, 'sent == received + kernel drops');
      // The log: kept + dropped == received (nothing else was logged), and it stayed within its caps.
      assert.equal(log.totalAppended, received);
      assert.equal(log.dropped + log.size, received, 'log dropped + kept == received');
      assert.ok(maxKept <= CAPS.maxCount && maxKeptBytes <= CAPS.maxBytes, `the log stayed within its caps (${maxKept}, ${maxKeptBytes})`);
      assert.ok(log.size <= CAPS.maxCount && log.bytes <= CAPS.maxBytes);
      // Byte count: the flood's datagrams plus the end markers that arrived. A marker sent while the socket's
      // queue was still full is dropped by the kernel like any datagram (and replaced), so count the markers in
      // the log, where every one received is among the newest entries: the flood ended before the first was sent.
      const markersReceived = log
        .latest(markers)
        .map((d) => Buffer.from(d.bytes).toString('latin1'))
        .filter((t) => /^END \d+$/.test(t));
      assert.ok(markersReceived.length >= 1 && markersReceived.length <= markers);
      assert.equal(stats.bytesIn, (received - markersReceived.length) * SIZE + markersReceived.reduce((s, t) => s + t.length, 0));
      // The newest kept entries are the flood's payload, byte-exact.
      for (const d of log.latest(5).slice(0, -1)) assert.ok(Buffer.from(d.bytes).equals(Buffer.alloc(SIZE, 0x66)) || /^END /.test(Buffer.from(d.bytes).toString('latin1')));
      // The tree's description shows the exact count.
      assert.ok(tree.startsWith(`↓ ${formatCount(received)} ↑ 0`), tree);
      // The panel feed: exact totals, and what it streamed adds up to them.
      assert.deepEqual(lastTotals, { logged: received, dropped: log.dropped, kept: log.size, keptBytes: log.bytes, lastSeq: log.lastSeq });
      assert.equal(streamed, received, 'rows sent + skipped over all batches == datagrams logged');
      // Memory: bounded by the byte cap plus bookkeeping, not by the 100 MB that flowed through.
      if (after.gcRan) assert.ok(grown < CAPS.maxBytes + 16 * 1024 * 1024, `heap + array buffers grew by ${mib(grown)}`);
      feed.dispose();
      source.dispose();
    } finally {
      if (sampler) clearInterval(sampler);
      marker.close();
      registry.dispose();
    }
  });
});
