// How UDP Lab writes endpoints, counts and rates in the tree, the status bar, notifications and the log.
// One place, so `127.0.0.1:5000` and `[::1]:5000` look the same everywhere.

import { endpointText } from '../shared/datagramJsonl';
import type { Endpoint, SocketView } from '../shared/dto';
import { formatBinarySize, formatCount } from '../shared/format';

export { formatCount };

/** `127.0.0.1:5000`, `[::1]:5000` (brackets whenever the address holds a colon). */
export function formatEndpoint(endpoint: { address: string; port: number }): string {
  return endpointText(endpoint.address, endpoint.port);
}

/** `udp4 127.0.0.1:5000`, or what was asked for while it is still binding. */
export function socketTitle(view: SocketView): string {
  const where = view.local ?? { address: view.options.address ?? '?', port: view.options.port };
  const label = view.label ?? view.options.label;
  return `${label ? `${label} · ` : ''}${view.type} ${formatEndpoint(where)}`;
}

/** Datagrams per second, short: `0.4/s`, `340/s`, `12.3k/s`. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '0/s';
  if (perSecond < 10) return `${Number(perSecond.toFixed(1))}/s`;
  if (perSecond < 10_000) return `${Math.round(perSecond)}/s`;
  if (perSecond < 1_000_000) return `${Number((perSecond / 1000).toFixed(1))}k/s`;
  return `${Number((perSecond / 1_000_000).toFixed(1))}M/s`;
}

/** 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  return formatBinarySize(n);
}

/** The tree's live description: `↓ 1 204 ↑ 12 · 340/s` (the rate only while something arrives). */
export function socketCounts(view: SocketView): string {
  const s = view.stats;
  const counts = `↓ ${formatCount(s.datagramsIn)} ↑ ${formatCount(s.datagramsOut)}`;
  return s.rateIn > 0 ? `${counts} · ${formatRate(s.rateIn)}` : counts;
}

export function sameEndpoint(a: Endpoint | { address: string; port: number }, b: { address: string; port: number }): boolean {
  return a.port === b.port && a.address.toLowerCase() === b.address.toLowerCase();
}
