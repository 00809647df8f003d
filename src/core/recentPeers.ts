// The peers a socket has heard from, most recent first when read, bounded so a sender that changes port on every
// datagram (or a spoofing flood) cannot grow it without limit. Updating is two Map lookups keyed by address then
// port (no string building per datagram); only a new peer arriving at a full table costs a scan, to evict the
// one heard from least recently. A datagram from the same peer as the one before — a flood, a conversation —
// skips even those: one port compare and one string compare against the last peer (a Map lookup has to hash
// dgram's fresh address string anew for every datagram; that was ~12 % of the receive path).
//
// `record` returns one shared Endpoint object per peer: the socket hands that to its stats, its event and the log
// instead of dgram's per-datagram rinfo, so a log of 10⁵ datagrams from one peer holds one endpoint, not 10⁵.

import type { Endpoint, PeerView } from '../shared/dto';

export const DEFAULT_MAX_PEERS = 256;

interface PeerEntry {
  /** The shared endpoint for this peer (never mutated). */
  endpoint: Endpoint;
  address: string;
  family: Endpoint['family'];
  port: number;
  datagrams: number;
  bytes: number;
  firstSeen: number;
  lastSeen: number;
}

export class RecentPeers {
  private readonly byAddress = new Map<string, Map<number, PeerEntry>>();
  private count = 0;
  /** Peers evicted to stay within the bound. */
  evicted = 0;
  /** New peers recorded so far (evicted ones that come back count again): a cheap "was that one new?" check. */
  added = 0;

  /** The peer of the previous datagram (the fast path of `record`), while it is in the table. */
  private last: PeerEntry | undefined;

  constructor(private readonly maxPeers: number = DEFAULT_MAX_PEERS) {}

  get size(): number {
    return this.count;
  }

  /** Counts one datagram from `peer`; returns the shared endpoint for it. */
  record(peer: Endpoint, size: number, time: number): Endpoint {
    const last = this.last;
    if (last !== undefined && last.port === peer.port && last.address === peer.address) {
      last.datagrams++;
      last.bytes += size;
      last.lastSeen = time;
      return last.endpoint;
    }
    let ports = this.byAddress.get(peer.address);
    let entry = ports?.get(peer.port);
    if (entry) {
      entry.datagrams++;
      entry.bytes += size;
      entry.lastSeen = time;
      this.last = entry;
      return entry.endpoint;
    }
    if (this.count >= this.maxPeers) {
      this.evictLeastRecent();
      ports = this.byAddress.get(peer.address);
    }
    if (!ports) {
      ports = new Map();
      this.byAddress.set(peer.address, ports);
    }
    const endpoint: Endpoint = { address: peer.address, family: peer.family, port: peer.port };
    entry = { endpoint, address: peer.address, family: peer.family, port: peer.port, datagrams: 1, bytes: size, firstSeen: time, lastSeen: time };
    ports.set(peer.port, entry);
    this.last = entry;
    this.count++;
    this.added++;
    return endpoint;
  }

  private evictLeastRecent(): void {
    let oldest: PeerEntry | undefined;
    for (const ports of this.byAddress.values()) {
      for (const entry of ports.values()) if (!oldest || entry.lastSeen < oldest.lastSeen) oldest = entry;
    }
    if (!oldest) return;
    if (oldest === this.last) this.last = undefined;
    const ports = this.byAddress.get(oldest.address)!;
    ports.delete(oldest.port);
    if (ports.size === 0) this.byAddress.delete(oldest.address);
    this.count--;
    this.evicted++;
  }

  /** Snapshot, most recently heard first. */
  list(): PeerView[] {
    const out: PeerView[] = [];
    for (const ports of this.byAddress.values()) {
      for (const e of ports.values()) {
        out.push({ address: e.address, family: e.family, port: e.port, datagrams: e.datagrams, bytes: e.bytes, firstSeen: e.firstSeen, lastSeen: e.lastSeen });
      }
    }
    return out.sort((a, b) => b.lastSeen - a.lastSeen);
  }

  clear(): void {
    this.last = undefined;
    this.byAddress.clear();
    this.count = 0;
  }
}
