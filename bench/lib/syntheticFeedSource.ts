// A stand-in for the core's datagram log as the panel feed sees it (FeedSource), producing a steady stream of
// `rate` datagrams per second from the moment it starts, with the exact totals a real log would report under
// the given caps. The panel bench drives the real PanelFeed with it, so the webview receives exactly the
// messages the host would post during such a flood, without the bench's Node process spending a core on
// sockets while Chromium is being measured.

import type { LogCaps, LogTotals } from '../../src/shared/protocol';
import type { BlockSource } from '../../src/shared/rowBlock';
import type { FeedSource } from '../../src/host/panel/panelFeed';

export interface SyntheticStreamOptions {
  rate: number;
  caps: LogCaps;
  /** Payload size of every datagram. */
  size: number;
  now?: () => number;
}

const PEERS = 16;

export class SyntheticFeedSource implements FeedSource {
  private readonly startedAt: number;
  private readonly epoch = Date.now();
  private readonly now: () => number;
  private frozenAt: number | undefined;

  constructor(private readonly options: SyntheticStreamOptions) {
    this.now = options.now ?? (() => performance.now());
    this.startedAt = this.now();
  }

  /** Stops the stream where it is (the flood ended). */
  stop(): void {
    this.frozenAt ??= this.now();
  }

  get logged(): number {
    const t = (this.frozenAt ?? this.now()) - this.startedAt;
    return Math.floor((t * this.options.rate) / 1000);
  }

  totals(): LogTotals {
    const logged = this.logged;
    const kept = Math.min(logged, this.options.caps.maxCount, Math.floor(this.options.caps.maxBytes / this.options.size));
    return { logged, dropped: logged - kept, kept, keptBytes: kept * this.options.size, lastSeq: logged };
  }

  caps(): LogCaps {
    return this.options.caps;
  }

  newestAfter(afterSeq: number, limit: number): readonly BlockSource[] {
    const { lastSeq, kept } = this.totals();
    const from = Math.max(afterSeq + 1, lastSeq - limit + 1, lastSeq - kept + 1, 1);
    const rows: BlockSource[] = [];
    for (let seq = from; seq <= lastSeq; seq++) rows.push(this.row(seq));
    return rows;
  }

  /** Datagram `seq`: a statsd-like line padded to the size, from one of a few peers. */
  private row(seq: number): BlockSource {
    const text = `bench.flood.datagram:${seq}|c|#peer:${seq % PEERS}`;
    const bytes = new Uint8Array(this.options.size);
    for (let i = 0; i < bytes.length; i++) bytes[i] = i < text.length ? text.charCodeAt(i) : 0x2e;
    return {
      seq,
      time: this.epoch + (seq * 1000) / this.options.rate,
      direction: 'in',
      socketId: 'bench-socket',
      peer: { address: '127.0.0.1', family: 'IPv4', port: 40_000 + (seq % PEERS) },
      size: this.options.size,
      bytes,
    };
  }
}
