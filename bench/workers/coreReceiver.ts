// UDP Lab's receive path as the extension runs it: a SocketRegistry socket (bytes copied, peer and time
// recorded, stats updated), the bounded log ring, and the Messages panel's host-side feed (PanelFeed over the
// log) posting batches into a sink that serialises them as VS Code would. The bench counts what the log took
// in; the same worker answers memory questions for the memory section (run with --expose-gc).

import { SocketRegistry } from '../../src/core/socketRegistry';
import { type UdpSocket } from '../../src/core/udpSocket';
import { PanelFeed } from '../../src/host/panel/panelFeed';
import { LogFeedSource } from '../../src/host/panel/logFeedSource';
import { createHostPostSink } from '../lib/hostPostSink';
import { delay, serve } from './ipc';

const registry = new SocketRegistry({});
const sink = createHostPostSink();
let socket: UdpSocket | undefined;
let feed: PanelFeed | undefined;
let cpuAtBind = process.cpuUsage();

function received(): number {
  return socket?.view().stats.datagramsIn ?? 0;
}

async function bind(): Promise<{ port: number }> {
  cpuAtBind = process.cpuUsage();
  socket = await registry.open({ type: 'udp4', port: 0, address: '127.0.0.1' });
  // The panel stays open across trials, as it does for a user sending floods one after another: its snapshot
  // is sent once, and every trial's datagrams reach it as batches.
  feed ??= openFeed();
  return { port: socket.view().local!.port };
}

function openFeed(): PanelFeed {
  const f = new PanelFeed({
    source: new LogFeedSource(registry.log),
    post: (message) => {
      sink.post(message);
      // The webview acknowledges each stream message once it has applied it; here that is at once.
      if (message.type === 'batch' || message.type === 'snapshot') queueMicrotask(() => f.ack(message.seq));
    },
    snapshotExtras: () => ({ sockets: [], targets: [], defaultEncoding: 'text' }),
  });
  registry.onDidLog(() => f.notify()); // for the worker's life, as the feed
  f.snapshot('ready');
  return f;
}

async function settle({ quietMs }: { quietMs: number }): Promise<{ received: number; batches: number; cpuMs: number }> {
  let last = -1;
  while (last !== received()) {
    last = received();
    await delay(quietMs);
  }
  const cpu = process.cpuUsage(cpuAtBind);
  return { received: last, batches: feed?.stats.batches ?? 0, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function close(): Promise<void> {
  // Only the socket: the log and the panel's feed live on, as in the extension, where the log is the registry's
  // and outlives its sockets. (Clearing it here made every trial refill up to 64 MB of fresh memory, a cost a
  // user pays once per session; here it falls in the first trial.)
  if (socket) await registry.close(socket.id);
  socket = undefined;
}

/** Memory after a full GC, and the log's own accounting (for the memory section). */
function memory(): Record<string, number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  const log = registry.log;
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    logSize: log.size,
    logBytes: log.bytes,
    logDropped: log.dropped,
    logTotal: log.totalAppended,
    datagramsIn: received(),
    maxCount: log.getCaps().maxCount,
    maxBytes: log.getCaps().maxBytes,
    gcAvailable: gc ? 1 : 0,
  };
}

serve({ bind, settle, close, memory });
