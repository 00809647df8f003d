// The core's public surface: Node-only UDP sockets, registry, log, stats and scheduler, with no `vscode` import.
// Host, CLI, bench and tests may import from here or from the individual files (the same objects).

export * from './events';
export * from './errors';
export {
  UdpSocket,
  reusePortSupportedFor,
  describeRuntime,
  DEFAULT_RECV_BUFFER_BYTES,
  type NewPeer,
  type ReceivedDatagram,
  type ReceiveReader,
  type SentDatagram,
  type SendTarget,
  type SendCallback,
} from './udpSocket';
export { kernelDrops } from './kernelDrops';
export { SocketRegistry, type SocketRegistryOptions, type RegistryChange, type SocketErrorEvent, type EphemeralSendResult } from './socketRegistry';
export { DatagramLog, DEFAULT_LOG_CAPS, type LogCaps } from './datagramLog';
export { SocketStats, RATE_WINDOW_MS } from './socketStats';
export { RecentPeers, DEFAULT_MAX_PEERS } from './recentPeers';
export { SendScheduler, PROGRESS_INTERVAL_MS, type ScheduleOptions, type ScheduleProgress, type ScheduleResult, type ScheduledSend } from './sendScheduler';
export { resolveHost, resolveLiteral, literalFamily, unbracket } from './hostResolver';
export { wallClockMs, batchClockMs, monotonicMs } from './clock';
